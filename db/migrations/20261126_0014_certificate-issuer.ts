import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The register also holds certificates of other, trusted CAs that a user registered to their
  // account (mutual recognition). `issuer` says who issued a row: 'platform' for the platform CA, or
  // the SHA-256 fingerprint (hex) of the trusted CA's certificate. A serial number is unique only per
  // issuer (RFC 5280), so the uniqueness of serials moves from the whole table to (issuer, serial):
  // platform serials stay unique among themselves, and two CAs may both have used serial 01.
  await knex.schema.alterTable('certificates', (t) => {
    t.string('issuer', 64).notNullable().defaultTo('platform');
  });
  await knex.schema.alterTable('certificates', (t) => {
    t.dropUnique(['serial']);
    t.unique(['issuer', 'serial']);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Never silently drops registered certificates: bids and key shares name them by fingerprint.
  const registered = await knex('certificates').whereNot({ issuer: 'platform' }).first('fingerprint');
  if (registered) throw new Error('certificates of trusted CAs are registered; revert this migration only after removing them by hand');
  await knex.schema.alterTable('certificates', (t) => {
    t.dropUnique(['issuer', 'serial']);
  });
  await knex.schema.alterTable('certificates', (t) => {
    t.dropColumn('issuer');
    t.unique(['serial']);
  });
}
