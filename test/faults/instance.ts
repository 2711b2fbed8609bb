// A platform instance for the fault tests (issue 12, "Faults"): a fresh database (SQLite in a
// temporary DATA_DIR, or a new database on the MySQL/MariaDB server of `url`), migrated, with an
// operator, an auditor with an API token, `bidders` approved organisations each with a token and a
// signing certificate, and one published procurement section whose deadline falls `deadlineInMs`
// from now in real time (the server in a child process runs on the system clock). The set-up goes
// through the services, not HTTP; the faults are then done to the real server (server/main.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { sealBid } from '../../modules/bids/bid-package';
import { MANIFEST_FORMAT, canonicalBytes, newNonce, signManifest, type Manifest } from '../../modules/bids/manifest';
import { DAY, ManualClock } from '../../modules/core/clock';
import { SYSTEM_CONTEXT, type RequestContext } from '../../modules/core/context';
import { creditCodeCheckChar } from '../../modules/orgs/credit-code';
import { buildServices } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { type CertifiedBidder, certifyBidders } from '../support/certified-bidders';
import { publishOpenSection } from '../support/open-section';

export type FaultBidder = CertifiedBidder;

export interface FaultInstance {
  dataDir: string;
  url: string | undefined;
  /** The environment of a server on this instance (add PORT etc.). */
  env: Record<string, string | undefined>;
  section: { id: string; code: string; recipient: string; deadline: number };
  bidders: FaultBidder[];
  auditorToken: string;
  /** A handle on the database for the test's own checks (close it before killing things). */
  open(): Promise<Database>;
  cleanup(): void;
}

let instances = 0;

