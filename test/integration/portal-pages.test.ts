// The public portal's pages over HTTP, as a browser without JavaScript uses them: the section
// browser (filters as GET query that links keep, search by code and title, the archive, pages) on
// 10,000 sections seeded straight into the database, whose list and last page are timed and whose
// queries use indexes (EXPLAIN on SQLite and MariaDB); each trade's own words; the hall of a
// cancelled and of a failed section; the rate charts, with "no data" for a centre without results.
import { expect } from 'chai';
import { DAY } from '../../modules/core/clock';
import { publishedLandSection, publishedSection } from '../support/bidding';
import { browserAgent, printPageTimings, timePage } from '../support/pages';
import { createTestApp, T0, type TestApp } from '../support/test-app';
import { usingMysql } from '../support/test-db';
import { PUBLIC_STATES, seedSections } from '../support/seed-sections';

const SEEDED = 10_000;
/** The codes of the list's rows, in order. */
const codesIn = (page: string) =>
  [...page.matchAll(/<tr data-section="[^"]+" data-centre="([^"]+)" data-state="([^"]+)"><td data-label="[^"]*"><a href="[^"]*">([^<]+)<\/a>/g)].map((m) => ({
    centre: m[1]!,
    state: m[2]!,
    code: m[3]!,
  }));
const countIn = (page: string) => /id="result-count" role="status">([^<]*)</.exec(page)?.[1] ?? '';

