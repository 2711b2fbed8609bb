// Benchmark (not in npm test): "Verify the log in this browser" (/audit/verify) over a log of
// BENCH_AUDIT_ENTRIES entries (100,000 by default) in headless Chromium. The log is filled through
// the real audit service (transactions of 10,000 appends, entries of a realistic size with digests
// in their data) with a signed checkpoint after every 10,000; then an auditor signs in, clicks the
// button and the page's own timer (performance.now() around verifyLog: fetching every page of
// entries, hashing every leaf and node with WebCrypto, recomputing each checkpoint root, checking
// each signature and consistency proof) is read back, with the wall time seen from outside.
//
//   npx tsx test/bench/browser-audit-verify.ts          (BENCH_AUDIT_ENTRIES=200000 for more)
//
// A temporary SQLite database (test/support/test-db.ts; DATABASE_URL picks another), removed at the end.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { withTransaction } from '../../db/transactions';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { createTestApp } from '../support/test-app';

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 100_000);
const FILL_BATCH = 10_000;
const CHECKPOINT_EVERY = 10_000;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main(): Promise<void> {
  const t = await createTestApp();
  const filled = performance.now();
  const have = await t.services.audit.size();
  for (let at = have; at < ENTRIES; ) {
    const n = Math.min(FILL_BATCH, ENTRIES - at, CHECKPOINT_EVERY - (at % CHECKPOINT_EVERY));
    await withTransaction(t.tdb.db.knex, async (trx) => {
      const log = t.services.audit.on({ db: trx });
      for (let i = 0; i < n; i++) {
        await log.append(SYSTEM_CONTEXT, {
          action: 'record.downloaded',
          objectType: 'record',
          objectId: crypto.randomUUID(),
          data: { kind: 'dossier', format: 'pdf', section: `bench-${(at + i) % 97}`, sha256: crypto.randomBytes(32).toString('hex'), n: at + i },
        });
      }
    });
    at += n;
    if (at % CHECKPOINT_EVERY === 0 || at === ENTRIES) await t.services.audit.checkpoint();
    process.stderr.write(`\r  filled ${at.toLocaleString('en-US')} of ${ENTRIES.toLocaleString('en-US')} entries`);
  }
  process.stderr.write(`\n  fill took ${((performance.now() - filled) / 1000).toFixed(1)} s\n`);
  const newest = await t.services.audit.publishedCheckpoint();

  const server = http.createServer((req, res) => t.app(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(600_000);
    await page.goto(`${base}/login?next=%2Faudit%2Fverify`);
    await page.fill('#f-username', t.users.auditor.username);
    await page.fill('#f-password', t.users.auditor.password);
    await page.locator('#login-button').click();
    await page.waitForURL(/\/audit\/verify/);
    const started = performance.now();
    await page.locator('#verify-button').click();
    await page.locator('#verify-result[data-result]').waitFor();
    const wall = performance.now() - started;
    const root = page.locator('#log-verifier');
    const result = await page.locator('#verify-result').getAttribute('data-result');
    const read = async (name: string) => Number(await root.getAttribute(`data-${name}`));
    const ms = await read('ms');
    const line = {
      entries: await read('entries'),
      checkpoints: await read('roots'),
      signatures: await read('signatures'),
      consistencyProofs: await read('consistency'),
      result,
      pageMs: Math.round(ms),
      wallMs: Math.round(wall),
      entriesPerSecond: Math.round((newest.size / ms) * 1000),
    };
    console.log(JSON.stringify(line));
    console.log(
      `browser audit verify: ${line.entries.toLocaleString('en-US')} entries, ${line.checkpoints} checkpoint roots, ${line.signatures} signatures, ${line.consistencyProofs} consistency proofs: ${result} in ${(ms / 1000).toFixed(2)} s in the page (${(wall / 1000).toFixed(2)} s seen from outside), ${line.entriesPerSecond.toLocaleString('en-US')} entries/s`,
    );
    if (result !== 'ok' || line.entries !== newest.size) process.exitCode = 1;
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
