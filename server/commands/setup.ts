// Server-side set-up: schema, demo data, staff accounts and API tokens.
import { openDatabase } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { seedDemo } from '../demo/seed-demo';
import { prepareDemoPlatformKeys } from '../demo/seed-demo-history';
import { generatePassword } from '../../modules/accounts/passwords';
import { systemClock } from '../../modules/core/clock';
import { ROLES, SYSTEM_CONTEXT, type Role } from '../../modules/core/context';
import { CENTRE_CODES } from '../../modules/centres/centre-rules';
import { buildServices } from '../app';
import { loadConfig } from '../config';
import { UsageError, type CliCommand } from './command';
import { withServices } from './server-context';

const STAFF_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'bidder');

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'bring the database schema up to date',
  help: `etender migrate — bring the database schema up to date

Example:
  DATABASE_URL=mysql://etender:secret@db:3306/etender etender migrate`,
  options: {},
  async run() {
    const config = loadConfig();
    const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    try {
      const ran = await migrateLatest(db.knex);
      process.stdout.write(ran.length ? `Applied ${ran.length} migration(s) on ${db.label}:\n  ${ran.join('\n  ')}\n` : `${db.label} is up to date.\n`);
    } finally {
      await db.close();
    }
  },
};

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'seed the demo data into an empty database and print the demo accounts',
  help: `etender demo — seed the demo data (only into a database without accounts)

Example:
  DATA_DIR=./data etender demo`,
  options: {},
  async run() {
    const config = loadConfig();
    const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrateLatest(db.knex);
      // Before any service loads the platform keys: a fresh demo dates its CA back (see seed-demo-history.ts).
      await prepareDemoPlatformKeys({ ...config, demo: true }, db, systemClock.now());
      const s = buildServices({ config, db, clock: systemClock });
      const printed = await seedDemo(s, systemClock, { db, config, buildServices });
      process.stdout.write(printed ?? 'The database already has accounts; the demo is only seeded into an empty database.\n');
    } finally {
      await db.close();
    }
  },
};

export const userCreateCommand: CliCommand = {
  name: 'user create',
  summary: 'create a staff account',
  help: `etender user create — create a staff account; the password is generated and printed once

Options:
  --username NAME        login name (3–64 letters, digits, "_", ".", "-")
  --role ROLE            one of: ${STAFF_ROLES.join(', ')}
  --name "DISPLAY NAME"  the person's name (default: the username)
  --centres a,b          operators only: ${CENTRE_CODES.join(', ')}

Example:
  etender user create --username li.wei --role operator --centres land,property --name "李伟"`,
  options: { username: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, centres: { type: 'string' } },
  async run(values) {
    const username = values.username as string | undefined;
    if (!username) throw new UsageError('--username is required. Example: etender user create --username li.wei --role operator --centres land');
    const role = values.role as Role | undefined;
    if (!role || !STAFF_ROLES.includes(role)) throw new UsageError(`--role must be one of ${STAFF_ROLES.join(', ')}.`);
    const centres = values.centres
      ? String(values.centres)
          .split(',')
          .map((c) => c.trim())
      : undefined;
    for (const c of centres ?? []) if (!(CENTRE_CODES as readonly string[]).includes(c)) throw new UsageError(`unknown centre "${c}"; use ${CENTRE_CODES.join(', ')}.`);
    const password = generatePassword();
    const user = await withServices((s) =>
      s.accounts.createStaffUser(SYSTEM_CONTEXT, { username, displayName: (values.name as string | undefined) ?? username, role, password, centres }, { system: true }),
    );
    process.stdout.write(`Created ${role} "${user.username}". Password (shown only now): ${password}\n`);
  },
};

export const tokenCreateCommand: CliCommand = {
  name: 'token create',
  summary: 'issue an API token for an account (printed once)',
  help: `etender token create — issue an API token for an account; shown once, only its hash is stored

Options:
  --user NAME        the account's username
  --name LABEL       what the token is for (default: cli)
  --days N           expire after N days (default: never)

Example:
  etender token create --user admin --name "nightly report" --days 30`,
  options: { user: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' } },
  async run(values) {
    const user = values.user as string | undefined;
    if (!user) throw new UsageError('--user is required. Example: etender token create --user admin --name cli');
    const days = values.days === undefined ? undefined : Number(values.days);
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new UsageError('--days must be a whole number from 1 to 3650.');
    const token = await withServices((s) => s.accounts.createTokenForUsername(user, (values.name as string | undefined) ?? 'cli', days));
    process.stdout.write(`${token.token}\n`);
  },
};
