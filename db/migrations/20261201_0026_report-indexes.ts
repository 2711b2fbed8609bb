import type { Knex } from 'knex';

// The rate reports aggregate in SQL (modules/reports/reports-service.ts): per centre and chart
// bucket, a range of award instants (live awards) or award dates (imported results), summing the
// amounts. Each totals index starts with that range and holds every column the sums read, so that
// a bucket is one covering index range and never touches the rows (and needs no sort, as a GROUP BY
// would). The reference kinds seen are asked kind by kind, each one index seek (the kind indexes).
// The per-section list is paged in (awarded_at, code) order: one index each for that walk.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('awards', (t) => {
    t.index(['centre_code', 'awarded_at', 'reference_price_fen', 'amount_fen', 'contract_amount_fen'], 'awards_centre_totals_idx');
    t.index(['centre_code', 'reference_kind', 'awarded_at'], 'awards_centre_kind_idx');
    t.index(['awarded_at', 'code'], 'awards_list_idx');
  });
  await knex.schema.alterTable('imported_results', (t) => {
    t.index(['centre_code', 'award_date', 'reference_price_fen', 'award_amount_fen'], 'imported_centre_totals_idx');
    t.index(['centre_code', 'reference_kind', 'award_date'], 'imported_centre_kind_idx');
    t.index(['awarded_at', 'code'], 'imported_list_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('awards', (t) => {
    t.dropIndex([], 'awards_centre_totals_idx');
    t.dropIndex([], 'awards_centre_kind_idx');
    t.dropIndex([], 'awards_list_idx');
  });
  await knex.schema.alterTable('imported_results', (t) => {
    t.dropIndex([], 'imported_centre_totals_idx');
    t.dropIndex([], 'imported_centre_kind_idx');
    t.dropIndex([], 'imported_list_idx');
  });
}
