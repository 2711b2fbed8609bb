import type { Db } from '../../db/transactions';
import { toInt, toStr } from '../../db/row';
import { appendToFrontier, fromHex, leafHash, rootFromFrontier, toHex, type NodeId } from './merkle';

export interface AuditRow {
  idx: number;
  entry: string;
}

export interface AuditFilter {
  objectType?: string;
  objectId?: string;
  action?: string;
  fromIdx?: number;
  limit?: number;
}

/**
 * Reserves the next index by bumping the head row (which serialises concurrent appenders on both
 * engines), then inserts the entry built for that index and grows the Merkle tree by one leaf: the
 * leaf hash of the exact stored bytes, the subtrees it completes (O(log n) rows) and the new
 * frontier and tree head in the head row.
 */
export async function appendRow<E>(
  trx: Db,
  build: (idx: number) => {
    entry: E & { id: string; at: number; action: string; object: { type: string; id: string | null }; actor: { id: string; role: string } | null; ip: string | null };
    bytes: string;
  },
): Promise<E> {
  const updated = await trx('audit_head').where({ id: 1 }).increment('size', 1);
  if (Number(updated) !== 1) throw new Error('audit_head row is missing: run the migrations');
  // Read after the UPDATE: the row is locked by this transaction, so size and frontier are current.
  const head = await trx('audit_head').where({ id: 1 }).first('size', 'frontier');
  const idx = toInt(head.size) - 1;
  const { entry, bytes } = build(idx);
  const grown = appendToFrontier(parseFrontier(head.frontier), leafHash(Buffer.from(bytes, 'utf8')), idx);
  await trx('audit_log').insert({
    idx,
    id: entry.id,
    at: entry.at,
    actor_id: entry.actor?.id ?? null,
    actor_role: entry.actor?.role ?? null,
    ip: entry.ip,
    action: entry.action,
    object_type: entry.object.type,
    object_id: entry.object.id,
    entry: bytes,
  });
  await trx('audit_nodes').insert(grown.completedNodes.map((n) => ({ level: n.level, idx: n.index, hash: toHex(n.hash) })));
  await trx('audit_head')
    .where({ id: 1 })
    .update({ frontier: JSON.stringify(grown.frontier.map(toHex)), root: toHex(rootFromFrontier(grown.frontier)) });
  return entry;
}

function parseFrontier(value: unknown): Buffer[] {
  if (value === null || value === undefined) throw new Error('audit_head has no frontier: run the migrations');
  return (JSON.parse(toStr(value)) as string[]).map(fromHex);
}

export interface TreeHead {
  size: number;
  root: string;
}

export async function readHead(db: Db): Promise<TreeHead> {
  const head = await db('audit_head').where({ id: 1 }).first('size', 'root');
  if (!head || head.root === null || head.root === undefined) throw new Error('audit_head is not initialised: run the migrations');
  return { size: toInt(head.size), root: toStr(head.root) };
}

/** The hashes of the given complete subtrees, keyed "level:index"; missing ones are absent. */
export async function readNodes(db: Db, ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const rows = await db('audit_nodes')
      .whereIn(
        ['level', 'idx'],
        chunk.map((n) => [n.level, n.index]),
      )
      .select('level', 'idx', 'hash');
    for (const r of rows) found.set(`${toInt(r.level)}:${toInt(r.idx)}`, fromHex(toStr(r.hash)));
  }
  return found;
}

export interface CheckpointRow {
  size: number;
  root: string;
  at: number;
  keyId: string;
  signature: string;
}

const toCheckpoint = (r: any): CheckpointRow => ({
  size: toInt(r.size),
  root: toStr(r.root),
  at: toInt(r.at),
  keyId: toStr(r.key_id),
  signature: toStr(r.signature),
});

export async function newestCheckpoint(db: Db): Promise<CheckpointRow | null> {
  const row = await db('audit_checkpoints').orderBy('size', 'desc').first();
  return row ? toCheckpoint(row) : null;
}

export async function checkpointOfSize(db: Db, size: number): Promise<CheckpointRow | null> {
  const row = await db('audit_checkpoints').where({ size }).first();
  return row ? toCheckpoint(row) : null;
}

export async function insertCheckpoint(db: Db, cp: CheckpointRow): Promise<void> {
  await db('audit_checkpoints').insert({ size: cp.size, root: cp.root, at: cp.at, key_id: cp.keyId, signature: cp.signature });
}

export async function listCheckpoints(db: Db, fromSize: number, limit: number): Promise<CheckpointRow[]> {
  const rows = await db('audit_checkpoints').where('size', '>=', fromSize).orderBy('size', 'asc').limit(limit);
  return rows.map(toCheckpoint);
}

/** Entries [start, end) in log order, as the exact stored bytes. */
export async function rangeRows(db: Db, start: number, end: number): Promise<AuditRow[]> {
  const rows = await db('audit_log').where('idx', '>=', start).andWhere('idx', '<', end).orderBy('idx', 'asc').select('idx', 'entry');
  return rows.map((r: any) => ({ idx: toInt(r.idx), entry: toStr(r.entry) }));
}

export async function listRows(db: Db, filter: AuditFilter): Promise<AuditRow[]> {
  const q = db('audit_log').select('idx', 'entry').orderBy('idx', 'asc');
  if (filter.objectType) q.where('object_type', filter.objectType);
  if (filter.objectId) q.where('object_id', filter.objectId);
  if (filter.action) q.where('action', filter.action);
  if (filter.fromIdx !== undefined) q.where('idx', '>=', filter.fromIdx);
  q.limit(Math.min(filter.limit ?? 100, 1000));
  const rows = await q;
  return rows.map((r: any) => ({ idx: toInt(r.idx), entry: String(r.entry) }));
}
