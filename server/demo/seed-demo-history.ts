// The demo's recent past and the centre's earlier years, replayed through the real services:
//  - a procurement tender that went the whole way on the `past` clock — published 60 days ago,
//    three sealed and signed bids 40 days ago, opened by the scheduler's steps at its deadline 35
//    days ago, evaluated (lowest price), candidate publicity, awarded to rank 1 after it, contract
//    signed 26 days ago;
//  - a land listing that ended with a deal above its starting price (highest price);
//  - a historical import (POST /api/reports/imports) of 2007, 2024 and 2025 results for all four
//    centres, so the rate reports cover earlier years too. The 2007 rows are constructed to give the
//    model centre's 2007 headline exactly: "construction and procurement savings rate 15.17%;
//    property rights and land value-added rate 20.73%".
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DAY, HOUR, MINUTE, type ManualClock } from '../../modules/core/clock';
import type { RequestContext } from '../../modules/core/context';
import { FILES, loadOrCreatePlatformKeys, PlatformKeysError } from '../../modules/pki/platform-keys';
import { createProjectBody } from '../../modules/tenders/tenders-schemas';
import { ConfigError, type Config } from '../config';
import type { Database } from '../../db/connection';
import { submitDemoBids, type DemoBidder } from './seed-demo-opening';

type Services = ReturnType<typeof import('../app').buildServices>;

/** How far back the demo replays; the demo's platform CA starts this long before the first start. */
export const DEMO_HISTORY_DAYS = 90;
/** When the demo bidders get their signing certificates and submit the past bids. */
export const DEMO_BIDS_DAYS_AGO = 40;

/**
 * The platform CA starts one day before its creation, and a certificate is only issued (and a
 * signature only accepted) inside the CA's validity: a demo that replays bids from 40 days ago
 * needs a CA that already existed then. Rather than loosening any check, the demo makes its CA
 * with a creation time DEMO_HISTORY_DAYS back — only outside production, only when the demo is on,
 * only on an empty database, and only when the certs directory holds no CA yet (a fresh
 * directory; a CA a deployment or an earlier start put there is never replaced). Called before the
 * app loads its keys. If the CA turns out not to cover the past (an older certs directory), the
 * demo skips the replayed bids instead (see coversDemoHistory).
 */
export async function prepareDemoPlatformKeys(config: Pick<Config, 'production' | 'demo' | 'certsDir'>, db: Database, now: number): Promise<boolean> {
  if (config.production || !config.demo) return false;
  if (fs.existsSync(path.join(config.certsDir, FILES.caCert)) || fs.existsSync(path.join(config.certsDir, FILES.caKey))) return false;
  const users = await db.knex('users').count({ n: '*' }).first();
  if (Number(users?.n ?? 0) > 0) return false;
  try {
    loadOrCreatePlatformKeys(config.certsDir, { now: now - DEMO_HISTORY_DAYS * DAY });
  } catch (err) {
    if (err instanceof PlatformKeysError) throw new ConfigError(err.message);
    throw err;
  }
  return true;
}

/** Whether the platform CA was valid when the demo's past bids are signed (DEMO_BIDS_DAYS_AGO). */
export function coversDemoHistory(s: Services, now: number): boolean {
  return Date.parse(s.platformKeys.ca.cert.validFrom) <= now - (DEMO_BIDS_DAYS_AGO + 1) * DAY;
}

export interface DemoHistory {
  procurementId: string;
  landId: string;
}

const yuanToFen = (yuan: string) => BigInt(yuan.replace('.', ''));