describe('the public portal: browser, archive, words per trade, halls that will not open, rate charts', function () {
  this.timeout(180_000);
  let t: TestApp;

  before(async () => {
    t = await createTestApp();
    await seedSections(t, SEEDED);
  });
  after(async () => {
    printPageTimings();
    await t.close();
  });

  it('lists the sections in progress, 20 to a page, newest first, with the total; drafts never', async () => {
    const res = await browserAgent(t).get('/sections');
    expect(res.status).to.equal(200);
    const rows = codesIn(res.text);
    expect(rows).to.have.length(20);
    for (const r of rows) expect(['published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity', 'awarded']).to.include(r.state);
    // Newest published first: the highest seeded numbers.
    const numbers = rows.map((r) => Number(r.code.slice(-5)));
    expect(numbers).to.deep.equal([...numbers].sort((a, b) => b - a));
    const inProgress = Array.from({ length: SEEDED }, (_, i) => PUBLIC_STATES[i % PUBLIC_STATES.length]).filter((s) => !['contracted', 'archived', 'failed', 'cancelled'].includes(s!)).length;
    expect(countIn(res.text)).to.equal(`共 ${inProgress} 个标段，第 1 / ${Math.ceil(inProgress / 20)} 页`);
    expect(res.text).not.to.include('草稿标段');
    expect(res.text).to.include('id="pager"');
  });

  it('filters by centre, state and procedure (GET query), and every link keeps the filter and ?lang=en', async () => {
    const res = await browserAgent(t).get('/sections?centre=land&state=opened&procedure=listing&lang=en');
    expect(res.status).to.equal(200);
    const rows = codesIn(res.text);
    expect(rows.length).to.be.greaterThan(0);
    for (const r of rows) expect(r).to.include({ centre: 'land', state: 'opened' });
    expect(res.text).to.match(/<option value="land" selected>/);
    expect(res.text).to.match(/<option value="listing" selected>/);
    const next = /id="page-next"/.test(res.text) ? /<a href="([^"]+)" rel="next" id="page-next">/.exec(res.text)![1]!.replace(/&amp;/g, '&') : null;
    if (next) {
      const q = new URLSearchParams(next.split('?')[1]);
      expect(Object.fromEntries(q)).to.deep.equal({ centre: 'land', state: 'opened', procedure: 'listing', page: '2', lang: 'en' });
    }
    // The section links keep the language too.
    expect(res.text).to.match(/href="\/sections\/[0-9A-Z]+\?lang=en">SEED-LAND-/);
    expect(countIn(res.text)).to.match(/^\d+ sections, page 1 of \d+$/);
  });

  it('searches by code and by title (every word must match), literally', async () => {
    const code = 'SEED-CONS-00013';
    const one = await browserAgent(t).get(`/sections?q=${code}`);
    const archived = await browserAgent(t).get(`/archive?q=${code}`);
    const found = [...codesIn(one.text), ...codesIn(archived.text)].map((r) => r.code);
    expect(found).to.deep.equal([code]);
    const title = await browserAgent(t).get(`/archive?q=${encodeURIComponent('体育馆 改造')}`);
    const current = await browserAgent(t).get(`/sections?q=${encodeURIComponent('体育馆 改造')}`);
    const all = [...codesIn(title.text), ...codesIn(current.text)];
    expect(all).to.have.length(SEEDED / 500);
    // % and _ are letters here, not wildcards.
    const wild = await browserAgent(t).get('/sections?q=%25');
    expect(wild.status).to.equal(200);
    expect(countIn(wild.text)).to.equal('没有符合条件的标段。');
    const under = await browserAgent(t).get('/sections?q=SEED_CONS');
    expect(countIn(under.text)).to.equal('没有符合条件的标段。');
  });

  it('the archive holds the completed, failed and cancelled sections, and only those', async () => {
    const res = await browserAgent(t).get('/archive');
    expect(res.status).to.equal(200);
    const rows = codesIn(res.text);
    expect(rows).to.have.length(20);
    for (const r of rows) expect(['contracted', 'archived', 'failed', 'cancelled']).to.include(r.state);
    const failed = await browserAgent(t).get('/archive?state=failed&centre=property');
    for (const r of codesIn(failed.text)) expect(r).to.include({ state: 'failed', centre: 'property' });
    expect(codesIn(failed.text).length).to.be.greaterThan(0);
    // A state in progress is not an archive filter.
    const bidding = await browserAgent(t).get('/archive?state=bidding');
    expect(bidding.status).to.equal(400);
    expect(bidding.text).to.include('id="f-state-error">请从列表中选择状态。<');
  });

  it('refuses a bad filter at its field in the page language, and a page past the last with 404', async () => {
    const bad = await browserAgent(t).get('/sections?centre=moon&procedure=x&lang=en');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('id="f-centre-error">There is no such centre; choose one from the list.<');
    expect(bad.text).to.include('id="f-procedure-error">Choose a procedure from the list.<');
    expect(codesIn(bad.text)).to.deep.equal([]);
    const page = await browserAgent(t).get('/sections?page=abc');
    expect(page.status).to.equal(400);
    expect(page.text).to.include('页码须为正整数。');
    const past = await browserAgent(t).get('/archive?page=99999');
    expect(past.status).to.equal(404);
    expect(past.text).to.match(/没有第 99999 页：共 \d+ 页。/);
  });

  it('pages to the last page, whose rows are the oldest; list, filter and last page timed', async () => {
    const first = await browserAgent(t).get('/archive');
    const pages = Number(/第 1 \/ (\d+) 页/.exec(first.text)![1]);
    const last = await browserAgent(t).get(`/archive?page=${pages}`);
    expect(last.status).to.equal(200);
    const rows = codesIn(last.text);
    expect(rows.length).to.be.within(1, 20);
    expect(Number(rows.at(-1)!.code.slice(-5))).to.be.below(20); // the oldest seeded are last
    expect(last.text).to.include('aria-current="page"');
    expect(last.text).not.to.include('id="page-next"');
    const agent = browserAgent(t);
    await timePage(agent, `/sections (${SEEDED} seeded)`, '/sections');
    await timePage(agent, `/ (home, ${SEEDED} seeded)`, '/');
    await timePage(agent, '/sections last page', `/sections?page=${Number(/第 1 \/ (\d+) 页/.exec((await agent.get('/sections')).text)![1])}`);
    await timePage(agent, '/sections?centre&state&procedure', '/sections?centre=construction&state=bidding&procedure=invited_tender');
    await timePage(agent, `/archive last page (${pages})`, `/archive?page=${pages}`);
    await timePage(agent, '/sections?q= (title search)', `/sections?q=${encodeURIComponent('体育馆')}`);
  });

  it("reads a page's rows by an index (EXPLAIN), never by scanning and sorting the whole table", async () => {
    const knex = t.tdb.db.knex;
    const page = knex('sections as s')
      .select('s.id')
      .whereNotNull('s.published_at')
      .whereIn('s.state', ['published', 'bidding'])
      .orderBy([
        { column: 's.published_at', order: 'desc' },
        { column: 's.id', order: 'desc' },
      ])
      .limit(20)
      .offset(4000);
    const byCentre = knex('sections as s')
      .select('s.id')
      .whereNotNull('s.published_at')
      .where('s.centre_code', 'land')
      .orderBy([
        { column: 's.published_at', order: 'desc' },
        { column: 's.id', order: 'desc' },
      ])
      .limit(20);
    if (usingMysql()) {
      for (const q of [page, byCentre]) {
        const [plan] = await knex.raw(`EXPLAIN ${q.toString()}`);
        const row = (plan as Array<{ key: string | null; type: string; Extra: string | null }>)[0]!;
        expect(row.key, JSON.stringify(plan)).to.match(/sections_(published|state_published|centre_published)_idx/);
        expect(row.type, JSON.stringify(plan)).not.to.equal('ALL');
      }
    } else {
      for (const q of [page, byCentre]) {
        const plan = (await knex.raw(`EXPLAIN QUERY PLAN ${q.toString()}`)) as Array<{ detail: string }>;
        const text = plan.map((p) => p.detail).join(' | ');
        expect(text).to.match(/USING (COVERING )?INDEX sections_(published|state_published|centre_published)_idx/);
        expect(text).not.to.match(/SCAN s(?! USING)/);
      }
    }
  });

  it('a land sale speaks of 出让公告, 出让人, 出让文件, 竞买人 and 竞买保证金, never of 招标公告, 招标人, 招标文件, 投标人, 投标保证金 or 中标通知书; a tender keeps its words', async () => {
    const land = await publishedLandSection(t, '5000000.00', '词汇地块');
    const landPage = await browserAgent(t).get(`/sections/${land.id}`);
    expect(landPage.status).to.equal(200);
    expect(landPage.text).to.include('<h2 id="notice-heading">出让公告</h2>');
    expect(landPage.text).to.include('<dt>竞买保证金</dt>');
    expect(landPage.text).to.include('出让人: ');
    expect(landPage.text).to.include('<h2>出让文件</h2>');
    expect(landPage.text).to.include('<dt>竞买申请截止 / 开标时间</dt>');
    for (const word of ['招标公告', '招标人', '招标文件', '投标人', '投标截止', '投标保证金', '中标通知书']) expect(landPage.text, word).not.to.include(word);
    const hall = await browserAgent(t).get(`/sections/${land.id}/hall`);
    expect(hall.text).to.include('出让公告</a>');
    expect(hall.text).to.include('<th scope="col">竞买人</th>');
    expect(hall.text).not.to.include('投标人');
    const en = await browserAgent(t).get(`/sections/${land.id}?lang=en`);
    expect(en.text).to.include('<h2 id="notice-heading">Notice of sale</h2>');
    expect(en.text).to.include('<dt>Bidding deposit</dt>');

    const tender = await publishedSection(t, { title: '词汇包' });
    const tenderPage = await browserAgent(t).get(`/sections/${tender.id}`);
    expect(tenderPage.text).to.include('<h2 id="notice-heading">招标公告</h2>');
    expect(tenderPage.text).to.include('<dt>投标保证金</dt>');
    expect(tenderPage.text).to.include('招标人: ');
    expect(tenderPage.text).to.include('<h2>招标文件</h2>');
  });

  it("a cancelled section's hall says it was cancelled, with the reason and no countdown", async () => {
    const s = await publishedSection(t, { title: '取消包' });
    t.clock.set(T0 + DAY);
    const cancel = await t.req(t.users.opProc).post(`/api/sections/${s.id}/cancel`).send({ reason: '采购需求发生重大变化' });
    expect(cancel.status, JSON.stringify(cancel.body)).to.equal(200);
    const hall = await browserAgent(t).get(`/sections/${s.id}/hall`);
    expect(hall.status).to.equal(200);
    expect(hall.text).to.include('data-ended="cancelled"');
    expect(hall.text).to.include('本标段已取消');
    expect(hall.text).to.include('<dd id="cancel-reason">采购需求发生重大变化</dd>');
    expect(hall.text).not.to.include('id="countdown"');
    expect(hall.text).not.to.include('hall.js');
    const en = await browserAgent(t).get(`/sections/${s.id}/hall?lang=en`);
    expect(en.text).to.include('This section was cancelled');
    t.clock.set(T0);
  });

  it("a failed section's hall says why, in the page's language", async () => {
    const s = await publishedSection(t, { title: '流标包' });
    t.clock.set(s.deadline + 1000);
    await t.services.lifecycle.advanceDue();
    await t.services.opening.openDue();
    const zh = await browserAgent(t).get(`/sections/${s.id}/hall`);
    expect(zh.text, zh.text.slice(zh.text.indexOf('<main'), zh.text.indexOf('<main') + 1500)).to.include('data-ended="failed"');
    expect(zh.text).to.match(/<dd id="failure-reason">投标不足，未开标：共收到 0 份，本中心最少须 3 份/);
    expect(zh.text).not.to.include('id="countdown"');
    const en = await browserAgent(t).get(`/sections/${s.id}/hall?lang=en`);
    expect(en.text).to.match(/<dd id="failure-reason">Too few bids to open: 0 received/);
    const page = await browserAgent(t).get(`/sections/${s.id}`);
    expect(page.text).to.include('投标不足，未开标');
    t.clock.set(T0);
  });

  it('draws a chart per centre with data, and says "no data" for a centre without (never an empty axis)', async () => {
    const csv = [
      'centre,code,title,reference_price,award_amount,award_date,reference_kind',
      'construction,HF-2025-C-001,图表工程一,1000000.00,900000.00,2025-03-15,',
      'construction,HF-2025-C-002,图表工程二,3000000.00,2850000.00,2025-03-20,',
      'construction,HF-2025-C-003,图表工程三,2000000.00,1900000.00,2025-07-01,',
      'land,HF-2025-L-001,图表地块,50000000.00,62000000.00,2025-05-05,',
    ].join('\r\n');
    const imported = await t.req(t.users.admin).post('/api/reports/imports').set('Content-Type', 'text/csv').send(csv);
    expect(imported.status, JSON.stringify(imported.body)).to.equal(201);
    const res = await browserAgent(t).get('/reports?from=2025-01-01&to=2025-12-31');
    expect(res.status).to.equal(200);
    expect(res.text).to.include('<svg class="rate-chart" id="chart-construction" role="img" aria-labelledby="chart-construction-title chart-construction-desc"');
    // March: (100000 + 150000) / 4000000 = 6.25 %; July: 5.00 %; land May: 24.00 %.
    expect(res.text).to.match(/data-key="2025-03" data-percent="6.25"/);
    expect(res.text).to.match(/data-key="2025-07" data-percent="5.00"/);
    expect(res.text).to.match(/data-key="2025-05" data-percent="24.00"/);
    expect(res.text).to.include('建设工程：资金节约率（按月）');
    expect(res.text).to.include('增值率（按月）');
    expect(res.text).not.to.include('费率');
    for (const centre of ['procurement', 'property']) {
      expect(res.text).to.include(`id="chart-${centre}-none">无数据`);
      expect(res.text).not.to.include(`id="chart-${centre}"`);
    }
    // The table is still there, as the charts' text alternative.
    expect(res.text).to.include('id="rates"');
    // A period of several years is drawn by year.
    const years = await browserAgent(t).get('/reports?from=2020-01-01&to=2026-12-31&lang=en');
    expect(years.text).to.match(/data-key="2025" data-percent="/);
    expect(years.text).to.include('Construction projects: savings rate by year');
  });
});
