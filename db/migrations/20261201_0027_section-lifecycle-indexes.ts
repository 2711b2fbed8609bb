import type { Knex } from 'knex';

// The report's lifecycle counts (modules/tenders/tenders-store.ts lifecycleCounts) count, per
// centre, sections opened (bid deadline in the period, state opened or later) and failed (last
// change in the period): one index range each. Publications use sections_centre_published_idx (0025).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (t) => {
    t.index(['centre_code', 'bid_deadline_at', 'state'], 'sections_centre_deadline_idx');
    t.index(['centre_code', 'state', 'updated_at'], 'sections_centre_state_updated_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (t) => {
    t.dropIndex([], 'sections_centre_deadline_idx');
    t.dropIndex([], 'sections_centre_state_updated_idx');
  });
}
