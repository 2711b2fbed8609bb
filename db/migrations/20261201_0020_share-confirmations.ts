import type { Knex } from 'knex';

// A custodian's word on its share of a ceremony key, given before publication: 'verified' (the share
// it decrypted lies on the committed polynomial) or 'failed' (it does not: the section cannot publish).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('key_shares', (t) => {
    t.string('confirmation', 12).nullable();
    t.bigInteger('confirmed_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('key_shares', (t) => {
    t.dropColumn('confirmation');
    t.dropColumn('confirmed_at');
  });
}
