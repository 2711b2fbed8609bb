import { z } from 'zod';
import { multiLineText, oneLineText } from '../core/text';
import { DISPLAY_NAME, PASSWORD, USERNAME } from '../accounts/accounts-schemas';
import { checkCreditCode } from './credit-code';

export const creditCodeSchema = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .superRefine((code, ctx) => {
    const result = checkCreditCode(code);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: `the unified social credit code ${result.reason}` });
  });

export const registerOrgBody = z.strictObject({
  name: oneLineText(2, 200).describe('Registered name, usually in Chinese.'),
  creditCode: creditCodeSchema.describe('Unified social credit code, 18 characters (GB 32100-2015).'),
  contactName: oneLineText(1, 100),
  contactPhone: z
    .string()
    .trim()
    .regex(/^[0-9+\-() ]{5,40}$/, 'must be a phone number'),
  contactEmail: z.email().max(200).optional(),
  address: oneLineText(0, 300).optional(),
  representatives: z
    .array(z.strictObject({ username: USERNAME, displayName: DISPLAY_NAME, password: PASSWORD }))
    .min(1)
    .max(10)
    .describe('People who act for the organisation; each becomes a bidder account.'),
});
export type RegisterOrgInput = z.infer<typeof registerOrgBody>;

export const reviewOrgBody = z.strictObject({ note: multiLineText(0, 500).optional() });
export const rejectOrgBody = z.strictObject({ note: multiLineText(1, 500) });

export const listOrgsQuery = z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() });
