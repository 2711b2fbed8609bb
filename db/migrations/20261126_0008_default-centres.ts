import type { Knex } from 'knex';
import { DEFAULT_CENTRES } from '../../modules/centres/centre-rules';

// The four centres exist in every installation, demo or not; their settings can be changed later.
export async function up(knex: Knex): Promise<void> {
  const now = Date.now();
  for (const [code, centre] of Object.entries(DEFAULT_CENTRES)) {
    await knex('centres').insert({
      code,
      name_zh: centre.nameZh,
      name_en: centre.nameEn,
      settings: JSON.stringify(centre.settings),
      updated_at: now,
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex('centres').whereIn('code', Object.keys(DEFAULT_CENTRES)).delete();
}
