// Objections in a real browser (Debian's Chromium through playwright-core) under the real CSP: a
// bidder of the section raises an objection at the opening hall and one to the candidates on the
// section page with the keyboard only, sees a refusal at the field and the operator's answer. axe-core
// checks WCAG 2.1 AA with the forms shown in zh and en, no page scrolls sideways at 390 px, and
// screenshots go to test-output/screenshots/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { HOUR } from '../../modules/core/clock';
import { approvedBidder, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { browserTools, type OpenBrowser, openBrowser, signIn } from '../support/browser';
import { createTestApp, T0, type TestApp } from '../support/test-app';
import { activeId, checkPage, focusOn, tabTo } from '../support/page-checks';

describe('objections in a browser', function () {
  this.timeout(180_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: OpenBrowser;
  let page: Page;
  let A: Bidder;
  let s: PublishedSection;
  const problems: string[] = [];

  before(async function () {
    const tools = browserTools(this);
    t = await createTestApp();
    A = await approvedBidder(t, '甲浏览器异议建设有限公司', 'obj-browser');
    const B = await approvedBidder(t, '乙浏览器异议科技有限公司', 'obj-browser');
    const C = await approvedBidder(t, '丙浏览器异议工程有限公司', 'obj-browser');
    s = await publishedSection(t);
    for (const [i, [b, amount]] of (
      [
        [A, '900000.00'],
        [B, '850000.00'],
        [C, '950000.00'],
      ] as const
    ).entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      await placeBid(t, s, b, amount);
    }
    t.clock.set(s.deadline);
    await t.services.lifecycle.advanceDue();
    expect(await t.services.opening.openDue()).to.deep.include({ id: s.id, outcome: 'opened' });

    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The refused posts answer 4xx on purpose; anything else failing is a problem.
    browser = await openBrowser({ ...tools, base, problems, profile: true, timeout: 15_000, responses: (r) => /\/objections(\?|$)/.test(r.url()) });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  /** Types an objection and sends it with the keyboard only: Tab to the field, type, Tab to the button, Enter. */
  async function objectByKeyboard(block: string, text: string) {
    await tabTo(page, 'f-text');
    if (text) await page.keyboard.type(text);
    await page.keyboard.press('Tab');
    expect(await activeId(page)).to.equal(`${block}-submit`);
    await page.keyboard.press('Enter');
  }

  it('the hall with the objection form passes axe and fits 390 px in zh and en; nobody signed in sees no form', async () => {
    await page.goto(`${base}/sections/${s.id}/hall`);
    expect(await page.locator('#opening-objections-form').count()).to.equal(0);
    expect(await page.locator('#opening-objections-login').count()).to.equal(1);
    await checkPage(page, base, 'hall-objections-anonymous-zh');

    await signIn(page, base, A.user, `/sections/${s.id}/hall`);
    for (const lang of ['zh', 'en']) {
      await page.goto(`${base}/sections/${s.id}/hall${lang === 'en' ? '?lang=en' : ''}`);
      await page.locator('#opening-objections-form').waitFor();
      await checkPage(page, base, `hall-objection-form-${lang}`);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('keyboard only: an empty objection is refused at the field, then one is raised; the answer shows there', async () => {
    await page.goto(`${base}/sections/${s.id}/hall`);
    await objectByKeyboard('opening-objections', '');
    await page.locator('#f-text-error').waitFor();
    await focusOn(page, 'error-summary');
    expect(await page.locator('#f-text-error').innerText()).to.equal('请填写异议内容。');
    await checkPage(page, base, 'hall-objection-error-zh');

    await page.goto(`${base}/sections/${s.id}/hall`);
    await objectByKeyboard('opening-objections', '第 2 号投标的开标时间与记录不符。');
    await page.waitForURL(`${base}/sections/${s.id}/hall?objection=raised`);
    expect(await page.locator('#opening-objections-raised').innerText()).to.contain('您的异议已提交');
    expect(await page.locator('#opening-objections-list li.mine .objection-text').innerText()).to.equal('第 2 号投标的开标时间与记录不符。');

    const [objection] = (await t.req().get(`/api/sections/${s.id}/opening-objections`)).body.objections;
    expect((await t.req(t.users.opProc).post(`/api/sections/${s.id}/opening-objections/${objection.id}/answer`).send({ answer: '经核对开标日志，时间无误。' })).status).to.equal(200);
    await page.goto(`${base}/sections/${s.id}/hall`);
    expect(await page.locator('#opening-objections-list .objection-answer').innerText()).to.contain('经核对开标日志，时间无误。');
    await checkPage(page, base, 'hall-objection-answered-zh');
    await page.goto(`${base}/sections/${s.id}/hall?lang=en`);
    await checkPage(page, base, 'hall-objection-answered-en');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('during the candidate publicity: the section page form (axe, 390 px, zh and en), an objection by keyboard, its answer', async () => {
    expect((await t.req(t.users.opProc).post(`/api/sections/${s.id}/evaluation/start`)).status).to.equal(200);
    expect((await t.req(t.users.opProc).post(`/api/sections/${s.id}/evaluation/publicity`)).status).to.equal(200);
    // The hall's form is gone with the opening; its objection and answer stay.
    await page.goto(`${base}/sections/${s.id}/hall`);
    expect(await page.locator('#opening-objections-form').count()).to.equal(0);
    expect(await page.locator('#opening-objections-list li').count()).to.equal(1);

    for (const lang of ['zh', 'en']) {
      await page.goto(`${base}/sections/${s.id}${lang === 'en' ? '?lang=en' : ''}`);
      await page.locator('#publicity-objections-form').waitFor();
      await checkPage(page, base, `section-objection-form-${lang}`);
    }
    await page.goto(`${base}/sections/${s.id}`);
    await objectByKeyboard('publicity-objections', '第一名的业绩证明存疑。');
    await page.waitForURL(`${base}/sections/${s.id}?objection=raised`);
    expect(await page.locator('#publicity-objections-list li.mine .objection-text').innerText()).to.equal('第一名的业绩证明存疑。');
    const [objection] = (await t.req().get(`/api/sections/${s.id}/evaluation`)).body.evaluation.objections;
    expect((await t.req(t.users.opProc).post(`/api/sections/${s.id}/evaluation/objections/${objection.id}/answer`).send({ answer: '经核查，业绩证明真实有效。' })).status).to.equal(200);
    await page.goto(`${base}/sections/${s.id}`);
    expect(await page.locator('#publicity-objections-list .objection-answer').innerText()).to.contain('经核查，业绩证明真实有效。');
    await checkPage(page, base, 'section-objection-answered-zh');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
