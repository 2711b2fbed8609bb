import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('projects', (t) => {
    t.string('id', 26).primary();
    t.string('centre_code', 16).notNullable().references('code').inTable('centres');
    t.string('code', 40).notNullable().unique();
    t.string('title', 200).notNullable();
    t.string('tenderee', 200).notNullable();
    t.text('description').nullable();
    t.string('created_by', 26).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['centre_code']);
  });
  await knex.schema.createTable('sections', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('id').inTable('projects');
    t.string('centre_code', 16).notNullable();
    t.string('code', 48).notNullable().unique();
    t.integer('lot_no').notNullable();
    t.integer('round').notNullable().defaultTo(1);
    t.string('previous_section_id', 26).nullable();
    t.string('title', 200).notNullable();
    t.string('state', 16).notNullable();
    t.string('procedure', 32).notNullable();
    t.string('evaluation_method', 32).notNullable();
    t.string('reference_kind', 24).notNullable();
    t.bigInteger('reference_price_fen').notNullable();
    t.bigInteger('bid_bond_fen').notNullable();
    t.bigInteger('published_at').nullable();
    t.bigInteger('bid_opens_at').nullable();
    t.bigInteger('clarification_deadline_at').nullable();
    t.bigInteger('bid_deadline_at').nullable();
    t.bigInteger('closed_at').nullable();
    t.bigInteger('cancelled_at').nullable();
    t.string('cancel_reason', 500).nullable();
    // Scheduler lease: a process claims a due section by a conditional update on these two columns.
    t.string('lease_owner', 64).nullable();
    t.bigInteger('lease_expires_at').nullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('created_by', 26).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['project_id', 'lot_no', 'round']);
    t.index(['state', 'bid_deadline_at']);
    t.index(['state', 'bid_opens_at']);
    t.index(['centre_code', 'state']);
  });
  await knex.schema.createTable('section_documents', (t) => {
    t.string('id', 26).primary();
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.string('name', 200).notNullable();
    t.string('media_type', 100).notNullable();
    t.bigInteger('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('uploaded_by', 26).notNullable();
    t.bigInteger('uploaded_at').notNullable();
    t.index(['section_id']);
  });
  await knex.schema.createTable('clarifications', (t) => {
    t.string('id', 26).primary();
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.integer('seq').notNullable();
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.boolean('affects_bids').notNullable();
    t.bigInteger('previous_deadline_at').notNullable();
    t.bigInteger('new_deadline_at').nullable();
    t.string('issued_by', 26).notNullable();
    t.bigInteger('issued_at').notNullable();
    t.unique(['section_id', 'seq']);
  });
  await knex.schema.createTable('code_counters', (t) => {
    t.string('scope', 48).primary(); // e.g. "construction-2026"
    t.integer('last_value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['code_counters', 'clarifications', 'section_documents', 'sections', 'projects']) {
    await knex.schema.dropTable(table);
  }
}
