// Several etender servers on one database (test/multi/) or on a Galera cluster (test/galera/):
// the shared set-up, the client that rotates between the servers, and the checks.
//
// Set-up, before any clock starts, through the services in this process on a clock set back 26
// days (so that sections can be published with their notice period and still close in real time
// soon): a migrated database, an admin and an operator, N approved bidder organisations each with
// its own API token and RSA signing certificate, one "surge" section that every bidder bids on,
// and DUE sections whose deadlines all fall within one second, each getting one bid (the
// procurement centre's minimum is set to one bid, so that each of them is opened rather than
// failed). Every bid is sealed (age, to its section's recipient) before the servers start.
//
// The servers are real processes (test/support/server-process.ts) sharing one DATA_DIR (bid files,
// platform keys: the "shared file system" of a production fleet), one SESSION_SECRET, and each
// its own DATABASE_URL (the same database, or one Galera node each). Their schedulers run on the
// system clock: the deadline is real time, so the test waits for it (a bounded wait, a minute or so).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase, type Database } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { leafHash, rootOf, toHex, verifyInclusion } from '../../modules/audit/merkle';
import { sealBid } from '../../modules/bids/bid-package';
import { MANIFEST_FORMAT, canonicalBytes, newNonce, signManifest, type Manifest } from '../../modules/bids/manifest';
import { verifyReceipt, type PublishedKeys, type Receipt } from '../../modules/bids/receipt';
import { DAY, ManualClock } from '../../modules/core/clock';
import { SYSTEM_CONTEXT, type RequestContext } from '../../modules/core/context';
import { createProjectBody } from '../../modules/tenders/tenders-schemas';
import { buildServices } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { bidderKeys, type CertifiedBidder, certifyBidders, uniqueCreditCode } from '../support/certified-bidders';
import { isRunning, start, stop, type Started } from '../support/server-process';

export type Bidder = CertifiedBidder;

export interface SealedBid {
  bidder: number;
  sectionId: string;
  recipient: string;
  body: Buffer;
  sha256: string;
}

export interface World {
  dataDir: string;
  sessionSecret: string;
  operator: { username: string; password: string };
  bidders: Bidder[];
  surgeSection: string;
  dueSections: string[];
  /** The earliest deadline; every section's deadline is in [deadline, deadline + 1 s). */
  deadline: number;
  bids: SealedBid[];
}

export interface WorldOptions {
  url: string;
  dataDir: string;
  bidders: number;
  dueSections: number;
  /** How long after the end of the set-up the deadlines fall at the earliest (real time): room to start the servers and run the surge. */
  deadlineInMs: number;
  onProgress?: (line: string) => void;
  surgeKb: number;
}

