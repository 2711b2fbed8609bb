// Which engine a knex handle talks to, asked one way everywhere (migrations included).
import type { Knex } from 'knex';

export const isMysql = (knex: Knex): boolean => knex.client.config.client === 'mysql2';
export const isSqlite = (knex: Knex): boolean => knex.client.config.client === 'better-sqlite3';

/**
 * `table` read through `index` only: a page in index order must walk the index from its cursor and
 * stop after the page, whatever the planner thinks of another index that matches the filters better
 * (it would then sort the whole period for every page). Names are trusted identifiers, never input.
 */
export function listIndex(knex: Knex, table: string, index: string): Knex.Raw {
  return isMysql(knex) ? knex.raw(`?? FORCE INDEX (??)`, [table, index]) : knex.raw(`?? INDEXED BY ??`, [table, index]);
}
