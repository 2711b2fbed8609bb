import { z } from 'zod';
import { epochMs, hex64 } from '../formats/common';
import { timeLockSchema } from '../formats/opening-record';
import { sectionSummarySchema } from '../formats/section';

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

// What the custody routes answer (the opening routes answer the release and the own share).

export const KEY_SOURCES = ['server', 'ceremony'] as const;
export const KEY_SCHEMES = ['shamir-gf256', 'feldman-ed25519'] as const;
const SHARE_WORDS = ['verified', 'failed'] as const;

/** An opening key's public parts: what the notice and the record show. */
export const openingKeyInfoSchema = z.strictObject({
  recipient: z.string(),
  threshold: z.int().min(1),
  /** Every member: 'time-lock' first when there is one, then the share holders. */
  custodians: z.array(z.string()),
  source: z.enum(KEY_SOURCES),
  scheme: z.enum(KEY_SCHEMES),
  commitments: z.array(z.string()),
  timeLock: timeLockSchema.nullable(),
  publishedAt: epochMs.nullable(),
});
export type OpeningKeyInfo = z.infer<typeof openingKeyInfoSchema>;

/** POST /api/sections/:id/opening-key: the uploaded ceremony key and each holder's word on its share so far. */
export const ceremonyKeyResponse = z.strictObject({
  openingKey: openingKeyInfoSchema.extend({ confirmations: z.array(z.strictObject({ custodian: z.string(), confirmation: z.enum(SHARE_WORDS).nullable() })) }),
});
export type CeremonyKeyResponse = z.infer<typeof ceremonyKeyResponse>;

export const shareConfirmationResponse = z.strictObject({
  confirmation: z.strictObject({ custodian: z.string(), shareIndex: z.int().min(1), result: z.enum(SHARE_WORDS) }),
});

/** POST /api/sections/:id/shares: how many shares are in, of how many needed. */
export const shareReleaseResponse = z.strictObject({ released: z.int().min(0), threshold: z.int().min(1), ready: z.boolean() });
export type ShareRelease = z.infer<typeof shareReleaseResponse>;

/** GET /api/sections/:id/shares/mine: the custodian's own encrypted share and what to check it against. */
export const myShareResponse = z.strictObject({
  share: z.strictObject({
    index: z.int().min(1),
    custodian: z.string(),
    certificateFingerprint: hex64,
    encryptedShare: z.string(),
    releasedAt: epochMs.nullable(),
    confirmation: z.enum(SHARE_WORDS).nullable(),
    scheme: z.enum(KEY_SCHEMES),
    commitments: z.array(z.string()),
    /** For a verifiable (Feldman) key: what a confirmation names. */
    commitmentsSha256: hex64.nullable(),
  }),
});

/** GET /api/me/custody. */
export const myCustodyResponseSchema = z.strictObject({
  sections: z.array(
    z.strictObject({
      section: sectionSummarySchema.extend({
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
