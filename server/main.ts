// `npm start`: open the database (SQLite by default, MySQL/MariaDB with DATABASE_URL), migrate,
// seed the demo outside production, then serve and run the scheduler.
import http from 'node:http';
import { DatabaseConfigError, openDatabase } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { seedDemo } from './demo/seed-demo';
import { prepareDemoPlatformKeys } from './demo/seed-demo-history';
import { systemClock } from '../modules/core/clock';
import { tightenTree } from '../modules/core/private-files';
import { buildServices, createApp } from './app';
import { ConfigError, loadConfig, sessionSecret } from './config';
import { checkCustodyTrust, custodyTrust } from './custody-trust';
import { createLogger } from './logger';
import { Scheduler } from './scheduler';

/** The portal's pages, for a person to open after `npm start` (the API is at /api, described at /api/openapi.json). */
function portalPages(base: string): string {
  const at = (path: string) => `${base.replace(/\/$/, '')}${path}`;
  return [
    '',
    'Portal pages (add ?lang=en for English):',
    `  home          ${at('/')}`,
    `  sections      ${at('/sections')}   archive ${at('/archive')}`,
    `  rate reports  ${at('/reports')}`,
    `  sign in       ${at('/login')}`,
    `  API           ${at('/api/openapi.json')}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // Whatever the platform writes (database, blobs, keys, temporary uploads) is for its own user only;
  // files and directories left readable by others by an older version are tightened too.
  process.umask(0o077);
  const tightened = tightenTree(config.dataDir) + tightenTree(config.certsDir);
  if (tightened) log.warn({ entries: tightened }, 'files and directories under DATA_DIR and CERTS_DIR were readable by others; they are now 0600 and 0700');
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

  const server = http.createServer(
    {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      // How often Node looks for requests past those timeouts (30 s by default, too coarse for short ones).
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(config.headersTimeoutMs / 4))),
    },
    app,
  );
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const everywhere = config.host === '0.0.0.0' || config.host === '::';
    const shown = everywhere ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    log.info({ port, host: config.host, database: db.dialect }, `etender listening on http://${shown}:${port}${everywhere ? ' (and every other interface)' : ''} (database: ${db.label})`);
    process.stdout.write(portalPages(config.publicUrl ?? `http://${shown}:${port}`));
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
