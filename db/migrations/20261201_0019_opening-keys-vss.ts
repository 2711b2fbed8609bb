import type { Knex } from 'knex';

// Opening keys with verifiable shares and a time lock (modules/custody/feldman.ts). `scheme` tells
// the two kinds apart: 'shamir-gf256' (the earlier keys: the identity string split bytewise, no
// commitments) or 'feldman-ed25519' (a scalar mod ℓ: shares checkable against `commitments`, a JSON
// array of hex points). The time lock, when the custody has one: the scalar t encrypted with tlock to
// `time_lock_round` of chain `time_lock_chain`, its public point T = t·B, and the armored ciphertext
// (kept back from the public until the deadline, since a later deadline re-wraps it).
// `ceremony_by` names the operator whose offline ceremony made the shares.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('opening_keys', (t) => {
    t.string('scheme', 24).notNullable().defaultTo('shamir-gf256');
    t.text('commitments').nullable();
    t.bigInteger('time_lock_round').nullable();
    t.string('time_lock_chain', 64).nullable();
    t.string('time_lock_point', 64).nullable();
    t.text('time_lock_ciphertext').nullable();
    t.string('ceremony_by', 26).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('opening_keys', (t) => {
    for (const c of ['scheme', 'commitments', 'time_lock_round', 'time_lock_chain', 'time_lock_point', 'time_lock_ciphertext', 'ceremony_by']) t.dropColumn(c);
  });
}
