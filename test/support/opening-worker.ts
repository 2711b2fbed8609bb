// A stand-alone opening process for the crash test: opens the given database with a manual clock
// fixed at --now, runs the scheduler step and the opening step, and — the point of it — exits with
// code 1 right after the --crash-after'th bid result is stored, as a process killed mid-opening would.
//
//   node --import tsx test/support/opening-worker.ts --data-dir DIR --certs-dir DIR --now MS [--url URL] [--crash-after N]
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/connection';
import { ManualClock } from '../../modules/core/clock';
import { createOpeningService } from '../../modules/opening/opening-service';
import { buildServices } from '../../server/app';
import { loadConfig } from '../../server/config';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, 'data-dir': { type: 'string' }, 'certs-dir': { type: 'string' }, now: { type: 'string' }, 'crash-after': { type: 'string' } },
  });
  const dataDir = values['data-dir']!;
  const now = Number(values.now);
  const crashAfter = values['crash-after'] ? Number(values['crash-after']) : null;
  const url = (values.url ?? '').trim() || undefined;
  const config = { ...loadConfig({ DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}) }), certsDir: values['certs-dir']! };
  const db = await openDatabase({ url, dataDir });
  try {
    const s = buildServices({ config, db, clock: new ManualClock(now) });
    const opening = createOpeningService({
      knex: db.knex,
      clock: new ManualClock(now),
      audit: s.audit,
      inTransaction: s.inTransaction,
      sections: s.sectionFacts,
      lifecycle: s.lifecycle,
      bids: s.bids,
      custody: s.custody,
      centres: s.centres,
      orgs: s.orgFacts,
      pki: s.pki,
      accounts: s.accounts,
      blobs: s.blobs,
      afterBid: (stored) => {
        if (crashAfter !== null && stored >= crashAfter) process.exit(1);
      },
    });
    await s.lifecycle.advanceDue();
    const out = await opening.openDue();
    process.stdout.write(`${JSON.stringify({ pid: process.pid, out })}\n`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  process.stderr.write(`opening-worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(2);
});
