import type { Knex } from 'knex';

// The four centres exist in every installation, demo or not; their settings can be changed later
// (PUT /api/centres/:code/settings). The settings are a snapshot taken when this migration was
// written, so that the migration means the same thing forever; later default changes belong in
// their own data migration.
const CENTRES: Record<string, { nameZh: string; nameEn: string; settings: unknown }> = {
  "procurement": {
    "nameZh": "政府采购",
    "nameEn": "Government procurement",
    "settings": {
      "minBids": 3,
      "clarificationMinDays": 15,
      "maxBidBondPercent": "2",
      "candidatePublicityDays": 3,
      "timeZone": "Asia/Shanghai",
      "direction": "cost",
      "metric": "savings",
      "referenceKinds": [
        "budget"
      ],
      "procedures": [
        "open_tender",
        "invited_tender",
        "competitive_negotiation",
        "competitive_consultation",
        "inquiry",
        "single_source"
      ],
      "minResponsiveBids": 3,
      "evaluationMethods": [
        "lowest_price",
        "comprehensive_scoring"
      ],
      "minPeriods": {
        "open_tender": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 20
          },
          "source": "ZCF 35"
        },
        "invited_tender": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 20
          },
          "source": "ZCF 35"
        },
        "competitive_consultation": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 10
          },
          "source": "competitive consultation rules"
        },
        "competitive_negotiation": {
          "noticeToDeadline": {
            "unit": "working_days",
            "value": 3
          },
          "source": "ZCF 38"
        },
        "inquiry": {
          "noticeToDeadline": {
            "unit": "working_days",
            "value": 3
          },
          "source": "ZCF 40"
        },
        "single_source": {
          "noticeToDeadline": {
            "unit": "working_days",
            "value": 5
          },
          "source": "ZCFS 38"
        }
      }
    }
  },
  "construction": {
    "nameZh": "建设工程",
    "nameEn": "Construction projects",
    "settings": {
      "minBids": 3,
      "clarificationMinDays": 15,
      "maxBidBondPercent": "2",
      "candidatePublicityDays": 3,
      "timeZone": "Asia/Shanghai",
      "direction": "cost",
      "metric": "savings",
      "referenceKinds": [
        "control_price",
        "budget"
      ],
      "procedures": [
        "open_tender",
        "invited_tender"
      ],
      "evaluationMethods": [
        "lowest_price",
        "comprehensive_scoring"
      ],
      "minPeriods": {
        "open_tender": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 20
          },
          "source": "TBL 24"
        },
        "invited_tender": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 20
          },
          "source": "TBL 24"
        }
      }
    }
  },
  "land": {
    "nameZh": "土地出让",
    "nameEn": "State land-use rights",
    "settings": {
      "minBids": 3,
      "clarificationMinDays": 15,
      "maxBidBondPercent": "2",
      "candidatePublicityDays": 3,
      "timeZone": "Asia/Shanghai",
      "direction": "revenue",
      "metric": "value_added",
      "referenceKinds": [
        "starting_price"
      ],
      "procedures": [
        "listing",
        "auction",
        "online_bidding",
        "open_tender"
      ],
      "evaluationMethods": [
        "highest_price",
        "comprehensive_scoring"
      ],
      "minPeriods": {
        "listing": {
          "noticeToBidStart": {
            "unit": "days",
            "value": 20
          },
          "bidWindow": {
            "unit": "working_days",
            "value": 10
          },
          "source": "MLR order 39"
        },
        "auction": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 20
          },
          "source": "MLR order 39"
        },
        "online_bidding": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 20
          },
          "source": "MLR order 39"
        },
        "open_tender": {
          "noticeToDeadline": {
            "unit": "days",
            "value": 20
          },
          "source": "MLR order 39"
        }
      }
    }
  },
  "property": {
    "nameZh": "产权交易",
    "nameEn": "State property rights",
    "settings": {
      "minBids": 3,
      "clarificationMinDays": 15,
      "maxBidBondPercent": "2",
      "candidatePublicityDays": 3,
      "timeZone": "Asia/Shanghai",
      "direction": "revenue",
      "metric": "value_added",
      "referenceKinds": [
        "listing_price"
      ],
      "procedures": [
        "listing",
        "auction",
        "online_bidding"
      ],
      "evaluationMethods": [
        "highest_price"
      ],
      "minPeriods": {
        "listing": {
          "noticeToDeadline": {
            "unit": "working_days",
            "value": 20
          },
          "source": "state property trading rules"
        },
        "auction": {
          "noticeToDeadline": {
            "unit": "working_days",
            "value": 20
          },
          "source": "state property trading rules"
        },
        "online_bidding": {
          "noticeToDeadline": {
            "unit": "working_days",
            "value": 20
          },
          "source": "state property trading rules"
        }
      }
    }
  }
};

export async function up(knex: Knex): Promise<void> {
  const now = Date.now();
  for (const [code, centre] of Object.entries(CENTRES)) {
    await knex('centres').insert({ code, name_zh: centre.nameZh, name_en: centre.nameEn, settings: JSON.stringify(centre.settings), updated_at: now });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex('centres').whereIn('code', Object.keys(CENTRES)).delete();
}
