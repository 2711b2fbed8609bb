// The report's lifecycle counts (published, opened, failed), counted in SQL per centre: a section
// counts in the period when its instant has a date from..to in its centre's time zone, so the
// instants one millisecond either side of the local midnights decide. Sections written with knex
// (test/support/seed-sections.ts), then moved onto those edges; the expected counts are worked out
// here from each row's local date. On a real database (SQLite, or MariaDB with DATABASE_URL).
import { expect } from 'chai';
import { localDate } from '../../modules/centres/calendar';
import { createTestApp, type TestApp } from '../support/test-app';
import { seedSections } from '../support/seed-sections';

const FROM = '2026-03-01';
const TO = '2026-03-31';
// Every centre reports in Beijing time (UTC+8): the period runs from 2026-02-28T16:00Z to 2026-03-31T16:00Z.
const LO = Date.parse('2026-03-01T00:00:00+08:00');
const HI = Date.parse('2026-04-01T00:00:00+08:00');
const EDGES = [LO - 1, LO, HI - 1, HI, LO + 86_400_000];
const STATES = ['published', 'opened', 'awarded', 'failed', 'evaluating', 'cancelled', 'failed'];
const OPENED_OR_LATER = ['opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived'];

describe('reports: lifecycle counts in SQL, per centre, at the edges of the period', () => {
  let t: TestApp;
  const expected = new Map<string, { published: number; opened: number; failed: number }>();
  const inPeriod = (ms: number) => localDate(ms, 'Asia/Shanghai') >= FROM && localDate(ms, 'Asia/Shanghai') <= TO;

  before(async () => {
    t = await createTestApp();
    await seedSections(t, 140);
    const knex = t.tdb.db.knex;
    const rows = await knex('sections').select('id', 'centre_code').whereNotNull('published_at').orderBy('code');
    expect(rows).to.have.length(140);
    for (const [j, r] of rows.entries()) {
      const centre = String(r.centre_code);
      const state = STATES[j % STATES.length]!;
      const published = EDGES[j % EDGES.length]!;
      const deadline = EDGES[(j + 1) % EDGES.length]!;
      const updated = EDGES[(j + 3) % EDGES.length]!;
      await knex('sections').where('id', r.id).update({ state, published_at: published, bid_deadline_at: deadline, updated_at: updated });
      const e = expected.get(centre) ?? { published: 0, opened: 0, failed: 0 };
      if (inPeriod(published)) e.published++;
      if (OPENED_OR_LATER.includes(state) && inPeriod(deadline)) e.opened++;
      if (state === 'failed' && inPeriod(updated)) e.failed++;
      expected.set(centre, e);
    }
  });
  after(async () => t.close());

  it('counts each centre as its rows say, and the combined counts are their sums', async () => {
    const res = await t.req().get(`/api/reports/rates?from=${FROM}&to=${TO}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const total = { published: 0, opened: 0, failed: 0 };
    expect(expected.size).to.equal(4);
    for (const [centre, e] of expected) {
      const got = res.body.centres.find((c: { centre: string }) => c.centre === centre);
      expect(got.counts, centre).to.deep.equal({ ...e, awarded: 0, imported: 0 });
      // Not every row counts: the edges outside the period must be left out.
      expect(e.published, centre).to.be.above(0).and.below(35);
      total.published += e.published;
      total.opened += e.opened;
      total.failed += e.failed;
    }
    expect(total.opened).to.be.above(0);
    expect(total.failed).to.be.above(0);
    expect(res.body.counts).to.deep.equal({ ...total, awarded: 0, imported: 0 });
  });

  it('one centre alone gets the same counts as in the combined report', async () => {
    const res = await t.req().get(`/api/reports/rates?from=${FROM}&to=${TO}&centre=land`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.counts).to.deep.equal({ ...expected.get('land'), awarded: 0, imported: 0 });
  });

  it('a period of one day counts only the instants of that local date', async () => {
    const res = await t.req().get('/api/reports/rates?from=2026-03-01&to=2026-03-01');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    // LO is the only edge on 2026-03-01 in Beijing; LO - 1 is 2026-02-28, LO + 1 day is 2026-03-02.
    let published = 0;
    for (let j = 0; j < 140; j++) if (EDGES[j % EDGES.length] === LO) published++;
    expect(res.body.counts.published).to.equal(published);
  });
});
