// Promised entries waiting for their section's close of bidding (log_promises), and the claim
// that makes each one merge exactly once even when two processes freeze the same section.
import type { Db } from '../../db/transactions';
import { toInt, toIntOrNull, toStr, toStrOrNull } from '../../db/row';

export interface PromiseRow {
  id: string;
  group: string;
  action: string;
  objectType: string;
  objectId: string;
  promisedAt: number;
  digest: string;
  promise: string;
  actor: string | null;
  ip: string | null;
  mergedIdx: number | null;
}

/** Marks rows being merged inside the merging transaction; never committed (the real index replaces it). */
const MERGING = -1;

const toRow = (r: any): PromiseRow => ({
  id: toStr(r.id),
  group: toStr(r.grp),
  action: toStr(r.action),
  objectType: toStr(r.object_type),
  objectId: toStr(r.object_id),
  promisedAt: toInt(r.promised_at),
  digest: toStr(r.digest),
  promise: toStr(r.promise),
  actor: toStrOrNull(r.actor),
  ip: toStrOrNull(r.ip),
  mergedIdx: toIntOrNull(r.merged_idx),
});

export async function insertPromise(trx: Db, row: Omit<PromiseRow, 'mergedIdx'>): Promise<void> {
  await trx('log_promises').insert({
    id: row.id,
    grp: row.group,
    action: row.action,
    object_type: row.objectType,
    object_id: row.objectId,
    promised_at: row.promisedAt,
    digest: row.digest,
    promise: row.promise,
    actor: row.actor,
    ip: row.ip,
  });
}

/**
 * Claims the group's waiting rows for this transaction and returns them in order of promise (ties
 * in id order: ids are monotonic within a process). The claiming UPDATE takes the row locks first,
 * so a second merger of the same group waits, then finds nothing left to claim.
 */
export async function claimWaiting(trx: Db, group: string): Promise<PromiseRow[]> {
  await trx('log_promises').where({ grp: group }).whereNull('merged_idx').update({ merged_idx: MERGING });
  const rows = await trx('log_promises')
    .where({ grp: group, merged_idx: MERGING })
    .orderBy([{ column: 'promised_at' }, { column: 'id' }]);
  return rows.map(toRow);
}

export async function setMerged(trx: Db, id: string, idx: number): Promise<void> {
  const n = await trx('log_promises').where({ id, merged_idx: MERGING }).update({ merged_idx: idx });
  if (Number(n) !== 1) throw new Error(`log promise ${id} was not claimed by this transaction`);
}

/** Groups (sections) that still have promises waiting. */
export async function waitingGroups(db: Db): Promise<string[]> {
  const rows = await db('log_promises').whereNull('merged_idx').distinct('grp');
  return rows.map((r: any) => toStr(r.grp));
}

export async function findByDigest(db: Db, digest: string): Promise<PromiseRow | null> {
  const row = await db('log_promises').where({ digest }).first();
  return row ? toRow(row) : null;
}

export async function findByObject(db: Db, objectId: string, action: string): Promise<PromiseRow | null> {
  const row = await db('log_promises').where({ object_id: objectId, action }).first();
  return row ? toRow(row) : null;
}
