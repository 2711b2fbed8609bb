import { z } from 'zod';
import { multiLineText, oneLineText } from '../core/text';
import { DISPLAY_NAME, PASSWORD, publicUserSchema, USERNAME } from '../accounts/accounts-schemas';
import { epochMs } from '../formats/common';
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

// What the organisation routes answer.

export const ORG_STATUSES = ['pending', 'approved', 'rejected'] as const;

export const organisationSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  creditCode: z.string(),
  contactName: z.string(),
  contactPhone: z.string(),
  contactEmail: z.string().nullable(),
  address: z.string().nullable(),
  status: z.enum(ORG_STATUSES),
  reviewedBy: z.string().nullable(),
  reviewedAt: epochMs.nullable(),
  reviewNote: z.string().nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type Organisation = z.infer<typeof organisationSchema>;

/** POST /api/orgs and GET /api/orgs/:id: the organisation and its bidder accounts. */
export const organisationDetailResponse = z.strictObject({ organisation: organisationSchema, representatives: z.array(publicUserSchema) });
export const organisationResponse = z.strictObject({ organisation: organisationSchema });
export const organisationsResponse = z.strictObject({ organisations: z.array(organisationSchema) });

export const listOrgsQuery = z.strictObject({ status: z.enum(ORG_STATUSES).optional() });
