// Inside a transaction every query must use its handle: a query on the root handle would wait for
// the transaction on SQLite's one connection (and fail after 15 s) or miss its writes on MySQL.
// The root handle refuses it at once, with a message that says what to do.
import { expect } from 'chai';
import { RootHandleInTransactionError, withTransaction } from '../../db/transactions';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

describe('the transaction guard', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(async () => tdb.cleanup());

  it('refuses a root-handle query inside an open transaction at once, and the transaction rolls back', async () => {
    const knex = tdb.db.knex;
    const started = Date.now();
    let caught: unknown;
    try {
      await withTransaction(knex, async (trx) => {
        await trx('centres').where({ code: 'procurement' }).update({ name_en: 'changed inside' });
        await knex('centres').first(); // the mistake
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(RootHandleInTransactionError);
    expect((caught as Error).message).to.match(/Pass the transaction handle \(trx\)/);
    expect(Date.now() - started).to.be.below(5000); // not the 15 s wait of SQLite's busy connection
    expect((await knex('centres').where({ code: 'procurement' }).first()).name_en).to.not.equal('changed inside');
  });

  it("lets the transaction's own queries through, and the root handle again once it has committed", async () => {
    const knex = tdb.db.knex;
    const count = await withTransaction(knex, async (trx) => (await trx('centres').count('* as n'))[0]!.n);
    expect(Number(count)).to.be.greaterThan(0);
    expect(await knex('centres').first()).to.not.equal(undefined);
    // Work that outlives its transaction on the same path (a late continuation) is not refused.
    let late: Promise<unknown> = Promise.resolve();
    await withTransaction(knex, async () => {
      late = new Promise((resolve) => setImmediate(resolve)).then(() => knex('centres').first());
    });
    expect(await late).to.not.equal(undefined);
  });
});
