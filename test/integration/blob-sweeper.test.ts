// Stored files that no row names — the ciphertext of a bid whose transaction failed after the file
// was made durable — are removed by the sweeper once older than the grace period; files named by a
// bid, a tender document or a stored record PDF, and young files (a bid still being recorded), stay.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { HOUR, MINUTE } from '../../modules/core/clock';
import { BLOB_SWEEP_GRACE_MS } from '../../modules/storage/blob-sweeper';
import { createLogger } from '../../server/logger';
import { Scheduler } from '../../server/scheduler';
import { approvedBidder, bidAndOpen, publishedSection, sealedBid, submit, type Bidder } from '../support/bidding';
import { createTestApp, openTenderSection, T0, type TestApp } from '../support/test-app';

describe('the blob sweeper', function () {
  this.timeout(120_000);
  let t: TestApp;
  const bidders: Bidder[] = [];
  before(async () => {
    t = await createTestApp();
    for (const name of ['甲公司', '乙公司', '丙公司']) bidders.push(await approvedBidder(t, name, 'sweep'));
  });
  after(async () => t.close());

  const blobPath = (sha: string) => path.join(t.tdb.dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
  const stored = () =>
    fs
      .readdirSync(path.join(t.tdb.dataDir, 'blobs'), { recursive: true, encoding: 'utf8' })
      .map((p) => path.basename(p))
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .sort();
  /** Files carry the time their bytes were written (the file system's); make them `age` old by the test clock. */
  const age = (sha: string, ms: number) => fs.utimesSync(blobPath(sha), (t.clock.now() - ms) / 1000, (t.clock.now() - ms) / 1000);

  it('removes the file of a bid refused after its file was stored, keeps every file a row names and every young one', async () => {
    // Named by rows: three bids, the opening record's stored PDF, a tender document.
    const opened = await publishedSection(t);
    await bidAndOpen(
      t,
      opened,
      bidders.map((b, i) => [b, `${800000 + i}.00`] as [Bidder, string]),
    );
    expect((await t.req().get(`/api/sections/${opened.id}/opening-record.pdf`)).status).to.equal(200);
    t.clock.set(T0);
    const draft = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '文件测试', tenderee: '市政务服务管理局', sections: [openTenderSection()] });
    const draftId = draft.body.sections[0].id as string;
    const doc = await t.req(t.users.opProc).post(`/api/sections/${draftId}/documents?name=tender.pdf`).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.4 tender document'));
    expect(doc.status, doc.text).to.equal(201);

    // A bid whose transaction fails after its ciphertext was made durable (here: the log's promise table is unreadable).
    const section = await publishedSection(t);
    const bid = await sealedBid(section, bidders[0]!.orgId, bidders[0]!.key, { price: '700000.00' });
    await t.tdb.db.knex.schema.renameTable('log_promises', 'log_promises_away');
    try {
      expect((await submit(t, bidders[0]!.user, section.id, bid)).status).to.equal(500);
    } finally {
      await t.tdb.db.knex.schema.renameTable('log_promises_away', 'log_promises');
    }
    const orphan = (await import('node:crypto')).createHash('sha256').update(bid.bytes).digest('hex');
    expect(await t.tdb.db.knex('bids').where({ ciphertext_sha256: orphan }).first()).to.equal(undefined);
    expect(fs.existsSync(blobPath(orphan)), 'the refused bid left its file').to.equal(true);
    const before = stored();
    expect(before.length).to.be.at.least(6); // 3 bids, 1 record PDF, 1 document, the orphan

    // Young (a bid whose transaction may still be running): kept.
    for (const sha of before) age(sha, BLOB_SWEEP_GRACE_MS - MINUTE);
    expect(await t.services.blobSweeper.sweep()).to.deep.equal([]);
    expect(stored()).to.deep.equal(before);

    // Past the grace period: only the orphan goes.
    t.clock.advance(2 * MINUTE);
    expect(await t.services.blobSweeper.sweep()).to.deep.equal([orphan]);
    expect(stored()).to.deep.equal(before.filter((s) => s !== orphan));
    // Every named file is still readable through the API.
    expect((await t.req().get(`/api/sections/${opened.id}/opening-record.pdf`)).status).to.equal(200);
    expect((await t.req(t.users.opProc).get(`/api/sections/${draftId}/documents/${doc.body.document.id}`)).status).to.equal(200);
    for (const b of await t.tdb.db.knex('bids').where({ section_id: opened.id })) expect(fs.existsSync(blobPath(String(b.ciphertext_sha256)))).to.equal(true);
  });

  it('a file rewritten by a new upload of the same bytes while the sweep runs is kept', async () => {
    const put = await t.services.blobs.put(Readable.from([Buffer.from('same bytes, uploaded again')]), { maxBytes: 1024 });
    age(put.sha256, 2 * HOUR);
    // The sweep judged it old; the new upload then rewrote it before the removal.
    const judged = t.clock.now() - BLOB_SWEEP_GRACE_MS;
    await t.services.blobs.put(Readable.from([Buffer.from('same bytes, uploaded again')]), { maxBytes: 1024 });
    expect(await t.services.blobs.removeIfWrittenBefore(put.sha256, judged)).to.equal(false);
    expect(fs.readFileSync(blobPath(put.sha256), 'utf8')).to.equal('same bytes, uploaded again');
    age(put.sha256, 2 * HOUR);
    expect(await t.services.blobs.removeIfWrittenBefore(put.sha256, judged)).to.equal(true);
    expect(fs.existsSync(blobPath(put.sha256))).to.equal(false);
  });

  it('runs from the scheduler at most once an hour, by the clock', async () => {
    const scheduler = new Scheduler(t.services, createLogger('silent'), 1000);
    const first = await t.services.blobs.put(Readable.from([Buffer.from('orphan one')]), { maxBytes: 1024 });
    age(first.sha256, 2 * HOUR);
    await scheduler.tick();
    expect(fs.existsSync(blobPath(first.sha256)), 'the first pass sweeps').to.equal(false);
    const second = await t.services.blobs.put(Readable.from([Buffer.from('orphan two')]), { maxBytes: 1024 });
    age(second.sha256, 2 * HOUR);
    t.clock.advance(HOUR - MINUTE);
    await scheduler.tick();
    expect(fs.existsSync(blobPath(second.sha256)), 'not again within the hour').to.equal(true);
    t.clock.advance(MINUTE);
    await scheduler.tick();
    expect(fs.existsSync(blobPath(second.sha256)), 'again after the hour').to.equal(false);
  });
});
