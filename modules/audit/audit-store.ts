import type { Db } from '../../db/transactions';
import { toInt } from '../../db/row';

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
 * engines), then inserts the entry built for that index.
 */
export async function appendRow<E>(
  trx: Db,
  build: (idx: number) => { entry: E & { id: string; at: number; action: string; object: { type: string; id: string | null }; actor: { id: string; role: string } | null; ip: string | null }; bytes: string },
): Promise<E> {
  const updated = await trx('audit_head').where({ id: 1 }).increment('size', 1);
  if (Number(updated) !== 1) throw new Error('audit_head row is missing: run the migrations');
  const head = await trx('audit_head').where({ id: 1 }).first('size');
  const idx = toInt(head.size) - 1;
  const { entry, bytes } = build(idx);
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
  return entry;
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
