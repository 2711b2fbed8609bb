import type { Knex } from 'knex';

// Rendered PDF records (modules/records): which stored file holds the PDF of a record's JSON. A
// published record never changes, so its PDF is rendered once and served from the blob store; the
// key is the SHA-256 of the JSON it renders (and the layout version, so that a new layout renders anew).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('record_pdfs', (t) => {
    t.string('kind', 32).notNullable();
    t.string('json_sha256', 64).notNullable();
    t.integer('layout').notNullable();
    t.string('pdf_sha256', 64).notNullable();
    t.bigInteger('size').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['kind', 'json_sha256', 'layout']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('record_pdfs');
}
