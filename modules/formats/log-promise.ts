// etender-log-promise/1: the log's signed promise of inclusion (modules/audit/log-promise.ts).
import { z } from 'zod';
import { LOG_NAME } from '../audit/log-name';
import { checkpointSchema } from './checkpoint';
import { epochMs, hex64 } from './common';
import { PROMISE_FORMAT } from './names';

export { PROMISE_FORMAT };

export const logPromiseSchema = z
  .strictObject({
    format: z.literal(PROMISE_FORMAT),
    log: z.literal(LOG_NAME),
    /** The id, action, object and data the entry will carry, exactly. */
    entry: z.strictObject({
      id: z.string(),
      action: z.string().describe('bid.submitted or bid.withdrawn'),
      object: z.strictObject({ type: z.string(), id: z.string() }),
      data: z.record(z.string(), z.unknown()),
    }),
    /** The section whose close of bidding releases the entry into the log. */
    mergeAfter: z.strictObject({ section: z.string() }),
    maxMergeDelayMs: z.int().min(0),
    /** Server time the promise was given; the entry repeats it as data.promisedAt. */
    at: epochMs,
    keyId: hex64,
    /** Base64 Ed25519 (the log key) over the canonical JSON of every other field. */
    signature: z.string(),
  })
  .describe(
    "The log's signed promise of inclusion (like a Certificate Transparency SCT): the exact entry it will append when bidding on mergeAfter.section closes (deadline or cancellation), at the latest maxMergeDelayMs after. signature: base64 Ed25519 (log key, GET /api/pki/keys) over the RFC 8785 canonical JSON of every other field. The appended entry carries entry.id, entry.action, entry.object and data = entry.data plus promisedAt = at. GET /api/audit/promises/{SHA-256 of this object's canonical JSON} answers where it stands.",
  );
export type LogPromise = z.infer<typeof logPromiseSchema>;

/** GET /api/audit/promises/:digest: waiting until bidding closes, then merged with the entry and its proof. */
export const promiseStatusSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('waiting'), section: z.string(), promisedAt: epochMs, maxMergeDelayMs: z.int() }),
  z.strictObject({ state: z.literal('merged'), index: z.int().min(0), entry: z.string(), checkpoint: checkpointSchema, inclusionProof: z.array(hex64) }),
]);
export type PromiseStatus = z.infer<typeof promiseStatusSchema>;
