// Exact SUM of a BIGINT fen expression on both engines, read back as a bigint.
//
// MariaDB sums BIGINT into a DECIMAL of 65 digits, which mysql2 hands back as a string: exact.
// SQLite sums integers in 64 bits and stops with "integer overflow" past 2^63 (a few sums of
// 5·10^18 fen do that). So on SQLite each value is split into its high and low 32 bits,
// x = (x >> 32)·2^32 + (x & 0xFFFFFFFF) (">>" keeps the sign), and the two parts are summed
// apart: each part sum stays below 2^63 for fewer than 2^31 rows, and the total is made in BigInt.
import type { Knex } from 'knex';
import type { Db } from './transactions';
import { isSqlite } from './dialect';
import { toFen } from './row';

const LOW = 4294967295;

export type SumColumns = (expr: string, alias: string) => Knex.Raw[];

/**
 * Runs `query` with a maker of SUM(expr) AS alias columns (expr is trusted SQL, never user input)
 * that are exact on this engine. On SQLite the plain SUM runs first (one addition a row, exact
 * whenever it answers at all) and the split sums only when it reports an overflow.
 */
export async function withExactSums<T>(db: Db, query: (sum: SumColumns) => Promise<T>): Promise<T> {
  const plain: SumColumns = (expr, alias) => [db.raw(`SUM(${expr}) AS ${alias}`)];
  if (!isSqlite(db as Knex)) return query(plain);
  try {
    return await query(plain);
  } catch (err) {
    if (!/integer overflow/i.test((err as Error).message)) throw err;
    return query((expr, alias) => [db.raw(`SUM((${expr}) >> 32) AS ${alias}_hi`), db.raw(`SUM((${expr}) & ${LOW}) AS ${alias}_lo`)]);
  }
}

/** The sum made by the columns of withExactSums in `row`; 0 over no rows. */
export function readExactSum(row: Record<string, unknown>, alias: string): bigint {
  if (`${alias}_hi` in row) return toFen(row[`${alias}_hi`]) * 4294967296n + toFen(row[`${alias}_lo`]);
  return toFen(row[alias]);
}
