// Benchmark: "a few anonymous clients downloading a record's PDF do not stall the server".
//
// The real server (server/main.ts, or with BENCH_SERVER=dist the build) runs as a child process on SQLite in a temporary DATA_DIR with
// the demo data. The demo's past tender has a published opening record; this benchmark replaces
// that record, in the server's database, with one of 500 bids (bidder names, prices, remarks in
// the published shape, the same size as a real 500-bid record) and its digest, as an opening of
// 500 bids would have published it. The anonymous download limit is lifted for the run
// (RECORD_DOWNLOADS_PER_MIN), so that every download is really served rather than refused.
//
// Floor: the median latency of GET /healthz on the idle server (sequential requests, one new
// connection each). Case: the same while 8 anonymous clients download GET
// /api/sections/:id/opening-record.pdf in a loop, from a cold start (the first requests wait for
// the one render in the worker thread; all later ones are served stored bytes). Ratio = loaded
// median / idle median; fail if it is above 2. The 95th percentiles and the downloads done are
// printed for information.
//
// Everything is on 127.0.0.1. The data directory and the child process are removed in all cases.
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { openDatabase } from '../../db/connection';
import { listeningPort, start, type Started } from '../support/server-process';
import { benchServer, benchTempDir, fmtMs, isMain, onInterrupt, printResult, progress, recordChild, removeDir, sweepStale, failed, type BenchResult } from './report';

export const HEALTHZ_RATIO_BOUND = 2;
const BIDS = 500;
const CLIENTS = 8;
const SAMPLES = 300;
const MIN_DOWNLOADS = 400;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(base: string, p: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** `count` sequential GET /healthz, their latencies in ms, sorted. */
async function healthz(base: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    const r = await get(base, '/healthz');
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 200) throw new Error(`/healthz answered ${r.status}: ${r.body.toString('utf8')}`);
  }
  return out.sort((a, b) => a - b);
}

/** 500 bids shaped like an opening's results, from one real bid of the record as the template. */
function inflatedBids(template: Record<string, unknown>, sectionId: string): unknown[] {
  return Array.from({ length: BIDS }, (_, i) => {
    const sha = crypto.createHash('sha256').update(`${sectionId}:${i}`).digest('hex');
    const invalid = i % 17 === 0;
    return {
      ...template,
      seq: i + 1,
      bidId: `01JBENCH${String(i).padStart(18, '0')}`,
      bidder: { orgId: `01JBENCHORG${String(i).padStart(15, '0')}`, name: `第${i + 1}号安徽建设工程有限公司`, creditCode: '91340100MA0000001X' },
      receivedAt: Number(template.receivedAt ?? 0) + i * 1000,
      ciphertextSha256: sha,
      manifestSha256: crypto.createHash('sha256').update(sha).digest('hex'),
      receiptLogIndex: 1000 + i,
      openingLogIndex: 5000 + i,
      decryption: 'ok',
      status: 'opened',
      cause: invalid ? { code: 'over_reference', message: 'the price is over the budget/control price' } : null,
      price: { amount: `${880000 + i * 37}.00`, durationDays: 180, quality: '合格', other: { 项目经理: `项目经理${i}`, 质保期: '24个月' } },
      validity: invalid ? 'invalid' : 'valid',
      remarks: invalid ? ['the price is over the budget/control price'] : [],
    };
  });
}

