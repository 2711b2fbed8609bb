import type { Knex } from 'knex';
import { isSqlite } from '../dialect';

// Submissions join the public log at the freeze, not on receipt (so the log counts no bids before
// the deadline): a bid's log index is unknown until then, and each receipt's signed promise waits in
// log_promises until it is honoured by an entry. The column change rebuilds the table on SQLite,
// which needs foreign-key enforcement off, and SQLite ignores that pragma inside a transaction:
// hence this migration runs outside one (each step is atomic and it is safe to re-run).
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  const sqlite = isSqlite(knex);
  // SQLite has one connection (db/connection.ts), so the pragma holds for the rebuild below.
  if (sqlite) await knex.raw('PRAGMA foreign_keys = OFF');
  try {
    await knex.schema.alterTable('bids', (t) => {
      t.bigInteger('audit_idx').nullable().alter();
    });
    if (sqlite) {
      const broken = await knex.raw('PRAGMA foreign_key_check');
      if (broken.length) throw new Error(`rebuilding bids left ${broken.length} broken foreign keys: ${JSON.stringify(broken[0])}`);
    }
  } finally {
    if (sqlite) await knex.raw('PRAGMA foreign_keys = ON');
  }
  if (await knex.schema.hasTable('log_promises')) return;
  await knex.schema.createTable('log_promises', (t) => {
    t.string('id', 26).primary(); // the id the entry will carry
    t.string('grp', 26).notNullable(); // the section whose close of bidding releases it
    t.string('action', 64).notNullable();
    t.string('object_type', 32).notNullable();
    t.string('object_id', 64).notNullable();
    t.bigInteger('promised_at').notNullable();
    t.string('digest', 64).notNullable().unique(); // SHA-256 of the signed promise's canonical JSON
    t.text('promise').notNullable(); // the signed promise, canonical JSON
    t.text('actor').nullable(); // JSON of the actor, for the entry
    t.string('ip', 64).nullable();
    t.bigInteger('merged_idx').nullable(); // the entry's index once merged
    t.index(['grp', 'merged_idx']);
    t.index(['object_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('log_promises');
}
