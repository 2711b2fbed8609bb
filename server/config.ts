// Reads the environment once, checks it, and hands each part of the app only what it uses.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_DRAND_RELAYS, QUICKNET, SUPPORTED_SCHEMES, type ChainInfo } from '../modules/timelock/beacon';

export interface Config {
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  /** Undefined means the embedded SQLite database in dataDir. */
  databaseUrl: string | undefined;
  certsDir: string;
  /** Certificates of other CAs whose certificates are accepted (TRUSTED_CA_FILES, comma-separated paths). */
  trustedCaFiles: string[];
  codePrefix: string;
  maxJsonBytes: number;
  maxDocumentBytes: number;
  /** Size limit of one sealed bid upload. */
  maxBidBytes: number;
  loginAttemptsPer15Min: number;
  /** Wrong passwords per address over all accounts in 15 minutes (LOGIN_FAILURES_PER_ADDRESS_PER_15_MIN). */
  loginFailuresPerAddressPer15Min: number;
  /** PUBLIC_URL: the origin people reach the platform at (behind a proxy); null: taken from each request. */
  publicUrl: string | null;
  /** Anonymous PDF record downloads per address and minute. */
  recordDownloadsPerMinute: number;
  trustProxy: boolean | number | string;
  cookieSecure: boolean;
  schedulerIntervalMs: number;
  logLevel: string;
  demo: boolean;
  /** How long after the demo seed its sealed-bid tender opens (DEMO_OPENING_DELAY_SECONDS). */
  demoOpeningDelayMs: number;
  /**
   * Where time locks go (TIME_LOCK_BEACON): 'drand' — the League of Entropy's threshold network
   * through DRAND_URLS, verified against the pinned DRAND_CHAIN_INFO — or 'local', a beacon whose key
   * is certs/beacon.key on this host (then the host can open early). Default: drand in production, local elsewhere.
   */
  timeLockBeacon: 'local' | 'drand';
  drandUrls: string[];
  drandChain: ChainInfo;
  /** Per relay request (DRAND_TIMEOUT_MS). */
  drandTimeoutMs: number;
  /**
   * TRUST_HOST_CUSTODY: in production, custody that whoever runs the host can open early (a local
   * beacon, the platform timer) is refused at start unless this says it is meant.
   */
  trustHostCustody: boolean;
  /** Node's server.requestTimeout: the whole request, body included (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Node's server.headersTimeout: the request line and headers (HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** A request body slower than this, averaged over uploadRateWindowMs, is cut off with 408 (UPLOAD_MIN_BYTES_PER_SECOND; 0: off). */
  uploadMinBytesPerSecond: number;
  uploadRateWindowMs: number;
  /** Sealed-bid uploads one organisation (or user) may have under way at once (MAX_UPLOADS_PER_BIDDER). */
  maxUploadsPerBidder: number;
  /** Free space the blob store keeps on its disk: uploads that would eat into it get 507 (BLOB_FREE_SPACE_RESERVE_BYTES). */
  blobFreeSpaceReserveBytes: number;
  /** Organisation registrations per address and hour (ORG_REGISTRATIONS_PER_HOUR). */
  orgRegistrationsPerHour: number;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return Number(raw);
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}".`);
}

function beaconKind(raw: string | undefined, production: boolean): 'local' | 'drand' {
  if (raw === undefined || raw === '') return production ? 'drand' : 'local';
  if (raw === 'local' || raw === 'drand') return raw;
  throw new ConfigError(`TIME_LOCK_BEACON must be "drand" (the League of Entropy, through DRAND_URLS) or "local" (a beacon keyed on this host); got "${raw}".`);
}

/** DRAND_CHAIN_INFO: the chain's /info JSON, pinned (a relay's own answer is never trusted for it). */
function chainInfo(raw: string | undefined): ChainInfo {
  if (raw === undefined || raw.trim() === '') return QUICKNET;
  let v: Partial<ChainInfo>;
  try {
    v = JSON.parse(raw) as Partial<ChainInfo>;
  } catch {
    throw new ConfigError("DRAND_CHAIN_INFO must be the chain's /info document as JSON (public_key, period, genesis_time, hash, schemeID).");
  }
  const hex = (s: unknown, n?: number) => typeof s === 'string' && /^[0-9a-f]+$/.test(s) && (n === undefined || s.length === n);
  if (!hex(v.public_key, 192) || !hex(v.hash, 64) || !Number.isInteger(v.period) || v.period! < 1 || !Number.isInteger(v.genesis_time) || v.genesis_time! < 1) {
    throw new ConfigError('DRAND_CHAIN_INFO needs public_key (96 bytes hex, a G2 key), hash (32 bytes hex), period (seconds) and genesis_time (Unix seconds).');
  }
  if (!(SUPPORTED_SCHEMES as readonly string[]).includes(v.schemeID ?? '')) {
    throw new ConfigError(`DRAND_CHAIN_INFO schemeID must be one of ${SUPPORTED_SCHEMES.join(', ')} (an unchained chain with signatures on G1, like quicknet); got "${v.schemeID}".`);
  }
  return { groupHash: '', metadata: { beaconID: 'configured' }, ...v } as ChainInfo;
}

function urls(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_DRAND_RELAYS;
  const list = raw
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const u of list) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new ConfigError(`DRAND_URLS: "${u}" is not a URL; give relay base URLs separated by commas, e.g. https://api.drand.sh.`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConfigError(`DRAND_URLS: "${u}" must be http or https.`);
  }
  return list;
}

