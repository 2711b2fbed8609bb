// The answers of the bids API that are not published formats: the bidder's own overview.
import { z } from 'zod';
import { epochMs, hex64 } from '../formats/common';

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
      section: z.strictObject({
        id: z.string(),
        code: z.string(),
        title: z.string(),
        state: z.string(),
        bidDeadlineAt: epochMs.nullable(),
      }),
      versions: z.array(bidVersion).describe('Every version, oldest first.'),
    }),
  ),
});
export type MyBids = z.infer<typeof myBidsResponseSchema>;
