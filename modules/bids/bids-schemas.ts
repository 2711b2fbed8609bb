// What the bid routes answer besides receipts (formats/receipt.ts): a bidder's own versions, and
// the supervision signals about a section's bids.
import { z } from 'zod';
import { epochMs, hex64 } from '../formats/common';

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
