// The "done when": against a real `npm start` (demo data, its own database), the bidder
// walkthrough — key, certificate, seal, submit, verify, replace, verify, audit verify — passes
// through the real `etender` command, and the sealed files open with the standard `age` tool.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createMysqlDatabase } from '../support/test-db';
import { ROOT, children, demoAccounts, listeningPort, start, stop, type Started } from '../support/server-process';

describe('walkthrough: a bidder seals, submits, replaces and verifies against npm start', function () {
  this.timeout(180_000);
  let server: Started;
  let base: string;
  let dataDir: string;
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-walk-'));
    let url: string | undefined;
    if (process.env.DATABASE_URL) {
      const db = await createMysqlDatabase(process.env.DATABASE_URL);
      url = db.url;
      drop = db.drop;
    }
    server = start({ DATA_DIR: dataDir, CERTS_DIR: path.join(dataDir, 'certs'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: url });
    base = `http://127.0.0.1:${await listeningPort(server)}`;
  });

  after(async () => {
    await Promise.all(children.splice(0).map(stop));
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 0 with every step checked', () => {
    const accounts = demoAccounts(server.stdout());
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'server/walkthrough.ts'),
        '--url',
        base,
        '--username',
        'bidder-a',
        `--password=${accounts.get('bidder-a')!.password}`,
        '--auditor-username',
        'auditor',
        `--auditor-password=${accounts.get('auditor')!.password}`,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 150_000 },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
    expect(r.stdout).to.contain('Walkthrough passed');
    expect(r.stdout).to.not.contain('FAIL');
    for (const step of ['etender seal (first bid)', 'etender submit (replacement)', 'etender verify-receipt (replacement)', 'the replacement supersedes the first bid', 'etender audit verify']) {
      expect(r.stdout).to.match(new RegExp(`^ok\\s+${step.replace(/[()]/g, '\\$&')}`, 'm'));
    }
  });

  it('fails (exit 1) when a step cannot check out: wrong password', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/walkthrough.ts'), '--url', base, '--username', 'bidder-a', '--password', 'not-the-password'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/^FAIL\s+log in as bidder-a/m);
  });
});
