// etender-receipt/2 (and /1, from before promises): what the platform signs for a bidder when a
// bid or a withdrawal is received (modules/bids/receipt.ts signs and checks it).
import { z } from 'zod';
import { loggedEntrySchema } from './checkpoint';
import { epochMs, hex64 } from './common';
import { logPromiseSchema } from './log-promise';
import { LEGACY_RECEIPT_FORMAT, RECEIPT_FORMAT } from './names';

export { LEGACY_RECEIPT_FORMAT, RECEIPT_FORMAT };

export const receiptBodySchema = z.strictObject({
  format: z.enum([RECEIPT_FORMAT, LEGACY_RECEIPT_FORMAT]),
  /** "submission" for an accepted bid, "withdrawal" for a withdrawn one. */
  kind: z.enum(['submission', 'withdrawal']),
  section: z.strictObject({ id: z.string(), code: z.string() }),
  bidder: z.strictObject({ orgId: z.string(), userId: z.string() }),
  certificate: hex64,
  bid: z.strictObject({ id: z.string(), version: z.int().min(1), ciphertextSha256: hex64, size: z.int().min(0), manifestSha256: hex64, nonce: z.string() }),
  /** Server time the upload completed; any time the client sent is ignored. */
  receivedAt: epochMs.describe("UTC epoch ms by the server's clock"),
  supersedes: z.string().nullable(),
  /** The log's signed promise of the entry (etender-receipt/2). */
  promise: logPromiseSchema.optional(),
  /** The entry and its proof, in receipts of format /1 only. */
  log: loggedEntrySchema.optional(),
  keyId: hex64,
});
export type ReceiptBody = z.infer<typeof receiptBodySchema>;

export const receiptSchema = receiptBodySchema
  .extend({ signature: z.string() })
  .describe(
    "signature: base64 Ed25519 (receipt key, GET /api/pki/keys) over the RFC 8785 canonical JSON of every other field. promise is the log's signed promise to append the entry when bidding closes; before that the public log holds no trace of the bid. (Receipts of format etender-receipt/1, from before promises, carry log: the entry, a checkpoint and the inclusion proof instead.)",
  );
export type Receipt = z.infer<typeof receiptSchema>;

const keyPair = z.strictObject({ keyId: hex64, publicKeyPem: z.string() });
const certificate = z.strictObject({ certPem: z.string(), fingerprint: hex64 });

/** GET /api/pki/keys: the CA, the keys that sign receipts and the log (checkpoints, promises), the timer, trusted CAs. */
export const publishedKeysSchema = z.strictObject({
  ca: certificate,
  receipt: keyPair,
  log: keyPair,
  timer: certificate,
  trustedCas: z.array(certificate.extend({ subject: z.string() })),
});
export type PublishedKeys = z.infer<typeof publishedKeysSchema>;
/** What a receipt's verifier needs of them (the CLI's keys.json may hold only these). */
export type ReceiptKeys = Pick<PublishedKeys, 'receipt' | 'log'>;

/** The answer of POST /api/sections/:id/bids, POST /api/bids/:id/withdraw and GET /api/bids/:id/receipt. */
export const receiptResponseSchema = z.strictObject({ receipt: receiptSchema });
