// Benchmark: "the last minute before a deadline", 500 bidders at once (issue 12, benchmarks 1 and 6).
//
// Set-up, before any clock starts: a fresh database (SQLite in a temporary DATA_DIR, or with
// DATABASE_URL a new database on that MySQL/MariaDB server, dropped after), migrated, with the
// platform keys in the data directory. Through the services directly (not HTTP): one operator, 500
// bidder organisations, each registered and approved with one representative, an API token and a
// signing certificate for its own RSA key (proof of possession over a challenge, as the browser
// path does it), and one procurement section published on a clock set back 25 days, so that it is
// open for bids now and its deadline falls SURGE_DEADLINE_MS after the set-up (a real-time
// deadline: the server runs on the system clock). Every bidder seals a real bid (age, to the
// section's recipient) of about 100 KB and signs its manifest.
//
// Surge: the real server (server/main.ts through tsx, or with BENCH_SERVER=dist the build) on that
// database in a child process, without demo data. Its idle RSS is read once it listens (after a
// settling pause); then the 500 bids are POSTed over loopback through one keep-alive agent of at
// most 100 sockets, all at once, while the server's RSS is sampled. Reported: submissions/s (500 /
// wall time from the first request to the last answer), p50/p99/max latency, errors. Then every
// receipt is verified offline with the published keys (modules/bids/receipt.ts verifyReceipt, as
// `etender verify-receipt` does: the receipt signature, the log's promise and its signature, and
// that it names the uploaded file), and the database must hold exactly 500 active bids for the
// section. The server is stopped before the deadline.
//
// Floor: a bare node:http server in its own process that streams every upload to its own file with
// SHA-256 and fsync and answers the digest, driven by the same client with the same 500 bodies, in
// the same run. Ratio = platform submissions/s / floor submissions/s (bound: ≥ 0.5, shown as the
// inverse ≤ 2 so that a smaller number is better like every other row); p99 latency against the
// floor's p99 is information only, as is memory (goal: idle < 120 MiB, bound here on the idle RSS
// against that absolute goal).
//
//   BENCH_SURGE_BIDDERS=500   bidders (default 500)
//   BENCH_SURGE_KB=100        bid size in KB (default 100)
//   BENCH_SURGE_CPU_PROF=dir  the server writes a V8 CPU profile (--cpu-prof) into dir when it stops
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { openDatabase, type Database } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { sealBid } from '../../modules/bids/bid-package';
import { MANIFEST_FORMAT, canonicalBytes, newNonce, signManifest, type Manifest } from '../../modules/bids/manifest';
import { verifyReceipt, type PublishedKeys, type Receipt } from '../../modules/bids/receipt';
import { leafHash, verifyInclusion } from '../../modules/audit/merkle';
import { DAY, ManualClock } from '../../modules/core/clock';
import { SYSTEM_CONTEXT, type RequestContext } from '../../modules/core/context';
import { buildServices } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMysqlDatabase } from '../support/test-db';
import { bidderKeys, certifyBidders, uniqueCreditCode } from '../support/certified-bidders';
import { publishOpenSection } from '../support/open-section';
import { stop, type Started } from '../support/server-process';
import { MiB, benchServer, benchTempDir, failed, fmtMiB, fmtMs, isMain, onInterrupt, printResult, progress, removeDir, sweepStale, type BenchResult } from './report';
import { RSS_SAMPLE_MS, type RssPeak, killChildren, sampleRss, startBenchServer, startHelper, stopChild } from './server';

/** The platform must reach at least this share of the floor's throughput (issue 12: ≥ 50 %). */
export const SURGE_THROUGHPUT_SHARE = 0.5;
/** Issue 12's goal for the idle RSS of the server. */
export const IDLE_RSS_GOAL_BYTES = 120 * MiB;
const CONNECTIONS = 100;
/** The section's deadline, after the set-up: the surge must start well before it. */
const SURGE_DEADLINE_MS = 90_000;
const MIN_MARGIN_MS = 45_000;

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
  return Number(raw);
}

// ---------------------------------------------------------------------------------------------
// The client: one keep-alive agent, at most CONNECTIONS sockets, every upload started at once.

