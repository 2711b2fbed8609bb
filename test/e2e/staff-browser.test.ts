// The operator's pages in a real browser (Debian's Chromium through playwright-core) under the real
// CSP: an operator signs in, drafts a project with a section, uploads a tender document with the
// progress bar (the page script's XHR to the API), sees the publication refused with the broken rule
// at the deadline field, fixes the deadline and publishes, issues a clarification that moves the
// deadline to the earliest allowed one the page proposes (injected clock), approves a pending
// organisation, and opens the cancellation's confirmation. axe-core checks WCAG 2.1 AA on every page
// in Chinese and English; no page scrolls sideways at 390 px; screenshots go to test-output/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DAY } from '../../modules/core/clock';
import { localInputValue } from '../../templates/pages/staff-time';
import { publishedSection } from '../support/bidding';
import { browserTools, type OpenBrowser, openBrowser, signIn } from '../support/browser';
import { checkPage } from '../support/page-checks';
import { createTestApp, orgRegistration, T0, type TestApp } from '../support/test-app';
const local = (ms: number) => localInputValue(ms, 'Asia/Shanghai');

/** The little of the page's DOM the test reads (the DOM is not in the project's TypeScript libs). */
interface PageGlobals {
  document: { getElementById(id: string): { value: number } | null; activeElement: { id: string } | null };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { attributes: boolean; attributeFilter: string[] }): void };
}

