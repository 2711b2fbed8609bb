// A stand-alone scheduler process for the multi-process scheduler test: it opens the given
// database, builds the services with a manual clock fixed at --now, runs advanceDue() a few times
// and prints what it moved as one JSON line, then closes the database.
//
//   node --import tsx test/support/scheduler-worker.ts --data-dir DIR --now MS [--url URL] [--rounds N] [--wait-for-go]
//
// --url is the DATABASE_URL (empty: the SQLite file DIR/etender.sqlite); when an option is
// absent, DATABASE_URL, DATA_DIR and SCHEDULER_NOW from the environment are used. With
// --wait-for-go the worker prints "ready" once its database is open and waits for a line on stdin
// before it starts, so that a test can release several workers at the same instant.
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/connection';
import { ManualClock } from '../../modules/core/clock';
import { buildServices } from '../../server/app';
import { loadConfig } from '../../server/config';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'data-dir': { type: 'string' },
      now: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      'wait-for-go': { type: 'boolean', default: false },
    },
  });
  const dataDir = values['data-dir'] ?? process.env.DATA_DIR;
  const now = Number(values.now ?? process.env.SCHEDULER_NOW);
  const rounds = Number(values.rounds);
  if (!dataDir || !Number.isSafeInteger(now) || !Number.isSafeInteger(rounds) || rounds < 1) {
    throw new Error('usage: scheduler-worker --data-dir DIR --now MS [--url URL] [--rounds N] [--wait-for-go]');
  }
  const url = (values.url ?? process.env.DATABASE_URL ?? '').trim() || undefined;
  const config = loadConfig({ DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}) });
  const db = await openDatabase({ url, dataDir });
  try {
    const { lifecycle } = buildServices({ config, db, clock: new ManualClock(now) });
    if (values['wait-for-go']) {
      process.stdout.write('ready\n');
      const rl = readline.createInterface({ input: process.stdin });
      await new Promise<void>((resolve, reject) => {
        rl.once('line', () => resolve());
        rl.once('close', () => reject(new Error('stdin closed before "go"')));
      });
      rl.close();
    }
    const moved: Array<{ id: string; from: string; to: string }> = [];
    for (let i = 0; i < rounds; i++) moved.push(...(await lifecycle.advanceDue()));
    process.stdout.write(`${JSON.stringify({ pid: process.pid, moved })}\n`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  process.stderr.write(`scheduler-worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
