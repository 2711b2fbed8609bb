// The unit-of-work runner retries a whole transaction when the database answers a deadlock (1213;
// on Galera also a certification conflict) or a lock wait timeout, a bounded number of times, and
// nothing else. On MariaDB/MySQL a real InnoDB deadlock is made: two transactions on their own
// connections lock two rows in opposite order.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { isRetryable, withRetry, withTransaction } from '../../db/transactions';
import { createTestDatabase, usingMysql, type TestDatabase } from '../support/test-db';

describe('transaction retries', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase({ migrate: false });
    await tdb.db.knex.schema.createTable('retry_probe', (t) => {
      t.integer('id').primary();
      t.integer('n').notNullable();
    });
    await tdb.db.knex('retry_probe').insert([
      { id: 1, n: 0 },
      { id: 2, n: 0 },
    ]);
  });
  after(async () => tdb.cleanup());

  it('knows which errors are worth a retry', () => {
    expect(isRetryable(Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 }))).to.equal(true);
    expect(isRetryable(Object.assign(new Error('Lock wait timeout'), { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }))).to.equal(true);
    expect(isRetryable(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).to.equal(true);
    expect(isRetryable(Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY', errno: 1062 }))).to.equal(false);
    expect(isRetryable(Object.assign(new Error('gone'), { code: 'PROTOCOL_CONNECTION_LOST' }))).to.equal(false);
    expect(isRetryable(new Error('plain'))).to.equal(false);
    expect(isRetryable(undefined)).to.equal(false);
  });

  it('stops after the bounded number of attempts and never retries other errors', async () => {
    let runs = 0;
    const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
    let caught: unknown;
    try {
      await withRetry(async () => {
        runs++;
        throw deadlock();
      }, 4);
    } catch (err) {
      caught = err;
    }
    expect(runs).to.equal(4);
    expect((caught as { errno?: number }).errno).to.equal(1213);

    runs = 0;
    caught = undefined;
    try {
      await withRetry(async () => {
        runs++;
        throw Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY', errno: 1062 });
      }, 4);
    } catch (err) {
      caught = err;
    }
    expect(runs).to.equal(1);
    expect((caught as { code?: string }).code).to.equal('ER_DUP_ENTRY');
  });

  it('re-runs the whole transaction after a retryable error, and what the failed attempt wrote is gone', async () => {
    const knex = tdb.db.knex;
    let runs = 0;
    const result = await withTransaction(knex, async (trx) => {
      runs++;
      await trx('retry_probe').where({ id: 1 }).increment('n', 10);
      if (runs === 1) throw Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
      return Number((await trx('retry_probe').where({ id: 1 }).first()).n);
    });
    expect(runs).to.equal(2);
    expect(result).to.equal(10); // the first attempt's +10 was rolled back
    expect(Number((await knex('retry_probe').where({ id: 1 }).first()).n)).to.equal(10);
    await knex('retry_probe').update({ n: 0 });
  });

  if (usingMysql()) {
    it('survives a real InnoDB deadlock: the loser is re-run whole and both transactions commit once', async () => {
      const knex = tdb.db.knex;
      // Both hold their first row before either asks for its second: a deadlock for certain.
      let arrived = 0;
      let release!: () => void;
      const bothHoldOne = new Promise<void>((resolve) => (release = resolve));
      const holdOne = async () => {
        if (++arrived === 2) release();
        await bothHoldOne;
      };
      const runs = { a: 0, b: 0 };
      const errors: unknown[] = [];
      const lockInOrder = (name: 'a' | 'b', first: number, second: number) =>
        withTransaction(knex, async (trx: Knex.Transaction) => {
          runs[name]++;
          try {
            await trx('retry_probe').where({ id: first }).forUpdate().first();
            await trx('retry_probe').where({ id: first }).increment('n', 1);
            if (runs[name] === 1) await holdOne();
            await trx('retry_probe').where({ id: second }).increment('n', 100);
          } catch (err) {
            errors.push(err);
            throw err;
          }
          return runs[name];
        });
      const [a, b] = await Promise.all([lockInOrder('a', 1, 2), lockInOrder('b', 2, 1)]);
      // Exactly one deadlock, reported as 1213 to the loser, which ran a second time.
      expect(errors.map((e) => (e as { errno?: number }).errno)).to.deep.equal([1213]);
      expect(a + b).to.equal(3);
      expect(runs.a + runs.b).to.equal(3);
      // Each transaction's writes are there once: +1 and +100 on each row, nothing of the rolled-back attempt.
      const rows = await knex('retry_probe').orderBy('id').select('id', 'n');
      expect(rows.map((r: { n: unknown }) => Number(r.n))).to.deep.equal([101, 101]);
    });
  }
});
