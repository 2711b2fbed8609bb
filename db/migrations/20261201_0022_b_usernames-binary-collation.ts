import type { Knex } from 'knex';
import { isMysql } from '../dialect';

// On MySQL/MariaDB, users.username compares byte for byte. Under the database's utf8mb4_unicode_ci
// "ADMIN", "admin   " and "ａｄｍｉｎ" all equal "admin", so a lookup matched accounts by
// collation rather than by the one stored form. A NO PAD binary collation also stops trailing
// spaces from matching; where the server has none, utf8mb4_bin still compares case and width
// exactly (and the app trims). SQLite already compares with BINARY: nothing to do there.
async function binaryCollation(knex: Knex): Promise<string> {
  const [rows] = (await knex.raw("SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')")) as [Array<{ Collation: string }>];
  const names = rows.map((r) => r.Collation);
  if (names.includes('utf8mb4_nopad_bin')) return 'utf8mb4_nopad_bin'; // MariaDB
  if (names.includes('utf8mb4_0900_bin')) return 'utf8mb4_0900_bin'; // MySQL 8
  return 'utf8mb4_bin';
}

export async function up(knex: Knex): Promise<void> {
  if (!isMysql(knex)) return;
  const collation = await binaryCollation(knex);
  await knex.raw(`ALTER TABLE users MODIFY username VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  if (!isMysql(knex)) return;
  await knex.raw('ALTER TABLE users MODIFY username VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
}
