import type { Knex } from 'knex';

// Data change kept apart from the DDL that created the table.
export async function up(knex: Knex): Promise<void> {
  await knex('audit_head').insert({ id: 1, size: 0 });
}

export async function down(knex: Knex): Promise<void> {
  await knex('audit_head').where({ id: 1 }).delete();
}
