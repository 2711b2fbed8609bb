import { z } from 'zod';
import { multiLineText, oneLineText } from '../core/text';
import { awardSchema } from '../formats/award';
import { epochMs, hex64 } from '../formats/common';
import { evaluationResultSchema } from '../formats/evaluation-report';
import { openingObjectionSchema } from '../formats/opening-record';

/** 0 to 100 with at most two decimals: 100.5 is over 100 and refused. */
const zeroToHundred = /^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;
const weight = z.string().regex(zeroToHundred, 'a decimal string from 0 to 100, at most two decimals');
const name = oneLineText(1, 100);

export const reserveBody = z.strictObject({
  sealed: z
    .string()
    .min(20)
    .max(8192)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64')
    .describe(
      'The reserve amount in yuan (e.g. "1500000.00") sealed with age to the section\'s opening recipient, as base64 of the age file. The server stores only the ciphertext; it is opened with the bids.',
    ),
});

export const scoresBody = z.strictObject({
  weights: z
    .strictObject({
      price: weight.describe('Points of the price score (benchmark ÷ price × this).'),
      criteria: z.record(name, weight).describe('Points per criterion; with the price they add up to 100.'),
    })
    .optional()
    .describe('Required with the first scores; a later one replaces it.'),
  scores: z
    .array(
      z.strictObject({
        evaluator: name.describe('The evaluator (评委) as named on the committee list.'),
        bidId: z.string().length(26),
        criterion: name,
        score: z.string().regex(zeroToHundred, 'a decimal string from 0 to 100, at most two decimals'),
      }),
    )
    .min(1)
    .max(2000),
});

export const objectionBody = z.strictObject({ text: multiLineText(1, 2000) });
export const answerBody = z.strictObject({ answer: multiLineText(1, 2000) });
export const excludeBody = z.strictObject({ bidId: z.string().length(26), reason: multiLineText(1, 2000) });
export const declineBody = z.strictObject({ rank: z.int().min(1).max(3), reason: multiLineText(1, 2000) });

// What the evaluation routes answer.

/** The sealed reserve (底价) as stored: only its digest shows; the amount opens with the bids. */
export const reserveResponse = z.strictObject({ reserve: z.strictObject({ sectionId: z.string(), sealedSha256: hex64, setAt: epochMs }) });

/**
 * The evaluation of a section: its method, publicity, declines, objections and result — the stored
 * result once concluded; before that, for staff, a preview (or `pending` with why it cannot be computed yet).
 */
export const evaluationViewSchema = z.strictObject({
  sectionId: z.string(),
  code: z.string(),
  state: z.string(),
  method: z.string(),
  startedAt: epochMs,
  concludedAt: epochMs.nullable(),
  publicity: z.strictObject({ from: epochMs.nullable(), endsAt: epochMs, over: z.boolean() }).nullable(),
  preview: z.boolean(),
  result: evaluationResultSchema.extend({ pending: z.string().optional().describe('Why a preview cannot be computed yet (staff, while evaluating)') }).nullable(),
  declines: z.array(z.strictObject({ rank: z.int().min(1), reason: z.string(), at: epochMs })),
  /** Bids the committee excluded from the ranking, with its reasons. */
  exclusions: z.array(z.strictObject({ bidId: z.string(), reason: z.string(), at: epochMs })),
  objections: z.array(openingObjectionSchema),
});
export type EvaluationView = z.infer<typeof evaluationViewSchema>;
export const evaluationResponse = z.strictObject({ evaluation: evaluationViewSchema });

/** An objection to the candidates (same shape as one at the opening). */
export const evaluationObjectionResponse = z.strictObject({ objection: openingObjectionSchema });

/** POST …/evaluation/award: the award, the candidate's rank and the notice text. */
export const evaluationAwardResponse = z.strictObject({ award: awardSchema.extend({ rank: z.int().min(1), notice: z.string() }) });
