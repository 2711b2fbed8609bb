// SQL for the opening: the frozen bid set and the published record per section, one result per
// counted bid, the officials, and the objections raised at the opening.
import type { Db } from '../../db/transactions';
import type { Checkpoint } from '../formats/checkpoint';
import { objectionsTable } from '../../db/objections-table';
import { toInt, toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';

export interface FrozenBid {
  id: string;
  orgId: string;
  receivedAt: number;
  ciphertextSha256: string;
  size: number;
  manifestSha256: string;
  receiptLogIndex: number;
  certificateFingerprint: string;
}

export interface OpeningRun {
  sectionId: string;
  frozenAt: number;
  freezeIdx: number;
  bids: FrozenBid[];
  freezeCheckpoint: Checkpoint | null;
  overdueFlaggedAt: number | null;
  record: string | null;
  recordSha256: string | null;
  publishedAt: number | null;
}

const mapRun = (r: any): OpeningRun => ({
  sectionId: toStr(r.section_id),
  frozenAt: toMs(r.frozen_at),
  freezeIdx: toInt(r.freeze_idx),
  bids: JSON.parse(toStr(r.bids)) as FrozenBid[],
  freezeCheckpoint: r.freeze_checkpoint === null || r.freeze_checkpoint === undefined ? null : JSON.parse(toStr(r.freeze_checkpoint)),
  overdueFlaggedAt: toMsOrNull(r.overdue_flagged_at),
  record: toStrOrNull(r.record),
  recordSha256: toStrOrNull(r.record_sha256),
  publishedAt: toMsOrNull(r.published_at),
});

export async function findRun(db: Db, sectionId: string): Promise<OpeningRun | null> {
  const r = await db('opening_runs').where({ section_id: sectionId }).first();
  return r ? mapRun(r) : null;
}

/** How many bids were counted at each section's deadline (sections not yet frozen are absent). */
export async function frozenBidCounts(db: Db, sectionIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (sectionIds.length === 0) return counts;
  for (const r of await db('opening_runs').whereIn('section_id', sectionIds).select('section_id', 'bids')) {
    counts.set(toStr(r.section_id), (JSON.parse(toStr(r.bids)) as unknown[]).length);
  }
  return counts;
}

export async function insertRun(db: Db, run: Pick<OpeningRun, 'sectionId' | 'frozenAt' | 'freezeIdx' | 'bids'>): Promise<void> {
  await db('opening_runs').insert({ section_id: run.sectionId, frozen_at: run.frozenAt, freeze_idx: run.freezeIdx, bids: JSON.stringify(run.bids) });
}

export async function setFreezeCheckpoint(db: Db, sectionId: string, checkpoint: unknown): Promise<void> {
  await db('opening_runs')
    .where({ section_id: sectionId })
    .whereNull('freeze_checkpoint')
    .update({ freeze_checkpoint: JSON.stringify(checkpoint) });
}

export async function flagOverdue(db: Db, sectionId: string, at: number): Promise<boolean> {
  const n = await db('opening_runs').where({ section_id: sectionId }).whereNull('overdue_flagged_at').update({ overdue_flagged_at: at });
  return Number(n) === 1;
}

/** Guarded: the record is written once. */
export async function publishRecord(db: Db, sectionId: string, record: string, sha256: string, at: number): Promise<boolean> {
  const n = await db('opening_runs').where({ section_id: sectionId }).whereNull('record').update({ record, record_sha256: sha256, published_at: at });
  return Number(n) === 1;
}

export async function insertResult(db: Db, r: { bidId: string; sectionId: string; seq: number; result: unknown; auditIdx: number; createdAt: number }): Promise<void> {
  await db('opening_results').insert({ bid_id: r.bidId, section_id: r.sectionId, seq: r.seq, result: JSON.stringify(r.result), audit_idx: r.auditIdx, created_at: r.createdAt });
}

export async function resultsOf(db: Db, sectionId: string): Promise<Array<{ bidId: string; seq: number; result: any; auditIdx: number }>> {
  const rows = await db('opening_results').where({ section_id: sectionId }).orderBy('seq');
  return rows.map((r: any) => ({ bidId: toStr(r.bid_id), seq: toInt(r.seq), result: JSON.parse(toStr(r.result)), auditIdx: toInt(r.audit_idx) }));
}

export interface Officials {
  presiding: string;
  recording: string;
  supervising: string;
}

export async function findOfficials(db: Db, sectionId: string): Promise<(Officials & { setBy: string; setAt: number }) | null> {
  const r = await db('opening_officials').where({ section_id: sectionId }).first();
  return r ? { presiding: toStr(r.presiding), recording: toStr(r.recording), supervising: toStr(r.supervising), setBy: toStr(r.set_by), setAt: toMs(r.set_at) } : null;
}

export async function saveOfficials(db: Db, sectionId: string, o: Officials, by: string, at: number): Promise<void> {
  const n = await db('opening_officials')
    .where({ section_id: sectionId })
    .update({ ...o, set_by: by, set_at: at });
  if (Number(n) === 0) await db('opening_officials').insert({ section_id: sectionId, ...o, set_by: by, set_at: at });
}

export type { Objection } from '../../db/objections-table';

// The objections raised at the opening: the shared shape, on this module's own table.
export const { insertObjection, objectionsOf, findObjection, answerObjection } = objectionsTable('opening_objections');
