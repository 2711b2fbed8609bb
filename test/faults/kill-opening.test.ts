// Fault 2 (issue 12): an opening of 200 bids is SIGKILLed at a random point, in a child process
// (test/support/opening-worker.ts, the real opening service on the stored data), and run again
// after its lease has expired: it completes, and its record is byte for byte the record of an
// uninterrupted opening of a copy of the same data (the SQLite file and the data directory copied
// before the opening) — but for the two signed log checkpoints it embeds, which cannot be equal
// across two runs (see below). SQLite only: copying a MariaDB database mid-test would need a dump and
// restore of every table; the opening's code is the same on both engines, and
// test/integration/opening.test.ts already resumes a crashed opening on MariaDB.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT, listeningPort, start, stop, type Started } from '../support/server-process';
import { post, prepareInstance, sealedUploads, type FaultInstance, type Upload } from './instance';

const BIDS = 200;
const WORKER = path.join(ROOT, 'test/support/opening-worker.ts');
/** The opening's lease (opening-service.ts): a second run takes over once it has expired. */
const AFTER_LEASE_MS = 61_000;

function worker(dataDir: string, now: number): { exited: Promise<number | string>; kill(): void; stderr(): string; pid: number } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, '--data-dir', dataDir, '--certs-dir', path.join(dataDir, 'certs'), '--now', String(now)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { exited, kill: () => child.kill('SIGKILL'), stderr: () => err, pid: child.pid! };
}

describe('faults: SIGKILL in the middle of an opening of 200 bids', function () {
  this.timeout(240_000);
  let inst: FaultInstance;
  let server: Started | undefined;
  let copy: string;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-fault-work-'));

  before(function () {
    if (process.env.DATABASE_URL) this.skip(); // SQLite only (see the head of this file)
  });
  after(async () => {
    if (server) await stop(server);
    inst?.cleanup();
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('completes after the kill with the record of an uninterrupted opening, byte for byte but for its signed log checkpoints', async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.log(`      ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    inst = await prepareInstance({ bidders: BIDS, deadlineInMs: 30 * 60_000 });
    lap('set-up');
    const uploads = await sealedUploads(inst.section, inst.bidders, 4, work);
    server = start({ ...inst.env, PORT: '0', HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '60000' });
    const base = `http://127.0.0.1:${await listeningPort(server)}`;
    for (let i = 0; i < uploads.length; i += 20) {
      const answers = await Promise.all(uploads.slice(i, i + 20).map((u) => post(base, u)));
      for (const a of answers) expect(a.status, a.body).to.equal(201);
    }
    await stop(server);
    server = undefined;
    lap('bids');

    // The copy, before any opening: the SQLite file (checkpointed by the clean stop) and the data directory.
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-fault-copy-'));
    fs.cpSync(inst.dataDir, copy, { recursive: true });

    // The interrupted opening: killed at a random point once some results are stored.
    const killAfter = 1 + Math.floor(Math.random() * (BIDS - 20));
    // The local beacon publishes the time lock's round on the next whole second after the deadline.
    const openAt = inst.section.deadline + 1000;
    const first = worker(inst.dataDir, openAt);
    const db = await inst.open();
    let stored = 0;
    try {
      const end = Date.now() + 120_000;
      for (;;) {
        stored = Number((await db.knex('opening_results').where({ section_id: inst.section.id }).count({ n: '*' }))[0]!.n);
        if (stored >= killAfter) break;
        const done = await Promise.race([first.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
        if (done) throw new Error(`the opening finished before the kill (${stored} results): ${first.stderr()}`);
        if (Date.now() > end) throw new Error(`no ${killAfter} results within 120 s`);
      }
      first.kill();
      expect(await first.exited).to.equal('SIGKILL');
      stored = Number((await db.knex('opening_results').where({ section_id: inst.section.id }).count({ n: '*' }))[0]!.n);
      expect(stored, 'killed in the middle').to.be.within(1, BIDS - 1);
      expect(await db.knex('opening_runs').where({ section_id: inst.section.id }).whereNotNull('record')).to.deep.equal([]);
    } finally {
      await db.close();
    }

    // The restart: once the dead run's lease has expired, a new run completes the opening.
    lap('killed');
    const resumed = worker(inst.dataDir, openAt + AFTER_LEASE_MS);
    expect(await resumed.exited, resumed.stderr()).to.equal(0);
    lap('resumed');
    // The uninterrupted opening of the copy.
    const whole = worker(copy, openAt);
    expect(await whole.exited, whole.stderr()).to.equal(0);

    lap('whole');
    const recordOf = async (dataDir: string) => {
      const { openDatabase } = await import('../../db/connection');
      const d = await openDatabase({ dataDir });
      try {
        const run = await d.knex('opening_runs').where({ section_id: inst.section.id }).first();
        const results = await d.knex('opening_results').where({ section_id: inst.section.id }).count({ n: '*' });
        return { record: String(run.record), sha256: String(run.record_sha256), results: Number(results[0]!.n) };
      } finally {
        await d.close();
      }
    };
    const a = await recordOf(inst.dataDir);
    const b = await recordOf(copy);
    expect(a.results).to.equal(BIDS);
    expect(b.results).to.equal(BIDS);
    expect(JSON.parse(a.record).bids).to.have.length(BIDS);
    // Byte for byte, but for the two log checkpoints the record carries (at the freeze and at the
    // publication): they sign the whole audit log's root, and every log entry has its own random
    // id and the clock's time, so two separate runs on copies can never sign the same root (the
    // resumed run publishes 61 s later, after the lease). Everything else — every bid's result, its
    // log index, the freeze's index and count, custody, the opening key — must be identical, and
    // the checkpoints must be of the same log sizes.
    const ra = JSON.parse(a.record);
    const rb = JSON.parse(b.record);
    expect(JSON.stringify(ra), 'the stored record is this serialisation (canonical JSON)').to.equal(a.record);
    expect(ra.freeze.checkpoint.size).to.equal(rb.freeze.checkpoint.size);
    expect(ra.publication.checkpoint.size).to.equal(rb.publication.checkpoint.size);
    const withoutCheckpoints = (r: any) => JSON.stringify({ ...r, freeze: { ...r.freeze, checkpoint: null }, publication: { ...r.publication, checkpoint: null } });
    const textA = withoutCheckpoints(ra);
    const textB = withoutCheckpoints(rb);
    expect(textA === textB, 'the records are byte-identical but for the log checkpoints').to.equal(true);
    expect(ra.bids.map((x: any) => x.openingLogIndex)).to.deep.equal(rb.bids.map((x: any) => x.openingLogIndex));
    console.log(`      killed after ${stored} of ${BIDS} results; record ${a.record.length} bytes, identical to the uninterrupted run's but for its two log checkpoints`);
  });
});
