import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Awarded sections from before the platform, imported from CSV (all rows of one file share an
  // import_id; the audit entry 'reports.history_imported' holds the file's SHA-256).
  await knex.schema.createTable('imported_results', (t) => {
    t.string('id', 26).primary();
    t.string('centre_code', 16).notNullable();
    t.string('code', 48).notNullable().unique();
    t.string('title', 200).notNullable();
    t.string('reference_kind', 24).notNullable();
    t.bigInteger('reference_price_fen').notNullable();
    t.bigInteger('award_amount_fen').notNullable();
    t.string('award_date', 10).notNullable(); // YYYY-MM-DD in the centre's time zone
    t.bigInteger('awarded_at').notNullable(); // local midnight of award_date
    t.string('import_id', 26).notNullable();
    t.integer('line_no').notNullable();
    t.string('imported_by', 26).notNullable();
    t.bigInteger('imported_at').notNullable();
    t.index(['awarded_at']);
    t.index(['import_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('imported_results');
}