export async function runRecordDownload(): Promise<BenchResult> {
  const bench = 'record download';
  const result: BenchResult = { name: `PDF record downloads: /healthz latency while ${CLIENTS} anonymous clients download a ${BIDS}-bid opening record`, rows: [], notes: [], errors: [] };
  await sweepStale();
  const dataDir = benchTempDir('records');
  let server: Started | undefined;
  const forget = onInterrupt(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGKILL');
      await exited;
    }
    await removeDir(dataDir);
  });
  try {
    const which = benchServer();
    progress(`records: starting the server (${which.label}, SQLite, demo data)`);
    server = start({ DATA_DIR: dataDir, CERTS_DIR: path.join(dataDir, 'certs'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RECORD_DOWNLOADS_PER_MIN: '100000' }, which.options);
    const base = `http://127.0.0.1:${await listeningPort(server)}`;
    recordChild(dataDir, server.child.pid!);

    // The demo's published opening record, inflated to 500 bids in the server's database.
    const db = await openDatabase({ dataDir });
    let sectionId: string;
    let bytes: number;
    try {
      const run = await db.knex('opening_runs').whereNotNull('record').first('section_id', 'record');
      if (!run) throw new Error('the demo data has no published opening record');
      sectionId = String(run.section_id);
      const record = JSON.parse(String(run.record)) as { bids: Array<Record<string, unknown>>; freeze?: { bidCount?: number } };
      if (!record.bids.length) throw new Error('the demo opening record has no bids');
      record.bids = inflatedBids(record.bids[0]!, sectionId) as Array<Record<string, unknown>>;
      if (record.freeze) record.freeze.bidCount = BIDS;
      const json = canonicalize(record) as string;
      bytes = Buffer.byteLength(json);
      const sha = crypto.createHash('sha256').update(json).digest('hex');
      await db.knex('opening_runs').where({ section_id: sectionId }).update({ record: json, record_sha256: sha });
    } finally {
      await db.close();
    }
    const url = `/api/sections/${sectionId}/opening-record.pdf`;
    const check = await get(base, `/api/sections/${sectionId}/opening-record`);
    if (check.status !== 200) throw new Error(`the inflated record is not served: ${check.status} ${check.body.toString('utf8').slice(0, 300)}`);

    progress('records: idle /healthz');
    await healthz(base, 50); // warm-up
    const idle = await healthz(base, SAMPLES);

    progress(`records: /healthz while ${CLIENTS} clients download the PDF (cold: the first requests wait for the render)`);
    let stop = false;
    let downloads = 0;
    let pdfBytes = 0;
    const statuses = new Map<number, number>();
    const client = async () => {
      while (!stop) {
        const r = await get(base, url);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) {
          downloads += 1;
          pdfBytes = r.body.length;
        }
      }
    };
    const t0 = Date.now();
    const clients = Array.from({ length: CLIENTS }, client);
    // At least SAMPLES /healthz requests, and on until the clients have downloaded MIN_DOWNLOADS
    // (so that the stored-bytes phase, not only the first render, is measured), at most 120 s.
    const loaded: number[] = [];
    try {
      while ((loaded.length < SAMPLES || downloads < MIN_DOWNLOADS) && Date.now() - t0 < 120_000) loaded.push(...(await healthz(base, 20)));
      loaded.sort((a, b) => a - b);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    const seconds = (Date.now() - t0) / 1000;
    const other = [...statuses].filter(([s]) => s !== 200);
    if (other.length) result.errors.push(`downloads answered ${other.map(([s, n]) => `${n}× ${s}`).join(', ')} besides 200`);
    if (downloads === 0) result.errors.push('no download succeeded while /healthz was measured');

    const idleP50 = quantile(idle, 0.5);
    const loadedP50 = quantile(loaded, 0.5);
    result.rows.push({
      bench,
      metric: '/healthz median, loaded ÷ idle',
      floor: fmtMs(idleP50),
      measured: fmtMs(loadedP50),
      ratio: loadedP50 / idleP50,
      bound: HEALTHZ_RATIO_BOUND,
      boundText: `≤ ${HEALTHZ_RATIO_BOUND}`,
    });
    const idleP95 = quantile(idle, 0.95);
    const loadedP95 = quantile(loaded, 0.95);
    result.rows.push({ bench, metric: '/healthz p95, loaded ÷ idle', floor: fmtMs(idleP95), measured: fmtMs(loadedP95), ratio: loadedP95 / idleP95, bound: null, boundText: 'info' });
    result.notes.push(
      `opening record of ${BIDS} bids: ${(bytes / 1024).toFixed(0)} KiB of JSON, ${(pdfBytes / 1024).toFixed(0)} KiB of PDF; ${downloads} downloads by ${CLIENTS} clients in ${seconds.toFixed(1)} s (${(downloads / seconds).toFixed(0)}/s) while ${loaded.length} /healthz requests were timed; idle max ${fmtMs(idle[idle.length - 1]!)}, loaded max ${fmtMs(loaded[loaded.length - 1]!)}`,
    );
  } finally {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server!.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await removeDir(dataDir);
    forget();
  }
  return result;
}

if (await isMain(import.meta.url)) {
  const result = await runRecordDownload();
  printResult(result);
  process.exit(failed(result) ? 1 : 0);
}