/** PUBLIC_URL: an http(s) origin such as https://etender.example.gov.cn (no path). */
function publicUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ConfigError(`PUBLIC_URL must be the address people open, such as https://etender.example.gov.cn; got "${raw}".`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username) {
    throw new ConfigError(`PUBLIC_URL must be an http or https origin without a path, such as https://etender.example.gov.cn; got "${raw}".`);
  }
  return u.origin;
}

function timeouts(env: NodeJS.ProcessEnv): { requestTimeoutMs: number; headersTimeoutMs: number } {
  const requestTimeoutMs = int(env, 'REQUEST_TIMEOUT_MS', 3_600_000, 1000, 24 * 3_600_000);
  const headersTimeoutMs = int(env, 'HEADERS_TIMEOUT_MS', 20_000, 100, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be longer than REQUEST_TIMEOUT_MS (${requestTimeoutMs}).`);
  return { requestTimeoutMs, headersTimeoutMs };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(cwd, env.DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL === undefined ? undefined : env.DATABASE_URL.trim();
  if (databaseUrl === '') throw new ConfigError('DATABASE_URL is set but empty; unset it to use the embedded SQLite database.');
  const codePrefix = env.CODE_PREFIX || 'HF';
  if (!/^[A-Z]{1,8}$/.test(codePrefix)) throw new ConfigError(`CODE_PREFIX must be 1–8 capital letters; got "${codePrefix}".`);
  const trustRaw = env.TRUST_PROXY;
  const trustProxy = trustRaw === undefined || trustRaw === '' ? false : /^\d+$/.test(trustRaw) ? Number(trustRaw) : trustRaw === 'true' ? true : trustRaw;
  return {
    production,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir,
    databaseUrl,
    certsDir: path.resolve(cwd, env.CERTS_DIR || './certs'),
    trustedCaFiles: (env.TRUSTED_CA_FILES ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f) => path.resolve(cwd, f)),
    codePrefix,
    maxJsonBytes: int(env, 'MAX_JSON_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
    maxDocumentBytes: int(env, 'MAX_DOCUMENT_BYTES', 200 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    maxBidBytes: int(env, 'MAX_BID_BYTES', 2 * 1024 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    loginAttemptsPer15Min: int(env, 'LOGIN_ATTEMPTS_PER_15_MIN', 10, 1, 100000),
    loginFailuresPerAddressPer15Min: int(env, 'LOGIN_FAILURES_PER_ADDRESS_PER_15_MIN', 30, 1, 100000),
    publicUrl: publicUrl(env.PUBLIC_URL),
    recordDownloadsPerMinute: int(env, 'RECORD_DOWNLOADS_PER_MIN', 30, 1, 100000),
    trustProxy,
    cookieSecure: bool(env, 'COOKIE_SECURE', production),
    schedulerIntervalMs: int(env, 'SCHEDULER_INTERVAL_MS', 1000, 50, 3_600_000),
    logLevel: env.LOG_LEVEL || 'info',
    demo: bool(env, 'DEMO', !production),
    demoOpeningDelayMs: int(env, 'DEMO_OPENING_DELAY_SECONDS', 180, 30, 30 * 86400) * 1000,
    timeLockBeacon: beaconKind(env.TIME_LOCK_BEACON, production),
    drandUrls: urls(env.DRAND_URLS),
    drandChain: chainInfo(env.DRAND_CHAIN_INFO),
    drandTimeoutMs: int(env, 'DRAND_TIMEOUT_MS', 5000, 100, 120_000),
    trustHostCustody: bool(env, 'TRUST_HOST_CUSTODY', false),
    ...timeouts(env),
    uploadMinBytesPerSecond: int(env, 'UPLOAD_MIN_BYTES_PER_SECOND', 16 * 1024, 0, 1024 * 1024 * 1024),
    uploadRateWindowMs: int(env, 'UPLOAD_RATE_WINDOW_MS', 30_000, 100, 3_600_000),
    maxUploadsPerBidder: int(env, 'MAX_UPLOADS_PER_BIDDER', 2, 1, 1000),
    blobFreeSpaceReserveBytes: int(env, 'BLOB_FREE_SPACE_RESERVE_BYTES', 1024 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    orgRegistrationsPerHour: int(env, 'ORG_REGISTRATIONS_PER_HOUR', 20, 1, 100000),
  };
}

/** The session-signing secret: SESSION_SECRET, or one made at first start and kept in the data directory. */
export function sessionSecret(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  const file = path.join(config.dataDir, 'session-secret');
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(32).toString('base64url');
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process made it first
    }
  }
}

/**
 * Reads the trusted CA certificates (each file may hold several PEM certificates). Every one must
 * be readable and be a CA certificate, or the server does not start.
 */
export function readTrustedCaFiles(files: string[]): string[] {
  const pems: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`TRUSTED_CA_FILES: ${file} cannot be read (${(err as Error).message}).`);
    }
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new ConfigError(`TRUSTED_CA_FILES: ${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----").`);
    for (const pem of blocks) {
      let cert: crypto.X509Certificate;
      try {
        cert = new crypto.X509Certificate(pem);
      } catch (err) {
        throw new ConfigError(`TRUSTED_CA_FILES: ${file} holds a certificate that cannot be read (${(err as Error).message}).`);
      }
      if (!cert.ca) {
        throw new ConfigError(`TRUSTED_CA_FILES: ${file} holds "${cert.subject.split('\n').join(', ')}", which is not a CA certificate; list only certificate authorities.`);
      }
      pems.push(`${pem}\n`);
    }
  }
  return pems;
}
