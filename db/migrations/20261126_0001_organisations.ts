import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organisations', (t) => {
    t.string('id', 26).primary();
    t.string('name', 200).notNullable();
    t.string('credit_code', 18).notNullable().unique();
    t.string('contact_name', 100).notNullable();
    t.string('contact_phone', 40).notNullable();
    t.string('contact_email', 200).nullable();
    t.string('address', 300).nullable();
    t.string('status', 16).notNullable(); // pending | approved | rejected
    t.string('reviewed_by', 26).nullable();
    t.bigInteger('reviewed_at').nullable();
    t.string('review_note', 500).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('organisations');
}
