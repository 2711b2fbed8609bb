import type { Knex } from 'knex';

// The rate reports aggregate in SQL (modules/reports/reports-service.ts): per centre, a range of
// award instants (live awards) or award dates (imported results), grouped by bucket and reference
// kind, summing the amounts. Each totals index starts with the filter and holds every column the
// sums read, so that a year of a centre is one covering index range and never touches the rows.
// The per-section list is paged in (awarded_at, code) order: one index each for that walk.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('awards', (t) => {
    t.index(['centre_code', 'awarded_at', 'reference_kind', 'reference_price_fen', 'amount_fen', 'contract_amount_fen'], 'awards_centre_totals_idx');
    t.index(['awarded_at', 'code'], 'awards_list_idx');
  });
  await knex.schema.alterTable('imported_results', (t) => {
    t.index(['centre_code', 'award_date', 'reference_kind', 'reference_price_fen', 'award_amount_fen'], 'imported_centre_totals_idx');
    t.index(['awarded_at', 'code'], 'imported_list_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('awards', (t) => {
    t.dropIndex([], 'awards_centre_totals_idx');
    t.dropIndex([], 'awards_list_idx');
  });
  await knex.schema.alterTable('imported_results', (t) => {
    t.dropIndex([], 'imported_centre_totals_idx');
    t.dropIndex([], 'imported_list_idx');
  });
}
