// A dossier never hides a fault as "no bids": only "the record is not out yet" means an empty bid
// list; a database that fails under the dossier answers 500, not a dossier without the bids.
import { expect } from 'chai';
import { approvedBidder, bidAndOpen, publishedSection, type Bidder } from '../support/bidding';
import { createTestApp, type TestApp } from '../support/test-app';

describe('records: a database fault under the dossier is not an empty section', function () {
  this.timeout(120_000);
  let t: TestApp;
  const bidders: Bidder[] = [];
  before(async () => {
    t = await createTestApp();
    for (const name of ['甲公司', '乙公司', '丙公司']) bidders.push(await approvedBidder(t, name, 'dossierfault'));
  });
  after(async () => t.close());

  it('before the opening the dossier lists no bids (the record is not public yet)', async () => {
    const section = await publishedSection(t);
    const res = await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier`);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.bids).to.deep.equal([]);
  });

  it('after the opening, with the opening table unreadable, the dossier answers 500 instead of a dossier without bids', async () => {
    const section = await publishedSection(t);
    await bidAndOpen(
      t,
      section,
      bidders.map((b, i) => [b, `${900000 + i}.00`] as [Bidder, string]),
    );
    const ok = await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier`);
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.body.bids).to.have.length(3);

    await t.tdb.db.knex.schema.renameTable('opening_runs', 'opening_runs_away');
    try {
      const res = await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier`);
      expect(res.status, res.text).to.equal(500);
      expect(res.text).not.to.match(/"bids":\[\]/);
    } finally {
      await t.tdb.db.knex.schema.renameTable('opening_runs_away', 'opening_runs');
    }
    expect((await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier`)).body.bids).to.have.length(3);
  });
});
