import { z } from 'zod';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const POINT = /^[0-9a-f]{64}$/;

export const ceremonyUploadBody = z.strictObject({
  threshold: z.int().min(1).max(20).describe("The centre's custody threshold (the time lock, when the centre has one, counts as one)."),
  commitments: z
    .array(z.string().regex(POINT, 'must be an Ed25519 point, 64 lowercase hex digits'))
    .min(1)
    .max(20)
    .describe('Feldman commitments C_0 … C_{k-1} (a_j·B, Ed25519 points in hex) to the polynomial the shares were dealt from.'),
  shares: z
    .array(
      z.strictObject({
        custodian: z.string().min(1).max(80).describe('"platform-timer" or the custodian\'s username.'),
        certificateFingerprint: z.string().min(1).max(128).describe('SHA-256 fingerprint (hex) of the certificate the share is encrypted to.'),
        encryptedShare: z.string().min(1).max(4096).regex(BASE64, 'must be base64').describe('The share (32-byte scalar, little-endian), RSA-OAEP (SHA-256) encrypted to that certificate, base64.'),
      }),
    )
    .min(1)
    .max(20),
});
export type CeremonyUploadBody = z.infer<typeof ceremonyUploadBody>;

export const shareConfirmationBody = z.strictObject({
  result: z.enum(['verified', 'failed']).describe('What your check of your share against the commitments found.'),
  commitmentsSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
    .describe('commitmentsSha256 of the share you checked (GET /api/sections/:id/shares/mine).'),
});

/** GET /api/me/custody. */
export const myCustodyResponseSchema = z.strictObject({
  sections: z.array(
    z.strictObject({
      section: z.strictObject({
        id: z.string(),
        code: z.string(),
        title: z.string(),
        state: z.string(),
        bidDeadlineAt: z.int().nullable().describe('UTC epoch ms'),
        publishedAt: z.int().nullable().describe('UTC epoch ms; null for a draft whose ceremony key waits for confirmations'),
      }),
      threshold: z.int().min(1).describe('Parts needed to rebuild the opening key (the time lock, when there is one, counts as one).'),
      share: z.strictObject({
        index: z.int().min(1),
        certificateFingerprint: z.string().describe('The encryption certificate the share is encrypted to: decrypt it with that key.'),
        releasedAt: z.int().nullable().describe('UTC epoch ms'),
        released: z.boolean(),
        confirmation: z.enum(['verified', 'failed']).nullable().describe('Your check of a ceremony share against the commitments (null: not checked, or a key made by the server).'),
      }),
      canReleaseNow: z.boolean().describe('True after the bid deadline while the section waits to be opened (closed or opening), if you have not released yet.'),
    }),
  ),
});
