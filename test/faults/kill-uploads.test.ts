// Fault 1 (issue 12): the server is SIGKILLed while 50 sealed uploads are in flight, then started
// again on the same data. Every bid that got a receipt is intact (its file's SHA-256 is the one the
// receipt names) and counted once; every upload that got no answer left no partial bid: either
// nothing, or — when the kill fell between the commit and the answer — the whole bid, whose receipt
// the bidder can still fetch. Files no bid names (stored but never recorded, and the partial
// temporaries of cut-off uploads) are removed by the blob sweeper, and the audit log verifies from
// outside (`etender audit verify`'s code, over HTTP).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { verifyInstance } from '../../modules/audit/audit-verify';
import { HOUR, ManualClock } from '../../modules/core/clock';
import { LocalBlobStore } from '../../modules/storage/blob-store';
import { createBlobSweeper } from '../../modules/storage/blob-sweeper';
import { createMysqlDatabase } from '../support/test-db';
import { children, listeningPort, start, stop, type Started } from '../support/server-process';
import { blobFiles, blobOnDisk, get, post, prepareInstance, sealedUploads, type Answer, type FaultInstance, type Upload } from './instance';

const UPLOADS = 50;

describe('faults: SIGKILL while 50 uploads are in flight', function () {
  this.timeout(180_000);
  let inst: FaultInstance;
  let drop: (() => Promise<void>) | undefined;
  let server: Started | undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-fault-work-'));

  before(async () => {
    let url: string | undefined;
    if (process.env.DATABASE_URL) ({ url, drop } = await createMysqlDatabase(process.env.DATABASE_URL));
    inst = await prepareInstance({ bidders: UPLOADS, deadlineInMs: 30 * 60_000, url });
  });
  after(async () => {
    if (server) await stop(server);
    await drop?.();
    inst?.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('keeps every receipted bid intact and once, leaves no partial bid, sweeps the orphans, and the log verifies', async () => {
    const uploads = await sealedUploads(inst.section, inst.bidders, 200, work);

    server = start({ ...inst.env, PORT: '0', HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '60000' });
    const base = await baseOf(server);

    // Every upload starts at once, its body in 20 pieces 15 ms apart: for about 0.3 s all are in
    // flight. The kill comes at a random moment once the first receipt is out.
    let firstReceipt: () => void = () => {};
    const receiptSeen = new Promise<void>((resolve) => (firstReceipt = resolve));
    const answers: Promise<Answer>[] = uploads.map((u) =>
      post(base, u, { chunks: 20, gapMs: 15 }).then((a) => {
        if (a.status === 201) firstReceipt();
        return a;
      }),
    );
    await Promise.race([receiptSeen, Promise.all(answers)]);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
    server.child.kill('SIGKILL');
    await server.exited;
    const got = await Promise.all(answers);
    const receipted = got.map((a, i) => ({ a, u: uploads[i]! })).filter(({ a }) => a.status === 201);
    const unanswered = got.map((a, i) => ({ a, u: uploads[i]! })).filter(({ a }) => a.status !== 201);
    // The kill must have cut some uploads off, or this test proves nothing.
    expect(receipted.length, 'some uploads were answered before the kill').to.be.greaterThan(0);
    expect(unanswered.length, 'some uploads were cut off by the kill').to.be.greaterThan(0);
    for (const { a } of unanswered) expect(a.status, a.body).to.equal(0);

    // Restart on the same data.
    server = start({ ...inst.env, PORT: '0', HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '60000' });
    const base2 = await baseOf(server);

    const db = await inst.open();
    try {
      const rows = await db.knex('bids').where({ section_id: inst.section.id }).select('id', 'org_id', 'status', 'ciphertext_sha256', 'size', 'receipt');
      const byOrg = new Map<string, typeof rows>();
      for (const r of rows) byOrg.set(String(r.org_id), [...(byOrg.get(String(r.org_id)) ?? []), r]);
      for (const list of byOrg.values()) expect(list, 'one bid per bidder, counted once').to.have.length(1);
      expect(rows.every((r) => r.status === 'active')).to.equal(true);

      for (const { a, u } of receipted) {
        const receipt = JSON.parse(a.body).receipt;
        expect(receipt.bid.ciphertextSha256).to.equal(u.sha256);
        const row = byOrg.get(u.bidder.orgId)?.[0];
        expect(row, `the receipted bid of ${u.bidder.name} is stored`).to.not.equal(undefined);
        expect(String(row!.ciphertext_sha256)).to.equal(u.sha256);
        expect(Number(row!.size)).to.equal(u.body.length);
        expect(blobOnDisk(inst.dataDir, u.sha256), 'the stored file hashes to the receipt').to.equal(u.sha256);
        // The server answers the same receipt again after the restart.
        const again = await get(base2, `/api/bids/${row!.id}/receipt`, u.bidder.token);
        expect(again.status).to.equal(200);
        expect(again.body.receipt).to.deep.equal(receipt);
      }
      // An upload without an answer: no bid at all, or the complete bid (committed just before the
      // kill) whose receipt the bidder fetches now.
      let committedUnanswered = 0;
      for (const { u } of unanswered) {
        const row = byOrg.get(u.bidder.orgId)?.[0];
        if (!row) continue;
        committedUnanswered += 1;
        expect(String(row.ciphertext_sha256)).to.equal(u.sha256);
        expect(blobOnDisk(inst.dataDir, u.sha256)).to.equal(u.sha256);
        const late = await get(base2, `/api/bids/${row.id}/receipt`, u.bidder.token);
        expect(late.status, JSON.stringify(late.body)).to.equal(200);
        expect(late.body.receipt.bid.ciphertextSha256).to.equal(u.sha256);
      }
      expect(rows.length).to.equal(receipted.length + committedUnanswered);
      // A bidder's own view after the restart: exactly one version, the one it uploaded, counting.
      for (const u of uploads) {
        if (!byOrg.has(u.bidder.orgId)) continue;
        const mine = await get(base2, `/api/sections/${inst.section.id}/my-bids`, u.bidder.token);
        expect(mine.status, JSON.stringify(mine.body)).to.equal(200);
        expect(mine.body.bids).to.have.length(1);
        expect(mine.body.bids[0].status).to.equal('active');
      }

      // Orphans: stored files no row names, and partial temporaries. The sweeper (run as the
      // scheduler would, an hour and more later) removes them and keeps every named file.
      const named = new Set(rows.map((r) => String(r.ciphertext_sha256)));
      const before = blobFiles(inst.dataDir);
      const sweeper = createBlobSweeper({ knex: db.knex, clock: new ManualClock(Date.now() + 2 * HOUR), blobs: new LocalBlobStore(path.join(inst.dataDir, 'blobs')) });
      const removed = await sweeper.sweep();
      console.log(
        `      receipted ${receipted.length}, cut off ${unanswered.length} (committed but unanswered ${committedUnanswered}); files before the sweep: ${before.blobs.length} blobs, ${before.temporaries.length} partial temporaries; swept ${removed.length}`,
      );
      const afterSweep = blobFiles(inst.dataDir);
      expect(afterSweep.temporaries, 'no partial upload left behind').to.deep.equal([]);
      expect(afterSweep.blobs).to.deep.equal([...named].sort());
      expect(removed.sort()).to.deep.equal(before.blobs.filter((d) => !named.has(d)).sort());
    } finally {
      await db.close();
    }

    // The log verifies from outside, as `etender audit verify` does it.
    const report = await verifyInstance({ baseUrl: base2, token: inst.auditorToken });
    expect(report.problems).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.entries).to.be.greaterThan(0);
  });
});

/** The base URL of a started server, once it listens. */
async function baseOf(s: Started): Promise<string> {
  const port = await listeningPort(s);
  return `http://127.0.0.1:${port}`;
}

after(() => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
});
