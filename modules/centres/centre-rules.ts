// The rules of each trading centre as data (docs/rules.md): every threshold is a setting with the
// default given there, never a constant buried in the code that applies it.
import { z } from 'zod';

export const CENTRE_CODES = ['procurement', 'construction', 'land', 'property'] as const;
export type CentreCode = (typeof CENTRE_CODES)[number];

export const PROCEDURES = [
  'open_tender', // 公开招标
  'invited_tender', // 邀请招标
  'competitive_negotiation', // 竞争性谈判
  'competitive_consultation', // 竞争性磋商
  'inquiry', // 询价
  'single_source', // 单一来源
  'listing', // 挂牌
  'auction', // 拍卖
  'online_bidding', // 网络竞价
] as const;
export type Procedure = (typeof PROCEDURES)[number];

export const EVALUATION_METHODS = ['lowest_price', 'comprehensive_scoring', 'highest_price'] as const;
export type EvaluationMethod = (typeof EVALUATION_METHODS)[number];

export const REFERENCE_KINDS = ['budget', 'control_price', 'starting_price', 'listing_price'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export const periodSchema = z.strictObject({
  unit: z.enum(['days', 'working_days']),
  value: z.int().min(0).max(3650),
});
export type Period = z.infer<typeof periodSchema>;

export const procedureRuleSchema = z.strictObject({
  /** Publication of the notice → bid deadline (TBL 24, ZCF 35). */
  noticeToDeadline: periodSchema.optional(),
  /** Publication of the notice → start of the bid window (land listing: notice ≥ 20 days before). */
  noticeToBidStart: periodSchema.optional(),
  /** Start of the bid window → deadline (land listing ≥ 10 working days). */
  bidWindow: periodSchema.optional(),
  /** Where the rule comes from, printed in error messages. */
  source: z.string().max(100).optional(),
});
export type ProcedureRule = z.infer<typeof procedureRuleSchema>;

/**
 * A custodian of opening keys: the time lock (the drand round at the deadline), the platform timer
 * (a key in certs/: the host is trusted) or a user by username.
 */
export const CUSTODIAN_MEMBER = z.union([
  z.literal('time-lock'),
  z.literal('platform-timer'),
  z.string().regex(/^user:[a-zA-Z0-9_.-]{3,64}$/, 'must be "time-lock", "platform-timer" or "user:<username>"'),
]);
export type CustodianMember = z.infer<typeof CUSTODIAN_MEMBER>;

/** Who holds the shares of a section's opening key, and how many of them open it (docs/rules.md, "Custody of the opening key"). */
export const custodySchema = z
  .strictObject({
    threshold: z.int().min(1).max(20),
    members: z.array(CUSTODIAN_MEMBER).min(1).max(20),
  })
  .superRefine((c, ctx) => {
    if (c.members.length < c.threshold) {
      ctx.addIssue({ code: 'custom', path: ['members'], message: `a threshold of ${c.threshold} needs at least ${c.threshold} members; got ${c.members.length}` });
    }
    if (new Set(c.members).size !== c.members.length) ctx.addIssue({ code: 'custom', path: ['members'], message: 'each custodian may appear only once' });
    // The time lock is never one share among others: it is always required, so that no set of
    // custodians can open early. "threshold" counts it: 3 of [time-lock, a, b, c] = the time lock and 2 of 3.
    if (c.members.includes('time-lock')) {
      const others = c.members.length - 1;
      if (others === 0 && c.threshold !== 1) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'the time lock alone has a threshold of 1' });
      if (others > 0 && c.threshold < 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['threshold'],
          message: `with the time lock and ${others} custodian(s) the threshold is at least 2 (the time lock and at least one custodian); to open by the time lock alone, list only "time-lock"`,
        });
      }
    }
  });
export type CustodySettings = z.infer<typeof custodySchema>;

/**
 * Without a setting, the time lock alone holds the key: nobody — host, centre, custodians — can
 * open a bid before the deadline's beacon round, and anyone can after it, so it opens on time by itself.
 */
export const DEFAULT_CUSTODY: CustodySettings = { threshold: 1, members: ['time-lock'] };

export const TIME_LOCK = 'time-lock';

/** The share-holding members (all but the time lock) and how many of their shares open the key. */
export function shareHoldersOf(custody: CustodySettings): { timeLock: boolean; holders: string[]; shareThreshold: number } {
  const timeLock = custody.members.includes(TIME_LOCK);
  const holders = custody.members.filter((m) => m !== TIME_LOCK);
  return { timeLock, holders, shareThreshold: custody.threshold - (timeLock ? 1 : 0) };
}

/** Custody in which whoever runs the server host can open early: a member whose key sits in certs/. */
export function hostTrusted(custody: CustodySettings): boolean {
  return custody.members.includes('platform-timer');
}

export function custodyOf(settings: CentreSettings): CustodySettings {
  return settings.custody ?? DEFAULT_CUSTODY;
}

