// What the bid routes answer besides receipts (formats/receipt.ts): a bidder's own versions, and
// the supervision signals about a section's bids.
import { z } from 'zod';
import { epochMs, hex64 } from '../formats/common';
import { sectionSummarySchema } from '../formats/section';

export const BID_STATUSES = ['active', 'superseded', 'withdrawn'] as const;

/** One version of a bid, as its own organisation sees it (never the ciphertext or the manifest itself). */
export const ownBidSchema = z.strictObject({
  id: z.string(),
  version: z.int().min(1),
  status: z.enum(BID_STATUSES),
  receivedAt: epochMs,
  withdrawnAt: epochMs.nullable(),
  supersedes: z.string().nullable(),
  ciphertextSha256: hex64,
  size: z.int().min(0),
  manifestSha256: hex64,
});
export type OwnBid = z.infer<typeof ownBidSchema>;
export const myBidsResponse = z.strictObject({ bids: z.array(ownBidSchema) });

/** Identical ciphertexts from different organisations: a sign of collusion or of a shared package. */
export const duplicateCiphertextSignalSchema = z.strictObject({
  id: z.string(),
  kind: z.literal('duplicate_ciphertext'),
  detail: z.strictObject({ ciphertextSha256: hex64, bids: z.array(z.string()), orgs: z.array(z.string()) }),
  createdAt: epochMs,
});
export type DuplicateCiphertextSignal = z.infer<typeof duplicateCiphertextSignalSchema>;
export const signalsResponse = z.strictObject({ signals: z.array(duplicateCiphertextSignalSchema) });

/** How a version stands: the one that counts, one replaced by a later version, or withdrawn. */
export const BID_VERSION_STATUSES = ['current', 'replaced', 'withdrawn'] as const;

const bidVersion = z.strictObject({
  id: z.string(),
  version: z.int().min(1),
  status: z.enum(BID_VERSION_STATUSES),
  receivedAt: epochMs.describe("When the upload completed, by the server's clock (UTC epoch ms)."),
  withdrawnAt: epochMs.nullable(),
  supersedes: z.string().nullable().describe('The version this one replaced.'),
  size: z.int().min(0).describe('Bytes of the age ciphertext.'),
  ciphertextSha256: hex64,
  manifestSha256: hex64,
  receiptUrl: z.string().describe('GET it (signed in) for the signed receipt of this version.'),
});

/** GET /api/me/bids. */
export const myBidsResponseSchema = z.strictObject({
  sections: z.array(
    z.strictObject({
      section: sectionSummarySchema,
      versions: z.array(bidVersion).describe('Every version, oldest first.'),
    }),
  ),
});
export type MyBids = z.infer<typeof myBidsResponseSchema>;
