import type { Knex } from 'knex';

// Anonymous downloads of PDF records, counted per record, section and day (Beijing time) instead
// of one audit entry each: the public cannot grow the audit log.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('record_downloads', (t) => {
    t.string('kind', 32).notNullable();
    t.string('section_id', 26).notNullable();
    t.string('day', 10).notNullable(); // YYYY-MM-DD
    t.bigInteger('downloads').notNullable();
    t.primary(['kind', 'section_id', 'day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('record_downloads');
}
