// etender-opening-record/1: the public record of an opening, published once as RFC 8785 canonical
// JSON with its SHA-256 in the 'section.opened' log entry (modules/opening/opening-service.ts
// builds it; templates/records/opening-record.ts and the portal render it).
import { z } from 'zod';
import { EVALUATION_METHODS, PROCEDURES, REFERENCE_KINDS } from '../centres/centre-rules';
import { checkpointSchema } from './checkpoint';
import { epochMs, hex64, parseChecked, yuanText } from './common';

export const OPENING_RECORD_FORMAT = 'etender-opening-record/1';

/** One counted bid as the opening found it (modules/opening/bid-check.ts). */
export const openedBidSchema = z.strictObject({
  seq: z.int().min(1),
  bidId: z.string(),
  bidder: z.strictObject({ orgId: z.string(), name: z.string(), creditCode: z.string() }),
  receivedAt: epochMs,
  ciphertextSha256: hex64,
  size: z.int().min(0),
  manifestSha256: hex64,
  receiptLogIndex: z.int().min(0),
  certificate: hex64,
  decryption: z.enum(['ok', 'failed']),
  status: z.enum(['opened', 'revoked', 'withdrawn']),
  cause: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  price: z.strictObject({ amount: yuanText, durationDays: z.int().optional(), quality: z.string().optional(), other: z.record(z.string(), z.string()).optional() }).nullable(),
  attachments: z.array(z.strictObject({ name: z.string(), size: z.int().min(0), sha256: hex64 })).nullable(),
  validity: z.enum(['valid', 'invalid']).nullable(),
  remarks: z.array(z.string()),
});
export type OpenedBid = z.infer<typeof openedBidSchema>;

/** The people presiding over, recording and supervising the opening. */
export const officialsSchema = z.strictObject({ presiding: z.string(), recording: z.string(), supervising: z.string() });

/** An objection raised at the opening (TBLS 44) and its answer; bidder is the organisation's id. */
export const openingObjectionSchema = z.strictObject({ id: z.string(), bidder: z.string(), text: z.string(), raisedAt: epochMs, answer: z.string().nullable(), answeredAt: epochMs.nullable() });
export type OpeningObjection = z.infer<typeof openingObjectionSchema>;

export const timeLockSchema = z.strictObject({
  round: z.int(),
  chainHash: z.string(),
  point: z.string(),
  opensAt: epochMs,
  beacon: z.enum(['local', 'drand']),
  /** Present once the section's deadline has passed. */
  ciphertext: z.string().optional(),
});

export const openingRecordSchema = z
  .strictObject({
    format: z.literal(OPENING_RECORD_FORMAT),
    section: z.strictObject({
      id: z.string(),
      code: z.string(),
      title: z.string(),
      round: z.int().min(1),
      project: z.strictObject({ id: z.string(), code: z.string(), title: z.string(), tenderee: z.string() }),
      centre: z.strictObject({ code: z.string(), name: z.string(), direction: z.enum(['cost', 'revenue']) }),
      procedure: z.enum(PROCEDURES),
      evaluationMethod: z.enum(EVALUATION_METHODS),
      referenceKind: z.enum(REFERENCE_KINDS),
      referencePrice: yuanText,
    }),
    openingTime: epochMs,
    officials: officialsSchema,
    /** The freeze: its log entry, how many bids count, and the checkpoint signed then. */
    freeze: z.strictObject({ auditIndex: z.int().min(0), bidCount: z.int().min(0), checkpoint: checkpointSchema.nullable() }),
    custody: z.strictObject({
      recipient: z.string(),
      threshold: z.int().min(1),
      custodians: z.array(z.string()),
      released: z.array(z.strictObject({ custodian: z.string(), at: epochMs })),
      scheme: z.enum(['shamir-gf256', 'feldman-ed25519']),
      commitments: z.array(z.string()),
      timeLock: timeLockSchema.nullable(),
      /** Who ran the key ceremony, when the key was made in one. */
      ceremonyBy: z.string().optional(),
    }),
    releaseWindow: z.strictObject({ hours: z.number(), endsAt: epochMs, exceeded: z.boolean(), flaggedAt: epochMs.nullable() }),
    bids: z.array(openedBidSchema.extend({ openingLogIndex: z.int().min(0) })),
    objections: z.array(openingObjectionSchema),
    /** The rebuilt opening key: anyone can decrypt the published ciphertexts with it. */
    openingKey: z.strictObject({ recipient: z.string(), identity: z.string() }),
    publication: z.strictObject({ checkpoint: checkpointSchema }),
  })
  .describe('etender-opening-record/1: published once when every counted bid is opened; its SHA-256 is in the section.opened log entry and the Etender-Record-Sha256 header.');
export type OpeningRecord = z.infer<typeof openingRecordSchema>;

/** A stored or downloaded record, checked against the format instead of trusted. */
export function parseOpeningRecord(json: string): OpeningRecord {
  return parseChecked(openingRecordSchema, json);
}
