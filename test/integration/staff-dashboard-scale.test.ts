// The operator's dashboard with 10,000 sections: the counts by state come from the database, each
// list shows its first rows with a link to all of them, and the page reads a bounded number of rows
// (counted with knex's query-response event, not timed).
import { expect } from 'chai';
import { PUBLIC_STATES, seedSections } from '../support/seed-sections';
import { browserAgent, postForm, printPageTimings, timePage } from '../support/pages';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app';

const SEEDED = 10_000;
const CENTRES = ['procurement', 'construction', 'land', 'property'];

async function signIn(t: TestApp, user: TestUser) {
  const agent = browserAgent(t);
  const res = await postForm(agent, '/login', '/login', { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

/** The seeded sections' states in the given centres, counted from seed-sections.ts's own rule (i % 4, i % states). */
function expectedCounts(centres: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < SEEDED + 100; i++) {
    if (!centres.includes(CENTRES[i % 4]!)) continue;
    const state = i >= SEEDED ? 'draft' : PUBLIC_STATES[i % PUBLIC_STATES.length]!;
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return counts;
}

const sectionIdsIn = (list: string) => [...list.matchAll(/<li data-section="([0-9A-Z]+)">/g)].map((m) => m[1]!);
const listIn = (page: string, id: string) => new RegExp(`<ul class="staff-rows" id="${id}">([\\s\\S]*?)</ul>`).exec(page)?.[1] ?? '';

describe('the staff dashboard at 10,000 sections', function () {
  this.timeout(180_000);
  let t: TestApp;

  before(async () => {
    t = await createTestApp();
    await seedSections(t, SEEDED);
  });
  after(async () => {
    printPageTimings();
    await t?.close();
  });

  /** Runs `fn` and counts the queries and the rows they returned. */
  async function reading<T>(fn: () => Promise<T>): Promise<{ result: T; queries: number; rows: number }> {
    const knex = t.tdb.db.knex;
    let queries = 0;
    let rows = 0;
    const onResponse = (response: unknown) => {
      queries += 1;
      if (Array.isArray(response)) rows += response.length;
    };
    knex.on('query-response', onResponse);
    try {
      const result = await fn();
      return { result, queries, rows };
    } finally {
      knex.removeListener('query-response', onResponse);
    }
  }

  it('counts by state in SQL and reads a bounded number of rows', async () => {
    const agent = await signIn(t, t.users.opProc);
    const { result: page, queries, rows } = await reading(() => agent.get('/staff'));
    expect(page.status).to.equal(200);
    const expected = expectedCounts(['procurement', 'construction']);
    expect([...expected.values()].reduce((a, b) => a + b, 0)).to.equal(5050);
    for (const [state, n] of expected) expect(page.text, state).to.contain(`data-state="${state}">${n}<`);
    // 5,050 sections in the operator's centres; the page reads at most 10 of each list and each state.
    expect(rows, `rows read: ${rows}`).to.be.within(100, 250); // at least the rows it shows: the count is real
    expect(queries, `queries: ${queries}`).to.be.below(80);
    expect(sectionIdsIn(listIn(page.text, 'needs-drafts'))).to.have.length(10);
    expect(sectionIdsIn(listIn(page.text, 'needs-evaluations'))).to.have.length(10);
    expect(page.text).to.contain('id="more-drafts">查看全部（共 50 个）…</a>');
    const evaluations = (expected.get('opened') ?? 0) + (expected.get('evaluating') ?? 0);
    expect(page.text).to.contain(`id="more-evaluations">查看全部（共 ${evaluations} 个）…</a>`);
    expect(page.text).to.contain(`id="more-state-bidding">查看全部（共 ${expected.get('bidding')} 个）…</a>`);
    await timePage(agent, '/staff (5,050 of 10,100 sections)', '/staff');
  });

  it("lists all of one list a page at a time, in the operator's centres only", async () => {
    const agent = await signIn(t, t.users.opProc);
    const drafts = await agent.get('/staff/sections?need=drafts');
    expect(drafts.status).to.equal(200);
    expect(drafts.text).to.contain('共 50 个标段，第 1 / 1 页');
    const draftIds = sectionIdsIn(listIn(drafts.text, 'staff-list'));
    expect(draftIds).to.have.length(50);

    const bidding = expectedCounts(['procurement', 'construction']).get('bidding')!;
    const pages = Math.ceil(bidding / 50);
    const { result: first, rows } = await reading(() => agent.get('/staff/sections?state=bidding&lang=en'));
    expect(first.status).to.equal(200);
    expect(first.text).to.contain(`${bidding} sections, page 1 of ${pages}`);
    expect(rows, `rows read: ${rows}`).to.be.below(100);
    const next = /<a href="([^"]+)" rel="next" id="page-next">/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    expect(Object.fromEntries(new URLSearchParams(next.split('?')[1]))).to.deep.equal({ state: 'bidding', page: '2', lang: 'en' });
    const second = await agent.get(next);
    const [a, b] = [sectionIdsIn(listIn(first.text, 'staff-list')), sectionIdsIn(listIn(second.text, 'staff-list'))];
    expect(a).to.have.length(50);
    expect(b).to.have.length(50);
    expect(a.filter((id) => b.includes(id))).to.deep.equal([]);
    // Every row is one of the operator's centres' bidding sections.
    const found = await t.tdb.db
      .knex('sections')
      .whereIn('id', [...a, ...b])
      .select('state', 'centre_code');
    expect(found).to.have.length(100);
    for (const r of found) {
      expect(r.state).to.equal('bidding');
      expect(['procurement', 'construction']).to.include(r.centre_code);
    }
    expect((await agent.get(`/staff/sections?state=bidding&page=${pages + 1}`)).status).to.equal(404);
    expect((await agent.get('/staff/sections?state=nonsense')).status).to.equal(404);
    expect((await agent.get('/staff/sections')).status).to.equal(404);

    const land = await signIn(t, t.users.opLand);
    const landDrafts = await land.get('/staff/sections?need=drafts');
    expect(landDrafts.text).to.contain('共 25 个标段');
    expect(sectionIdsIn(listIn(landDrafts.text, 'staff-list')).filter((id) => draftIds.includes(id))).to.deep.equal([]);
  });
});