interface Upload {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function post(agent: http.Agent, base: string, u: Upload): Promise<Answer> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.request(`${base}${u.path}`, { method: 'POST', agent, headers: { ...u.headers, 'content-type': 'application/octet-stream', 'content-length': String(u.body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      res.on('error', (err) => resolve({ status: 0, body: String(err), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', (err) => resolve({ status: 0, body: String(err), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    req.end(u.body);
  });
}

interface Run {
  answers: Answer[];
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function surge(base: string, uploads: Upload[], okStatus: number): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const t0 = process.hrtime.bigint();
    const answers = await Promise.all(uploads.map((u) => post(agent, base, u)));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
    return {
      answers,
      seconds,
      perSecond: uploads.length / seconds,
      p50: quantile(ms, 0.5),
      p99: quantile(ms, 0.99),
      max: ms[ms.length - 1]!,
      errors: answers.filter((a) => a.status !== okStatus).length,
    };
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The floor: streams each body to its own file with SHA-256, fsyncs it, answers the digest.

const FLOOR_SERVER = `
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const dir = process.argv[1];
let n = 0;
const server = http.createServer((req, res) => {
  const file = path.join(dir, 'upload-' + (n++));
  const hash = crypto.createHash('sha256');
  let size = 0;
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const fail = (err) => { if (!res.headersSent) { res.writeHead(500); res.end(String(err)); } };
  req.on('data', (c) => { hash.update(c); size += c.length; if (!out.write(c)) { req.pause(); out.once('drain', () => req.resume()); } });
  req.on('error', fail);
  req.on('end', () => out.end());
  out.on('error', fail);
  out.on('finish', () => {
    fs.open(file, 'r+', (err, fd) => {
      if (err) return fail(err);
      fs.fsync(fd, (err2) => fs.close(fd, () => {
        if (err2) return fail(err2);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sha256: hash.digest('hex'), size }));
      }));
    });
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.stdout.write('floor listening ' + server.address().port + '\\n'));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
`;

// ---------------------------------------------------------------------------------------------
// Set-up through the services.

export async function runDeadlineSurge(): Promise<BenchResult> {
  if (!fs.existsSync('/proc/self/status')) throw new Error('this benchmark reads /proc/<pid>/status: it needs Linux');
  const bidders = envInt('BENCH_SURGE_BIDDERS', 500, 10, 5000);
  const kb = envInt('BENCH_SURGE_KB', 100, 1, 10_000);
  const bench = 'deadline surge';
  const result: BenchResult = { name: `Deadline surge: ${bidders} bidders, sealed ${kb} KB bids, ${CONNECTIONS} connections`, rows: [], notes: [], errors: [] };
  const startedAt = Date.now();

  await sweepStale();
  const dataDir = benchTempDir('surge');
  const floorDir = benchTempDir('surge-floor');
  const work = benchTempDir('surge-work');
  let server: Started | undefined;
  let floor: ChildProcess | undefined;
  let db: Database | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  const forget = onInterrupt(async () => {
    await killChildren([server?.child, floor]);
    await db?.close();
    await dropDatabase?.();
    await removeDir(work);
    await removeDir(floorDir);
    await removeDir(dataDir);
  });

  try {
    const certsDir = path.join(dataDir, 'certs');
    let url: string | undefined;
    if (process.env.DATABASE_URL) {
      const made = await createMysqlDatabase(process.env.DATABASE_URL);
      url = made.url;
      dropDatabase = made.drop;
    }
    const engine = url ? 'MariaDB/MySQL' : 'SQLite';
    const env = { DATA_DIR: dataDir, CERTS_DIR: certsDir, DATABASE_URL: url, DEMO: '0' };
    const config = loadConfig(env);
    db = await openDatabase({ url, dataDir });
    await migrateLatest(db.knex);

    // The set-up runs 26 days in the past, so that the section can be published with its open-tender
    // notice period and still close in real time SURGE_DEADLINE_MS from now.
    const clock = new ManualClock(Date.now() - 26 * DAY);
    const services = buildServices({ config, db, clock, log: createLogger('silent') });
    const operator = await services.accounts.createStaffUser(
      SYSTEM_CONTEXT,
      { username: 'bench-op', displayName: 'bench-op', role: 'operator', password: 'pw-bench-op-0123456789', centres: ['procurement'] },
      { system: true },
    );
    const opCtx: RequestContext = { actor: (await services.accounts.actorById(operator.id))!, ip: '127.0.0.1' };

    progress(`surge: ${bidders} bidder organisations, keys and certificates (${engine})`);
    const t0setup = Date.now();
    const people = await certifyBidders(services, opCtx, { count: bidders, keys: await bidderKeys(bidders), prefix: 'surge', creditCode: (i) => uniqueCreditCode('913401', i + 1) });
    const setupSeconds = (Date.now() - t0setup) / 1000;

    // The section: published "25 days ago", closing SURGE_DEADLINE_MS from now in real time.
    const section = await publishOpenSection(services, opCtx, clock, { title: '截止前高峰基准测试', deadline: Date.now() + SURGE_DEADLINE_MS });
    const { recipient, deadline } = section;

    progress(`surge: sealing ${bidders} bids of ${kb} KB`);
    const attachment = path.join(work, '技术方案.pdf');
    const uploads: Upload[] = [];
    for (const [i, b] of people.entries()) {
      fs.writeFileSync(attachment, crypto.randomBytes(kb * 1000 - 1500));
      const out = path.join(work, `bid-${i}.age`);
      const sealed = await sealBid({
        document: {
          format: 'etender-bid/1',
          section: { id: section.id, code: section.code },
          bidder: { orgId: b.orgId, name: b.name, creditCode: '91340100MA0000001X' },
          price: { amount: `${900000 + i}.00` },
        },
        attachments: [attachment],
        recipient,
        outPath: out,
      });
      const manifest: Manifest = {
        format: MANIFEST_FORMAT,
        section: section.id,
        bidder: b.orgId,
        ciphertext: { sha256: sealed.sha256, size: sealed.size },
        recipient,
        nonce: newNonce(),
        certificate: b.fingerprint,
      };
      uploads.push({
        path: `/api/sections/${section.id}/bids`,
        headers: { authorization: `Bearer ${b.token}`, 'etender-manifest': canonicalBytes(manifest).toString('base64'), 'etender-signature': signManifest(manifest, b.privateKey) },
        body: fs.readFileSync(out),
      });
      fs.rmSync(out);
    }
    await db.close();
    db = undefined;
    const bodyBytes = uploads.reduce((n, u) => n + u.body.length, 0);

    // The platform.
    progress(`surge: starting the server (${benchServer().label}, ${engine})`);
    // BENCH_SURGE_CPU_PROF=dir: the server writes a V8 CPU profile there when it stops.
    const profDir = process.env.BENCH_SURGE_CPU_PROF ? path.resolve(process.env.BENCH_SURGE_CPU_PROF) : undefined;
    const started = await startBenchServer({ ...env, SCHEDULER_INTERVAL_MS: '1000' }, { cpuProfileDir: profDir, onStarted: (s) => (server = s) });
    server = started.server;
    const { base, pid, idleRss } = started;
    const margin = deadline - Date.now();
    if (margin < MIN_MARGIN_MS) throw new Error(`the set-up left only ${(margin / 1000).toFixed(0)} s before the deadline; the surge needs ${MIN_MARGIN_MS / 1000} s`);

    progress(`surge: ${bidders} submissions, ${CONNECTIONS} connections, ${(margin / 1000).toFixed(0)} s before the deadline`);
    const sampled = sampleRss(pid);
    let platform: Run;
    let rss: RssPeak;
    try {
      platform = await surge(base, uploads, 201);
    } finally {
      rss = sampled();
    }
    const peak = rss.peak;
    const hwmReset = rss.hwmReset;
    const keysReply = await fetch(`${base}/api/pki/keys`);
    const published = (await keysReply.json()) as PublishedKeys;
    await stop(server);
    if (Date.now() >= deadline) result.errors.push('the surge ran past the section deadline: later bids may have been refused for that');

    // Every receipt, offline.
    const bad: string[] = [];
    for (const [i, a] of platform.answers.entries()) {
      if (a.status !== 201) {
        bad.push(`#${i}: HTTP ${a.status} ${a.body.slice(0, 200)}`);
        continue;
      }
      const receipt = (JSON.parse(a.body) as { receipt: Receipt }).receipt;
      const body = uploads[i]!.body;
      const problems = verifyReceipt(receipt, published, { leafHash, verifyInclusion }, { sha256: crypto.createHash('sha256').update(body).digest('hex'), size: body.length });
      if (receipt.bidder.orgId !== people[i]!.orgId) problems.push('the receipt names another bidder');
      if (problems.length) bad.push(`#${i}: ${problems.join('; ')}`);
    }
    const verified = platform.answers.length - bad.length;
    db = await openDatabase({ url, dataDir });
    const counted = Number((await db.knex('bids').where({ section_id: section.id, status: 'active' }).count({ n: '*' }))[0]!.n);
    await db.close();
    db = undefined;
    if (bad.length) result.errors.push(`${bad.length} of ${bidders} submissions have no valid receipt; first: ${bad.slice(0, 3).join(' | ')}`);
    if (counted !== bidders) result.errors.push(`the section holds ${counted} active bids, not ${bidders}`);

    // The floor, with the same client and the same bodies.
    const floorStarted = await startHelper(FLOOR_SERVER, [floorDir], 'floor listening');
    floor = floorStarted.child;
    progress('surge: the same uploads to the bare node:http floor (stream to disk, SHA-256, fsync)');
    const bare = await surge(`http://127.0.0.1:${floorStarted.port}`, uploads, 201);
    await stopChild(floor);
    floor = undefined;
    const floorWrong = bare.answers.filter((a, i) => a.status !== 201 || JSON.parse(a.body).sha256 !== crypto.createHash('sha256').update(uploads[i]!.body).digest('hex')).length;
    if (floorWrong) result.errors.push(`the floor server answered ${floorWrong} uploads wrongly`);

    const share = platform.perSecond / bare.perSecond;
    result.rows.push(
      {
        bench,
        metric: 'floor / platform submissions/s',
        floor: `${bare.perSecond.toFixed(0)}/s (bare node:http)`,
        measured: `${platform.perSecond.toFixed(0)}/s (platform)`,
        ratio: bare.perSecond / platform.perSecond,
        bound: 1 / SURGE_THROUGHPUT_SHARE,
        boundText: `≤ ${(1 / SURGE_THROUGHPUT_SHARE).toFixed(0)} (≥ ${SURGE_THROUGHPUT_SHARE * 100} % of floor)`,
      },
      { bench, metric: 'p50 latency', floor: fmtMs(bare.p50), measured: fmtMs(platform.p50), ratio: platform.p50 / bare.p50, bound: null, boundText: '—' },
      { bench, metric: 'p99 latency', floor: fmtMs(bare.p99), measured: fmtMs(platform.p99), ratio: platform.p99 / bare.p99, bound: null, boundText: 'goal < 250 ms' },
      { bench, metric: 'max latency', floor: fmtMs(bare.max), measured: fmtMs(platform.max), ratio: platform.max / bare.max, bound: null, boundText: '—' },
      {
        bench,
        metric: 'server idle RSS',
        floor: `${fmtMiB(IDLE_RSS_GOAL_BYTES)} (goal)`,
        measured: fmtMiB(idleRss),
        ratio: idleRss / IDLE_RSS_GOAL_BYTES,
        bound: null,
        boundText: '< 1 (goal)',
      },
      { bench, metric: 'server peak RSS in surge', floor: fmtMiB(idleRss), measured: fmtMiB(peak), ratio: peak / idleRss, bound: null, boundText: '—' },
    );
    result.notes.push(
      `${engine}; server: ${started.label}, pid ${pid}; ${bidders} approved bidders, each its own organisation, token and RSA-2048 signing certificate (set up through the services in ${setupSeconds.toFixed(0)} s).`,
      `${bidders} real sealed bids (age to the section's recipient), ${(bodyBytes / bidders).toFixed(0)} bytes on average, ${fmtMiB(bodyBytes)} in all; one keep-alive http.Agent, maxSockets ${CONNECTIONS}, all requests started at once.`,
      `Platform: ${platform.seconds.toFixed(2)} s, ${platform.perSecond.toFixed(0)} submissions/s (${(platform.perSecond / bare.perSecond) >= SURGE_THROUGHPUT_SHARE ? 'meets' : 'misses'} the goal: ${(share * 100).toFixed(0)} % of the floor), p50 ${fmtMs(platform.p50)}, p99 ${fmtMs(platform.p99)}, max ${fmtMs(platform.max)}, ${platform.errors} errors.`,
      `Floor (bare node:http, each body streamed to its own file with SHA-256 and fsync): ${bare.seconds.toFixed(2)} s, ${bare.perSecond.toFixed(0)}/s, p50 ${fmtMs(bare.p50)}, p99 ${fmtMs(bare.p99)}, max ${fmtMs(bare.max)}.`,
      `Receipts verified offline (verifyReceipt: receipt signature, the log's signed promise, the file's digest): ${verified} of ${bidders}; active bids in the section: ${counted}.`,
      `Server RSS: idle ${fmtMiB(idleRss)} (goal < ${fmtMiB(IDLE_RSS_GOAL_BYTES)}), peak during the surge ${fmtMiB(peak)} (VmRSS every ${RSS_SAMPLE_MS} ms${hwmReset ? ' and VmHWM' : ''}).`,
      `Took ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`,
    );
  } finally {
    if (floor) await stopChild(floor);
    if (server) await stop(server);
    await db?.close();
    await dropDatabase?.();
    await removeDir(work);
    await removeDir(floorDir);
    await removeDir(dataDir);
    forget();
  }
  return result;
}

if (await isMain(import.meta.url)) {
  const result = await runDeadlineSurge();
  printResult(result);
  process.exit(failed(result) ? 1 : 0);
}
