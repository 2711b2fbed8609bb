// Moves sections through the lifecycle: the guarded transition with its audit entry, the steps other
// modules take (system, evaluation), and the scheduler's timed moves under per-section leases.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { type RequestContext, SYSTEM_CONTEXT } from '../core/context';
import { AppError, invalidTransition } from '../core/errors';
import { withRetry, type InTransaction, type Tx } from '../../db/transactions';
import type { AuditAppender } from '../audit/audit-service';
import { canTransition, type SectionState } from './lifecycle';
import * as store from './lifecycle-store';
import type { SectionRef } from './lifecycle-store';

export interface LifecycleDeps {
  knex: Knex;
  clock: Clock;
  /** The scheduler's moves are units of work of their own. */
  inTransaction: InTransaction<LifecycleTx>;
  /** Identifies this process in scheduler leases. */
  processId: string;
  leaseMs?: number;
}

/** What a lifecycle step needs of its unit of work: the log, for the step's entry. */
export type LifecycleTx = { audit: AuditAppender };

export type Move = { id: string; from: SectionState; to: SectionState };

export function createLifecycleEngine(deps: LifecycleDeps) {
  const { knex, clock, processId, inTransaction } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;

  /** One lifecycle step: guarded update, then the audit entry, in the caller's unit of work. */
  async function transition(
    tx: Tx<LifecycleTx>,
    ctx: RequestContext,
    s: SectionRef,
    to: SectionState,
    set: Record<string, unknown> = {},
    options: { guard?: (q: any) => void; data?: Record<string, unknown> } = {},
  ): Promise<void> {
    if (!canTransition(s.state, to)) {
      throw invalidTransition(`A section that is ${s.state} cannot become ${to}.`, { from: s.state, to });
    }
    const now = clock.now();
    const ok = await store.guardedUpdate(tx.db, s.id, s.state, { ...set, state: to, updated_at: now }, options.guard);
    if (!ok) {
      const current = await store.findLifecycleRow(tx.db, s.id);
      throw invalidTransition(`The section changed meanwhile (it is now ${current?.state}); reload and try again.`, { from: current?.state, to });
    }
    await tx.audit.append(ctx, {
      action: `section.${to}`,
      objectType: 'section',
      objectId: s.id,
      data: { code: s.code, centre: s.centre, before: { state: s.state }, after: { state: to }, ...options.data },
    });
  }

  /** In the scheduler's unit of work: the move the section is due for at `now`, if any. */
  async function moveIfDue(tx: Tx<LifecycleTx>, id: string, now: number): Promise<Move | null> {
    const s = await store.findLifecycleRow(tx.db, id);
    if (!s) return null;
    const data = { by: 'scheduler', process: processId };
    if (s.state === 'published' && s.bidOpensAt !== null && s.bidOpensAt <= now) {
      await transition(tx, SYSTEM_CONTEXT, s, 'bidding', {}, { guard: (q) => q.where('bid_opens_at', '<=', now), data });
      return { id, from: s.state, to: 'bidding' as const };
    }
    if (s.state === 'bidding' && s.bidDeadlineAt !== null && s.bidDeadlineAt <= now) {
      await transition(tx, SYSTEM_CONTEXT, s, 'closed', { closed_at: now }, { guard: (q) => q.where('bid_deadline_at', '<=', now), data });
      return { id, from: s.state, to: 'closed' as const };
    }
    return null;
  }

  /** Claims the section's lease and takes its due move; null if leased elsewhere, moved meanwhile or not due. */
  async function advanceOne(id: string, now: number): Promise<Move | null> {
    if (!(await withRetry(() => store.claimLease(knex, id, processId, now, now + leaseMs)))) return null;
    try {
      return await inTransaction((tx) => moveIfDue(tx, id, now));
    } catch (err) {
      // Another process moved it between our read and our update: nothing left to do.
      if (!(err instanceof AppError && err.status === 409)) throw err;
      return null;
    } finally {
      await withRetry(() => store.releaseLease(knex, id, processId));
    }
  }

  return {
    /** The lifecycle's steps bound to a unit of work (the composition root adds them to every tx after the log). */
    on: (tx: Tx<LifecycleTx>) => ({
      /** A step by the acting user (publication, cancellation, contract), audited with their context. */
      transition: (ctx: RequestContext, s: SectionRef, to: SectionState, set: Record<string, unknown> = {}, options: { guard?: (q: any) => void; data?: Record<string, unknown> } = {}) =>
        transition(tx, ctx, s, to, set, options),

      /** For the evaluation module: a step by the acting operator from the state it expects. */
      async evaluationTransition(ctx: RequestContext, id: string, from: SectionState, to: SectionState, set: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
        const s = await store.findLifecycleRow(tx.db, id);
        if (!s || s.state !== from) throw invalidTransition(`Section ${s?.code ?? id} is ${s?.state ?? 'missing'}, not ${from}.`, { from: s?.state, to });
        return transition(tx, ctx, s, to, set, { data });
      },

      /** A step taken by the platform itself (the opening). */
      async systemTransition(id: string, from: SectionState, to: SectionState, set: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
        const s = await store.findLifecycleRow(tx.db, id);
        if (!s || s.state !== from) throw invalidTransition(`The section is ${s?.state ?? 'missing'}, not ${from}.`, { from: s?.state, to });
        return transition(tx, SYSTEM_CONTEXT, s, to, set, { data: { by: 'scheduler', process: processId, ...data } });
      },
    }),

    /** For the opening step: sections past the deadline whose opening is not finished and not leased. */
    sectionsToOpen(): Promise<string[]> {
      return withRetry(() => store.sectionsToOpen(knex, clock.now(), 100));
    },

    /**
     * Runs `work` while this process holds the section's scheduler lease (the same lease as
     * advanceDue); null if another process holds it. `renew` extends it during long work and
     * answers false once the lease was lost (work must then stop).
     */
    async underLease<T>(id: string, work: (renew: () => Promise<boolean>) => Promise<T>): Promise<T | null> {
      const now = clock.now();
      if (!(await withRetry(() => store.claimLease(knex, id, processId, now, now + leaseMs)))) return null;
      try {
        return await work(() => withRetry(() => store.renewLease(knex, id, processId, clock.now() + leaseMs)));
      } finally {
        await withRetry(() => store.releaseLease(knex, id, processId));
      }
    },

    /**
     * The scheduler's step: moves every section whose time has come (bid window opens → bidding;
     * deadline → closed). Safe with any number of processes: each section is claimed by a lease
     * (conditional update) and each move is itself a guarded update, so it happens exactly once.
     */
    async advanceDue(): Promise<Array<{ id: string; from: SectionState; to: SectionState }>> {
      const moved: Array<{ id: string; from: SectionState; to: SectionState }> = [];
      for (let round = 0; round < 10; round++) {
        const now = clock.now();
        const due = await store.dueSections(knex, now, 100);
        if (due.length === 0) break;
        let progressed = false;
        for (const { id } of due) {
          const step = await advanceOne(id, now);
          if (step) {
            moved.push(step);
            progressed = true;
          }
        }
        if (!progressed) break;
      }
      return moved;
    },
  };
}

export type LifecycleEngine = ReturnType<typeof createLifecycleEngine>;

/** The lifecycle's steps inside a unit of work. */
export type TxLifecycle = ReturnType<LifecycleEngine['on']>;
