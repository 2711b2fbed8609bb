// The audit log: one append-only sequence of events (transitions, logins, approvals, …). Each
// entry's canonical JSON is stored byte for byte and is a leaf of an RFC 6962 Merkle tree; this
// service also signs checkpoints of the tree and answers inclusion and consistency proofs.
import canonicalize from 'canonicalize';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import type { RequestContext } from '../core/context';
import { AppError, validationFailed } from '../core/errors';
import { newId } from '../core/ids';
import type { Signer } from '../core/signing';
import type { Db } from '../../db/transactions';
import { isUniqueViolation, withRetry, withTransaction } from '../../db/transactions';
import {
  appendRow,
  checkpointOfSize,
  insertCheckpoint,
  listCheckpoints,
  listRows,
  newestCheckpoint,
  rangeRows,
  readHead,
  readNodes,
  type AuditFilter,
  type AuditRow,
  type CheckpointRow,
} from './audit-store';
import type { ConsistencyProof, InclusionProof, LogEntry } from '../formats/checkpoint';
import type { AuditEntry } from '../formats/dossier';
import type { PromiseStatus } from '../formats/log-promise';
import { LOG_NAME, signCheckpoint, type Checkpoint } from './checkpoint';
import { MAX_MERGE_DELAY_MS, promisedData, type LogPromise } from './log-promise';
import { promiseDigest, signPromise } from './promise-signing';
import * as promises from './promise-store';
import { consistencyProofRanges, inclusionProofRanges, nodesForRanges, proofFromRanges, toHex, type LeafRange, type NodeSource } from './merkle';

export { verifyCheckpointSignature, type Checkpoint } from './checkpoint';
export type { AuditEntry, ConsistencyProof, InclusionProof, LogEntry, PromiseStatus };

/** Most entries one call hands out (GET /api/audit/entries). */
export const MAX_ENTRIES_PER_CALL = 1000;

export interface AuditEventInput {
  action: string;
  objectType: string;
  objectId?: string | null;
  /** JSON-safe details: before/after states, reasons, digests. Never a secret. */
  data?: Record<string, unknown>;
}

/** Checkpoints are published on this fixed schedule (and at each freeze), never per request. */
export const CHECKPOINT_INTERVAL_MS = 10 * 60 * 1000;

/** The log's operations inside a unit of work: the entry and the change it records commit together. */
export interface TxAudit {
  append(ctx: RequestContext, event: AuditEventInput): Promise<AuditEntry>;
  /**
   * Promises an entry instead of appending it: the entry joins the log when bidding on `section`
   * closes (mergePromised). Returns the signed promise.
   */
  promise(ctx: RequestContext, event: AuditEventInput & { objectId: string }, section: string, at: number): Promise<LogPromise>;
  /** Appends every waiting promise of the section, in order of promise; returns the new indexes by promise id. */
  mergePromised(section: string): Promise<Map<string, { objectId: string; action: string; idx: number }>>;
}

/** What a module that records its own steps needs of the log, in its transactions. */
export type AuditAppender = Pick<TxAudit, 'append'>;

/** The unit of work of a module whose writes need only the log beside its own store. */
export type AuditedTx = { audit: AuditAppender };

export interface AuditService {
  /** The log's operations bound to a unit of work (the composition root adds them to every tx). */
  on(tx: { db: Knex.Transaction }): TxAudit;
  /** Appends in a transaction of its own: for an event that changes nothing else. */
  append(ctx: RequestContext, event: AuditEventInput): Promise<AuditEntry>;
  list(filter: AuditFilter): Promise<AuditEntry[]>;
  /** The newest signed checkpoint; signs and stores a new one first if the log grew since. For the freeze and the records, after a deadline. */
  checkpoint(): Promise<Checkpoint>;
  /** The newest published checkpoint, as it stands: what anonymous callers get. */
  publishedCheckpoint(): Promise<Checkpoint>;
  /** Signs a checkpoint when the schedule's slot has none and the log grew (the scheduler calls this). */
  publishScheduled(): Promise<Checkpoint | null>;
  /** Sections that still have promises waiting. */
  sectionsWithPromises(): Promise<string[]>;
  promiseStatus(digest: string): Promise<PromiseStatus>;
  /** The stored promise of an object's entry (a receipt rebuilt after a crash). */
  promiseOf(objectId: string, action: string): Promise<LogPromise | null>;
  /** Stored checkpoints with size >= fromSize, in size order. */
  checkpoints(fromSize: number, limit: number): Promise<Checkpoint[]>;
  inclusionProof(index: number, size: number): Promise<InclusionProof>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProof>;
  /** Entries [start, end), at most MAX_ENTRIES_PER_CALL. */
  entries(start: number, end: number): Promise<LogEntry[]>;
  /** How many entries the log holds now (signed or not yet). */
  size(): Promise<number>;
}

