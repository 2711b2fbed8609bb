import { expect } from 'chai';
import { migrateLatest } from '../../db/migrate';
import { toFen } from '../../db/row';
import { openDatabase } from '../../db/connection';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { createTestApp, type TestApp } from '../support/test-app';

describe('database layer on the configured engine', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('runs the same migrations once (a second run does nothing)', async () => {
    expect(await migrateLatest(t.tdb.db.knex)).to.deep.equal([]);
    const centres = await t.tdb.db.knex('centres').orderBy('code');
    expect(centres.map((c: { code: string }) => c.code)).to.deep.equal(['construction', 'land', 'procurement', 'property']);
  });

  it('keeps amounts exact beyond 2^53 fen, in rows and in SQL sums', async () => {
    const max = '92233720368547758.07';
    const res = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({
        centre: 'procurement',
        title: '大额',
        tenderee: '甲',
        sections: [
          { title: 'A', referencePrice: max },
          { title: 'B', referencePrice: '90071992547409.93' },
          { title: 'C', referencePrice: '0.01' },
        ],
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.sections[0].referencePrice).to.equal(max);
    const detail = await t.req(t.users.opProc).get(`/api/sections/${res.body.sections[1].id}`);
    expect(detail.body.section.referencePrice).to.equal('90071992547409.93');
    const sum = await t.tdb.db.knex('sections').whereIn('id', [res.body.sections[1].id, res.body.sections[2].id]).sum({ s: 'reference_price_fen' }).first();
    expect(toFen(sum!.s)).to.equal(9007199254740993n + 1n);
  });

  it('the audit log refuses UPDATE and DELETE from anyone connected to the database', async () => {
    await t.services.audit.append(SYSTEM_CONTEXT, { action: 'test.event', objectType: 'test', data: { n: 1 } });
    const before = await t.tdb.db.knex('audit_log').orderBy('idx').select('*');
    let updateError: Error | null = null;
    try {
      await t.tdb.db.knex('audit_log').update({ action: 'forged' });
    } catch (err) {
      updateError = err as Error;
    }
    expect(updateError?.message).to.match(/append-only/);
    let deleteError: Error | null = null;
    try {
      await t.tdb.db.knex('audit_log').where('idx', 0).delete();
    } catch (err) {
      deleteError = err as Error;
    }
    expect(deleteError?.message).to.match(/append-only/);
    expect(await t.tdb.db.knex('audit_log').orderBy('idx').select('*')).to.deep.equal(before);
  });

  it('serialises concurrent appends from two connections: indexes 0..n-1, no gaps, no duplicates', async () => {
    const second = await openDatabase({ url: t.tdb.url, dataDir: t.tdb.dataDir });
    try {
      const { createAuditService } = await import('../../modules/audit/audit-service');
      const { loadOrCreatePlatformKeys } = await import('../../modules/pki/platform-keys');
      const other = createAuditService({ knex: second.knex, clock: t.clock, logSigner: loadOrCreatePlatformKeys(t.config.certsDir).log });
      const appends = [];
      for (let i = 0; i < 40; i++) {
        const svc = i % 2 ? other : t.services.audit;
        appends.push(svc.append(SYSTEM_CONTEXT, { action: 'test.concurrent', objectType: 'test', data: { i } }));
      }
      const entries = await Promise.all(appends);
      const rows = await t.tdb.db.knex('audit_log').orderBy('idx').select('idx', 'entry');
      const idx = rows.map((r: { idx: unknown }) => Number(r.idx));
      expect(idx).to.deep.equal([...Array(rows.length).keys()]);
      expect(new Set(entries.map((e) => e.idx)).size).to.equal(40);
      const head = await t.tdb.db.knex('audit_head').first('size');
      expect(Number(head.size)).to.equal(rows.length);
      // The stored bytes are the canonical JSON of the entry, with its own index inside.
      for (const r of rows) expect(JSON.parse(String(r.entry)).idx).to.equal(Number(r.idx));
    } finally {
      await second.close();
    }
  });

  it('stores UTF-8 Chinese text unchanged (utf8mb4 on MySQL)', async () => {
    const title = '𠀀 生僻字与表情 🏗️ 施工总承包';
    const res = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'construction', title, tenderee: '合肥', sections: [{ title, referencePrice: '1.00' }] });
    expect(res.status).to.equal(201);
    const back = await t.req(t.users.opProc).get(`/api/projects/${res.body.project.id}`);
    expect(back.body.project.title).to.equal(title);
    expect(back.body.sections[0].title).to.equal(title);
  });
});
