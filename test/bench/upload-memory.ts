// Benchmark: "memory stays flat for a 1 GB bid".
//
// The real server (server/main.ts, or with BENCH_SERVER=dist the build) runs as a child process on SQLite in a temporary DATA_DIR with
// the demo data. A demo bidder logs in, makes an API token, an RSA key and a signing certificate
// (CSR through POST /api/pki/certificates), and submits sealed bids with the CLI's own uploader
// (apiUpload) to a section open for bids: a 1 MiB warm-up, the 16 MiB floor, then 1 GiB.
//
// Memory: the server's resident set is sampled from /proc/<pid>/status (VmRSS every 50 ms, plus
// VmHWM after resetting it with /proc/<pid>/clear_refs where the kernel allows) during each upload.
// Ratio = peak RSS during the 1 GiB upload / peak RSS during the 16 MiB upload. Peak RSS rather
// than peak growth: the growth during a 16 MiB upload is a few MiB and mostly noise, so a ratio of
// growths would swing wildly, while both peaks include the same ~100+ MiB of code and heap and the
// ratio says plainly "the big upload needs this much more memory than a small one". The bound is
// absolute: the 1 GiB peak may exceed the 16 MiB peak by at most 64 MiB (a server that buffered the
// body would exceed it by ~1 GiB); the table shows it as the equivalent ratio bound.
//
// Throughput (information only): the 1 GiB upload's MiB/s against the same file sent with the same
// client to a plain loopback HTTP sink (a tiny node http server in its own process that discards
// the body), measured in the same run.
//
// Everything is on 127.0.0.1. Temporary files (the 1 GiB file, the server's data directory with
// its stored copy) and the child processes are removed in all cases, also on Ctrl-C.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { apiUpload } from '../../modules/bids/api-client';
import { sealBid } from '../../modules/bids/bid-package';
import { MANIFEST_FORMAT, canonicalBytes, newNonce, signManifest, type Manifest } from '../../modules/bids/manifest';
import { createCsr } from '../../modules/pki/client-keys';
import { demoAccounts, stop, type Started } from '../support/server-process';
import { MiB, benchServer, benchTempDir, failed, fmtMiB, fmtSize, isMain, onInterrupt, printResult, progress, removeDir, sweepStale, type BenchResult } from './report';
import { RSS_SAMPLE_MS, type RssPeak, killChildren, sampleRss, startBenchServer, startHelper, stopChild } from './server';

export const RSS_GROWTH_BOUND_BYTES = 64 * MiB;
const FLOOR_BYTES = 16 * MiB;

function bigBytes(): number {
  const raw = process.env.BENCH_UPLOAD_MIB;
  if (!raw) return 1024 * MiB;
  if (!/^\d+$/.test(raw) || Number(raw) < 64 || Number(raw) > 8192) throw new Error(`BENCH_UPLOAD_MIB must be a whole number from 64 to 8192; got "${raw}"`);
  return Number(raw) * MiB;
}

// ---------------------------------------------------------------------------------------------
// HTTP on loopback

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

