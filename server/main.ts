// `npm start`: open the database (SQLite by default, MySQL/MariaDB with DATABASE_URL), migrate,
// seed the demo outside production, then serve and run the scheduler.
import { DatabaseConfigError, openDatabase } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { seedDemo } from '../db/seed-demo';
import { prepareDemoPlatformKeys } from '../db/seed-demo-history';
import { systemClock } from '../modules/core/clock';
import { buildServices, createApp } from './app';
import { ConfigError, loadConfig, sessionSecret } from './config';
import { checkCustodyTrust, custodyTrust } from './custody-trust';
import { createLogger } from './logger';
import { Scheduler } from './scheduler';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  log.info({ database: db.label }, `database: ${db.dialect}`);
  const ran = await migrateLatest(db.knex);
  if (ran.length) log.info({ migrations: ran }, 'migrations applied');

  // A fresh demo gets a platform CA dated back far enough for its replayed history (not in production).
  if (config.demo) await prepareDemoPlatformKeys(config, db, systemClock.now());
  const { app, services } = createApp({ config, db, clock: systemClock, log, sessionSecret: sessionSecret(config) });
  // Before anything is seeded or served: production refuses custody that trusts the host.
  const warning = checkCustodyTrust(config, await custodyTrust(config, services.centres));
  if (warning) log.warn({ custody: 'host-trusted' }, warning);
  else if (config.timeLockBeacon === 'drand') log.info({ beacon: config.drandUrls }, 'opening keys are time-locked to drand: nobody can open a bid before its deadline');
  if (config.demo) {
    const printed = await seedDemo(services, systemClock, { db, config, buildServices });
    if (printed) process.stdout.write(printed);
  }
  const scheduler = new Scheduler(services, log, config.schedulerIntervalMs);

  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info({ port, database: db.dialect }, `etender listening on http://127.0.0.1:${port} (database: ${db.label})`);
    scheduler.start();
  });

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close();
    await scheduler.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DatabaseConfigError) {
    process.stderr.write(`etender cannot start: ${err.message}\n`);
  } else {
    process.stderr.write(`etender failed to start: ${(err as Error).stack ?? err}\n`);
  }
  process.exit(1);
});
