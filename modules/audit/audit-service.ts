// The audit log: one append-only sequence of events (transitions, logins, approvals, …). Each
// entry's canonical JSON is stored byte for byte so that it can be hashed as a Merkle leaf.
import canonicalize from 'canonicalize';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import type { RequestContext } from '../core/context';
import { newId } from '../core/ids';
import type { Db } from '../../db/transactions';
import { withTransaction } from '../../db/transactions';
import { appendRow, listRows, type AuditRow, type AuditFilter } from './audit-store';

export interface AuditEventInput {
  action: string;
  objectType: string;
  objectId?: string | null;
  /** JSON-safe details: before/after states, reasons, digests. Never a secret. */
  data?: Record<string, unknown>;
}

export interface AuditEntry {
  v: 1;
  idx: number;
  id: string;
  at: number;
  action: string;
  object: { type: string; id: string | null };
  actor: { id: string; role: string; username: string } | null;
  ip: string | null;
  data: Record<string, unknown>;
}

export interface AuditService {
  /** Appends within the caller's transaction, so the event and the change commit together. */
  append(db: Db, ctx: RequestContext, event: AuditEventInput): Promise<AuditEntry>;
  list(filter: AuditFilter): Promise<AuditEntry[]>;
}

export function createAuditService(deps: { knex: Knex; clock: Clock }): AuditService {
  async function appendIn(trx: Db, ctx: RequestContext, event: AuditEventInput): Promise<AuditEntry> {
    const draft = {
      id: newId(),
      at: deps.clock.now(),
      action: event.action,
      object: { type: event.objectType, id: event.objectId ?? null },
      actor: ctx.actor ? { id: ctx.actor.userId, role: ctx.actor.role, username: ctx.actor.username } : null,
      ip: ctx.ip,
      data: event.data ?? {},
    };
    const row = await appendRow(trx, (idx) => {
      const entry: AuditEntry = { v: 1, idx, ...draft };
      return { entry, bytes: canonicalize(entry) as string };
    });
    return row;
  }

  return {
    async append(db, ctx, event) {
      if ((db as Knex.Transaction).isTransaction) return appendIn(db, ctx, event);
      return withTransaction(db as Knex, (trx) => appendIn(trx, ctx, event));
    },
    async list(filter) {
      const rows: AuditRow[] = await listRows(deps.knex, filter);
      return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
    },
  };
}
