// etender audit checkpoint (v: 1): a signed tree head of the audit log.
import { z } from 'zod';
import { LOG_NAME } from '../audit/log-name';
import { epochMs, hex64 } from './common';

export const checkpointSchema = z
  .strictObject({
    v: z.literal(1),
    log: z.literal(LOG_NAME),
    size: z.int().min(0),
    /** RFC 6962 tree head of the first `size` entries, lower-case hex. */
    root: hex64,
    at: epochMs,
    /** SHA-256 (hex) of the signing key's SPKI DER. */
    keyId: hex64,
    /** Base64 Ed25519 signature over the canonical JSON of the other fields. */
    signature: z.string(),
  })
  .describe('A signed tree head of the audit log. signature: base64 Ed25519 (log key) over the RFC 8785 canonical JSON of the other fields.');
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** An entry, its position and the proof that a signed checkpoint includes it. */
export const loggedEntrySchema = z.strictObject({
  index: z.int().min(0),
  /** The entry's exact canonical JSON (the Merkle leaf). */
  entry: z.string(),
  checkpoint: checkpointSchema,
  inclusionProof: z.array(hex64),
});
export type LoggedEntry = z.infer<typeof loggedEntrySchema>;

/** GET /api/audit/proofs/inclusion: RFC 9162 inclusion proof, hex hashes bottom up. */
/** root: the tree head at `size`; compare it with a signed checkpoint's root. */
export const inclusionProofSchema = z.strictObject({ index: z.int().min(0), size: z.int().min(0), leafHash: hex64, root: hex64, proof: z.array(hex64) });
export type InclusionProof = z.infer<typeof inclusionProofSchema>;
/** GET /api/audit/proofs/consistency: RFC 9162 consistency proof between two tree sizes. */
export const consistencyProofSchema = z.strictObject({ from: z.int().min(0), to: z.int().min(0), fromRoot: hex64, toRoot: hex64, proof: z.array(hex64) });
export type ConsistencyProof = z.infer<typeof consistencyProofSchema>;
/** GET /api/audit/entries: entries as their exact canonical JSON (the Merkle leaves). */
/** An entry by its position, as the exact canonical JSON that is the Merkle leaf. */
export const logEntrySchema = z.strictObject({ index: z.int().min(0), entry: z.string() });
export type LogEntry = z.infer<typeof logEntrySchema>;
export const logEntriesSchema = z.strictObject({ start: z.int().min(0), end: z.int().min(0), entries: z.array(logEntrySchema) });
/** GET /api/audit/checkpoints. */
export const checkpointListSchema = z.strictObject({ checkpoints: z.array(checkpointSchema) });
