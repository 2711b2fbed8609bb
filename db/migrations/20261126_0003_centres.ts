import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('centres', (t) => {
    t.string('code', 16).primary();
    t.string('name_zh', 50).notNullable();
    t.string('name_en', 80).notNullable();
    t.text('settings').notNullable(); // JSON, validated by modules/centres/centre-rules.ts
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('calendar_days', (t) => {
    t.string('date', 10).primary(); // YYYY-MM-DD in the centre's time zone
    t.string('kind', 8).notNullable(); // holiday | workday (a make-up working day on a weekend)
    t.string('name', 100).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_days');
  await knex.schema.dropTable('centres');
}
