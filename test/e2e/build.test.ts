// The build (`npm run build`) and the compiled server it makes, on plain node as in production:
// the build goes to a temporary directory whose node_modules holds only the packages a production
// install keeps (`npm prune --omit=dev` drops every package the lock file marks "dev", tsx and
// esbuild among them), so anything the compiled server tried to load from tsx or esbuild — the
// TypeScript loader, the PDF worker's source fallback, a bundle built at runtime — would fail.
// On the MySQL run (DATABASE_URL set) the server gets a fresh database of its own on that server.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { bundleFromSource, PAGE_SCRIPTS, type PageScript } from '../../server/pages/bundle';
import { createMysqlDatabase } from '../support/test-db';
import { listeningPort, ROOT, start, stop, type Started } from '../support/server-process';

function run(args: string[], cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** node_modules as a production install has it: a link to every package the lock file does not mark "dev". */
function productionModules(into: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const dropped: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = key.replace(/^node_modules\//, '');
    if (!key.startsWith('node_modules/') || name.includes('/node_modules/')) continue; // the root, or nested copies
    if (entry.dev) {
      dropped.push(name);
      continue;
    }
    const source = path.join(ROOT, 'node_modules', name);
    if (!fs.existsSync(source)) continue; // an optional package for another platform
    fs.mkdirSync(path.dirname(path.join(into, name)), { recursive: true });
    fs.symlinkSync(fs.realpathSync(source), path.join(into, name), 'dir');
  }
  return dropped;
}

describe('npm run build, then the compiled server on plain node', function () {
  this.timeout(120_000);
  const dialect = process.env.DATABASE_URL ? 'mysql' : 'sqlite';
  let tmp: string;
  let app: string;
  let server: Started | undefined;
  let base: string;
  let dropDatabase: (() => Promise<void>) | undefined;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-build-'));
    app = path.join(tmp, 'app');
    const built = await run([path.join(ROOT, 'server/build.mjs'), '--out', app], ROOT);
    expect(built.status, built.stderr).to.equal(0);
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json')); // "type": "module"
    const dropped = productionModules(path.join(app, 'node_modules'));
    expect(dropped).to.include.members(['tsx', 'esbuild', 'typescript', 'mocha']);

    let databaseUrl: string | undefined;
    if (process.env.DATABASE_URL) {
      const mysql = await createMysqlDatabase(process.env.DATABASE_URL);
      databaseUrl = mysql.url;
      dropDatabase = mysql.drop;
    }
    const dataDir = path.join(tmp, 'data');
    server = start({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: databaseUrl }, { build: app });
    base = `http://127.0.0.1:${await listeningPort(server)}`;
  });

  after(async () => {
    if (server) await stop(server);
    await dropDatabase?.();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('puts the server, the bin, the PDF worker beside its entry, the static files and the browser bundles in the build', () => {
    for (const f of ['main.js', 'cli.js', 'pdf-worker.mjs', 'pdf-worker.js', 'static/portal.css', 'static/hall.js', 'bundled/bid.js', 'bundled/receipt.js']) {
      expect(fs.existsSync(path.join(app, 'server', f)), f).to.equal(true);
    }
    expect(fs.readFileSync(path.join(app, 'server/cli.js'), 'utf8').split('\n')[0]).to.equal('#!/usr/bin/env node');
    expect(fs.statSync(path.join(app, 'server/cli.js')).mode & 0o111).to.not.equal(0);
  });

  it('runs where tsx and esbuild cannot be loaded', async () => {
    for (const pkg of ['tsx/esm/api', 'esbuild']) {
      const r = await run(['--input-type=module', '-e', `await import(${JSON.stringify(pkg)})`], app);
      expect(r.status, `${pkg} is not loadable from the build`).to.not.equal(0);
      expect(r.stderr).to.include('ERR_MODULE_NOT_FOUND');
    }
    const express = await run(['--input-type=module', '-e', 'await import("express")'], app);
    expect(express.status, express.stderr).to.equal(0);
  });

  it(`reports itself healthy on ${dialect}`, async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok', db: dialect, database: 'up' });
  });

  it('serves a portal page and its stylesheet', async () => {
    const page = await fetch(`${base}/?lang=en`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(await page.text()).to.include('/portal-static/portal.css');
    const css = await fetch(`${base}/portal-static/portal.css`);
    expect(css.status).to.equal(200);
    expect(await css.text()).to.equal(fs.readFileSync(path.join(ROOT, 'server/pages/static/portal.css'), 'utf8'));
  });

  for (const name of Object.keys(PAGE_SCRIPTS) as PageScript[]) {
    it(`serves /portal-static/${name}.js from the prebuilt bundle, the same bytes as the bundle made from source`, async () => {
      const res = await fetch(`${base}/portal-static/${name}.js`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/javascript/);
      const code = await res.text();
      expect(code).to.equal(fs.readFileSync(path.join(app, 'server/bundled', `${name}.js`), 'utf8'));
      expect(code).to.equal(await bundleFromSource(name));
      const etag = res.headers.get('etag')!;
      expect(etag).to.match(/^"[\w-]{27}"$/);
      const again = await fetch(`${base}/portal-static/${name}.js`, { headers: { 'if-none-match': etag } });
      expect(again.status).to.equal(304);
    });
  }

  it('renders a PDF record in its worker thread', async () => {
    const record = server!.stdout().match(/\/api\/sections\/\w+\/opening-record\.pdf/);
    expect(record, 'the demo prints the URL of an opening record PDF').to.not.equal(null);
    const res = await fetch(`${base}${record![0]}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/pdf/);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).to.equal('%PDF-');
    expect(server!.stderr()).to.equal('');
  });

  it('the compiled etender command runs on plain node', async () => {
    const r = await run([path.join(app, 'server/cli.js'), '--help'], app);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('Usage: etender <command>');
  });
});
