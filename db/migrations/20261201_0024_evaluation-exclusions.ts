import type { Knex } from 'knex';

// Bids the evaluation committee excludes, with its reason (e.g. a bid that does not respond to the
// tender documents, 否决投标): one row per bid, kept with who excluded it and when.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('evaluation_exclusions', (t) => {
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.string('bid_id', 26).notNullable();
    t.text('reason').notNullable();
    t.string('excluded_by', 26).notNullable();
    t.bigInteger('excluded_at').notNullable();
    t.primary(['section_id', 'bid_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('evaluation_exclusions');
}
