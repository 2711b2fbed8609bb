// The lifecycle scheduler: due sections move (bid window opens → bidding, deadline → closed)
// exactly once, with one audit entry each, however many schedulers share the database — two
// service sets on separate connections in this process, and several real processes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { openDatabase, type Database } from '../../db/connection';
import { DAY, HOUR } from '../../modules/core/clock';
import { buildServices } from '../../server/app';
import { createTestApp, openTenderSection, type TestApp } from '../support/test-app';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = path.join(ROOT, 'test/support/scheduler-worker.ts');

type Move = { id: string; from: string; to: string };

describe('lifecycle scheduler', function () {
  this.timeout(60_000);
  // Each group below has its own app and database, so a failure in one leaves nothing due for the other.
  let t: TestApp;
  function freshApp() {
    before(async () => {
      t = await createTestApp();
    });
    after(async () => {
      await t?.close();
    });
  }

  /** Creates one procurement project with `n` sections through the API and publishes them all. */
  async function publishedSections(n: number, section: (i: number) => Record<string, unknown> = () => ({})) {
    const deadline = t.clock.now() + 25 * DAY;
    const res = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({
        centre: 'procurement',
        title: `调度测试 ${n}`,
        tenderee: '合肥市政务服务管理局',
        sections: Array.from({ length: n }, (_, i) => openTenderSection({ title: `第${i + 1}包`, bidDeadlineAt: deadline, ...section(i) })),
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const ids: string[] = res.body.sections.map((s: { id: string }) => s.id);
    for (const id of ids) {
      const pub = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
      expect(pub.status, JSON.stringify(pub.body)).to.equal(200);
    }
    return { ids, deadline };
  }

  async function section(id: string) {
    const res = await t.req(t.users.opProc).get(`/api/sections/${id}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.section as { id: string; state: string; closedAt: number | null; publishedAt: number | null; bidOpensAt: number | null };
  }

  async function auditRows(action: string, objectId: string) {
    const rows = await t.tdb.db.knex('audit_log').where({ action, object_id: objectId }).orderBy('idx').select('idx', 'at', 'actor_id', 'entry');
    return rows.map((r: any) => ({ idx: Number(r.idx), at: Number(r.at), actorId: r.actor_id, entry: JSON.parse(String(r.entry)) }));
  }

  /** The audit log is one sequence 0..n-1 without gaps or repeats, and its head agrees. */
  async function expectContiguousAuditLog() {
    const idx = (await t.tdb.db.knex('audit_log').select('idx').orderBy('idx')).map((r: any) => Number(r.idx));
    expect(idx.length).to.be.greaterThan(0);
    expect(idx).to.deep.equal(Array.from({ length: idx.length }, (_, i) => i));
    const head = await t.tdb.db.knex('audit_head').where({ id: 1 }).first('size');
    expect(Number(head.size)).to.equal(idx.length);
  }

  /** Each section has exactly one audit entry per transition, and no lease is left behind. */
  async function expectMovedOnce(ids: string[], actions: string[]) {
    for (const id of ids) {
      for (const action of actions) {
        expect(await auditRows(action, id), `${action} entries of ${id}`).to.have.length(1);
      }
    }
    const leased = await t.tdb.db.knex('sections').whereIn('id', ids).whereNotNull('lease_owner').select('id');
    expect(leased, 'sections still leased').to.deep.equal([]);
  }

  function expectNoDuplicates(moves: Move[]) {
    const keys = moves.map((m) => `${m.id} ${m.from}→${m.to}`);
    const seen = new Set<string>();
    const dupes = keys.filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
    expect(dupes, 'moves made twice').to.deep.equal([]);
  }

  describe('in one process', () => {
    freshApp();

    it('opens bidding at publication and closes the section at its deadline, exactly once', async () => {
      const { ids, deadline } = await publishedSections(1);
      const id = ids[0]!;
      const published = await section(id);
      expect(published.state).to.equal('bidding');
      expect(published.bidOpensAt).to.equal(published.publishedAt);
      expect(await auditRows('section.bidding', id)).to.have.length(1);

      t.clock.set(deadline - 1);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
      expect((await section(id)).state).to.equal('bidding');
      expect(await auditRows('section.closed', id)).to.have.length(0);

      t.clock.set(deadline);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([{ id, from: 'bidding', to: 'closed' }]);
      const closed = await section(id);
      expect(closed.state).to.equal('closed');
      expect(closed.closedAt).to.equal(deadline);

      const entries = await auditRows('section.closed', id);
      expect(entries).to.have.length(1);
      expect(entries[0]!.at).to.equal(deadline);
      expect(entries[0]!.actorId).to.equal(null);
      expect(entries[0]!.entry.data).to.include({ by: 'scheduler' });
      expect(entries[0]!.entry.data.before).to.deep.equal({ state: 'bidding' });
      expect(entries[0]!.entry.data.after).to.deep.equal({ state: 'closed' });

      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
      t.clock.advance(HOUR);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
      expect(await auditRows('section.closed', id)).to.have.length(1);
      await expectMovedOnce([id], ['section.bidding', 'section.closed']);
      await expectContiguousAuditLog();
    });

    it('keeps a section published until its later bid window opens', async () => {
      const opensAt = t.clock.now() + 3 * DAY;
      const { ids, deadline } = await publishedSections(1, () => ({ bidOpensAt: opensAt }));
      const id = ids[0]!;
      expect((await section(id)).state).to.equal('published');
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);

      t.clock.set(opensAt - 1);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
      expect((await section(id)).state).to.equal('published');
      expect(await auditRows('section.bidding', id)).to.have.length(0);

      t.clock.set(opensAt);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([{ id, from: 'published', to: 'bidding' }]);
      expect((await section(id)).state).to.equal('bidding');
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
      expect(await auditRows('section.bidding', id)).to.have.length(1);

      t.clock.set(deadline);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([{ id, from: 'bidding', to: 'closed' }]);
      await expectMovedOnce([id], ['section.bidding', 'section.closed']);
    });

    it('catches up with both moves when it wakes after the deadline', async () => {
      const opensAt = t.clock.now() + 2 * DAY;
      const { ids, deadline } = await publishedSections(1, () => ({ bidOpensAt: opensAt }));
      const id = ids[0]!;
      t.clock.set(deadline + DAY);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([
        { id, from: 'published', to: 'bidding' },
        { id, from: 'bidding', to: 'closed' },
      ]);
      expect((await section(id)).closedAt).to.equal(deadline + DAY);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
      await expectMovedOnce([id], ['section.bidding', 'section.closed']);
    });

    it('moves each of 20 due sections once when two service sets on separate connections race', async () => {
      const opensAt = t.clock.now() + 2 * DAY;
      // Every fifth section opens its bid window later, so it needs two moves at the deadline.
      const { ids, deadline } = await publishedSections(20, (i) => (i % 5 === 0 ? { bidOpensAt: opensAt } : {}));
      const twoStep = ids.filter((_, i) => i % 5 === 0);

      const secondDb: Database = await openDatabase({ url: t.tdb.url, dataDir: t.tdb.dataDir });
      try {
        const second = buildServices({ config: t.config, db: secondDb, clock: t.clock });
        const schedulers = [t.services.lifecycle, second.lifecycle, t.services.lifecycle, second.lifecycle];
        t.clock.set(deadline);
        const moves: Move[] = [];
        for (let round = 0; round < 4; round++) {
          const results = await Promise.all(schedulers.map((s) => s.advanceDue()));
          moves.push(...results.flat());
        }
        expectNoDuplicates(moves);
        const expected = [...twoStep.map((id) => `${id} published→bidding`), ...ids.map((id) => `${id} bidding→closed`)].sort();
        expect(moves.map((m) => `${m.id} ${m.from}→${m.to}`).sort()).to.deep.equal(expected);
        expect(await second.lifecycle.advanceDue()).to.deep.equal([]);
      } finally {
        await secondDb.close();
      }

      for (const id of ids) {
        const s = await section(id);
        expect(s.state, id).to.equal('closed');
        expect(s.closedAt, id).to.equal(deadline);
      }
      await expectMovedOnce(ids, ['section.bidding', 'section.closed']);
      await expectContiguousAuditLog();
    });
  });

  describe('in several processes', () => {
    freshApp();

    interface Worker {
      stdout: string;
      stderr: string;
      ready: Promise<void>;
      exited: Promise<number | null>;
      go(): void;
      kill(): void;
    }

    const running: Worker[] = [];
    afterEach(() => {
      for (const w of running.splice(0)) w.kill();
    });

    function startWorker(now: number): Worker {
      const env = { ...process.env };
      delete env.DATABASE_URL;
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, '--url', t.tdb.url ?? '', '--data-dir', t.tdb.dataDir, '--now', String(now), '--rounds', '3', '--wait-for-go'], {
        cwd: ROOT,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const w: Worker = {
        stdout: '',
        stderr: '',
        ready: new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (chunk: Buffer) => {
            w.stdout += chunk.toString('utf8');
            if (/^ready$/m.test(w.stdout)) resolve();
          });
          child.once('exit', (code) => reject(new Error(`worker ${child.pid} exited (${code}) before it was ready: ${w.stderr}`)));
        }),
        exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
        go: () => child.stdin.write('go\n'),
        kill: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        },
      };
      w.ready.catch(() => undefined);
      child.stderr.on('data', (chunk: Buffer) => (w.stderr += chunk.toString('utf8')));
      running.push(w);
      return w;
    }

    function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      });
      return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
    }

    it('three scheduler processes released at once move each due section exactly once', async () => {
      const { ids, deadline } = await publishedSections(15);
      const workers = [startWorker(deadline), startWorker(deadline), startWorker(deadline)];
      await within(Promise.all(workers.map((w) => w.ready)), 30_000, 'the workers to open the database');
      for (const w of workers) w.go();
      const codes = await within(Promise.all(workers.map((w) => w.exited)), 30_000, 'the workers to finish');

      const moves: Move[] = [];
      workers.forEach((w, i) => {
        expect(codes[i], `worker ${i} exit code; stderr: ${w.stderr}`).to.equal(0);
        const last = w.stdout.trim().split('\n').pop()!;
        moves.push(...(JSON.parse(last) as { moved: Move[] }).moved);
      });
      expectNoDuplicates(moves);
      for (const m of moves) expect([m.from, m.to]).to.deep.equal(['bidding', 'closed']);
      const movedIds = moves.map((m) => m.id);
      expect(new Set(movedIds).size, 'an id was moved twice').to.equal(movedIds.length);
      expect([...movedIds].sort()).to.deep.equal([...ids].sort());

      for (const id of ids) {
        const s = await section(id);
        expect(s.state, id).to.equal('closed');
        expect(s.closedAt, id).to.equal(deadline);
      }
      await expectMovedOnce(ids, ['section.closed']);
      await expectContiguousAuditLog();

      // Nothing is left for this process's scheduler either.
      t.clock.set(deadline);
      expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
    });
  });
});
