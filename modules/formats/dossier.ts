// etender-dossier/1: every audit entry of a section and of its published bids, with leaf hashes,
// the covering checkpoint and how to verify (modules/records/dossier.ts builds it).
import { z } from 'zod';
import { checkpointSchema } from './checkpoint';
import { epochMs, hex64 } from './common';

export const DOSSIER_FORMAT = 'etender-dossier/1';

/** One audit-log entry as the log stores it (its canonical JSON is the Merkle leaf). */
export const auditEntrySchema = z.strictObject({
  v: z.literal(1),
  idx: z.int().min(0),
  id: z.string(),
  at: epochMs,
  action: z.string(),
  object: z.strictObject({ type: z.string(), id: z.string().nullable() }),
  actor: z.strictObject({ id: z.string(), role: z.string(), username: z.string() }).nullable(),
  ip: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const dossierSectionSchema = z.strictObject({
  id: z.string(),
  code: z.string().nullable(),
  title: z.string(),
  centre: z.string(),
  state: z.string(),
  projectTitle: z.string().nullable(),
  tenderee: z.string().nullable(),
});

export const dossierSchema = z.strictObject({
  format: z.literal(DOSSIER_FORMAT),
  section: dossierSectionSchema,
  bids: z.array(z.strictObject({ bidId: z.string(), receiptLogIndex: z.int().min(0).nullable().optional() })),
  entries: z.array(z.strictObject({ index: z.int().min(0), leafHash: hex64, entry: auditEntrySchema })),
  /** The first signed checkpoint whose tree contains every entry above. */
  checkpoint: checkpointSchema,
  /** Checkpoints the opening record names (at the freeze, at publication), when there is one. */
  recordCheckpoints: z.array(checkpointSchema),
  verify: z.array(z.string()),
});
export type Dossier = z.infer<typeof dossierSchema>;
