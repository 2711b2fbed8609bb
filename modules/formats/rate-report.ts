// GET /api/reports/rates: savings and value-added rates per section, per centre and combined
// (modules/reports/reports-service.ts builds it; templates/records/rate-report.ts prints it).
import { z } from 'zod';
import { epochMs, yuanText } from './common';

const rateSchema = z.strictObject({
  /** Percent with two decimals, round half up; null when there is no reference to divide by. */
  percent: z.string().nullable(),
  numerator: yuanText,
  denominator: yuanText,
  /** The reference price kind used as the base: one, a list when they are mixed, null when empty. */
  base: z.union([z.string(), z.array(z.string())]).nullable(),
});

const countsSchema = z.strictObject({ published: z.int(), opened: z.int(), failed: z.int(), awarded: z.int(), imported: z.int() });
const aggregateSchema = { sections: z.int().min(0), referenceTotal: yuanText, finalTotal: yuanText, rate: rateSchema };
const direction = z.enum(['cost', 'revenue']);
const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const rateReportSchema = z.strictObject({
  period: z.strictObject({
    from: calendarDate,
    to: calendarDate,
    by: z.string(),
    timeZones: z.record(z.string(), z.string()),
    /** What centres[].buckets are: months, or years when the period spans more than 24 months. */
    buckets: z.enum(['month', 'year']),
  }),
  /** Present when the report is of one centre. */
  centre: z.string().optional(),
  generatedAt: epochMs,
  headline: z.string(),
  headlineZh: z.string(),
  combined: z.strictObject({
    cost: z.strictObject({ centres: z.array(z.string()), metric: z.string(), ...aggregateSchema }),
    revenue: z.strictObject({ centres: z.array(z.string()), metric: z.string(), ...aggregateSchema }),
  }),
  centres: z.array(
    z.strictObject({
      centre: z.string(),
      direction,
      metric: z.string(),
      ...aggregateSchema,
      importedSections: z.int().min(0),
      counts: countsSchema,
      /** The weighted rate of each month (or year) of the period, for the charts. */
      buckets: z.array(z.strictObject({ key: z.string(), sections: z.int().min(0), percent: z.string().nullable() })),
    }),
  ),
  counts: countsSchema,
  /** One page of the sections, in order of award instant, then code (imported after live on a tie). */
  sections: z.array(
    z.strictObject({
      centre: z.string(),
      /** null for an imported result. */
      sectionId: z.string().nullable(),
      code: z.string(),
      title: z.string(),
      referenceKind: z.string(),
      referencePrice: yuanText,
      finalAmount: yuanText,
      awardDate: calendarDate,
      awardedAt: epochMs,
      imported: z.boolean(),
      contracted: z.boolean(),
      /** Bids counted at the deadline; null for imported results. */
      bids: z.int().min(0).nullable(),
      metric: z.string(),
      rate: rateSchema,
    }),
  ),
  page: z.strictObject({
    /** The most sections this page holds (?limit=, at most 1000). */
    limit: z.int().min(1),
    /** Sections in the whole period (every page). */
    total: z.int().min(0),
    /** ?cursor= for the next page; null on the last. */
    next: z.string().nullable(),
  }),
  notes: z.record(z.string(), z.string()),
});
export type RateReport = z.infer<typeof rateReportSchema>;
