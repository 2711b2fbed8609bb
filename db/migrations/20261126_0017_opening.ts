import type { Knex } from 'knex';

// The opening (modules/opening): the frozen bid set and its outcome per section, one result per
// counted bid (kept as computed, so an interrupted opening resumes), the officials, the objections
// raised at the opening; plus the published failure reason of a section and the shares that
// custodians released (re-encrypted to the platform timer, never stored in the clear).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (t) => {
    t.text('failure_reason').nullable();
  });
  await knex.schema.alterTable('key_shares', (t) => {
    t.text('released_share').nullable();
    t.string('released_by', 26).nullable();
  });
  await knex.schema.createTable('opening_runs', (t) => {
    t.string('section_id', 26).primary().references('id').inTable('sections');
    t.bigInteger('frozen_at').notNullable();
    t.bigInteger('freeze_idx').notNullable();
    t.text('bids', 'mediumtext').notNullable(); // JSON: the counted bids in order of receipt
    t.text('freeze_checkpoint').nullable(); // JSON
    t.bigInteger('overdue_flagged_at').nullable();
    t.text('record', 'longtext').nullable(); // canonical JSON of the opening record
    t.string('record_sha256', 64).nullable();
    t.bigInteger('published_at').nullable();
  });
  await knex.schema.createTable('opening_results', (t) => {
    t.string('bid_id', 26).primary().references('id').inTable('bids');
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.integer('seq').notNullable();
    t.text('result', 'mediumtext').notNullable(); // JSON
    t.bigInteger('audit_idx').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['section_id', 'seq']);
  });
  await knex.schema.createTable('opening_officials', (t) => {
    t.string('section_id', 26).primary().references('id').inTable('sections');
    t.string('presiding', 100).notNullable();
    t.string('recording', 100).notNullable();
    t.string('supervising', 100).notNullable();
    t.string('set_by', 26).notNullable();
    t.bigInteger('set_at').notNullable();
  });
  await knex.schema.createTable('opening_objections', (t) => {
    t.string('id', 26).primary();
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.string('org_id', 26).notNullable();
    t.string('user_id', 26).notNullable();
    t.text('text').notNullable();
    t.bigInteger('raised_at').notNullable();
    t.text('answer').nullable();
    t.string('answered_by', 26).nullable();
    t.bigInteger('answered_at').nullable();
    t.index(['section_id', 'raised_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('opening_objections');
  await knex.schema.dropTable('opening_officials');
  await knex.schema.dropTable('opening_results');
  await knex.schema.dropTable('opening_runs');
  await knex.schema.alterTable('key_shares', (t) => {
    t.dropColumn('released_by');
    t.dropColumn('released_share');
  });
  await knex.schema.alterTable('sections', (t) => t.dropColumn('failure_reason'));
}
