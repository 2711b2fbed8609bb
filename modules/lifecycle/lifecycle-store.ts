// SQL of the lifecycle's own columns of \`sections\`: the state (changed only by a guarded update),
// the version it bumps, and the scheduler's per-section lease. The rest of the row is the tenders
// module's; the engine reads only what a transition needs.
import type { Db } from '../../db/transactions';
import { toMsOrNull, toStr } from '../../db/row';
import type { SectionState } from './lifecycle';

/** What a transition needs to know of a section (and writes into its audit entry). */
export interface SectionRef {
  id: string;
  code: string;
  centre: string;
  state: SectionState;
}

/** A section's lifecycle columns, as the engine reads them in its transaction. */
export async function findLifecycleRow(db: Db, id: string): Promise<(SectionRef & { bidOpensAt: number | null; bidDeadlineAt: number | null }) | null> {
  const r = await db('sections').select('id', 'code', 'centre_code', 'state', 'bid_opens_at', 'bid_deadline_at').where({ id }).first();
  if (!r) return null;
  return {
    id: toStr(r.id),
    code: toStr(r.code),
    centre: toStr(r.centre_code),
    state: toStr(r.state) as SectionState,
    bidOpensAt: toMsOrNull(r.bid_opens_at),
    bidDeadlineAt: toMsOrNull(r.bid_deadline_at),
  };
}

/**
 * The one way a section's state changes: a conditional update that only succeeds from the expected
 * state (plus any extra guard), so two processes can never both make the same transition.
 */
export async function guardedUpdate(db: Db, id: string, from: SectionState | SectionState[], set: Record<string, unknown>, guard?: (q: any) => void): Promise<boolean> {
  const q = db('sections').where({ id });
  if (Array.isArray(from)) q.whereIn('state', from);
  else q.where({ state: from });
  guard?.(q);
  const n = await q.update({ ...set, version: db.raw('version + 1') });
  return Number(n) === 1;
}

export async function dueSections(db: Db, now: number, limit: number): Promise<Array<{ id: string; state: SectionState }>> {
  const rows = await db('sections')
    .select('id', 'state')
    .where((w) => {
      w.where((a) => a.where('state', 'published').where('bid_opens_at', '<=', now)).orWhere((b) => b.where('state', 'bidding').where('bid_deadline_at', '<=', now));
    })
    .where((w) => w.whereNull('lease_owner').orWhere('lease_expires_at', '<', now))
    .orderBy('id')
    .limit(limit);
  return rows.map((r: any) => ({ id: toStr(r.id), state: toStr(r.state) as SectionState }));
}

/** Sections past their deadline that the opening still has to finish (closed, or opening). */
export async function sectionsToOpen(db: Db, now: number, limit: number): Promise<string[]> {
  const rows = await db('sections')
    .select('id')
    .whereIn('state', ['closed', 'opening'])
    .where((w) => w.whereNull('lease_owner').orWhere('lease_expires_at', '<', now))
    .orderBy('id')
    .limit(limit);
  return rows.map((r: any) => toStr(r.id));
}

/** Extends a lease this process still holds; false if it expired and another process took it. */
export async function renewLease(db: Db, id: string, owner: string, until: number): Promise<boolean> {
  const n = await db('sections').where({ id, lease_owner: owner }).update({ lease_expires_at: until });
  return Number(n) === 1;
}

/** Claims a section for one process until `until`; false if another process holds a live lease. */
export async function claimLease(db: Db, id: string, owner: string, now: number, until: number): Promise<boolean> {
  const n = await db('sections')
    .where({ id })
    .where((w) => w.whereNull('lease_owner').orWhere('lease_expires_at', '<', now))
    .update({ lease_owner: owner, lease_expires_at: until });
  return Number(n) === 1;
}

export async function releaseLease(db: Db, id: string, owner: string): Promise<void> {
  await db('sections').where({ id, lease_owner: owner }).update({ lease_owner: null, lease_expires_at: null });
}
