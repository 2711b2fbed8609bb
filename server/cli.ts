// The `etender` command. This part: server-side set-up (migrate, demo, accounts, tokens).
// Bidder, custodian and auditor tools join it as their capabilities land.
import { parseArgs } from 'node:util';
import { DatabaseConfigError, openDatabase } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { seedDemo } from '../db/seed-demo';
import { generatePassword } from '../modules/accounts/passwords';
import { systemClock } from '../modules/core/clock';
import { ROLES, SYSTEM_CONTEXT, type Role } from '../modules/core/context';
import { AppError } from '../modules/core/errors';
import { CENTRE_CODES } from '../modules/centres/centre-rules';
import { buildServices } from './app';
import { ConfigError, loadConfig } from './config';

const HELP: Record<string, string> = {
  '': `etender — command line for the etender platform

Usage: etender <command> [options]

Commands:
  migrate        bring the database schema up to date
  demo           seed the demo data into an empty database and print the demo accounts
  user create    create a staff account
  token create   issue an API token for an account (printed once)

The database is the one the server uses: DATABASE_URL (mysql://…) or the SQLite file in DATA_DIR
(default ./data). Run "etender <command> --help" for the options of a command.`,
  migrate: `etender migrate — bring the database schema up to date

Example:
  DATABASE_URL=mysql://etender:secret@db:3306/etender etender migrate`,
  demo: `etender demo — seed the demo data (only into a database without accounts)

Example:
  DATA_DIR=./data etender demo`,
  'user create': `etender user create — create a staff account; the password is generated and printed once

Options:
  --username NAME        login name (3–64 letters, digits, "_", ".", "-")
  --role ROLE            one of: ${ROLES.filter((r) => r !== 'bidder').join(', ')}
  --name "DISPLAY NAME"  the person's name (default: the username)
  --centres a,b          operators only: ${CENTRE_CODES.join(', ')}

Example:
  etender user create --username li.wei --role operator --centres land,property --name "李伟"`,
  'token create': `etender token create — issue an API token for an account; shown once, only its hash is stored

Options:
  --user NAME        the account's username
  --name LABEL       what the token is for (default: cli)
  --days N           expire after N days (default: never)

Example:
  etender token create --user admin --name "nightly report" --days 30`,
};

function fail(message: string): never {
  process.stderr.write(`etender: ${message}\n`);
  process.exit(2);
}

async function withServices<T>(work: (s: ReturnType<typeof buildServices>, ctx: { db: Awaited<ReturnType<typeof openDatabase>>; config: ReturnType<typeof loadConfig> }) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateLatest(db.knex);
    return await work(buildServices({ config, db, clock: systemClock }), { db, config });
  } finally {
    await db.close();
  }
}

export async function run(argv: string[]): Promise<void> {
  const command = argv[0] && !argv[0].startsWith('-') ? (['user', 'token'].includes(argv[0]) ? `${argv[0]} ${argv[1] ?? ''}`.trim() : argv[0]) : '';
  const rest = argv.slice(command.split(' ').filter(Boolean).length);
  if (!(command in HELP)) fail(`unknown command "${command}". Run "etender --help".`);
  const { values } = parseArgs({
    args: rest,
    options: {
      help: { type: 'boolean', short: 'h' },
      username: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      centres: { type: 'string' },
      user: { type: 'string' },
      days: { type: 'string' },
    },
    strict: true,
  });
  if (values.help || command === '') {
    process.stdout.write(`${HELP[command]}\n`);
    return;
  }
  switch (command) {
    case 'migrate': {
      const config = loadConfig();
      const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      const ran = await migrateLatest(db.knex);
      await db.close();
      process.stdout.write(ran.length ? `Applied ${ran.length} migration(s) on ${db.label}:\n  ${ran.join('\n  ')}\n` : `${db.label} is up to date.\n`);
      return;
    }
    case 'demo': {
      await withServices(async (s, { db, config }) => {
        const printed = await seedDemo(s, systemClock, { db, config, buildServices });
        process.stdout.write(printed ?? 'The database already has accounts; the demo is only seeded into an empty database.\n');
      });
      return;
    }
    case 'user create': {
      if (!values.username) fail('--username is required. Example: etender user create --username li.wei --role operator --centres land');
      const role = values.role as Role | undefined;
      if (!role || !ROLES.includes(role) || role === 'bidder') fail(`--role must be one of ${ROLES.filter((r) => r !== 'bidder').join(', ')}.`);
      const centres = values.centres ? values.centres.split(',').map((c) => c.trim()) : undefined;
      for (const c of centres ?? []) if (!(CENTRE_CODES as readonly string[]).includes(c)) fail(`unknown centre "${c}"; use ${CENTRE_CODES.join(', ')}.`);
      const password = generatePassword();
      await withServices(async (s) => {
        await s.accounts.createStaffUser(SYSTEM_CONTEXT, { username: values.username!, displayName: values.name ?? values.username!, role, password, centres }, { system: true });
      });
      process.stdout.write(`Created ${role} "${values.username}". Password (shown only now): ${password}\n`);
      return;
    }
    case 'token create': {
      if (!values.user) fail('--user is required. Example: etender token create --user admin --name cli');
      const days = values.days === undefined ? undefined : Number(values.days);
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) fail('--days must be a whole number from 1 to 3650.');
      const token = await withServices((s) => s.accounts.createTokenForUsername(values.user!, values.name ?? 'cli', days));
      process.stdout.write(`${token.token}\n`);
      return;
    }
  }
}

run(process.argv.slice(2)).catch((err) => {
  if (err instanceof AppError || err instanceof ConfigError || err instanceof DatabaseConfigError) fail(err.message);
  if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) fail(`${(err as Error).message}. Run "etender --help".`);
  process.stderr.write(`etender: unexpected error: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