/** A request for part of the tree that does not exist (yet): 404, naming the field. */
function beyondTheLog(field: string, message: string): AppError {
  return new AppError(404, 'not_found', message, [{ field, message }]);
}

function badRange(field: string, message: string): AppError {
  return validationFailed(message, [{ field, message }]);
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { v: 1, log: LOG_NAME, size: row.size, root: row.root, at: row.at, keyId: row.keyId, signature: row.signature };
}

export function createAuditService(deps: { knex: Knex; clock: Clock; logSigner: Signer }): AuditService {
  const { knex, logSigner } = deps;

  /** Hashes of the ranges from stored complete subtrees, read in one query per 200 nodes. */
  async function hashRanges(ranges: readonly LeafRange[]): Promise<Buffer[]> {
    const nodes = await readNodes(knex, nodesForRanges(ranges));
    const get: NodeSource = (level, index) => {
      const hash = nodes.get(`${level}:${index}`);
      if (!hash) throw new Error(`audit_nodes has no node ${level}/${index}: the tree is incomplete`);
      return hash;
    };
    return proofFromRanges(ranges, get);
  }

  async function sizeNow(): Promise<number> {
    return (await readHead(knex)).size;
  }

  const actorOf = (ctx: RequestContext): AuditEntry['actor'] => (ctx.actor ? { id: ctx.actor.userId, role: ctx.actor.role, username: ctx.actor.username } : null);

  async function appendIn(trx: Db, ctx: RequestContext, event: AuditEventInput): Promise<AuditEntry> {
    return appendDraft(trx, {
      id: newId(),
      at: deps.clock.now(),
      action: event.action,
      object: { type: event.objectType, id: event.objectId ?? null },
      actor: actorOf(ctx),
      ip: ctx.ip,
      data: event.data ?? {},
    });
  }

  async function appendDraft(trx: Db, draft: Omit<AuditEntry, 'v' | 'idx'>): Promise<AuditEntry> {
    const row = await appendRow(trx, (idx) => {
      const entry: AuditEntry = { v: 1, idx, ...draft };
      return { entry, bytes: canonicalize(entry) as string };
    });
    return row;
  }

  async function signIfGrown(): Promise<Checkpoint> {
    const head = await readHead(knex);
    const newest = await newestCheckpoint(knex);
    if (newest && newest.size >= head.size) return toCheckpoint(newest);
    const cp = signCheckpoint({ v: 1, log: LOG_NAME, size: head.size, root: head.root, at: deps.clock.now(), keyId: logSigner.keyId }, logSigner);
    try {
      await withRetry(() => insertCheckpoint(knex, cp));
      return cp;
    } catch (err) {
      // Another request or process signed this size first: theirs is the checkpoint.
      if (!isUniqueViolation(err)) throw err;
      const stored = await checkpointOfSize(knex, head.size);
      if (!stored) throw err;
      return toCheckpoint(stored);
    }
  }

  async function promiseIn(db: Db, ctx: RequestContext, event: AuditEventInput & { objectId: string }, section: string, at: number): Promise<LogPromise> {
    const promise = signPromise(
      {
        entry: { id: newId(), action: event.action, object: { type: event.objectType, id: event.objectId }, data: event.data ?? {} },
        mergeAfter: { section },
        maxMergeDelayMs: MAX_MERGE_DELAY_MS,
        at,
      },
      logSigner,
    );
    await promises.insertPromise(db, {
      id: promise.entry.id,
      group: section,
      action: event.action,
      objectType: event.objectType,
      objectId: event.objectId,
      promisedAt: promise.at,
      digest: promiseDigest(promise),
      promise: canonicalize(promise) as string,
      actor: ctx.actor ? JSON.stringify(actorOf(ctx)) : null,
      ip: ctx.ip,
    });
    return promise;
  }

  async function mergeIn(trx: Db, section: string): Promise<Map<string, { objectId: string; action: string; idx: number }>> {
    const merged = new Map<string, { objectId: string; action: string; idx: number }>();
    for (const row of await promises.claimWaiting(trx, section)) {
      const promise = JSON.parse(row.promise) as LogPromise;
      const entry = await appendDraft(trx, {
        id: row.id,
        at: deps.clock.now(),
        action: row.action,
        object: { type: row.objectType, id: row.objectId },
        actor: row.actor ? (JSON.parse(row.actor) as AuditEntry['actor']) : null,
        ip: row.ip,
        data: promisedData(promise),
      });
      await promises.setMerged(trx, row.id, entry.idx);
      merged.set(row.id, { objectId: row.objectId, action: row.action, idx: entry.idx });
    }
    return merged;
  }

  return {
    sectionsWithPromises: () => promises.waitingGroups(knex),

    on: ({ db }) => ({
      append: (ctx, event) => appendIn(db, ctx, event),
      promise: (ctx, event, section, at) => promiseIn(db, ctx, event, section, at),
      mergePromised: (section) => mergeIn(db, section),
    }),
    append(ctx, event) {
      return withTransaction(knex, (trx) => appendIn(trx, ctx, event));
    },
    async list(filter) {
      const rows: AuditRow[] = await listRows(deps.knex, filter);
      return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
    },

    checkpoint: signIfGrown,

    async publishedCheckpoint() {
      const newest = await newestCheckpoint(knex);
      return newest ? toCheckpoint(newest) : signIfGrown(); // a fresh install's first one
    },

    async publishScheduled() {
      const now = deps.clock.now();
      const newest = await newestCheckpoint(knex);
      const slotStart = now - (now % CHECKPOINT_INTERVAL_MS);
      if (newest && newest.at >= slotStart) return null;
      const head = await readHead(knex);
      if (newest && newest.size >= head.size) return null;
      return signIfGrown();
    },

    async promiseOf(objectId, action) {
      const row = await promises.findByObject(knex, objectId, action);
      return row ? (JSON.parse(row.promise) as LogPromise) : null;
    },

    async promiseStatus(digest) {
      const row = /^[0-9a-f]{64}$/.test(digest) ? await promises.findByDigest(knex, digest) : null;
      if (!row) throw new AppError(404, 'not_found', "This log has given no promise with that digest (SHA-256 of the promise's canonical JSON, lower-case hex).");
      if (row.mergedIdx === null) return { state: 'waiting', section: row.group, promisedAt: row.promisedAt, maxMergeDelayMs: (JSON.parse(row.promise) as LogPromise).maxMergeDelayMs };
      const idx = row.mergedIdx;
      const newest = await newestCheckpoint(knex);
      // Merged entries are past their section's close of bidding, so signing now reveals no bid.
      const checkpoint = newest && newest.size > idx ? toCheckpoint(newest) : await signIfGrown();
      const [entry] = await rangeRows(knex, idx, idx + 1);
      const ranges = inclusionProofRanges(idx, checkpoint.size);
      const proof = await hashRanges(ranges);
      return { state: 'merged', index: idx, entry: entry!.entry, checkpoint, inclusionProof: proof.map(toHex) };
    },

    async checkpoints(fromSize, limit) {
      return (await listCheckpoints(knex, fromSize, Math.min(limit, 1000))).map(toCheckpoint);
    },

    async inclusionProof(index, size) {
      if (size < 1) throw badRange('size', 'size must be at least 1: an empty tree includes nothing.');
      if (index >= size) throw badRange('index', `index must be below size (${size}); leaves are numbered from 0.`);
      const current = await sizeNow();
      if (size > current) throw beyondTheLog('size', `The audit log has ${current} entries; there is no tree of size ${size} yet.`);
      const ranges = inclusionProofRanges(index, size);
      const [leaf, root, ...proof] = await hashRanges([[index, index + 1], [0, size], ...ranges]);
      return { index, size, leafHash: toHex(leaf!), root: toHex(root!), proof: proof.map(toHex) };
    },

    async consistencyProof(from, to) {
      if (from > to) throw badRange('from', `from (${from}) must not be larger than to (${to}).`);
      const current = await sizeNow();
      if (to > current) throw beyondTheLog('to', `The audit log has ${current} entries; there is no tree of size ${to} yet.`);
      const ranges = consistencyProofRanges(from, to);
      const [fromRoot, toRoot, ...proof] = await hashRanges([[0, from], [0, to], ...ranges]);
      return { from, to, fromRoot: toHex(fromRoot!), toRoot: toHex(toRoot!), proof: proof.map(toHex) };
    },

    size: sizeNow,

    async entries(start, end) {
      if (end < start) throw badRange('end', `end (${end}) must not be below start (${start}).`);
      if (end - start > MAX_ENTRIES_PER_CALL) throw badRange('end', `At most ${MAX_ENTRIES_PER_CALL} entries per call: end - start is ${end - start}.`);
      const current = await sizeNow();
      if (end > current) throw beyondTheLog('end', `The audit log has ${current} entries (indexes 0 to ${current - 1}); end ${end} is beyond it.`);
      return (await rangeRows(knex, start, end)).map((r) => ({ index: r.idx, entry: r.entry }));
    },
  };
}
