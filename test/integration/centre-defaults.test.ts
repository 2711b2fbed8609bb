// The centres' default settings live twice: as the snapshot migration 0008 wrote into every
// database (so that the migration means the same forever) and as DEFAULT_CENTRES in centre-rules.ts,
// which the rule tests use. They must agree, or the tests check rules the platform does not run.
import { expect } from 'chai';
import { DEFAULT_CENTRES, type CentreCode } from '../../modules/centres/centre-rules';
import { createTestApp, type TestApp } from '../support/test-app';

describe("the centres' default settings", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('are the same in a freshly migrated database as in DEFAULT_CENTRES', async () => {
    for (const code of Object.keys(DEFAULT_CENTRES) as CentreCode[]) {
      const rules = await t.services.centres.rules(code);
      expect(rules.settings, code).to.deep.equal(DEFAULT_CENTRES[code].settings);
      const row = await t.tdb.db.knex('centres').where({ code }).first();
      expect({ nameZh: row.name_zh, nameEn: row.name_en }, code).to.deep.equal({ nameZh: DEFAULT_CENTRES[code].nameZh, nameEn: DEFAULT_CENTRES[code].nameEn });
    }
  });
});
