// For commands that run next to the server's database (set-up and administration).
import { openDatabase, type Database } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { systemClock } from '../../modules/core/clock';
import { buildServices, type Services } from '../app';
import { loadConfig, type Config } from '../config';

export async function withServices<T>(work: (s: Services, ctx: { db: Database; config: Config }) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateLatest(db.knex);
    return await work(buildServices({ config, db, clock: systemClock }), { db, config });
  } finally {
    await db.close();
  }
}
