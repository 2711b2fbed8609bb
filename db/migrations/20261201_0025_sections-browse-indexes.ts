import type { Knex } from 'knex';

// The public section browser reads published sections newest first, filtered by centre, state or
// procedure: one index per filter, each ending in the publication time, so that a page is an index
// range and the count an index scan (modules/tenders/section-browse-store.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (t) => {
    t.index(['published_at', 'id'], 'sections_published_idx');
    t.index(['centre_code', 'published_at', 'id'], 'sections_centre_published_idx');
    t.index(['state', 'published_at', 'id'], 'sections_state_published_idx');
    t.index(['procedure', 'published_at', 'id'], 'sections_procedure_published_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (t) => {
    t.dropIndex(['published_at', 'id'], 'sections_published_idx');
    t.dropIndex(['centre_code', 'published_at', 'id'], 'sections_centre_published_idx');
    t.dropIndex(['state', 'published_at', 'id'], 'sections_state_published_idx');
    t.dropIndex(['procedure', 'published_at', 'id'], 'sections_procedure_published_idx');
  });
}
