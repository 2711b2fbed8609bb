import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 26).primary();
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 100).notNullable();
    t.string('role', 16).notNullable();
    t.string('org_id', 26).nullable().references('id').inTable('organisations');
    t.string('password_hash', 255).notNullable();
    t.boolean('disabled').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['org_id']);
  });
  await knex.schema.createTable('user_centres', (t) => {
    t.string('user_id', 26).notNullable().references('id').inTable('users');
    t.string('centre_code', 16).notNullable();
    t.primary(['user_id', 'centre_code']);
  });
  await knex.schema.createTable('api_tokens', (t) => {
    t.string('id', 26).primary();
    t.string('user_id', 26).notNullable().references('id').inTable('users');
    t.string('name', 100).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').nullable();
    t.bigInteger('revoked_at').nullable();
    t.index(['user_id']);
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 128).primary();
    t.string('user_id', 26).nullable();
    t.bigInteger('expires_at').notNullable();
    t.text('data').notNullable();
    t.index(['user_id']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['sessions', 'api_tokens', 'user_centres', 'users']) await knex.schema.dropTable(table);
}