describe('staff pages in a browser: draft, upload, publish, clarify, approve', function () {
  this.timeout(300_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: OpenBrowser;
  let page: Page;
  let sectionId = '';
  let pendingOrg = '';
  const problems: string[] = [];

  before(async function () {
    const tools = browserTools(this);
    t = await createTestApp();
    // Something on the dashboard besides the new draft: a section open for bids, a pending organisation.
    await publishedSection(t, { title: '第一包 办公家具', clarificationDeadlineAt: T0 + 20 * DAY });
    const draft = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'construction', title: '市民中心屋面维修工程', tenderee: '市机关事务管理局', sections: [{ title: '施工', referencePrice: '2600000.00', referenceKind: 'control_price' }] });
    expect(draft.status).to.equal(201);
    const reg = await t
      .req()
      .post('/api/orgs')
      .send(orgRegistration({ name: '己待审有限公司' }));
    expect(reg.status).to.equal(201);
    pendingOrg = reg.body.organisation.id;
    server = http.createServer((req, res) => t.app(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The refusals this test provokes on purpose are 422 pages.
    browser = await openBrowser({ ...tools, base, problems, responses: (r) => r.status() === 422 });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  afterEach(() => {
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('an operator signs in and drafts a project with its section in the centre’s zone', async () => {
    await signIn(page, base, t.users.opProc, '/staff');
    await page.locator('#new-project-link').click();
    await page.waitForURL(/\/staff\/projects\/new$/);
    await checkPage(page, base, 'staff-choose-centre-zh');
    await page.locator('#centre-choice a', { hasText: '政府采购' }).click();
    await page.waitForURL(/centre=procurement/);
    expect(await page.locator('#times-in').innerText()).to.contain('UTC+08:00');
    await checkPage(page, base, 'staff-project-new-zh');
    await page.fill('#f-projectTitle', '政务服务中心办公设备采购');
    await page.fill('#f-tenderee', '市政务服务管理局');
    await page.fill('#f-description', '台式计算机 200 台，打印机 20 台。');
    await page.fill('#f-title', '第一包 台式计算机');
    await page.selectOption('#f-evaluationMethod', 'comprehensive_scoring');
    await page.fill('#f-referencePrice', '1800000.00');
    await page.fill('#f-bidBond', '36000');
    await page.fill('#f-bidDeadlineAt', local(T0 + 10 * DAY)); // too soon for an open tender: publication will say so
    await page.locator('#create-button').click();
    await page.waitForURL(/\/staff\/sections\/[^/?]+\?created=1$/);
    sectionId = /\/staff\/sections\/([^/?]+)/.exec(page.url())![1]!;
    expect(await page.locator('#notice').innerText()).to.equal('项目已创建。');
    expect(await page.locator('#bid-deadline').innerText()).to.contain('(UTC+08:00)');
  });

  it('uploads a tender document with the progress bar', async () => {
    await page.goto(`${base}/staff/sections/${sectionId}`);
    await checkPage(page, base, 'staff-section-draft-zh');
    // Keep every value the bar shows (it survives the reload that lists the new document).
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const bar = g.document.getElementById('upload-progress')!;
      new g.MutationObserver(() => {
        const seen = JSON.parse(g.sessionStorage.getItem('progress') ?? '[]');
        seen.push(bar.value);
        g.sessionStorage.setItem('progress', JSON.stringify(seen));
      }).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    const file = Buffer.alloc(6 * 1024 * 1024, 0x41);
    await page.setInputFiles('#f-file', { name: '招标文件.pdf', mimeType: 'application/pdf', buffer: file });
    await page.locator('#upload-button').click();
    await page.waitForURL(/uploaded=/);
    expect(await page.locator('#notice').innerText()).to.equal('已上传“招标文件.pdf”。');
    const seen: number[] = JSON.parse((await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('progress'))) ?? '[]');
    expect(seen.length, 'the bar moved').to.be.greaterThan(0);
    expect(Math.max(...seen)).to.equal(100);
    const api = await t.req(t.users.opProc).get(`/api/sections/${sectionId}`);
    expect(api.body.documents.map((d: { name: string; size: number }) => [d.name, d.size])).to.deep.equal([['招标文件.pdf', file.length]]);
  });

  it('sees the publication refused at the deadline field, fixes the deadline and publishes', async () => {
    await page.locator('#publish-button').click();
    await page.locator('#f-bidDeadlineAt-error').waitFor();
    expect(await page.locator('#f-bidDeadlineAt-error').innerText()).to.equal('公开招标自发布至截止不少于20日（当前为10日）。');
    expect(await page.locator('#f-bidDeadlineAt').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).to.equal('error-summary');
    await checkPage(page, base, 'staff-publish-refused-zh');
    await page.fill('#f-bidDeadlineAt', local(T0 + 25 * DAY));
    await page.locator('#save-button').click();
    await page.waitForURL(/saved=1/);
    await page.locator('#publish-button').click();
    await page.waitForURL(/published=1/);
    expect(await page.locator('#notice').innerText()).to.equal('公告已发布。');
    expect(['published', 'bidding']).to.include((await t.req().get(`/api/sections/${sectionId}`)).body.section.state);
    await checkPage(page, base, 'staff-section-published-zh');
  });

  it('issues a clarification that moves the deadline to the earliest allowed one the page proposes', async () => {
    t.clock.set(T0 + 15 * DAY);
    await page.locator('#clarify-link').click();
    await page.waitForURL(/\/clarify$/);
    expect(await page.locator('#deadline-advice').innerText()).to.contain('须将截止时间顺延');
    expect(await page.inputValue('#f-newBidDeadlineAt')).to.equal(local(T0 + 30 * DAY));
    await checkPage(page, base, 'staff-clarify-zh');
    await page.fill('#f-title', '关于技术参数的澄清');
    await page.fill('#f-body', '第三章第 2 条处理器要求修改为不低于 8 核。');
    await page.locator('#clarify-button').click();
    await page.waitForURL(/clarified=1/);
    expect(await page.locator('#clarifications').innerText()).to.contain('关于技术参数的澄清');
    expect((await t.req().get(`/api/sections/${sectionId}`)).body.section.bidDeadlineAt).to.equal(T0 + 30 * DAY);
    await page.goto(`${base}/staff/sections/${sectionId}?lang=en`);
    await checkPage(page, base, 'staff-section-published-en');
    await page.goto(`${base}/staff/sections/${sectionId}/clarify?lang=en`);
    await checkPage(page, base, 'staff-clarify-en');
  });

  it('opens the cancellation confirmation, and the project edit page', async () => {
    await page.goto(`${base}/staff/sections/${sectionId}`);
    await page.locator('#cancel-link').click();
    await page.waitForURL(/\/cancel$/);
    await checkPage(page, base, 'staff-cancel-zh');
    await page.locator('#cancel-back').click();
    await page.waitForURL(new RegExp(`/staff/sections/${sectionId}$`));
    expect(await page.locator('#section-state').innerText()).to.not.equal('已取消');
    await page.locator('#edit-project-link').click();
    await page.waitForURL(/\/edit$/);
    await checkPage(page, base, 'staff-project-edit-zh');
    await page.locator('#add-section-link').click();
    await page.waitForURL(/sections\/new$/);
    await checkPage(page, base, 'staff-section-new-zh');
    await page.goto(`${base}/staff/projects/new?centre=construction&lang=en`);
    await checkPage(page, base, 'staff-project-new-en');
  });

  it('approves a pending organisation from the queue', async () => {
    await page.goto(`${base}/staff/orgs`);
    expect(await page.locator(`#org-${pendingOrg} .credit-check`).innerText()).to.contain('校验码正确');
    await checkPage(page, base, 'staff-orgs-zh');
    await page.goto(`${base}/staff/orgs?lang=en`);
    await checkPage(page, base, 'staff-orgs-en');
    await page.goto(`${base}/staff/orgs`);
    await page.locator(`#approve-${pendingOrg} button`).click();
    await page.waitForURL(/approved=/);
    expect(await page.locator('#notice').innerText()).to.equal('已批准“己待审有限公司”。');
    expect((await t.req(t.users.opProc).get(`/api/orgs/${pendingOrg}`)).body.organisation.status).to.equal('approved');
  });

  it('shows the dashboard with what needs the operator now', async () => {
    t.clock.set(T0 + 25 * DAY - 2 * 3600_000); // the morning of the first section's opening
    await page.goto(`${base}/staff`);
    expect(await page.locator('#needs-openingsToday').innerText()).to.contain('第一包 办公家具');
    expect(await page.locator('#needs-drafts').innerText()).to.contain('施工');
    expect(await page.locator('#state-counts').innerText()).to.match(/投标中\s+2/);
    await checkPage(page, base, 'staff-dashboard-zh');
    await page.goto(`${base}/staff?lang=en`);
    await checkPage(page, base, 'staff-dashboard-en');
    // All of one list, a page at a time (the dashboard shows the first rows and links here).
    await page.goto(`${base}/staff/sections?state=bidding`);
    expect(await page.locator('#list-count').innerText()).to.equal('共 2 个标段，第 1 / 1 页');
    await checkPage(page, base, 'staff-list-zh');
  });
});
