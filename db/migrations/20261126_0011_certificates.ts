import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Every certificate the platform CA issued, with its revocation. The fingerprint (SHA-256 of the
  // DER) is what bids and receipts name; a revocation only ever sets revoked_at once.
  await knex.schema.createTable('certificates', (t) => {
    t.specificType('fingerprint', 'char(64)').primary();
    t.string('serial', 40).notNullable().unique(); // hex
    t.string('user_id', 26).notNullable().references('id').inTable('users');
    t.string('org_id', 26).nullable().references('id').inTable('organisations');
    t.text('subject').notNullable();
    t.string('usage', 16).notNullable(); // signing | encryption
    t.text('pem').notNullable();
    t.bigInteger('not_before').notNullable();
    t.bigInteger('not_after').notNullable();
    t.bigInteger('issued_at').notNullable();
    t.bigInteger('revoked_at').nullable();
    t.string('revocation_reason', 500).nullable();
    t.index(['user_id', 'usage', 'not_before']);
  });
  // Proof-of-possession challenges of the browser path: single use (deleted when used), short-lived,
  // bound to the user who asked for them. Kept in the database so that any server process can check them.
  await knex.schema.createTable('certificate_challenges', (t) => {
    t.string('challenge', 100).primary();
    t.string('user_id', 26).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('certificate_challenges');
  await knex.schema.dropTable('certificates');
}
