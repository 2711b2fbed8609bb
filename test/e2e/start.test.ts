// The real `npm start` entry point (server/main.ts) in a child process: it migrates, seeds the demo
// once, prints the demo accounts once and the portal's pages, serves HTTP, and refuses to start on an unusable database.
// On the MySQL run (DATABASE_URL set) the child gets a fresh database of its own on that server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createMysqlDatabase } from '../support/test-db';

import { children, demoAccounts, exitWithin, listeningPort, start, stop, type Started } from '../support/server-process';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'etender-start-'));
}

const tmpDirs: string[] = [];

describe('npm start (server/main.ts)', function () {
  this.timeout(60_000);

  after(async () => {
    await Promise.all(children.splice(0).map(stop));
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  describe('on a fresh data directory', () => {
    const dialect = process.env.DATABASE_URL ? 'mysql' : 'sqlite';
    let dataDir: string;
    let databaseUrl: string | undefined;
    let dropDatabase: (() => Promise<void>) | undefined;
    let first: Started;
    let base: string;
    let adminPassword: string;

    before(async () => {
      dataDir = tmpDir();
      tmpDirs.push(dataDir);
      if (process.env.DATABASE_URL) {
        const mysql = await createMysqlDatabase(process.env.DATABASE_URL);
        databaseUrl = mysql.url;
        dropDatabase = mysql.drop;
      }
      first = start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: databaseUrl });
      base = `http://127.0.0.1:${await listeningPort(first)}`;
    });

    after(async () => {
      await Promise.all(children.map(stop));
      await dropDatabase?.();
    });

    it(`reports itself healthy on ${dialect}`, async () => {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ status: 'ok', db: dialect, database: 'up' });
      const sqlite = fs.readdirSync(dataDir).filter((f) => f.includes('sqlite'));
      expect(sqlite).to.deep.equal(dialect === 'sqlite' ? ['etender.sqlite', 'etender.sqlite-shm', 'etender.sqlite-wal'] : []);
    });

    it('prints the demo accounts once, and logs JSON lines otherwise', () => {
      const out = first.stdout();
      expect(out).to.include('Demo accounts');
      const accounts = demoAccounts(out);
      for (const [user, role] of [
        ['admin', 'admin'],
        ['operator', 'operator'],
        ['supervisor', 'supervisor'],
        ['auditor', 'auditor'],
        ['custodian', 'custodian'],
        ['bidder-a', 'bidder'],
      ] as const) {
        expect(accounts.get(user), `demo account ${user}`).to.include({ role });
      }
      adminPassword = accounts.get('admin')!.password;
      expect(adminPassword).to.have.length.greaterThanOrEqual(12);
      // The demo's time locks use a local beacon keyed on this host: the start log says the host is trusted.
      const warning = out.split('\n').find((l) => l.includes('"custody":"host-trusted"'));
      expect(warning, 'a host-trusted custody warning').to.match(/LOCAL beacon whose key is [^"]*beacon\.key/);
      // The password appears in the table and nowhere else (not in a log line).
      expect(out.split(adminPassword)).to.have.length(2);
      expect(first.stderr()).not.to.include(adminPassword);

      const lines = out.split('\n').filter((l) => l.startsWith('{'));
      expect(lines.length).to.be.greaterThan(0);
      for (const l of lines) expect(() => JSON.parse(l), l).not.to.throw();
      const msgs = lines.map((l) => JSON.parse(l).msg as string);
      expect(msgs).to.include(`database: ${dialect}`);
    });

    it("lists the portal's pages with the address it listens on, and the demo opening time in the centre's zone and in UTC", async () => {
      const out = first.stdout();
      for (const [label, path] of [
        ['home', '/'],
        ['sections', '/sections'],
        ['rate reports', '/reports'],
        ['sign in', '/login'],
      ]) {
        expect(out, label).to.match(new RegExp(`\\n  ${label} +${base.replace(/[.]/g, '\\.')}${path}(\\s|$)`));
      }
      expect(out).to.include(`archive ${base}/archive`);
      // The demo tender: its page and hall, and its opening at the same instant in Beijing time and in UTC.
      const m =
        /The demo tender (\S+) holds three sealed bids and opens by itself at\n {2}(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) \(UTC\+08:00\) in the centre's time zone \(Asia\/Shanghai\), (\S+) UTC\./.exec(
          out,
        );
      expect(m, out).to.not.equal(null);
      const [, id, day, time, utc] = m!;
      // The same instant, to the second (the zone line has no milliseconds).
      expect(Date.parse(`${day}T${time}+08:00`)).to.equal(Math.floor(Date.parse(utc!) / 1000) * 1000);
      expect(out).to.include(`its page          /sections/${id}\n`);
      expect(out).to.include(`its opening hall  /sections/${id}/hall\n`);
      for (const path of ['/', '/sections', '/archive', '/reports', '/login', `/sections/${id}`, `/sections/${id}/hall`]) {
        const page = await fetch(`${base}${path}`);
        expect(page.status, path).to.equal(200);
        expect(page.headers.get('content-type'), path).to.match(/^text\/html/);
      }
    });

    it('lets the demo admin log in with the printed password and start a session', async () => {
      expect(adminPassword, 'the password was parsed by the previous test').to.be.a('string');
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: adminPassword }),
      });
      expect(res.status, await res.clone().text()).to.equal(200);
      const cookies = res.headers.getSetCookie();
      const sid = cookies.find((c) => c.startsWith('etender.sid='));
      expect(sid, `Set-Cookie: ${cookies.join(' | ')}`).to.be.a('string');
      expect(sid!.toLowerCase()).to.include('httponly');

      const me = await fetch(`${base}/api/me`, { headers: { cookie: sid!.split(';')[0]! } });
      expect(me.status).to.equal(200);
      expect(JSON.stringify(await me.json())).to.include('"admin"');

      const wrong = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: `${adminPassword}x` }),
      });
      expect(wrong.status).to.equal(401);
      expect(wrong.headers.getSetCookie().filter((c) => c.startsWith('etender.sid='))).to.deep.equal([]);
    });

    it('lists the demo sections to anonymous callers, drafts excluded', async () => {
      const res = await fetch(`${base}/api/sections`);
      expect(res.status).to.equal(200);
      const { sections } = (await res.json()) as { sections: Array<{ state: string; centre: string }> };
      const states = sections.map((s) => s.state);
      // The demo's past-deadline section has no bids: the opening step fails it (fewer than 3 bids).
      expect(states).to.include.members(['bidding', 'failed', 'cancelled']);
      expect(states).not.to.include('draft');
      expect(new Set(sections.map((s) => s.centre))).to.deep.equal(new Set(['procurement', 'construction', 'land', 'property']));
    });

    it('serves the OpenAPI 3.1 description', async () => {
      const res = await fetch(`${base}/api/openapi.json`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).to.equal('3.1.0');
      expect(doc.paths).to.have.property('/api/sections');
    });

    it('on a second start with the same data, seeds nothing and prints no passwords', async () => {
      await stop(first);
      expect(await first.exited, `stderr: ${first.stderr()}`).to.equal(0);
      expect(first.stdout()).to.match(/"msg":"shutting down"/);

      const second = start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: databaseUrl });
      const port = await listeningPort(second);
      expect(second.stdout()).not.to.include('Demo accounts');
      expect(second.stdout()).not.to.include(adminPassword);
      expect(second.stdout()).not.to.match(/migrations applied/);

      // Same data: the password printed by the first start still works, and the sections are the same.
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: adminPassword }),
      });
      expect(login.status).to.equal(200);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).to.deep.equal({ status: 'ok', db: dialect, database: 'up' });
      await stop(second);
      expect(await second.exited, `stderr: ${second.stderr()}`).to.equal(0);
    });
  });

  describe('with an unusable DATABASE_URL', () => {
    function sqliteFiles(dir: string): string[] {
      return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.includes('sqlite')) : [];
    }

    it('exits non-zero when the MySQL server cannot be reached, without falling back to SQLite', async () => {
      const parent = tmpDir();
      tmpDirs.push(parent);
      const dataDir = path.join(parent, 'data');
      const s = start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: 'mysql://root@127.0.0.1:1/nope' });
      const code = await exitWithin(s, 15_000);
      expect(code, `stderr: ${s.stderr()}`).to.be.a('number').and.not.equal(0);
      expect(s.stderr()).to.include('cannot start');
      expect(s.stderr()).to.match(/mysql/i);
      expect(s.stderr()).to.include('127.0.0.1:1/nope');
      expect(s.stdout()).not.to.include('listening');
      expect(sqliteFiles(dataDir)).to.deep.equal([]);
      expect(sqliteFiles(parent)).to.deep.equal([]);
    });

    it('exits non-zero on a URL that is not mysql://, saying what it expects', async () => {
      const dataDir = tmpDir();
      tmpDirs.push(dataDir);
      const s = start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: 'postgres://x/y' });
      const code = await exitWithin(s, 15_000);
      expect(code, `stderr: ${s.stderr()}`).to.be.a('number').and.not.equal(0);
      expect(s.stderr()).to.include('cannot start');
      expect(s.stderr()).to.include('mysql://');
      expect(s.stdout()).not.to.include('listening');
      expect(sqliteFiles(dataDir)).to.deep.equal([]);
    });
  });
});
