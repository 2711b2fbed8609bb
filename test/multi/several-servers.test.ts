// Three etender server processes on one MariaDB (issue 12, "Several servers, one database"), the
// client rotating between their ports: a session made on one works on the others; a surge of
// bidders across the three loses nothing and every receipt verifies; 200 sections whose deadlines
// fall in the same second are each closed, frozen and opened exactly once by the three schedulers.
//
// Needs MariaDB or MySQL: DATABASE_URL's server (a fresh database named after it is made and
// dropped), or the machine's at 127.0.0.1:3306. `npm run test:multi`; MULTI_BIDDERS (default 100).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Database } from '../../db/connection';
import { createMysqlDatabase } from '../support/test-db';
import {
  auditRoot,
  buildWorld,
  expectEachMovedOnce,
  expectReceiptedBidsStored,
  expectReceiptsVerify,
  logIn,
  openHandle,
  publishedKeys,
  schedulerShare,
  startServers,
  stopServers,
  surge,
  waitForOpened,
  type Server,
  type SurgeRun,
  type World,
} from './fleet';

const BIDDERS = Number(process.env.MULTI_BIDDERS ?? 100);
const DUE_SECTIONS = 200;
/** How long the three schedulers may take to open the 201 sections after their deadline. */
const OPENING_WAIT_MS = 240_000;

describe('three servers on one MariaDB', function () {
  this.timeout(300_000);
  let dataDir: string;
  let url: string;
  let drop: (() => Promise<void>) | undefined;
  let world: World;
  let servers: Server[] = [];
  let db: Database | undefined;
  let run: SurgeRun | undefined;

  before(async function () {
    // The set-up takes as long as the machine's load makes it (publishing 201 sections dominates).
    this.timeout(1_800_000);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-multi-'));
    const made = await createMysqlDatabase(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/etender_multi');
    url = made.url;
    drop = made.drop;
    // The deadline leaves a minute after the set-up to start three servers and run the surge.
    world = await buildWorld({ url, dataDir, bidders: BIDDERS, dueSections: DUE_SECTIONS, deadlineInMs: 60_000, surgeKb: 100, onProgress: (line) => console.log(`      ${line}`) });
    servers = await startServers(world, [url, url, url]);
    db = await openHandle(url, dataDir);
  });

  after(async () => {
    await stopServers(servers);
    await db?.close();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a session made on one server works on the others (sessions live in the database), and signing out on one ends it on all', async () => {
    const [a, b, c] = servers as [Server, Server, Server];
    const cookie = await logIn(a, world.operator.username, world.operator.password);
    for (const s of [a, b, c]) {
      const me = await fetch(`${s.base}/api/me`, { headers: { cookie } });
      expect(me.status, s.name).to.equal(200);
      expect(JSON.stringify(await me.json()), s.name).to.include(`"${world.operator.username}"`);
    }
    const sid = decodeURIComponent(cookie.slice('etender.sid='.length)).replace(/^s:/, '').split('.')[0]!;
    expect(await db!.knex('sessions').where({ sid }).first('sid'), 'the session row').to.not.equal(undefined);

    const out = await fetch(`${b.base}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status, await out.clone().text()).to.be.oneOf([200, 204]);
    for (const s of [a, c]) expect((await fetch(`${s.base}/api/me`, { headers: { cookie } })).status, s.name).to.equal(401);
  });

  it(`a surge of ${BIDDERS} bidders (and ${DUE_SECTIONS} more bids) across the three: 0 lost, every receipt verifies, each bid stored once`, async () => {
    const margin = world.deadline - Date.now();
    expect(margin, 'time left before the deadline when the surge starts (the set-up was too slow)').to.be.above(20_000);
    run = await surge(world, servers, { connections: 60 });
    const tookMore = run.outcomes.filter((o) => o.attempts.length > 1).length;
    console.log(
      `      surge: ${run.outcomes.length} bids in ${run.seconds.toFixed(1)} s (${run.perSecond.toFixed(0)}/s), p50 ${run.p50.toFixed(0)} ms, p99 ${run.p99.toFixed(0)} ms, lost ${run.lost}, retried ${tookMore}`,
    );
    expect(run.lost).to.equal(0);
    // Every server took its share.
    for (const s of servers) expect(run.outcomes.filter((o) => o.attempts.at(-1)!.server === s.name).length, s.name).to.be.above(0);
    expectReceiptsVerify(world, run.outcomes, await publishedKeys(servers[1]!));
    await expectReceiptedBidsStored(db!.knex, world, run.outcomes, 'MariaDB');
  });

  it(`${DUE_SECTIONS} sections whose deadlines fall in the same second are each closed, frozen and opened exactly once`, async function () {
    // The wait for the real-time deadline, then at most OPENING_WAIT_MS for the openings.
    this.timeout(Math.max(0, world.deadline - Date.now()) + OPENING_WAIT_MS + 60_000);
    expect(run, 'the surge ran').to.not.equal(undefined);
    const ids = [world.surgeSection, ...world.dueSections];
    const deadlines = await db!.knex('sections').whereIn('id', world.dueSections).select('bid_deadline_at');
    expect(new Set(deadlines.map((d: { bid_deadline_at: unknown }) => Math.floor(Number(d.bid_deadline_at) / 1000))).size, 'deadlines in one second').to.equal(1);
    await new Promise((r) => setTimeout(r, Math.max(0, world.deadline + 1000 - Date.now())));
    await waitForOpened(db!.knex, ids, OPENING_WAIT_MS);
    console.log(`      scheduler moves and opening steps logged per server: ${schedulerShare(servers)}`);
    await expectEachMovedOnce(db!.knex, ids, 'MariaDB');
    // Each opened section's record counts the bids its receipts promised.
    const runs = await db!.knex('opening_runs').whereIn('section_id', world.dueSections).count({ n: '*' });
    expect(Number(runs[0]!.n)).to.equal(DUE_SECTIONS);
    const { size } = await auditRoot(db!.knex, 'MariaDB');
    expect(size).to.be.above(DUE_SECTIONS * 4);
    // After the freeze, every receipted bid's promised entry is in the log.
    const unlogged = await db!.knex('bids').whereIn('section_id', ids).where({ status: 'active' }).whereNull('audit_idx').count({ n: '*' });
    expect(Number(unlogged[0]!.n), 'bids without their log entry after the freeze').to.equal(0);
  });
});
