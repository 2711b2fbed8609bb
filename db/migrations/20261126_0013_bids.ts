import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Every version of every sealed bid is kept; `active_key` ("section:org") is set only on the
  // version that counts, and its unique index guarantees at most one per bidder and section.
  await knex.schema.createTable('bids', (t) => {
    t.string('id', 26).primary();
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.string('org_id', 26).notNullable().references('id').inTable('organisations');
    t.string('user_id', 26).notNullable().references('id').inTable('users');
    t.integer('version').notNullable();
    t.string('status', 12).notNullable(); // active | superseded | withdrawn
    t.string('active_key', 60).nullable().unique();
    t.string('supersedes', 26).nullable();
    t.string('ciphertext_sha256', 64).notNullable();
    t.bigInteger('size').notNullable();
    t.text('manifest').notNullable(); // the canonical bytes that were signed
    t.string('manifest_sha256', 64).notNullable().unique();
    t.string('nonce', 64).notNullable().unique();
    t.text('signature').notNullable();
    t.string('certificate_fingerprint', 64).notNullable();
    t.bigInteger('received_at').notNullable();
    t.bigInteger('withdrawn_at').nullable();
    t.bigInteger('audit_idx').notNullable();
    t.text('receipt', 'mediumtext').nullable();
    t.index(['section_id', 'org_id']);
    t.index(['section_id', 'ciphertext_sha256']);
  });
  // Signals for supervisors (never verdicts): e.g. two bidders uploading the same ciphertext.
  await knex.schema.createTable('bid_signals', (t) => {
    t.string('id', 26).primary();
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.string('kind', 40).notNullable();
    t.text('detail').notNullable(); // JSON
    t.bigInteger('created_at').notNullable();
    t.index(['section_id']);
  });
  // A counter the bid transaction bumps: the row lock it takes orders every accepted bid before
  // or after the deadline transition of the same section, on both engines.
  await knex.schema.alterTable('sections', (t) => {
    t.integer('bid_seq').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (t) => t.dropColumn('bid_seq'));
  await knex.schema.dropTable('bid_signals');
  await knex.schema.dropTable('bids');
}
