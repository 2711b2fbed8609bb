import type { Knex } from 'knex';
import { isMysql } from '../dialect';

// The audit log as an RFC 6962 Merkle tree: every complete subtree is kept (so proofs are read,
// not recomputed), the head row carries the frontier and the current tree head, and signed
// checkpoints are kept for good. The database refuses changes to nodes and checkpoints, as it
// does for the entries themselves (migration 0007).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_nodes', (t) => {
    t.integer('level').notNullable(); // 0 = leaf hashes
    t.bigInteger('idx').notNullable(); // position within the level
    t.specificType('hash', 'char(64)').notNullable(); // SHA-256, lower-case hex
    t.primary(['level', 'idx']);
  });
  await knex.schema.alterTable('audit_head', (t) => {
    // JSON array of hex hashes: the roots of the perfect subtrees covering [0, size), leftmost first.
    t.text('frontier').nullable();
    t.specificType('root', 'char(64)').nullable();
  });
  await knex.schema.createTable('audit_checkpoints', (t) => {
    t.bigInteger('size').primary(); // one checkpoint per tree size: concurrent signers agree on it
    t.specificType('root', 'char(64)').notNullable();
    t.bigInteger('at').notNullable();
    t.string('key_id', 64).notNullable();
    t.text('signature').notNullable();
  });
  for (const table of ['audit_nodes', 'audit_checkpoints']) await createAppendOnlyTriggers(knex, table);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['audit_nodes', 'audit_checkpoints']) await dropAppendOnlyTriggers(knex, table);
  await knex.schema.dropTable('audit_checkpoints');
  await knex.schema.alterTable('audit_head', (t) => {
    t.dropColumn('frontier');
    t.dropColumn('root');
  });
  await knex.schema.dropTable('audit_nodes');
}

export async function createAppendOnlyTriggers(knex: Knex, table: string): Promise<void> {
  const message = `${table} is append-only: rows cannot be changed or deleted`;
  for (const op of ['UPDATE', 'DELETE']) {
    const name = `${table}_no_${op.toLowerCase()}`;
    if (isMysql(knex)) {
      await knex.raw(`CREATE TRIGGER ${name} BEFORE ${op} ON ${table} FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${message}'`);
    } else {
      await knex.raw(`CREATE TRIGGER ${name} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${message}'); END`);
    }
  }
}

export async function dropAppendOnlyTriggers(knex: Knex, table: string): Promise<void> {
  for (const op of ['update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_${op}`);
}
