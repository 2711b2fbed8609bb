import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One opening key per section: only its public age recipient is stored in clear. `source` says
  // whether the server made it at publication or an operator's offline ceremony uploaded it;
  // `published_at` is set when the section is published with it and the key is fixed from then on.
  await knex.schema.createTable('opening_keys', (t) => {
    t.string('section_id', 26).primary().references('id').inTable('sections');
    t.string('recipient', 100).notNullable();
    t.integer('threshold').notNullable();
    t.integer('members').notNullable();
    t.string('source', 12).notNullable(); // server | ceremony
    t.bigInteger('created_at').notNullable();
    t.bigInteger('published_at').nullable();
  });
  // Each share of the key's secret, encrypted (RSA-OAEP, SHA-256) to one custodian's encryption
  // certificate. The server never stores a share it can read, except the platform timer's own.
  await knex.schema.createTable('key_shares', (t) => {
    t.string('section_id', 26).notNullable().references('section_id').inTable('opening_keys');
    t.integer('share_index').notNullable();
    t.string('custodian', 26).notNullable(); // 'platform-timer' or a user id
    t.string('custodian_label', 80).notNullable(); // 'platform-timer' or 'user:<username>'
    t.string('certificate_fingerprint', 64).notNullable();
    t.text('encrypted_share').notNullable(); // base64
    t.bigInteger('released_at').nullable();
    t.primary(['section_id', 'share_index']);
    t.index(['custodian']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('key_shares');
  await knex.schema.dropTable('opening_keys');
}
