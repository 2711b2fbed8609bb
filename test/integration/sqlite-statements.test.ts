// SQLite connections keep their prepared statements (db/connection.ts): the same SQL text with other
// bindings, reads and writes, a schema change under a kept statement, and more SQL texts than are
// kept must all answer exactly what a freshly prepared statement would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openDatabase, SQLITE_STATEMENT_CACHE, type Database } from '../../db/connection';

describe('SQLite: prepared statements kept per connection', () => {
  let dir: string;
  let db: Database;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-statements-'));
    db = await openDatabase({ dataDir: dir });
    await db.knex.schema.createTable('things', (t) => {
      t.string('id').primary();
      t.bigInteger('amount').notNullable();
    });
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prepares a SQL text once per connection', async () => {
    const conn = (await db.knex.client.acquireConnection()) as { prepare(sql: string): unknown };
    try {
      expect(conn.prepare('select 1 as one')).to.equal(conn.prepare('select 1 as one'));
      expect(conn.prepare('select 2 as two')).to.not.equal(conn.prepare('select 1 as one'));
    } finally {
      await db.knex.client.releaseConnection(conn);
    }
  });

  it('answers each use of the same SQL text with its own bindings, for writes and reads', async () => {
    for (let i = 0; i < 50; i++) await db.knex('things').insert({ id: `t${i}`, amount: 100 + i });
    for (let i = 0; i < 50; i += 7) {
      const row = await db
        .knex('things')
        .where({ id: `t${i}` })
        .first();
      expect(row).to.deep.equal({ id: `t${i}`, amount: BigInt(100 + i) });
    }
    expect(await db.knex('things').where({ id: 'none' }).first()).to.equal(undefined);
    const changed = await db.knex('things').where('amount', '>=', 140).update({ amount: 0 });
    expect(changed).to.equal(10);
    expect(Number((await db.knex('things').where({ amount: 0 }).count({ n: '*' }))[0]!.n)).to.equal(10);
    // Money stays exact: integers come back as BigInt from kept statements too.
    await db.knex('things').insert({ id: 'big', amount: 9007199254740993n as unknown as number });
    expect((await db.knex('things').where({ id: 'big' }).first()).amount).to.equal(9007199254740993n);
  });

  it('sees a schema change made after a statement was kept', async () => {
    await db.knex('things').insert({ id: 'a', amount: 1 });
    expect(await db.knex('things').select('*')).to.deep.equal([{ id: 'a', amount: 1n }]);
    await db.knex.schema.alterTable('things', (t) => t.string('note').nullable());
    await db.knex('things').update({ note: '备注' });
    expect(await db.knex('things').select('*')).to.deep.equal([{ id: 'a', amount: 1n, note: '备注' }]);
  });

  it('keeps working past the number of statements it keeps, and inside transactions', async () => {
    for (let i = 0; i < SQLITE_STATEMENT_CACHE + 20; i++) {
      // A different SQL text each time (the limit is part of the text).
      const rows = await db
        .knex('things')
        .select('id')
        .limit(i + 1);
      expect(rows).to.deep.equal([]);
    }
    await db.knex.transaction(async (trx) => {
      await trx('things').insert({ id: 'x', amount: 5 });
      await trx('things').insert({ id: 'y', amount: 6 });
    });
    await db.knex
      .transaction(async (trx) => {
        await trx('things').insert({ id: 'z', amount: 7 });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect((await db.knex('things').select('id').orderBy('id')).map((r) => r.id)).to.deep.equal(['x', 'y']);
  });
});