/** The completed tender and the land deal, in time order from DEMO_HISTORY_DAYS ago; leaves the clock 26 days ago. */
export async function seedDemoHistory(s: Services, past: ManualClock, now: number, operator: RequestContext, bidders: DemoBidder[]): Promise<DemoHistory> {
  const at = (daysAgo: number, plusHours = 0) => past.set(now - daysAgo * DAY + plusHours * HOUR);
  const project = (input: unknown) => createProjectBody.parse(input);

  // 73 days ago: the land listing notice (≥ 20 days before the listing starts; ≥ 10 working days of listing).
  at(73);
  const land = await s.tenders.createProject(
    operator,
    project({
      centre: 'land',
      title: '蜀山区 SS2026-08 号地块国有建设用地使用权',
      tenderee: '合肥市自然资源和规划局',
      sections: [{ title: 'SS2026-08 号地块', procedure: 'listing', referencePrice: '96000000.00', bidBond: '1900000.00', bidOpensAt: now - 52 * DAY, bidDeadlineAt: now - 33 * DAY }],
    }),
  );
  const landSection = land.sections[0]!;
  await s.tenders.publish(operator, landSection.id);

  // 60 days ago: the procurement notice, deadline 35 days ago.
  at(60);
  const proc = await s.tenders.createProject(
    operator,
    project({
      centre: 'procurement',
      title: '市公共资源交易中心电子评标室设备采购',
      tenderee: '合肥市公共资源交易监督管理局',
      sections: [{ title: '电子评标室设备及集成', referencePrice: '3860000.00', bidBond: '70000.00', bidDeadlineAt: now - 35 * DAY }],
    }),
  );
  const procSection = proc.sections[0]!;
  await s.tenders.publish(operator, procSection.id);

  // 40 days ago: the bidders get their signing certificates and submit sealed, signed bids to both.
  at(DEMO_BIDS_DAYS_AGO);
  await s.lifecycle.advanceDue(); // the land listing's bid window opened 52 days ago
  const [a, b, c] = bidders as [DemoBidder, DemoBidder, DemoBidder];
  await submitDemoBids(
    s,
    procSection,
    [
      { bidder: a, price: '3528600.00', durationDays: 45, quality: '合格' },
      { bidder: b, price: '3412000.00', durationDays: 40, quality: '合格' },
      { bidder: c, price: '3655000.00', durationDays: 50, quality: '合格' },
    ],
    '技术响应：完全满足采购文件第三章技术参数要求。',
  );
  at(DEMO_BIDS_DAYS_AGO, 3);
  await submitDemoBids(
    s,
    landSection,
    [
      { bidder: a, price: '108500000.00' },
      { bidder: b, price: '112300000.00' },
      { bidder: c, price: '115860000.00' },
    ],
    '竞买申请：已阅读并接受挂牌出让文件全部条款。',
  );

  // 35 days ago: the scheduler's steps at the procurement deadline; the evaluation right after.
  // The scheduler runs a minute after the deadline: the time lock's beacon round (the first at or
  // after the deadline) is out by then.
  at(35);
  past.advance(MINUTE);
  await s.lifecycle.advanceDue();
  await s.opening.openDue();
  at(35, 2);
  await s.evaluation.start(operator, procSection.id);
  await s.evaluation.conclude(operator, procSection.id); // candidate publicity (candidatePublicityDays)

  // 33 days ago: the land listing closes and opens; highest price.
  at(33);
  past.advance(MINUTE);
  await s.lifecycle.advanceDue();
  await s.opening.openDue();
  at(33, 2);
  await s.evaluation.start(operator, landSection.id);
  await s.evaluation.conclude(operator, landSection.id);

  // After the publicity, with no objections: award to rank 1.
  at(31);
  await s.evaluation.award(operator, procSection.id);
  at(29);
  await s.evaluation.award(operator, landSection.id);

  // 26 days ago: both contracts signed at the award amounts.
  at(26);
  await s.awards.recordContract(operator, procSection.id, { signedAt: now - 26 * DAY, amountFen: yuanToFen('3412000.00') });
  await s.awards.recordContract(operator, landSection.id, { signedAt: now - 26 * DAY, amountFen: yuanToFen('115860000.00') });
  return { procurementId: procSection.id, landId: landSection.id };
}

/**
 * Earlier years' awarded sections, as a centre adopting the platform would import them. 2007 sums:
 * cost side Σreference 1,000,000,000.00, Σsavings 151,700,000.00 → 15.17%; revenue side Σreference
 * 3,200,000,000.00, Σgain 663,360,000.00 → 20.73%.
 */
export const DEMO_HISTORY_CSV =
  [
    'centre,code,title,reference_price,award_amount,award_date',
    'construction,JS2007-031,市政道路改造工程,350000000.00,301000000.00,2007-06-18',
    'construction,JS2007-078,学校校舍新建工程,250000000.00,212000000.00,2007-10-09',
    'procurement,CG2007-012,政府机关办公设备采购,150000000.00,124300000.00,2007-04-20',
    'procurement,CG2007-095,医疗设备采购,250000000.00,211000000.00,2007-11-27',
    'land,TD2007-006,经济开发区工业用地,1200000000.00,1390000000.00,2007-05-15',
    'land,TD2007-021,政务区商住用地,1800000000.00,2260000000.00,2007-09-26',
    'property,CQ2007-004,国有企业股权转让,120000000.00,127360000.00,2007-07-12',
    'property,CQ2007-010,闲置厂房转让,80000000.00,86000000.00,2007-12-05',
    'construction,JS2024-112,滨湖新区污水处理厂扩建工程,186500000.00,166420000.00,2024-05-21',
    'construction,JS2024-187,高新区人才公寓建设工程,92800000.00,84150000.00,2024-09-13',
    'procurement,CG2024-044,市属医院医疗设备采购,23600000.00,19870000.00,2024-03-28',
    'procurement,CG2024-131,中小学智慧教室设备采购,8450000.00,7265000.00,2024-11-06',
    'land,TD2024-017,包河区 BH2024-17 号地块,685000000.00,812300000.00,2024-06-27',
    'land,TD2024-033,新站区 XZ2024-33 号地块,214000000.00,238500000.00,2024-12-10',
    'property,CQ2024-021,市属国企闲置商铺转让,12600000.00,14950000.00,2024-08-15',
    'construction,JS2025-058,南淝河综合治理工程,248000000.00,219600000.00,2025-04-17',
    'construction,JS2025-143,轨道交通站点配套工程,133500000.00,121480000.00,2025-10-22',
    'procurement,CG2025-027,政务云服务采购,15800000.00,13920000.00,2025-03-12',
    'procurement,CG2025-102,公务用车采购,4680000.00,4215000.00,2025-08-29',
    'land,TD2025-009,经开区 JK2025-09 号地块,356000000.00,401700000.00,2025-05-30',
    'land,TD2025-041,瑶海区 YH2025-41 号地块,528000000.00,617800000.00,2025-11-18',
    'property,CQ2025-013,国有控股公司 30% 股权转让,46000000.00,53820000.00,2025-07-09',
  ].join('\n') + '\n';

/** Imports DEMO_HISTORY_CSV through the real import service (validated, audited, all or nothing). */
export async function importDemoHistory(s: Services, operator: RequestContext): Promise<void> {
  await s.imports.importHistory(operator, { text: DEMO_HISTORY_CSV, sha256: crypto.createHash('sha256').update(DEMO_HISTORY_CSV).digest('hex') });
}
