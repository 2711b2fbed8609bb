// Reads the environment once, checks it, and hands each part of the app only what it uses.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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
  trustProxy: boolean | number | string;
  cookieSecure: boolean;
  schedulerIntervalMs: number;
  logLevel: string;
  demo: boolean;
  /** How long after the demo seed its sealed-bid tender opens (DEMO_OPENING_DELAY_SECONDS). */
  demoOpeningDelayMs: number;
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
    host: env.HOST || '0.0.0.0',
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
    trustProxy,
    cookieSecure: bool(env, 'COOKIE_SECURE', production),
    schedulerIntervalMs: int(env, 'SCHEDULER_INTERVAL_MS', 1000, 50, 3_600_000),
    logLevel: env.LOG_LEVEL || 'info',
    demo: bool(env, 'DEMO', !production),
    demoOpeningDelayMs: int(env, 'DEMO_OPENING_DELAY_SECONDS', 180, 30, 30 * 86400) * 1000,
  };
}

/** The session-signing secret: SESSION_SECRET, or one made at first start and kept in the data directory. */
export function sessionSecret(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  const file = path.join(config.dataDir, 'session-secret');
  fs.mkdirSync(config.dataDir, { recursive: true });
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
