import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One award per section (the evaluation module records it inside its own transaction). The
  // section's centre, code, title and reference price are copied here at award time: they are
  // fixed once the section is published, and the reports then read awards without joining the
  // tenders module's tables.
  await knex.schema.createTable('awards', (t) => {
    t.string('section_id', 26).primary();
    t.string('centre_code', 16).notNullable();
    t.string('code', 48).notNullable();
    t.string('title', 200).notNullable();
    t.string('reference_kind', 24).notNullable();
    t.bigInteger('reference_price_fen').notNullable();
    t.string('org_id', 26).nullable();
    t.string('bidder_name', 200).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.bigInteger('awarded_at').notNullable();
    t.text('notice').nullable();
    t.bigInteger('contract_signed_at').nullable();
    t.bigInteger('contract_amount_fen').nullable();
    t.string('contract_recorded_by', 26).nullable();
    t.string('created_by', 26).nullable();
    t.bigInteger('created_at').notNullable();
    t.index(['awarded_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('awards');
}
