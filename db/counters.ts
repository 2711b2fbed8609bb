// Counters kept by an upsert: one statement that inserts the row with 1 or adds 1 to it. knex
// writes it as INSERT … ON CONFLICT (key) DO UPDATE on SQLite and INSERT … ON DUPLICATE KEY
// UPDATE on MySQL/MariaDB; in both, the bare column name in the update means the stored row's value.
import type { Db } from './transactions';

export async function incrementCounter(db: Db, table: string, key: Record<string, string | number>, column: string, by = 1): Promise<void> {
  await db(table)
    .insert({ ...key, [column]: by })
    .onConflict(Object.keys(key))
    .merge({ [column]: db.raw('?? + ?', [column, by]) });
}