/** One RSA key for every bidder of a test (each still gets its own certificate): keys take seconds each. */
let sharedKey: crypto.KeyObject | null = null;
const bidderKey = () => (sharedKey ??= crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

export async function prepareInstance(options: { bidders: number; deadlineInMs: number; url?: string }): Promise<FaultInstance> {
  instances += 1;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-fault-'));
  const certsDir = path.join(dataDir, 'certs');
  const url = options.url;
  const env = { DATA_DIR: dataDir, CERTS_DIR: certsDir, DATABASE_URL: url, DEMO: '0' };
  const config = loadConfig(env);
  const db = await openDatabase({ url, dataDir });
  try {
    await migrateLatest(db.knex);
    // Set up "26 days ago", so that the section can be published with its notice period and still
    // close in real time `deadlineInMs` from now.
    const clock = new ManualClock(Date.now() - 26 * DAY);
    const services = buildServices({ config, db, clock, log: createLogger('silent') });
    const tag = `${process.pid}-${instances}`;
    const operator = await services.accounts.createStaffUser(
      SYSTEM_CONTEXT,
      { username: `fault-op-${tag}`, displayName: 'fault-op', role: 'operator', password: 'pw-fault-op-0123456789', centres: ['procurement'] },
      { system: true },
    );
    await services.accounts.createStaffUser(
      SYSTEM_CONTEXT,
      { username: `fault-auditor-${tag}`, displayName: 'fault-auditor', role: 'auditor', password: 'pw-fault-auditor-0123456789', centres: [] },
      { system: true },
    );
    const auditorToken = (await services.accounts.createTokenForUsername(`fault-auditor-${tag}`, 'faults')).token;
    const opCtx: RequestContext = { actor: (await services.accounts.actorById(operator.id))!, ip: '127.0.0.1' };

    // One key for all: the fault tests are about the server, not about many keys.
    const bidders = await certifyBidders(services, opCtx, {
      count: options.bidders,
      keys: bidderKey(),
      prefix: `fault-${tag}`,
      creditCode: (i) => {
        const body = `913401${String((process.pid * 7 + instances) % 1e5).padStart(5, '0')}${String(i + 1).padStart(6, '0')}`;
        return body + creditCodeCheckChar(body);
      },
    });

    const section = await publishOpenSection(services, opCtx, clock, { title: '故障测试采购项目', deadline: Date.now() + options.deadlineInMs });
    return {
      dataDir,
      url,
      env,
      section,
      bidders,
      auditorToken,
      open: () => openDatabase({ url, dataDir }),
      cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  } finally {
    await db.close();
  }
}

export interface Upload {
  bidder: FaultBidder;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  sha256: string;
}

/** Sealed uploads for every bidder, a few at a time. */
export async function sealedUploads(section: FaultInstance['section'], bidders: FaultBidder[], kb: number, work: string): Promise<Upload[]> {
  const out: Upload[] = [];
  for (let i = 0; i < bidders.length; i += 8) out.push(...(await Promise.all(bidders.slice(i, i + 8).map((b) => sealedUpload(section, b, kb, work)))));
  return out;
}

/** A real sealed bid of about `kb` KB for `bidder`, its manifest signed: ready to POST. */
export async function sealedUpload(section: FaultInstance['section'], bidder: FaultBidder, kb: number, work: string): Promise<Upload> {
  const attachment = path.join(work, `技术方案-${bidder.orgId}.pdf`);
  fs.writeFileSync(attachment, crypto.randomBytes(Math.max(1, kb * 1000 - 1500)));
  const out = path.join(work, `bid-${bidder.orgId}.age`);
  const sealed = await sealBid({
    document: {
      format: 'etender-bid/1',
      section: { id: section.id, code: section.code },
      bidder: { orgId: bidder.orgId, name: bidder.name, creditCode: '91340100MA0000001X' },
      price: { amount: `${900000 + crypto.randomInt(100000)}.00` },
    },
    attachments: [attachment],
    recipient: section.recipient,
    outPath: out,
  });
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    section: section.id,
    bidder: bidder.orgId,
    ciphertext: { sha256: sealed.sha256, size: sealed.size },
    recipient: section.recipient,
    nonce: newNonce(),
    certificate: bidder.fingerprint,
  };
  const body = fs.readFileSync(out);
  fs.rmSync(out);
  fs.rmSync(attachment);
  return {
    bidder,
    path: `/api/sections/${section.id}/bids`,
    headers: { authorization: `Bearer ${bidder.token}`, 'etender-manifest': canonicalBytes(manifest).toString('base64'), 'etender-signature': signManifest(manifest, bidder.privateKey) },
    body,
    sha256: sealed.sha256,
  };
}

export interface Answer {
  status: number;
  body: string;
  ms: number;
}

/**
 * POSTs an upload, its body in `chunks` pieces `gapMs` apart (so that it is still in flight for a
 * while); status 0 when the connection failed (e.g. the server was killed).
 */
export function post(base: string, u: Upload, opts: { chunks?: number; gapMs?: number; agent?: http.Agent } = {}): Promise<Answer> {
  const t0 = Date.now();
  const chunks = opts.chunks ?? 1;
  return new Promise((resolve) => {
    const done = (a: Omit<Answer, 'ms'>) => resolve({ ...a, ms: Date.now() - t0 });
    const req = http.request(
      `${base}${u.path}`,
      { method: 'POST', agent: opts.agent ?? false, headers: { ...u.headers, 'content-type': 'application/octet-stream', 'content-length': String(u.body.length) } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', (err) => done({ status: 0, body: String(err) }));
      },
    );
    req.on('error', (err) => done({ status: 0, body: String(err) }));
    const size = Math.ceil(u.body.length / chunks);
    let i = 0;
    const next = () => {
      if (req.destroyed) return;
      const piece = u.body.subarray(i * size, (i + 1) * size);
      i += 1;
      if (i >= chunks) req.end(piece);
      else {
        req.write(piece);
        setTimeout(next, opts.gapMs ?? 0);
      }
    };
    next();
  });
}

/** GET with a bearer token; status 0 when the connection failed. */
export async function get(base: string, p: string, token?: string, timeoutMs = 10_000): Promise<{ status: number; body: any; ms: number }> {
  const t0 = Date.now();
  try {
    const res = await fetch(`${base}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, ms: Date.now() - t0 };
  } catch (err) {
    return { status: 0, body: String(err), ms: Date.now() - t0 };
  }
}

export const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** The SHA-256 of a stored blob's file, read from the data directory (null when it is absent). */
export function blobOnDisk(dataDir: string, digest: string): string | null {
  const file = path.join(dataDir, 'blobs', digest.slice(0, 2), digest.slice(2, 4), digest);
  return fs.existsSync(file) ? sha256(fs.readFileSync(file)) : null;
}

/** The files the blob store holds: finished blobs (by digest) and temporaries. */
export function blobFiles(dataDir: string): { blobs: string[]; temporaries: string[] } {
  const root = path.join(dataDir, 'blobs');
  const blobs: string[] = [];
  for (const a of fs.readdirSync(root).filter((n) => /^[0-9a-f]{2}$/.test(n))) {
    for (const b of fs.readdirSync(path.join(root, a))) blobs.push(...fs.readdirSync(path.join(root, a, b)));
  }
  return { blobs: blobs.sort(), temporaries: fs.existsSync(path.join(root, 'tmp')) ? fs.readdirSync(path.join(root, 'tmp')).sort() : [] };
}
