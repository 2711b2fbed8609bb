import type { Knex } from 'knex';

// The evaluation (modules/evaluation): the sealed reserve price of a revenue-side section (age
// ciphertext only, sealed to the section's opening key), one evaluation per section (its method,
// weights, the computed result and the candidate publicity), every evaluator's score per bid per
// criterion (all kept), and the objections filed during the candidate publicity.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('section_reserves', (t) => {
    t.string('section_id', 26).primary().references('id').inTable('sections');
    t.text('sealed').notNullable(); // base64 of the age file; the amount is never stored in the clear before evaluation
    t.string('sealed_sha256', 64).notNullable();
    t.string('set_by', 26).notNullable();
    t.bigInteger('set_at').notNullable();
  });
  await knex.schema.createTable('evaluations', (t) => {
    t.string('section_id', 26).primary().references('id').inTable('sections');
    t.string('method', 32).notNullable();
    t.string('started_by', 26).notNullable();
    t.bigInteger('started_at').notNullable();
    t.text('weights').nullable(); // JSON: { price, criteria: { name: weight } }
    t.text('result', 'mediumtext').nullable(); // JSON: ranked bids, candidates, reserve, outcome
    t.bigInteger('concluded_at').nullable();
    t.bigInteger('publicity_ends_at').nullable();
    t.text('declines').nullable(); // JSON: [{ rank, reason, by, at }]
  });
  await knex.schema.createTable('evaluation_scores', (t) => {
    t.string('id', 26).primary();
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.string('evaluator', 100).notNullable();
    t.string('bid_id', 26).notNullable();
    t.string('criterion', 100).notNullable();
    t.string('score', 16).notNullable(); // decimal string, 0–100
    t.string('entered_by', 26).notNullable();
    t.bigInteger('entered_at').notNullable();
    t.unique(['section_id', 'evaluator', 'bid_id', 'criterion']);
  });
  await knex.schema.createTable('evaluation_objections', (t) => {
    t.string('id', 26).primary();
    t.string('section_id', 26).notNullable().references('id').inTable('sections');
    t.string('org_id', 26).notNullable();
    t.string('user_id', 26).notNullable();
    t.text('text').notNullable();
    t.bigInteger('raised_at').notNullable();
    t.text('answer').nullable();
    t.string('answered_by', 26).nullable();
    t.bigInteger('answered_at').nullable();
    t.index(['section_id', 'raised_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('evaluation_objections');
  await knex.schema.dropTable('evaluation_scores');
  await knex.schema.dropTable('evaluations');
  await knex.schema.dropTable('section_reserves');
}
