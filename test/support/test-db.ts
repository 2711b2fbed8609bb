// A fresh, migrated database for one test file: a temporary SQLite file by default, or — when
// DATABASE_URL points at MySQL/MariaDB — a uniquely named database on that server, dropped after.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { openDatabase, parseMysqlUrl, type Database } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';

export interface TestDatabase {
  db: Database;
  dataDir: string;
  /** The DATABASE_URL of this test database (undefined for SQLite), for child processes. */
  url: string | undefined;
  cleanup(): Promise<void>;
}

export const usingMysql = () => !!process.env.DATABASE_URL;

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-test-'));
  const mysql = process.env.DATABASE_URL ? await createMysqlDatabase(process.env.DATABASE_URL) : undefined;
  const url = mysql?.url;
  const dropDatabase = mysql?.drop;
  const db = await openDatabase({ url, dataDir });
  if (options.migrate !== false) await migrateLatest(db.knex);
  return {
    db,
    dataDir,
    url,
    async cleanup() {
      await db.close();
      await dropDatabase?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new, empty database on the MySQL/MariaDB server of `baseUrl`, named after the database of
 * `baseUrl` plus a unique suffix (for test files and for child processes such as `npm start`).
 * Returns its DATABASE_URL and a function that drops it.
 */
export async function createMysqlDatabase(baseUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const server = parseMysqlUrl(baseUrl);
  const name = `${server.database}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`.slice(0, 64);
  const connection = { host: server.host, port: server.port, user: server.user, password: server.password };
  const admin = knexFactory({ client: 'mysql2', connection });
  try {
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    async drop() {
      const k = knexFactory({ client: 'mysql2', connection });
      try {
        await k.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await k.destroy();
      }
    },
  };
}

/** A digest of every row of every table: equal before and after means the request changed nothing. */
export async function snapshot(db: Database, ignore: string[] = []): Promise<string> {
  const tables =
    db.dialect === 'sqlite'
      ? (await db.knex.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r: any) => r.name)
      : (await db.knex.raw('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name'))[0].map((r: any) => r.name);
  const hash = crypto.createHash('sha256');
  for (const table of tables as string[]) {
    if (ignore.includes(table)) continue;
    const rows = await db.knex(table).select('*');
    const lines = rows.map((r: any) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).sort();
    hash.update(`${table}\n${lines.join('\n')}\n`);
  }
  return hash.digest('hex');
}
