// The operator's work after the deadline in a real browser (Debian's Chromium through
// playwright-core) under the real CSP, from a section whose bids were opened (injected clock): the
// opening page answers an objection, the evaluation takes the score sheets of two evaluators and shows
// the server's totals, publishes the candidates, answers a publicity objection; after the publicity
// the award and the contract are recorded, and /reports shows the new award in its table. The import
// page lists a refused file's row errors. axe-core (WCAG 2.1 AA) on every page in zh and en, no
// sideways scroll at 390 px, screenshots in test-output/screenshots/.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { HOUR } from '../../modules/core/clock';
import { STRINGS } from '../../templates/pages/strings';
import { approvedBidder, bidAndOpen, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { browserTools, type OpenBrowser, openBrowser, signIn } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';
import { checkPage } from '../support/page-checks';

describe('operator work pages in a browser: opening, evaluation, award, contract, import', function () {
  this.timeout(300_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: OpenBrowser;
  let page: Page;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  let s: PublishedSection;
  const problems: string[] = [];
  /** The refused posts of this test answer 4xx on purpose. */
  const refusedOnPurpose = /\/staff\/imports(\?|$)|\/evaluation\/scores(\?|$)/;

  before(async function () {
    const tools = browserTools(this);
    t = await createTestApp();
    A = await approvedBidder(t, '甲浏览器评标建设有限公司', 'staff-browser');
    B = await approvedBidder(t, '乙浏览器评标科技有限公司', 'staff-browser');
    C = await approvedBidder(t, '丙浏览器评标工程有限公司', 'staff-browser');
    s = await publishedSection(t, { title: '综合评分浏览器包', evaluationMethod: 'comprehensive_scoring' });
    await bidAndOpen(t, s, [
      [A, '800000.00'],
      [B, '900000.00'],
      [C, '950000.00'],
    ]);

    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser({ ...tools, base, problems, profile: true, timeout: 15_000, responses: (r) => refusedOnPurpose.test(r.url()) });
    page = browser.page;
    await signIn(page, base, t.users.opProc, `/staff/sections/${s.id}/opening`);
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  const evaluation = () => `${base}/staff/sections/${s.id}/evaluation`;
  const award = () => `${base}/staff/sections/${s.id}/award`;

  it('opening: the officials as recorded, the hall link, and an objection answered on the page', async () => {
    const raised = await t.req(A.user).post(`/api/sections/${s.id}/opening-objections`).send({ text: '请核对乙的报价。' });
    expect(raised.status).to.equal(201);
    const oid = raised.body.objection.id as string;
    await page.goto(`${base}/staff/sections/${s.id}/opening`);
    expect(await page.locator('#watch-hall').getAttribute('href')).to.equal(`/sections/${s.id}/hall`);
    expect(await page.locator('#bid-count').innerText()).to.equal('3');
    await checkPage(page, base, 'staff-opening-zh');
    await page.fill(`#f-answer-${oid}`, '报价已当场核对，与开标记录一致。');
    await page.locator(`#answer-submit-${oid}`).click();
    await page.locator('#notice').waitFor();
    expect(await page.locator(`#objection-${oid} .objection-answer`).innerText()).to.contain('报价已当场核对');
    await page.goto(`${base}/staff/sections/${s.id}/opening?lang=en`);
    await checkPage(page, base, 'staff-opening-en');
  });

  it('evaluation: two evaluators enter their sheets; the totals come back from the server', async () => {
    await page.goto(evaluation());
    await checkPage(page, base, 'staff-evaluation-start-zh');
    await page.locator('#start-submit').click();
    await page.locator('#scores-form').waitFor();
    const bids = await page.locator('fieldset.sheet-bid').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { bid: string } }).dataset.bid));
    expect(bids).to.have.length(3);
    const [a, b, c] = bids as [string, string, string]; // in the order of receipt: 甲, 乙, 丙
    const fillSheet = async (evaluator: string, scores: Array<[string, string]>) => {
      await page.fill('#f-evaluator', evaluator);
      for (const [i, bid] of [a, b, c].entries()) {
        await page.fill(`#f-s-${bid}-0`, scores[i]![0]);
        await page.fill(`#f-s-${bid}-1`, scores[i]![1]);
      }
    };
    // The weights the first time; a sum other than 100 is refused at the field.
    await page.fill('#f-price', '30');
    await page.fill('#f-cname0', '技术');
    await page.fill('#f-cweight0', '50');
    await page.fill('#f-cname1', '商务');
    await page.fill('#f-cweight1', '30');
    await fillSheet('专家一', [
      ['60', '70'],
      ['90', '80'],
      ['80', '90'],
    ]);
    await page.locator('#scores-submit').click();
    await page.locator('#error-summary').waitFor();
    expect(await page.locator('#f-price-error').innerText()).to.contain('合计须为 100，现为 110');
    await checkPage(page, base, 'staff-evaluation-refused-zh');
    await page.fill('#f-cweight1', '20');
    await page.locator('#scores-submit').click();
    await page.locator('#notice').waitFor();
    expect(await page.locator('#weights').innerText()).to.contain('技术');
    await fillSheet('专家二', [
      ['70', '60'],
      ['85', '90'],
      ['80', '70'],
    ]);
    await page.locator('#scores-submit').click();
    await page.locator('#notice').waitFor();
    expect(await page.locator(`#ranking tr[data-bid="${b}"] .total`).innerText()).to.equal('87.42');
    expect(await page.locator(`#ranking tr[data-bid="${c}"] .total`).innerText()).to.equal('81.26');
    expect(await page.locator(`#ranking tr[data-bid="${a}"] .total`).innerText()).to.equal('75.50');
    expect(await page.locator('table.score-table').count()).to.equal(2);
    await checkPage(page, base, 'staff-evaluation-scores-zh');
    await page.goto(`${evaluation()}?lang=en`);
    await checkPage(page, base, 'staff-evaluation-scores-en');
  });

  it('publishes the candidates and answers a publicity objection', async () => {
    await page.goto(evaluation());
    await page.locator('#f-confirm').check();
    await page.locator('#publish-submit').click();
    await page.locator('#candidates').waitFor();
    const raised = await t.req(C.user).post(`/api/sections/${s.id}/evaluation/objections`).send({ text: '乙的商务分过高。' });
    expect(raised.status).to.equal(201);
    const oid = raised.body.objection.id as string;
    await page.goto(evaluation());
    await checkPage(page, base, 'staff-evaluation-publicity-zh');
    await page.fill(`#f-answer-${oid}`, '经复核，商务分符合评分标准。');
    await page.locator(`#answer-submit-${oid}`).click();
    await page.locator('#notice').waitFor();
    expect(await page.locator(`#objection-${oid} .objection-answer`).innerText()).to.contain('经复核');
    await page.goto(`${evaluation()}?lang=en`);
    await checkPage(page, base, 'staff-evaluation-publicity-en');
  });

  it('after the publicity: awards (confirmed) and records the contract; /reports shows the award', async () => {
    const endsAt = (await t.req().get(`/api/sections/${s.id}/evaluation`)).body.evaluation.publicity.endsAt as number;
    t.clock.set(endsAt + HOUR);
    await page.goto(award());
    await checkPage(page, base, 'staff-award-zh');
    await page.goto(`${award()}?lang=en`);
    await checkPage(page, base, 'staff-award-en');
    await page.goto(award());
    await page.locator('#f-confirm').check();
    await page.locator('#award-submit').click();
    await page.locator('#award-facts').waitFor();
    expect(await page.locator('#award-winner').innerText()).to.equal('乙浏览器评标科技有限公司');
    expect(await page.locator('#award-notice').innerText()).to.contain('中标通知书');
    expect(await page.locator('#f-amount').inputValue()).to.equal('900000.00');
    const wall = new Date(t.clock.now() + 8 * HOUR).toISOString();
    await page.fill('#f-signedAt', `${wall.slice(0, 10)} ${wall.slice(11, 16)}`);
    await page.fill('#f-amount', '880000.00');
    await checkPage(page, base, 'staff-contract-form-zh');
    await page.locator('#contract-submit').click();
    await page.locator('#contract-amount').waitFor();
    expect(await page.locator('#section-state').innerText()).to.equal(STRINGS.zh.stateNames.contracted!);
    await checkPage(page, base, 'staff-contracted-zh');
    await page.goto(`${award()}?lang=en`);
    await checkPage(page, base, 'staff-contracted-en');

    await page.goto(`${base}/reports`);
    // The procurement row: one section, the budget 1,000,000.00 and the contract amount 880,000.00 (it replaces the award's 900,000.00).
    const centre = (await t.services.centres.rules('procurement')).nameZh;
    const row = await page.locator('#rates tbody tr:not(.total)', { hasText: centre }).first().innerText();
    expect(row).to.contain('1,000,000.00').and.to.contain('880,000.00');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('import: a refused file lists its row errors with their lines; the page passes axe in zh and en', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-import-'));
    const file = path.join(dir, 'history.csv');
    fs.writeFileSync(
      file,
      'centre,code,title,reference_price,award_amount,award_date\nprocurement,OLD-1,旧项目,1000000.00,abc,2019-05-01\nprocurement,OLD-2,旧项目二,1000000.00,900000.00,2019-02-30\n',
    );
    for (const lang of ['zh', 'en']) {
      await page.goto(`${base}/staff/imports${lang === 'en' ? '?lang=en' : ''}`);
      await checkPage(page, base, `staff-import-${lang}`);
      await page.setInputFiles('#f-csv', file);
      await page.locator('#import-submit').click();
      await page.locator('#row-errors').waitFor();
      const lines = await page.locator('#row-errors td.line').allInnerTexts();
      expect(lines).to.deep.equal(['2', '3']);
      await checkPage(page, base, `staff-import-errors-${lang}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    expect(Number((await t.tdb.db.knex('imported_results').count({ n: '*' }))[0]!.n)).to.equal(0);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