function call(base: string, method: string, p: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method, agent: false, headers: { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

function expectStatus(r: Reply, status: number, what: string): void {
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} (expected ${status}): ${JSON.stringify(r.body)}`);
}

/** A tiny HTTP server in its own process that reads and discards every body: the loopback ceiling. */
const SINK = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => { n += c.length; });
  req.on('end', () => { res.writeHead(201, { 'content-type': 'application/json' }); res.end(JSON.stringify({ received: n })); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('sink listening ' + server.address().port + '\\n'));
// Never outlive the benchmark: its end (even SIGKILL) closes this pipe.
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
`;

// ---------------------------------------------------------------------------------------------
// Sealed files

/**
 * A sealed file of exactly `size` bytes without encrypting `size` bytes here: a small real age
 * file (sealed to the section's recipient by sealBid, so its header names that X25519 recipient)
 * followed by random bytes. The server never decrypts a bid before the opening: while receiving it
 * checks only the age header (modules/bids/sealed-format.ts) and that the SHA-256 and size equal
 * the signed manifest, so to it this file is indistinguishable from a real 1 GB sealed bid. (It
 * would fail age's chunk authentication if it were ever opened; this benchmark never opens it.)
 * Written in 1 MiB chunks and hashed on the way, so it never sits in memory here either.
 */
async function paddedSealedFile(prefix: Buffer, size: number, out: string): Promise<{ sha256: string; size: number }> {
  if (size < prefix.length) throw new Error(`cannot make a ${size}-byte file from a ${prefix.length}-byte sealed prefix`);
  const hash = crypto.createHash('sha256');
  const fh = await fs.promises.open(out, 'wx', 0o600);
  const writeAll = async (buf: Buffer) => {
    for (let off = 0; off < buf.length; ) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
  };
  try {
    hash.update(prefix);
    await writeAll(prefix);
    let written = prefix.length;
    const chunk = Buffer.allocUnsafe(MiB);
    while (written < size) {
      const view = chunk.subarray(0, Math.min(chunk.length, size - written));
      crypto.randomFillSync(view);
      hash.update(view);
      await writeAll(view);
      written += view.length;
    }
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest('hex'), size };
}

// ---------------------------------------------------------------------------------------------

interface Upload {
  label: string;
  size: number;
  seconds: number;
  mibPerSecond: number;
  rssBefore: number;
  peak: number;
  samples: number;
  hwmReset: boolean;
}

export async function runUploadMemory(): Promise<BenchResult> {
  if (!fs.existsSync('/proc/self/status')) throw new Error('this benchmark reads /proc/<pid>/status: it needs Linux');
  const big = bigBytes();
  const bench = 'bid upload';
  const result: BenchResult = { name: `Sealed bid upload: server memory and throughput, ${fmtSize(big)} vs ${fmtSize(FLOOR_BYTES)}`, rows: [], notes: [], errors: [] };
  const startedAt = Date.now();

  await sweepStale();
  const dataDir = benchTempDir('server');
  const work = benchTempDir('upload');
  let server: Started | undefined;
  let sink: ChildProcess | undefined;
  const forget = onInterrupt(async () => {
    // Kill the children and wait until they are gone, so that nothing writes into the
    // directories while they are removed.
    await killChildren([server?.child, sink]);
    await removeDir(work);
    await removeDir(dataDir);
  });

  try {
    progress(`upload: starting the server (${benchServer().label}, SQLite, demo data)`);
    // Idle: started, migrated and seeded, not yet asked anything (after a settling pause).
    const started = await startBenchServer(
      {
        DATA_DIR: dataDir,
        CERTS_DIR: path.join(dataDir, 'certs'),
        MAX_BID_BYTES: String(big + 64 * MiB),
      },
      { onStarted: (s) => (server = s) },
    );
    server = started.server;
    const { base, pid, idleRss } = started;

    // The demo bidder: session → API token.
    const bidder = demoAccounts(server.stdout()).get('bidder-a');
    if (!bidder) throw new Error(`the server printed no demo account "bidder-a"\n${server.stdout()}`);
    const login = await call(base, 'POST', '/api/auth/login', {}, { username: 'bidder-a', password: bidder.password });
    expectStatus(login, 200, 'log in as bidder-a');
    const cookie = String(([] as string[]).concat(login.headers['set-cookie'] ?? [])[0] ?? '').split(';')[0]!;
    const created = await call(base, 'POST', '/api/tokens', { cookie, origin: base }, { name: 'bench', expiresInDays: 1 });
    expectStatus(created, 201, 'create an API token');
    const token: string = created.body.token.token;
    const auth = { authorization: `Bearer ${token}` };

    // A signing certificate for a key made here.
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const csr = createCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { commonName: 'bidder-a' });
    const cert = await call(base, 'POST', '/api/pki/certificates', auth, { csr, usage: 'signing' });
    expectStatus(cert, 201, 'certify the signing key');
    const fingerprint: string = cert.body.certificate.fingerprint;

    // The bidder's organisation and a section open for bids with an opening recipient.
    const me = await call(base, 'GET', '/api/me', auth);
    expectStatus(me, 200, 'GET /api/me');
    const orgId: string = me.body.user.orgId;
    const org = await call(base, 'GET', `/api/orgs/${orgId}`, auth);
    expectStatus(org, 200, 'GET /api/orgs/:id');
    const list = await call(base, 'GET', '/api/sections?state=bidding');
    expectStatus(list, 200, 'GET /api/sections?state=bidding');
    // Latest deadline first: the demo also seeds a tender that closes minutes after the start,
    // and an upload still running at the deadline is refused.
    const open = (list.body.sections as Array<{ id: string; bidDeadlineAt: number }>).filter((s) => s.bidDeadlineAt > Date.now() + 30 * 60_000).sort((a, b) => b.bidDeadlineAt - a.bidDeadlineAt);
    let section: { id: string; code: string; recipient: string } | undefined;
    for (const s of open) {
      const detail = await call(base, 'GET', `/api/sections/${s.id}`);
      const recipient: string | undefined = detail.body?.openingKey?.recipient ?? detail.body?.section?.openingKey?.recipient;
      if (detail.status === 200 && recipient) {
        section = { id: s.id, code: detail.body.section.code, recipient };
        break;
      }
    }
    if (!section) throw new Error('no demo section is in state "bidding" with an opening recipient and a deadline at least 30 minutes away');

    // A small real sealed bid: its bytes are the prefix of every benchmark file.
    const attachment = path.join(work, '技术方案.txt');
    fs.writeFileSync(attachment, '施工组织设计与技术方案（基准测试）\n');
    const smallSealed = path.join(work, 'small.age');
    await sealBid({
      document: {
        format: 'etender-bid/1',
        section: { id: section.id, code: section.code },
        bidder: { orgId, name: org.body.organisation.name, creditCode: org.body.organisation.creditCode },
        price: { amount: '1180000.00' },
      },
      attachments: [attachment],
      recipient: section.recipient,
      outPath: smallSealed,
    });
    const prefix = fs.readFileSync(smallSealed);

    const sendBid = async (label: string, size: number): Promise<Upload> => {
      const file = path.join(work, `${label}.age`);
      progress(`upload: writing the ${fmtSize(size)} sealed file`);
      const digest = await paddedSealedFile(prefix, size, file);
      try {
        const manifest: Manifest = { format: MANIFEST_FORMAT, section: section!.id, bidder: orgId, ciphertext: digest, recipient: section!.recipient, nonce: newNonce(), certificate: fingerprint };
        const headers = { 'etender-manifest': canonicalBytes(manifest).toString('base64'), 'etender-signature': signManifest(manifest, privateKey) };
        // Let the server settle (timers, GC after the previous upload) before the baseline.
        await new Promise((r) => setTimeout(r, 1000));
        const sampled = sampleRss(pid);
        progress(`upload: sending the ${fmtSize(size)} bid`);
        const t0 = process.hrtime.bigint();
        let receipt: any;
        let rss: RssPeak;
        try {
          receipt = (await apiUpload<{ receipt: any }>({ baseUrl: base, token }, `api/sections/${section!.id}/bids`, file, headers)).receipt;
        } finally {
          rss = sampled();
        }
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        if (receipt?.bid?.size !== size || receipt?.bid?.ciphertextSha256 !== digest.sha256) {
          throw new Error(`the ${label} receipt does not name the uploaded file: ${JSON.stringify(receipt?.bid)}`);
        }
        return { label, size, seconds, mibPerSecond: size / MiB / seconds, rssBefore: rss.before, peak: rss.peak, samples: rss.samples, hwmReset: rss.hwmReset };
      } finally {
        if (label !== 'big') await fs.promises.rm(file, { force: true });
      }
    };

    await sendBid('warm-up', MiB); // loads the code paths of a submission once
    const floor = await sendBid('floor', FLOOR_BYTES);
    const heavy = await sendBid('big', big);

    // The same big file through the same client to a server that only discards it.
    const bigFile = path.join(work, 'big.age');
    const sinkStarted = await startHelper(SINK, [], 'sink listening');
    sink = sinkStarted.child;
    progress(`upload: sending the ${fmtSize(big)} file to the plain HTTP sink`);
    const t0 = process.hrtime.bigint();
    const echoed = await apiUpload<{ received: number }>({ baseUrl: `http://127.0.0.1:${sinkStarted.port}` }, 'sink', bigFile, {});
    const sinkSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (echoed.received !== big) throw new Error(`the sink received ${echoed.received} bytes, not ${big}`);
    const sinkMibPerSecond = big / MiB / sinkSeconds;
    await fs.promises.rm(bigFile, { force: true });

    const limit = floor.peak + RSS_GROWTH_BOUND_BYTES;
    result.rows.push(
      {
        bench,
        metric: 'server peak RSS',
        floor: `${fmtMiB(floor.peak)} (${fmtSize(FLOOR_BYTES)} bid)`,
        measured: `${fmtMiB(heavy.peak)} (${fmtSize(big)} bid)`,
        ratio: heavy.peak / floor.peak,
        bound: limit / floor.peak,
        boundText: `≤ ${(limit / floor.peak).toFixed(2)} (floor + 64 MiB)`,
      },
      {
        bench,
        metric: 'upload MiB/s vs HTTP sink',
        floor: `${sinkMibPerSecond.toFixed(0)} MiB/s (sink)`,
        measured: `${heavy.mibPerSecond.toFixed(0)} MiB/s (server)`,
        ratio: heavy.mibPerSecond / sinkMibPerSecond,
        bound: null,
        boundText: '—',
      },
    );
    const describe = (u: Upload) =>
      `${u.label} ${fmtSize(u.size)}: RSS ${fmtMiB(u.rssBefore)} before, peak ${fmtMiB(u.peak)} (growth ${fmtMiB(u.peak - u.rssBefore)}), ${u.seconds.toFixed(2)} s = ${u.mibPerSecond.toFixed(0)} MiB/s, ${u.samples} samples`;
    result.notes.push(
      `Real server (${started.label}, SQLite, demo data) in a child process, pid ${pid}; bidder-a submits to ${section.code} with apiUpload over 127.0.0.1.`,
      `Idle RSS after the start, before any request: ${fmtMiB(idleRss)}.`,
      describe(floor),
      describe(heavy),
      `Peak = max of VmRSS sampled every ${RSS_SAMPLE_MS} ms and ${heavy.hwmReset ? 'VmHWM (reset through /proc/<pid>/clear_refs before each upload)' : 'nothing else (VmHWM could not be reset here)'}.`,
      `Bound: peak RSS of the big upload ≤ peak of the 16 MiB upload + 64 MiB = ${fmtMiB(limit)}; measured ${fmtMiB(heavy.peak)} (${heavy.peak <= limit ? 'within' : 'OVER'} by ${fmtMiB(Math.abs(limit - heavy.peak))}).`,
      `Sealed files = a small real age file sealed to the section's recipient + random bytes (the server checks the age header and the digest only).`,
      `HTTP sink (node http, discards the body, own process): ${fmtSize(big)} in ${sinkSeconds.toFixed(2)} s. Throughput ratio is information only.`,
      `Took ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`,
    );
  } finally {
    if (sink) await stopChild(sink);
    if (server) await stop(server);
    await removeDir(work);
    await removeDir(dataDir);
    forget();
  }
  return result;
}

if (await isMain(import.meta.url)) {
  const result = await runUploadMemory();
  printResult(result);
  process.exit(failed(result) ? 1 : 0);
}
