import { z } from 'zod';
import { CENTRE_CODES, EVALUATION_METHODS, PROCEDURES, REFERENCE_KINDS } from '../centres/centre-rules';
import { MAX_FEN, parseYuan } from '../core/money';
import { SECTION_STATES } from './lifecycle';

/** Amount in yuan as a decimal string ("12345678.90"), turned into integer fen. */
export const yuanSchema = z
  .string()
  .describe('Amount in yuan as a decimal string with at most two decimals, e.g. "12345678.90".')
  .transform((value, ctx) => {
    const parsed = parseYuan(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: `the amount ${parsed.reason}` });
      return z.NEVER;
    }
    return parsed.fen;
  });

const MAX_INSTANT = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** An instant: UTC epoch milliseconds, or an ISO 8601 date-time with an offset ("2026-12-20T09:30:00+08:00"). */
export const instantSchema = z
  .union([z.int().min(0).max(MAX_INSTANT), z.iso.datetime({ offset: true })])
  .describe('UTC epoch milliseconds, or an ISO 8601 date-time with a time-zone offset.')
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

const timelineFields = {
  bidOpensAt: instantSchema.optional().describe('Start of the bid window; defaults to the publication time.'),
  clarificationDeadlineAt: instantSchema.optional(),
  bidDeadlineAt: instantSchema.optional().describe('Bid deadline, which is also the public opening time (EB 29).'),
};

export const sectionInput = z.strictObject({
  title: z.string().trim().min(1).max(200),
  procedure: z.enum(PROCEDURES).optional(),
  evaluationMethod: z.enum(EVALUATION_METHODS).optional(),
  referenceKind: z.enum(REFERENCE_KINDS).optional(),
  referencePrice: yuanSchema.describe('Budget, control price, starting price or listing price, in yuan.'),
  bidBond: yuanSchema.optional(),
  ...timelineFields,
});
export type SectionInput = z.infer<typeof sectionInput>;

export const sectionPatch = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  procedure: z.enum(PROCEDURES).optional(),
  evaluationMethod: z.enum(EVALUATION_METHODS).optional(),
  referenceKind: z.enum(REFERENCE_KINDS).optional(),
  referencePrice: yuanSchema.optional(),
  bidBond: yuanSchema.optional(),
  ...timelineFields,
});
export type SectionPatch = z.infer<typeof sectionPatch>;

export const createProjectBody = z.strictObject({
  centre: z.enum(CENTRE_CODES),
  title: z.string().trim().min(1).max(200),
  tenderee: z.string().trim().min(1).max(200).describe('招标人 / 出让人: the party that tenders or sells.'),
  description: z.string().max(20000).optional(),
  sections: z.array(sectionInput).min(1).max(50),
});

export const updateProjectBody = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  tenderee: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(20000).optional(),
});

export const clarificationBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(50000),
  affectsBids: z.boolean().default(true).describe('A clarification or amendment that may affect bid preparation (TBL 23).'),
  newBidDeadlineAt: instantSchema.optional(),
});

export const retenderBody = z.strictObject({ ...timelineFields });

export const cancelBody = z.strictObject({ reason: z.string().trim().min(4).max(500) });

export const listSectionsQuery = z.strictObject({
  centre: z.enum(CENTRE_CODES).optional(),
  state: z.enum(SECTION_STATES).optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(200)).optional(),
  offset: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(0)).optional(),
});

export const listProjectsQuery = z.strictObject({ centre: z.enum(CENTRE_CODES).optional() });

export const documentQuery = z.strictObject({
  name: z.string().trim().min(1).max(200).regex(/^[^/\\\0]+$/, 'must be a file name without slashes'),
});

export { MAX_FEN };