export async function buildWorld(o: WorldOptions): Promise<World> {
  const startedAt = Date.now();
  const env = { DATA_DIR: o.dataDir, CERTS_DIR: path.join(o.dataDir, 'certs'), DATABASE_URL: o.url, DEMO: '0' };
  const config = loadConfig(env);
  const db = await openDatabase({ url: o.url, dataDir: o.dataDir });
  try {
    // One migration runner: the set-up migrates before any server starts (DDL on Galera takes a
    // cluster-wide lock; the servers then find nothing to run).
    await migrateLatest(db.knex);
    const clock = new ManualClock(startedAt - 26 * DAY);
    const services = buildServices({ config, db, clock, log: createLogger('silent') });
    const staff = async (username: string, role: 'admin' | 'operator', password: string) => {
      const u = await services.accounts.createStaffUser(
        SYSTEM_CONTEXT,
        { username, displayName: username, role, password, ...(role === 'operator' ? { centres: ['procurement'] } : {}) },
        { system: true },
      );
      return { actor: (await services.accounts.actorById(u.id))!, ip: '127.0.0.1' } as RequestContext;
    };
    const adminCtx = await staff('fleet-admin', 'admin', 'pw-fleet-admin-0123456789');
    const operator = { username: 'fleet-op', password: 'pw-fleet-op-0123456789' };
    const opCtx = await staff(operator.username, 'operator', operator.password);
    // One bid is enough to open (the due sections get one each): they are opened, not failed.
    const rules = await services.centres.rules('procurement');
    await services.centres.updateSettings(adminCtx, 'procurement', { ...rules.settings, minBids: 1 });

    const bidders = await certifyBidders(services, opCtx, {
      count: o.bidders,
      keys: await bidderKeys(o.bidders),
      prefix: 'fleet',
      creditCode: (i) => uniqueCreditCode('913402', i + 1),
      name: (i) => `第${i + 1}号多节点建设有限公司`,
    });

    // How long publishing and sealing take on this machine now (a shared 2-core machine under load
    // may take ten times what an idle one does): one section published far ahead and one bid
    // sealed to it, timed, so that the real deadlines leave room for all of them plus `deadlineInMs`.
    // The second of two probes is timed: the first pays for loading keys and warming up.
    let publishMs = 0;
    let sealMs = 0;
    const probeFile = path.join(os.tmpdir(), `etender-fleet-probe-${process.pid}.pdf`);
    fs.writeFileSync(probeFile, crypto.randomBytes(o.surgeKb * 1000));
    try {
      for (let round = 0; round < 2; round++) {
        const t0 = Date.now();
        const probe = await services.tenders.createProject(
          opCtx,
          createProjectBody.parse({
            centre: 'procurement',
            title: `多节点计时 ${round + 1}`,
            tenderee: '市政务服务管理局',
            sections: [{ title: '计时包', referencePrice: '1000000.00', bidBond: '20000.00', bidDeadlineAt: startedAt + 10 * DAY }],
          }),
        );
        const section = probe.sections[0]!;
        await services.tenders.publish(opCtx, section.id);
        publishMs = Date.now() - t0;
        const t1 = Date.now();
        await sealBid({
          document: {
            format: 'etender-bid/1',
            section: { id: section.id, code: section.code },
            bidder: { orgId: bidders[0]!.orgId, name: bidders[0]!.name, creditCode: '91340100MA0000001X' },
            price: { amount: '1.00' },
          },
          attachments: [probeFile],
          recipient: (await services.custody.recipientOf(section.id))!,
          outPath: `${probeFile}.age`,
        });
        sealMs = Date.now() - t1;
      }
    } finally {
      fs.rmSync(probeFile, { force: true });
      fs.rmSync(`${probeFile}.age`, { force: true });
    }
    const setUpMs = Math.ceil(1.5 * ((o.dueSections + 1) * publishMs + (o.bidders + o.dueSections) * sealMs));
    o.onProgress?.(`publishing takes ${publishMs} ms a section and sealing ${sealMs} ms a bid here: deadlines in ${((setUpMs + o.deadlineInMs) / 1000).toFixed(0)} s`);

    // Deadlines: all within one second, on a second boundary, in real time, after the time the
    // rest of the set-up is expected to take.
    const deadline = Math.ceil((Date.now() + setUpMs + o.deadlineInMs) / 1000) * 1000;
    clock.set(deadline - 25 * DAY);
    const perProject = 50;
    const sectionIds: string[] = [];
    const codes = new Map<string, string>();
    const total = o.dueSections + 1;
    for (let p = 0; p * perProject < total; p++) {
      const n = Math.min(perProject, total - p * perProject);
      const project = await services.tenders.createProject(
        opCtx,
        createProjectBody.parse({
          centre: 'procurement',
          title: `多节点截止测试 ${p + 1}`,
          tenderee: '市政务服务管理局',
          sections: Array.from({ length: n }, (_, k) => {
            const i = p * perProject + k;
            // Spread over the second: 4 ms apart, never past deadline + 999 ms.
            return { title: `第${i + 1}包`, referencePrice: '1000000.00', bidBond: '20000.00', bidDeadlineAt: deadline + ((i * 4) % 1000) };
          }),
        }),
      );
      for (const s of project.sections) {
        codes.set(s.id, s.code);
        await services.tenders.publish(opCtx, s.id);
        sectionIds.push(s.id);
      }
    }
    const [surgeSection, ...dueSections] = sectionIds as [string, ...string[]];

    // Sealed bids: every bidder on the surge section (surgeKb each), and one small bid per due section.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-fleet-seal-'));
    const bids: SealedBid[] = [];
    try {
      const recipients = new Map<string, string>();
      const seal = async (bidder: number, sectionId: string, bytes: number) => {
        let recipient = recipients.get(sectionId);
        if (!recipient) {
          recipient = (await services.custody.recipientOf(sectionId)) ?? undefined;
          if (!recipient) throw new Error(`section ${sectionId} has no opening recipient`);
          recipients.set(sectionId, recipient);
        }
        const code = codes.get(sectionId)!;
        const attachment = path.join(work, '技术方案.pdf');
        fs.writeFileSync(attachment, crypto.randomBytes(bytes));
        const out = path.join(work, `bid-${bids.length}.age`);
        const b = bidders[bidder]!;
        const sealed = await sealBid({
          document: {
            format: 'etender-bid/1',
            section: { id: sectionId, code },
            bidder: { orgId: b.orgId, name: b.name, creditCode: '91340100MA0000001X' },
            price: { amount: `${900000 + bids.length}.00` },
          },
          attachments: [attachment],
          recipient,
          outPath: out,
        });
        bids.push({ bidder, sectionId, recipient, body: fs.readFileSync(out), sha256: sealed.sha256 });
        fs.rmSync(out);
      };
      for (let i = 0; i < o.bidders; i++) await seal(i, surgeSection, Math.max(1, o.surgeKb * 1000 - 1500));
      for (const [i, id] of dueSections.entries()) await seal(i % o.bidders, id, 500);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    return { dataDir: o.dataDir, sessionSecret: crypto.randomBytes(32).toString('hex'), operator, bidders, surgeSection, dueSections, deadline, bids };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The servers.

export interface Server {
  name: string;
  process: Started;
  port: number;
  base: string;
}

/** One etender server per database URL, all on the same DATA_DIR and session secret, started at once. */
export async function startServers(world: World, urls: string[], extraEnv: Record<string, string> = {}): Promise<Server[]> {
  const started = urls.map((url) =>
    start({
      DATA_DIR: world.dataDir,
      CERTS_DIR: path.join(world.dataDir, 'certs'),
      DATABASE_URL: url,
      DEMO: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SESSION_SECRET: world.sessionSecret,
      SCHEDULER_INTERVAL_MS: '250',
      ...extraEnv,
    }),
  );
  // Three servers compiling their sources at once on a loaded machine take longer than one alone.
  const ports = await Promise.all(started.map(async (s) => Number((await s.waitForStdout(/^\{.*"msg":"etender listening on http:\/\/127\.0\.0\.1:(\d+)[^\n]*\}$/m, 180_000))[1])));
  return started.map((s, i) => ({ name: `server ${i + 1}`, process: s, port: ports[i]!, base: `http://127.0.0.1:${ports[i]}` }));
}

export async function stopServers(servers: Server[]): Promise<void> {
  await Promise.all(servers.filter((s) => isRunning(s.process)).map((s) => stop(s.process)));
}

// ---------------------------------------------------------------------------------------------
// The client: each upload starts on the next server in turn; on a connection error or a 5xx it is
// tried again on the next one, with a freshly signed manifest (new nonce) each time, so that a
// retry of an upload that was in fact stored supersedes it instead of being refused as a replay.

export interface Outcome {
  bid: SealedBid;
  status: number;
  body: string;
  ms: number;
  /** Every attempt: the server's name and the status (0: no answer). */
  attempts: Array<{ server: string; status: number }>;
  receipt?: Receipt;
}

function headersFor(world: World, bid: SealedBid): Record<string, string> {
  const b = world.bidders[bid.bidder]!;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    section: bid.sectionId,
    bidder: b.orgId,
    ciphertext: { sha256: bid.sha256, size: bid.body.length },
    recipient: bid.recipient,
    nonce: newNonce(),
    certificate: b.fingerprint,
  };
  return {
    authorization: `Bearer ${b.token}`,
    'etender-manifest': canonicalBytes(manifest).toString('base64'),
    'etender-signature': signManifest(manifest, b.privateKey),
    'content-type': 'application/octet-stream',
    'content-length': String(bid.body.length),
  };
}

function postOnce(agent: http.Agent, base: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.request(`${base}${path}`, { method: 'POST', agent, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: 0, body: String(err) }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
    req.end(body);
  });
}

export interface SurgeRun {
  outcomes: Outcome[];
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  lost: number;
}

/**
 * Submits every bid, at most `connections` at a time over all servers, rotating. `onAnswer` sees
 * the number of final answers so far (the Galera test kills a node from it).
 */
export async function surge(world: World, servers: Server[], opts: { connections: number; attempts?: number; onAnswer?: (done: number) => void }): Promise<SurgeRun> {
  const agents = new Map(servers.map((s) => [s.name, new http.Agent({ keepAlive: true, maxSockets: Math.ceil(opts.connections / servers.length) + 4 })]));
  const attemptsMax = opts.attempts ?? 8;
  const outcomes: Outcome[] = new Array(world.bids.length);
  let next = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  const one = async (k: number) => {
    const bid = world.bids[k]!;
    const attempts: Outcome['attempts'] = [];
    const t = process.hrtime.bigint();
    let last = { status: 0, body: '' };
    for (let a = 0; a < attemptsMax; a++) {
      const server = servers[(k + a) % servers.length]!;
      last = await postOnce(agents.get(server.name)!, server.base, `/api/sections/${bid.sectionId}/bids`, headersFor(world, bid), bid.body);
      attempts.push({ server: server.name, status: last.status });
      if (last.status !== 0 && last.status < 500) break;
      // A server that lost its database (or its node) answers fast; give the cluster a moment.
      await new Promise((r) => setTimeout(r, 100 + 150 * a));
    }
    const outcome: Outcome = { bid, status: last.status, body: last.body, ms: Number(process.hrtime.bigint() - t) / 1e6, attempts };
    if (last.status === 201) outcome.receipt = (JSON.parse(last.body) as { receipt: Receipt }).receipt;
    outcomes[k] = outcome;
    opts.onAnswer?.(++done);
  };
  const lanes = Array.from({ length: Math.min(opts.connections, world.bids.length) }, async () => {
    for (let k = next++; k < world.bids.length; k = next++) await one(k);
  });
  try {
    await Promise.all(lanes);
  } finally {
    for (const a of agents.values()) a.destroy();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]!;
  return { outcomes, seconds, perSecond: outcomes.length / seconds, p50: q(0.5), p99: q(0.99), lost: outcomes.filter((o) => o.status !== 201).length };
}

/** Every receipt verified offline with the published keys, naming its bidder, section and file. */
export function expectReceiptsVerify(world: World, outcomes: Outcome[], keys: PublishedKeys): void {
  const bad: string[] = [];
  for (const o of outcomes) {
    if (!o.receipt) {
      bad.push(`${o.bid.sectionId}/${o.bid.bidder}: HTTP ${o.status} ${o.body.slice(0, 200)} after ${JSON.stringify(o.attempts)}`);
      continue;
    }
    const problems = verifyReceipt(o.receipt, keys, { leafHash, verifyInclusion }, { sha256: o.bid.sha256, size: o.bid.body.length });
    if (o.receipt.bidder.orgId !== world.bidders[o.bid.bidder]!.orgId) problems.push('the receipt names another bidder');
    if (o.receipt.section.id !== o.bid.sectionId) problems.push('the receipt names another section');
    if (problems.length) bad.push(`${o.bid.sectionId}/${o.bid.bidder}: ${problems.join('; ')}`);
  }
  expect(bad, bad.slice(0, 5).join('\n')).to.deep.equal([]);
}

export async function publishedKeys(server: Server): Promise<PublishedKeys> {
  const res = await fetch(`${server.base}/api/pki/keys`);
  expect(res.status).to.equal(200);
  return (await res.json()) as PublishedKeys;
}

/**
 * What the database on `knex` holds for the surge's bids: each receipted bid is stored with the
 * receipt's file and version, and each bidder's last receipted bid is its one active bid per section.
 */
export async function expectReceiptedBidsStored(knex: Knex, world: World, outcomes: Outcome[], where: string): Promise<void> {
  const ids = outcomes.filter((o) => o.receipt).map((o) => o.receipt!.bid.id);
  const rows = new Map<string, { id: string; status: string; ciphertext_sha256: string; section_id: string; version: unknown }>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await knex('bids')
      .whereIn('id', ids.slice(i, i + 500))
      .select('id', 'status', 'ciphertext_sha256', 'section_id', 'version'))
      rows.set(r.id, r);
  }
  const missing = ids.filter((id) => !rows.has(id));
  expect(missing, `${where}: receipted bids not in the database`).to.deep.equal([]);
  for (const o of outcomes) {
    const r = rows.get(o.receipt!.bid.id)!;
    expect(r.ciphertext_sha256, where).to.equal(o.bid.sha256);
    expect(r.section_id, where).to.equal(o.bid.sectionId);
    expect(Number(r.version), where).to.equal(o.receipt!.bid.version);
    expect(r.status, `${where}: the receipted bid ${r.id}`).to.equal('active');
  }
  const active = Number(
    (
      await knex('bids')
        .whereIn('section_id', [world.surgeSection, ...world.dueSections])
        .where({ status: 'active' })
        .count({ n: '*' })
    )[0]!.n,
  );
  expect(active, `${where}: active bids`).to.equal(world.bids.length);
}

// ---------------------------------------------------------------------------------------------
// The deadline: every section closed, frozen and opened exactly once.

export const OPENING_MOVES = ['section.closed', 'section.bids_frozen', 'section.opening', 'section.opened'] as const;

/** Waits (polling the database) until every section is opened or `ms` has passed. */
export async function waitForOpened(knex: Knex, ids: string[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  let states: Array<{ state: string; n: unknown }> = [];
  while (Date.now() < until) {
    states = await knex('sections').whereIn('id', ids).groupBy('state').select('state').count({ n: '*' });
    if (states.length === 1 && states[0]!.state === 'opened' && Number(states[0]!.n) === ids.length) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`after ${ms} ms the sections are ${JSON.stringify(states.map((s) => [s.state, Number(s.n)]))}, not all opened`);
}

/** The audit log names each section's closing, freeze, opening and publication exactly once, and nothing else of a section's fate. */
export async function expectEachMovedOnce(knex: Knex, ids: string[], where: string): Promise<void> {
  const rows = await knex('audit_log')
    .where({ object_type: 'section' })
    .whereIn('object_id', ids)
    .whereIn('action', [...OPENING_MOVES, 'section.failed', 'section.bidding'])
    .select('object_id', 'action');
  const counts = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const c = counts.get(r.object_id) ?? new Map<string, number>();
    c.set(r.action, (c.get(r.action) ?? 0) + 1);
    counts.set(r.object_id, c);
  }
  const wrong: string[] = [];
  for (const id of ids) {
    const c = counts.get(id) ?? new Map<string, number>();
    for (const action of OPENING_MOVES) if (c.get(action) !== 1) wrong.push(`${id} ${action} ×${c.get(action) ?? 0}`);
    if (c.get('section.failed')) wrong.push(`${id} failed`);
    if ((c.get('section.bidding') ?? 0) > 1) wrong.push(`${id} section.bidding ×${c.get('section.bidding')}`);
  }
  expect(wrong, `${where}: ${wrong.slice(0, 10).join(', ')}`).to.deep.equal([]);
}

/**
 * The audit log as this database holds it: its indexes 0..n-1 without a gap, and the root the
 * head row records equal to the RFC 6962 root of its stored entries. Answers size and root.
 */
export async function auditRoot(knex: Knex, where: string): Promise<{ size: number; root: string }> {
  const rows = (await knex('audit_log').orderBy('idx').select('idx', 'entry')) as Array<{ idx: unknown; entry: unknown }>;
  for (const [i, r] of rows.entries()) expect(Number(r.idx), `${where}: audit index`).to.equal(i);
  const root = toHex(rootOf(rows.map((r) => leafHash(Buffer.from(String(r.entry), 'utf8')))));
  const head = await knex('audit_head').where({ id: 1 }).first('size', 'root');
  expect(Number(head.size), `${where}: audit_head.size`).to.equal(rows.length);
  expect(String(head.root), `${where}: audit_head.root`).to.equal(root);
  return { size: rows.length, root };
}

/** Logs in on one server through the API and answers the session cookie. */
export async function logIn(server: Server, username: string, password: string): Promise<string> {
  const res = await fetch(`${server.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status, await res.clone().text()).to.equal(200);
  const sid = res.headers.getSetCookie().find((c) => c.startsWith('etender.sid='));
  expect(sid, 'a session cookie').to.be.a('string');
  return sid!.split(';')[0]!;
}

export async function openHandle(url: string, dataDir: string): Promise<Database> {
  return openDatabase({ url, dataDir, poolMax: 4 });
}

/** Which server's scheduler logged which moves (information: the leases decide, not the timing). */
export function schedulerShare(servers: Server[]): string {
  return servers.map((s) => `${s.name}: ${(s.process.stdout().match(/"msg":"(section moved by the scheduler|opening step)"/g) ?? []).length}`).join(', ');
}
