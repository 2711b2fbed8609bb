// Transactions with the retries that both engines need: SQLite answers BUSY when another process
// holds the write lock (or the read snapshot went stale), MySQL/MariaDB answers deadlock or lock
// wait timeout (on Galera certification conflicts also surface as deadlocks). The whole unit of
// work is re-run; it must therefore be free of side effects outside the database.
//
// The rule: inside a transaction, every query goes through its handle. SQLite has one connection,
// so a query on the root handle there waits for the transaction that holds it and fails after
// 15 s; on MySQL it runs outside the transaction and sees none of its writes. The root handle
// refuses such a query at once (guardRootHandle, installed by db/connection.ts).
//
// How a service writes: it is given an `inTransaction` runner by the composition root
// (server/app.ts) and does its unit of work in it. The work receives a `tx`: the transaction's
// handle (`tx.db`, for the module's own store) and the other modules' transactional operations
// already bound to it (`tx.audit.append(ctx, …)`, `tx.lifecycle.transition(…)`): no module passes
// a transaction handle into another module's methods. The runner is built up in dependency order
// (`transactions(knex).with('audit', …).with('lifecycle', …)`), so a module's tx holds only modules
// built before it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';

export type Db = Knex | Knex.Transaction;

const RETRYABLE_SQLITE = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_BUSY_RECOVERY']);
// 1213 ER_LOCK_DEADLOCK: an InnoDB deadlock, or on Galera a certification conflict with a
// transaction committed on another node, reported on ANY statement of the transaction (often the
// UPDATE itself, not only COMMIT); the server has rolled the whole transaction back.
// 1205 ER_LOCK_WAIT_TIMEOUT: only the statement is rolled back, but knex then rolls back the
// transaction, so running it again from the start is as safe as after a deadlock.
// Nothing else is retried: a unique violation, a lost connection or a node that left the cluster
// must reach the caller (a lost connection may have committed; only the caller can tell).
const RETRYABLE_MYSQL = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const RETRYABLE_MYSQL_ERRNO = new Set([1213, 1205]);

export function isRetryable(err: unknown): boolean {
  const { code, errno } = (err ?? {}) as { code?: string; errno?: number };
  if (typeof errno === 'number' && RETRYABLE_MYSQL_ERRNO.has(errno)) return true;
  return !!code && (RETRYABLE_SQLITE.has(code) || RETRYABLE_MYSQL.has(code));
}

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Re-runs `work` while the database answers "busy" or "deadlock", at most `attempts` times, with a
 * jittered back-off. The waits are asynchronous: SQLite's own busy handler blocks the whole event
 * loop, so it is kept short (db/connection.ts) and the patience lives here instead.
 *
 * What may run inside `work`: database statements only. What the platform does around a write
 * that cannot be repeated is outside it on purpose: a bid's file is staged and made durable before
 * the transaction (modules/bids/bids-service.ts), and its receipt is signed after the commit from
 * the committed row, so a retried submission still yields one receipt that matches what was
 * stored (an attempt rolled back leaves nothing a receipt could name).
 */
export async function withRetry<T>(work: () => Promise<T>, attempts = 40): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      // Jittered back-off so that competing processes do not collide again in lock step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5 * attempt, 100)));
    }
  }
}

/** The transaction open on this async path, if any (closed once its work has settled). */
const openTransaction = new AsyncLocalStorage<{ open: boolean }>();

export class RootHandleInTransactionError extends Error {
  constructor() {
    super(
      'A query on the root database handle was made inside an open transaction on the same path. ' +
        'Pass the transaction handle (trx) to the code that makes it, or make the call after the transaction has committed.',
    );
  }
}

export function withTransaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return withRetry(() =>
    knex.transaction((trx) => {
      const state = { open: true };
      return openTransaction.run(state, () => work(trx)).finally(() => (state.open = false));
    }),
  );
}

/**
 * Makes the root handle refuse to hand out a connection on an async path that has a transaction
 * open. A transaction's own queries use its connection and are not affected.
 */
export function guardRootHandle(knex: Knex): void {
  const client = knex.client as { acquireConnection(): Promise<unknown> };
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = () => (openTransaction.getStore()?.open ? Promise.reject(new RootHandleInTransactionError()) : acquire());
}

/** One unit of work: the transaction's handle and the transactional operations bound to it. */
export type Tx<Bound> = Bound & { db: Knex.Transaction };

/** Runs `work` in one transaction, re-run whole on busy or deadlock, with `Bound`'s operations bound to it. */
export type InTransaction<Bound> = <T>(work: (tx: Tx<Bound>) => Promise<T>) => Promise<T>;

export interface Transactions<Bound> {
  run: InTransaction<Bound>;
  /** This runner with one more module's operations, bound to each transaction by `bind` (which sees the modules bound before it). */
  with<K extends string, B>(name: K, bind: (tx: Tx<Bound>) => B): Transactions<Bound & { [P in K]: B }>;
}

type Binder = [name: string, bind: (tx: Record<string, unknown>) => unknown];

/** The composition root's transaction runner over `knex`, to which each module adds its bound operations as it is built. */
export function transactions(knex: Knex): Transactions<object> {
  const make = (binders: readonly Binder[]): Transactions<any> => ({
    run: (work) =>
      withTransaction(knex, (trx) => {
        const tx: Record<string, unknown> = { db: trx };
        for (const [name, bind] of binders) tx[name] = bind(tx);
        return work(tx as any);
      }),
    with: (name, bind) => make([...binders, [name, bind as Binder[1]]]),
  });
  return make([]);
}
