// GET /api/sections/:id/award: the award, its notice and, once signed, the contract (modules/awards).
import { z } from 'zod';
import { epochMs, yuanText } from './common';

export const awardSchema = z.strictObject({
  sectionId: z.string(),
  centre: z.string(),
  code: z.string(),
  bidderName: z.string(),
  /** null for an award imported without a registered organisation. */
  orgId: z.string().nullable(),
  amount: yuanText,
  awardedAt: epochMs,
  contractSignedAt: epochMs.nullable(),
  contractAmount: yuanText.nullable(),
});
export type Award = z.infer<typeof awardSchema>;

/** The public award with its notice text (中标通知书 / 成交通知书), as the notice PDF renders it. */
export const publicAwardSchema = z.strictObject({ award: awardSchema.extend({ notice: z.string().nullable() }) });
export type PublicAward = z.infer<typeof publicAwardSchema>;