export const centreSettingsSchema = z.strictObject({
  direction: z.enum(['cost', 'revenue']),
  metric: z.enum(['savings', 'value_added']),
  referenceKinds: z.array(z.enum(REFERENCE_KINDS)).min(1),
  procedures: z.array(z.enum(PROCEDURES)).min(1),
  evaluationMethods: z.array(z.enum(EVALUATION_METHODS)).min(1),
  minBids: z.int().min(1).max(100),
  minPeriods: z.partialRecord(z.enum(PROCEDURES), procedureRuleSchema),
  /** A clarification that affects bids must come at least this many days before the deadline (TBL 23). */
  clarificationMinDays: z.int().min(0).max(365),
  /** Bid bond cap as percent of the reference price, a decimal string (TBLS 26: 2). */
  maxBidBondPercent: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/),
  candidatePublicityDays: z.int().min(0).max(60),
  timeZone: z.string().min(1).max(64),
  /** The contract is signed within this many days of the award notice (TBL 46, ZCF 46); absent means 30. */
  contractWithinDays: z.int().min(1).max(365).optional(),
  /** Custodians of the opening keys; absent means DEFAULT_CUSTODY. */
  custody: custodySchema.optional(),
  /** Hours after the opening time within which custodians should release their shares; an opening still waiting after it is flagged in the record (default 24). */
  releaseWindowHours: z.int().min(1).max(720).optional(),
  /**
   * Fewer responsive bids than this after the evaluation and the tender fails (废标; ZCF 36, 87 §43).
   * Set for government procurement; absent elsewhere (construction evaluates what remains).
   */
  minResponsiveBids: z.int().min(1).max(100).optional(),
});
export type CentreSettings = z.infer<typeof centreSettingsSchema>;

const days = (value: number) => ({ unit: 'days' as const, value });
const workingDays = (value: number) => ({ unit: 'working_days' as const, value });

const COMMON = {
  minBids: 3,
  clarificationMinDays: 15,
  maxBidBondPercent: '2',
  candidatePublicityDays: 3,
  timeZone: 'Asia/Shanghai',
};

export const DEFAULT_CENTRES: Record<CentreCode, { nameZh: string; nameEn: string; settings: CentreSettings }> = {
  procurement: {
    nameZh: '政府采购',
    nameEn: 'Government procurement',
    settings: {
      ...COMMON,
      direction: 'cost',
      metric: 'savings',
      referenceKinds: ['budget'],
      procedures: ['open_tender', 'invited_tender', 'competitive_negotiation', 'competitive_consultation', 'inquiry', 'single_source'],
      minResponsiveBids: 3,
      evaluationMethods: ['lowest_price', 'comprehensive_scoring'],
      minPeriods: {
        open_tender: { noticeToDeadline: days(20), source: 'ZCF 35' },
        invited_tender: { noticeToDeadline: days(20), source: 'ZCF 35' },
        competitive_consultation: { noticeToDeadline: days(10), source: 'competitive consultation rules' },
        competitive_negotiation: { noticeToDeadline: workingDays(3), source: 'ZCF 38' },
        inquiry: { noticeToDeadline: workingDays(3), source: 'ZCF 40' },
        single_source: { noticeToDeadline: workingDays(5), source: 'ZCFS 38' },
      },
    },
  },
  construction: {
    nameZh: '建设工程',
    nameEn: 'Construction projects',
    settings: {
      ...COMMON,
      direction: 'cost',
      metric: 'savings',
      referenceKinds: ['control_price', 'budget'],
      procedures: ['open_tender', 'invited_tender'],
      evaluationMethods: ['lowest_price', 'comprehensive_scoring'],
      minPeriods: {
        open_tender: { noticeToDeadline: days(20), source: 'TBL 24' },
        invited_tender: { noticeToDeadline: days(20), source: 'TBL 24' },
      },
    },
  },
  land: {
    nameZh: '土地出让',
    nameEn: 'State land-use rights',
    settings: {
      ...COMMON,
      direction: 'revenue',
      metric: 'value_added',
      referenceKinds: ['starting_price'],
      procedures: ['listing', 'auction', 'online_bidding', 'open_tender'],
      evaluationMethods: ['highest_price', 'comprehensive_scoring'],
      minPeriods: {
        listing: { noticeToBidStart: days(20), bidWindow: workingDays(10), source: 'MLR order 39' },
        auction: { noticeToDeadline: days(20), source: 'MLR order 39' },
        online_bidding: { noticeToDeadline: days(20), source: 'MLR order 39' },
        open_tender: { noticeToDeadline: days(20), source: 'MLR order 39' },
      },
    },
  },
  property: {
    nameZh: '产权交易',
    nameEn: 'State property rights',
    settings: {
      ...COMMON,
      direction: 'revenue',
      metric: 'value_added',
      referenceKinds: ['listing_price'],
      procedures: ['listing', 'auction', 'online_bidding'],
      evaluationMethods: ['highest_price'],
      minPeriods: {
        listing: { noticeToDeadline: workingDays(20), source: 'state property trading rules' },
        auction: { noticeToDeadline: workingDays(20), source: 'state property trading rules' },
        online_bidding: { noticeToDeadline: workingDays(20), source: 'state property trading rules' },
      },
    },
  },
};
