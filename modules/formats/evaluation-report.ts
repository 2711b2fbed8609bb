// etender-evaluation-report/1: the concluded evaluation with the opening record inside it
// (modules/records/records-service.ts assembles it; templates/records/evaluation-report.ts prints it).
import { z } from 'zod';
import { epochMs, hex64 } from './common';
import { dossierSectionSchema } from './dossier';
import { openingRecordSchema } from './opening-record';

export const EVALUATION_REPORT_FORMAT = 'etender-evaluation-report/1';

const decimalText = z.string();

const scoreDetailSchema = z.strictObject({
  priceScore: decimalText,
  evaluators: z.record(z.string(), z.strictObject({ scores: z.record(z.string(), decimalText), weighted: decimalText })),
  evaluatorsMean: decimalText,
  total: decimalText,
});

const rankedSchema = z.strictObject({
  rank: z.int().min(1),
  bidId: z.string(),
  seq: z.int().min(1),
  bidder: z.strictObject({ orgId: z.string(), name: z.string() }),
  receivedAt: epochMs,
  price: decimalText,
  score: scoreDetailSchema.optional(),
});

/**
 * The evaluation module's stored result. Its fields depend on the method and the outcome (a failed
 * evaluation has a rule and a reason, no ranking), so each is optional here and the object is open
 * to fields this schema does not name yet.
 */
export const evaluationResultSchema = z.looseObject({
  method: z.string().optional(),
  direction: z.enum(['cost', 'revenue']).optional(),
  referenceKind: z.string().optional(),
  referencePrice: z.string().optional(),
  responsiveCount: z.int().optional(),
  outcome: z.enum(['candidates', 'failed']).optional(),
  rule: z.string().optional(),
  reason: z.string().optional(),
  ranking: z.array(rankedSchema).optional(),
  candidates: z.array(rankedSchema).optional(),
  excluded: z
    .array(
      z.looseObject({
        seq: z.int().optional(),
        bidId: z.string(),
        bidder: z.looseObject({ orgId: z.string().optional(), name: z.string().optional() }).optional(),
        price: z.string().nullable(),
        status: z.string().optional(),
        validity: z.string().nullable().optional(),
        cause: z.strictObject({ code: z.string(), message: z.string() }).nullable().optional(),
      }),
    )
    .optional(),
  weights: z
    .strictObject({ price: decimalText, criteria: z.record(z.string(), decimalText) })
    .nullable()
    .optional(),
  scores: z.array(z.strictObject({ evaluator: z.string(), bidId: z.string(), criterion: z.string(), score: decimalText })).optional(),
  reserve: z.strictObject({ sealedSha256: hex64, setAt: epochMs, amount: z.string() }).nullable().optional(),
});
export type EvaluationResult = z.infer<typeof evaluationResultSchema>;

export const evaluationReportSchema = z.strictObject({
  format: z.literal(EVALUATION_REPORT_FORMAT),
  section: dossierSectionSchema,
  evaluation: z.strictObject({
    method: z.string(),
    startedAt: epochMs.nullable(),
    concludedAt: epochMs.nullable(),
    publicity: z.strictObject({ from: epochMs.nullable(), endsAt: epochMs }).nullable(),
    result: evaluationResultSchema,
    declines: z.array(z.strictObject({ rank: z.int(), reason: z.string(), at: epochMs })),
    objections: z.array(z.strictObject({ id: z.string(), bidder: z.string().nullable(), text: z.string(), raisedAt: epochMs, answer: z.string().nullable(), answeredAt: epochMs.nullable() })),
  }),
  /** The published opening record, whole (its own canonical JSON hashes to its own digest). */
  openingRecord: openingRecordSchema,
});
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;
