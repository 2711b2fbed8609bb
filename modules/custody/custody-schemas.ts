import { z } from 'zod';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const ceremonyUploadBody = z.strictObject({
  recipient: z.string().min(1).max(100).describe("The opening key's public age X25519 recipient (age1…)."),
  threshold: z.int().min(1).max(20).describe("How many shares open the key: the centre's custody threshold."),
  shares: z
    .array(
      z.strictObject({
        custodian: z.string().min(1).max(80).describe('"platform-timer" or the custodian\'s username.'),
        certificateFingerprint: z.string().min(1).max(128).describe('SHA-256 fingerprint (hex) of the certificate the share is encrypted to.'),
        encryptedShare: z.string().min(1).max(4096).regex(BASE64, 'must be base64').describe('The share, RSA-OAEP (SHA-256) encrypted to that certificate, base64.'),
      }),
    )
    .min(1)
    .max(20),
});
export type CeremonyUploadBody = z.infer<typeof ceremonyUploadBody>;
