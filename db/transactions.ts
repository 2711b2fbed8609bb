// Transactions with the retries that both engines need: SQLite answers BUSY when another process
// holds the write lock (or the read snapshot went stale), MySQL/MariaDB answers deadlock or lock
// wait timeout (on Galera certification conflicts also surface as deadlocks). The whole unit of
// work is re-run; it must therefore be free of side effects outside the database.
import type { Knex } from 'knex';

export type Db = Knex | Knex.Transaction;

const RETRYABLE_SQLITE = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_BUSY_RECOVERY']);
const RETRYABLE_MYSQL = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return !!code && (RETRYABLE_SQLITE.has(code) || RETRYABLE_MYSQL.has(code));
}

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Re-runs `work` while the database answers "busy" or "deadlock". The waits are asynchronous:
 * SQLite's own busy handler blocks the whole event loop, so it is kept short (db/connection.ts)
 * and the patience lives here instead.
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

export function withTransaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return withRetry(() => knex.transaction(work));
}
