import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One append-only log of every event. `entry` holds the exact canonical JSON bytes of the event:
  // those are the bytes a Merkle leaf hashes (RFC 6962), so they are never rebuilt from columns.
  await knex.schema.createTable('audit_log', (t) => {
    t.bigInteger('idx').primary(); // 0-based position in the log = leaf index
    t.string('id', 26).notNullable().unique();
    t.bigInteger('at').notNullable();
    t.string('actor_id', 26).nullable();
    t.string('actor_role', 16).nullable();
    t.string('ip', 64).nullable();
    t.string('action', 64).notNullable();
    t.string('object_type', 32).notNullable();
    t.string('object_id', 64).nullable();
    t.text('entry', 'mediumtext').notNullable();
    t.index(['object_type', 'object_id']);
    t.index(['action']);
  });
  // The head row serialises appends: an UPDATE on it takes the row lock on MySQL and the write
  // lock on SQLite, so two transactions can never be handed the same index.
  await knex.schema.createTable('audit_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('size').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_head');
  await knex.schema.dropTable('audit_log');
}
