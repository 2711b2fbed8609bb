// The database factory: builds a knex handle for the embedded SQLite file or for MySQL/MariaDB
// from DATABASE_URL. Nothing here runs at import time; callers open and close their own handle.
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenTree } from '../modules/core/private-files';
import { guardRootHandle } from './transactions';

export type Dialect = 'sqlite' | 'mysql';

export interface Database {
  knex: Knex;
  dialect: Dialect;
  /** What to print in logs: never includes a password. */
  label: string;
  close(): Promise<void>;
}

export class DatabaseConfigError extends Error {}

export interface OpenOptions {
  /** mysql://user:pass@host:port/db, or undefined for the embedded SQLite file. */
  url?: string;
  /** Where the SQLite file lives when no url is given. */
  dataDir: string;
  poolMax?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const db = options.url ? openMysql(options.url, options.poolMax) : openSqlite(options.dataDir);
  guardRootHandle(db.knex);
  try {
    await db.knex.raw('select 1');
  } catch (err) {
    await db.knex.destroy().catch(() => undefined);
    throw new DatabaseConfigError(`Cannot connect to ${db.label}: ${(err as Error).message}`);
  }
  return db;
}

function openSqlite(dataDir: string): Database {
  ensurePrivateDir(dataDir);
  const filename = path.join(dataDir, 'etender.sqlite');
  // Made 0600 before SQLite opens it: its -wal and -shm files take the database file's mode.
  fs.closeSync(fs.openSync(filename, 'a', PRIVATE_FILE_MODE));
  for (const f of [filename, `${filename}-wal`, `${filename}-shm`]) tightenTree(f);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // One connection: a query made outside a running transaction waits for it. Fail loudly
    // rather than hang if code ever does that by mistake.
    acquireConnectionTimeout: 15000,
    pool: {
      afterCreate(conn: any, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('foreign_keys = ON');
        // Several processes may share the file (several servers, the CLI next to the server).
        // better-sqlite3 waits for a lock synchronously, blocking the event loop, so the wait is
        // short and withRetry (db/transactions.ts) retries asynchronously after it.
        conn.pragma('busy_timeout = 50');
        conn.pragma('synchronous = NORMAL');
        // BIGINT money and sums come back as BigInt, never as a possibly inexact float.
        conn.defaultSafeIntegers(true);
        keepPreparedStatements(conn);
        done(null, conn);
      },
    },
  });
  return { knex, dialect: 'sqlite', label: `sqlite (${filename})`, close: () => knex.destroy() };
}

/** How many prepared statements one SQLite connection keeps (the SQL texts a request runs recur). */
export const SQLITE_STATEMENT_CACHE = 500;

/**
 * knex prepares every query anew on better-sqlite3 (compiling the SQL each time); the same few
 * hundred SQL texts recur on every request, so the connection keeps their prepared statements,
 * least recently used dropped first. Safe to share: knex runs a statement to completion at once
 * (all/run, never iterate), sets nothing on it but safeIntegers where a query asks (none here),
 * and SQLite itself prepares a statement again after a schema change.
 */
function keepPreparedStatements(conn: { prepare(sql: string): unknown }): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    const hit = kept.get(sql);
    if (hit !== undefined) {
      kept.delete(sql);
      kept.set(sql, hit);
      return hit;
    }
    const statement = prepare(sql);
    kept.set(sql, statement);
    if (kept.size > SQLITE_STATEMENT_CACHE) kept.delete(kept.keys().next().value!);
    return statement;
  };
}

export function parseMysqlUrl(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConfigError(`DATABASE_URL is not a valid URL (expected mysql://user:password@host:3306/database).`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new DatabaseConfigError(`DATABASE_URL must start with mysql:// (MySQL or MariaDB); got "${parsed.protocol}". Unset it to use the embedded SQLite database.`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new DatabaseConfigError('DATABASE_URL names no database (mysql://user@host:3306/DATABASE).');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/** How long mysql2 waits for a new connection's handshake (a stopped server accepts TCP but never answers). */
export const DB_CONNECT_TIMEOUT_MS = 3000;
/** How long a query waits for a pooled connection: under 5 s, so no request hangs on a database that is down. */
export const DB_ACQUIRE_TIMEOUT_MS = 4000;
/**
 * On a Galera node, a read may run before the node has applied writes already committed on
 * another node (a session made on one server, then read through another; a lease or a section's
 * state read right after a peer changed it). `wsrep_sync_wait = 1` makes every read on this
 * connection wait until the node has applied everything committed cluster-wide before it began.
 * Set per connection, and only where the server is a Galera node with replication on: MySQL has
 * no such variable (SHOW VARIABLES answers no row there), and a plain MariaDB has it off.
 * Writes need nothing: certification conflicts surface as error 1213, which withRetry
 * (db/transactions.ts) answers by running the whole transaction again.
 */
function syncReadsOnGalera(c: any, done: (err: Error | null) => void): void {
  c.query("SHOW VARIABLES LIKE 'wsrep_on'", (err: Error | null, rows: Array<{ Value?: string }>) => {
    if (err) return done(err);
    if (String(rows?.[0]?.Value ?? '').toUpperCase() !== 'ON') return done(null);
    c.query('SET SESSION wsrep_sync_wait = 1', (err2: Error | null) => done(err2));
  });
}

function openMysql(url: string, poolMax = 10): Database {
  const conn = parseMysqlUrl(url);
  const knex = knexFactory({
    client: 'mysql2',
    connection: {
      ...conn,
      charset: 'utf8mb4',
      timezone: 'Z',
      // BIGINT and sums as strings: exact beyond 2^53, converted by db/row.ts.
      supportBigNumbers: true,
      bigNumberStrings: true,
      // Fail fast when the server is down or hangs (issue 12, faults 3): a request then answers
      // 503 within DB_ACQUIRE_TIMEOUT_MS instead of hanging (server/http/errors.ts).
      connectTimeout: DB_CONNECT_TIMEOUT_MS,
    },
    pool: {
      min: 0,
      max: poolMax,
      afterCreate(c: any, done: (err: Error | null, c: unknown) => void) {
        c.query("SET time_zone = '+00:00', NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", (err: Error | null) => {
          if (err) return done(err, c);
          syncReadsOnGalera(c, (err2) => done(err2, c));
        });
      },
    },
    acquireConnectionTimeout: DB_ACQUIRE_TIMEOUT_MS,
  });
  return {
    knex,
    dialect: 'mysql',
    label: `mysql (${conn.user}@${conn.host}:${conn.port}/${conn.database})`,
    close: () => knex.destroy(),
  };
}
