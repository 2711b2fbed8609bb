// Runs the migrations in order from an explicit list (no directory scanning), so the same code
// works under tsx, in tests and in the CLI, on SQLite and MySQL alike.
import type { Knex } from 'knex';
import * as m0001 from './migrations/20261126_0001_organisations';
import * as m0002 from './migrations/20261126_0002_accounts';
import * as m0003 from './migrations/20261126_0003_centres';
import * as m0004 from './migrations/20261126_0004_tenders';
import * as m0005 from './migrations/20261126_0005_audit-log';
import * as m0006 from './migrations/20261126_0006_audit-head-row';
import * as m0007 from './migrations/20261126_0007_audit-append-only';
import * as m0008 from './migrations/20261126_0008_default-centres';
import * as m0009 from './migrations/20261126_0009_audit-merkle';
import * as m0010 from './migrations/20261126_0010_audit-merkle-backfill';
import * as m0011 from './migrations/20261126_0011_certificates';
import * as m0012 from './migrations/20261126_0012_opening-keys';
import * as m0013 from './migrations/20261126_0013_bids';
import * as m0014 from './migrations/20261126_0014_certificate-issuer';
import * as m0015 from './migrations/20261126_0015_awards';
import * as m0016 from './migrations/20261126_0016_imported-results';
import * as m0017 from './migrations/20261126_0017_opening';
import * as m0018 from './migrations/20261126_0018_evaluation';
import * as m0019 from './migrations/20261201_0019_opening-keys-vss';
import * as m0020 from './migrations/20261201_0020_share-confirmations';
import * as m0021 from './migrations/20261201_0021_log-promises';
import * as m0022a from './migrations/20261201_0022_a_usernames-normalised';
import * as m0022b from './migrations/20261201_0022_b_usernames-binary-collation';
import * as m0023a from './migrations/20261201_0023_a_record-pdfs';
import * as m0023b from './migrations/20261201_0023_b_record-downloads';
import * as m0024 from './migrations/20261201_0024_evaluation-exclusions';
import * as m0025 from './migrations/20261201_0025_sections-browse-indexes';
import * as m0026 from './migrations/20261201_0026_report-indexes';
import * as m0027 from './migrations/20261201_0027_section-lifecycle-indexes';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATIONS: Array<[string, Migration]> = [
  ['20261126_0001_organisations', m0001],
  ['20261126_0002_accounts', m0002],
  ['20261126_0003_centres', m0003],
  ['20261126_0004_tenders', m0004],
  ['20261126_0005_audit-log', m0005],
  ['20261126_0006_audit-head-row', m0006],
  ['20261126_0007_audit-append-only', m0007],
  ['20261126_0008_default-centres', m0008],
  ['20261126_0009_audit-merkle', m0009],
  ['20261126_0010_audit-merkle-backfill', m0010],
  ['20261126_0011_certificates', m0011],
  ['20261126_0012_opening-keys', m0012],
  ['20261126_0013_bids', m0013],
  ['20261126_0014_certificate-issuer', m0014],
  ['20261126_0015_awards', m0015],
  ['20261126_0016_imported-results', m0016],
  ['20261126_0017_opening', m0017],
  ['20261126_0018_evaluation', m0018],
  ['20261201_0019_opening-keys-vss', m0019],
  ['20261201_0020_share-confirmations', m0020],
  ['20261201_0021_log-promises', m0021],
  ['20261201_0022_a_usernames-normalised', m0022a],
  ['20261201_0022_b_usernames-binary-collation', m0022b],
  ['20261201_0023_a_record-pdfs', m0023a],
  ['20261201_0023_b_record-downloads', m0023b],
  ['20261201_0024_evaluation-exclusions', m0024],
  ['20261201_0025_sections-browse-indexes', m0025],
  ['20261201_0026_report-indexes', m0026],
  ['20261201_0027_section-lifecycle-indexes', m0027],
];

const source: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

/** Runs the migrations up to and including `last` (tests of a later migration on older data). */
export async function migrateUpTo(knex: Knex, last: string): Promise<void> {
  const end = MIGRATIONS.findIndex(([name]) => name === last);
  if (end < 0) throw new Error(`no migration named ${last}`);
  const subset = MIGRATIONS.slice(0, end + 1);
  await knex.migrate.latest({ migrationSource: { ...source, getMigrations: async () => subset } });
}

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, names] = await knex.migrate.latest({ migrationSource: source });
  return names as string[];
}
