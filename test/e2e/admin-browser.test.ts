// The admin pages in a real browser (Debian's Chromium through playwright-core) under the real CSP:
// an admin creates an operator for one centre; that operator signs in (its own browser) and cannot
// open another centre's section (the API answers 404 to that browser session, as to a stranger);
// the admin disables the account and the operator's session ends at its next page. The admin also
// saves a centre setting and records a calendar day. axe-core checks WCAG 2.1 AA on every admin page,
// zh and en, desktop and 390 px; screenshots go to test-output/screenshots/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { publishedLandSection } from '../support/bidding';
import { browserTools, type OpenBrowser, openBrowser, signIn as signInAt } from '../support/browser';
import { checkPage, focusOn } from '../support/page-checks';
import { createTestApp, openTenderSection, type TestApp, type TestUser } from '../support/test-app';

describe('admin pages in a browser: accounts, centre settings, calendar', function () {
  this.timeout(300_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let tools: { executablePath: string; axeFile: string };
  const browsers: OpenBrowser[] = [];
  const problems: string[] = [];

  /** A fresh browser (its own cookies) with axe served and every page error collected (but the `expected` statuses). */
  async function newPage(expected: number[] = []): Promise<Page> {
    const b = await openBrowser({ ...tools, base, problems, responses: (r) => expected.includes(r.status()) });
    browsers.push(b);
    return b.page;
  }

  const signIn = (page: Page, user: Pick<TestUser, 'username' | 'password'>) => signInAt(page, base, user);

  before(async function () {
    tools = browserTools(this);
    t = await createTestApp();
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const b of browsers) await b.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  afterEach(() => {
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it("an admin creates an operator for one centre; the operator cannot open another centre's section; disabling ends its session", async () => {
    // Drafts: only the staff of their centre (and overseers) may read them; a published section is public.
    const draft = async (operator: TestUser, centre: string) => {
      const res = await t
        .req(operator)
        .post('/api/projects')
        .send({ centre, title: `${centre} 草稿`, tenderee: '某单位', sections: [openTenderSection()] });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.sections[0].id as string;
    };
    const landDraft = await draft(t.users.opLand, 'land');
    const procurementDraft = await draft(t.users.opProc, 'procurement');
    const landPublished = await publishedLandSection(t);
    const admin = await newPage([422]);
    await signIn(admin, t.users.admin);
    await admin.locator('#nav-admin-accounts').click();
    await admin.waitForURL(/\/admin\/accounts$/);
    await checkPage(admin, base, 'admin-accounts-zh');
    await admin.locator('#new-account-link').click();
    await admin.waitForURL(/\/admin\/accounts\/new$/);
    await checkPage(admin, base, 'admin-account-new-zh');

    // First without a centre: the service's refusal, at the field, with the summary focused.
    await admin.fill('#f-displayName', '王经办');
    await admin.fill('#f-username', 'wang-proc');
    await admin.selectOption('#f-role', 'operator');
    await admin.fill('#f-password', 'wang-password-2026');
    await admin.locator('#create-account-button').click();
    await focusOn(admin, 'error-summary');
    expect(await admin.locator('#f-centres-error').innerText()).to.equal('交易中心经办人须至少属于一个中心。');
    expect(await admin.inputValue('#f-username')).to.equal('wang-proc');
    await checkPage(admin, base, 'admin-account-new-refused-zh');
    await admin.locator('#f-centres-procurement').check();
    await admin.fill('#f-password', 'wang-password-2026');
    await admin.locator('#create-account-button').click();
    await admin.waitForURL(/\/admin\/accounts\/[0-9A-Z]{26}$/);
    expect(await admin.locator('#account-notice').innerText()).to.equal('账户已创建。');
    expect(await admin.locator('#account-centres').innerText()).to.equal('政府采购');
    const accountUrl = admin.url();
    await checkPage(admin, base, 'admin-account-zh');

    // The operator, in its own browser: its centre's section is there, the land section is not (404, as for a stranger).
    const op = await newPage([401, 404]);
    await signIn(op, { username: 'wang-proc', password: 'wang-password-2026' });
    expect(await op.locator('#who-role').innerText()).to.equal('交易中心经办人');
    const api = async (id: string) => op.evaluate(async (path) => (await fetch(path)).status, `/api/sections/${id}`);
    expect(await api(procurementDraft)).to.equal(200);
    expect(await api(landDraft)).to.equal(404);
    expect(await api(landPublished.id)).to.equal(200); // public once published, for anyone
    // The staff pages answer the same: its own centre's section opens, another centre's — even a published one — is the 404 page.
    expect((await op.goto(`${base}/staff/sections/${procurementDraft}`))?.status()).to.equal(200);
    expect((await op.goto(`${base}/staff/sections/${landDraft}`))?.status()).to.equal(404);
    expect((await op.goto(`${base}/staff/sections/${landPublished.id}`))?.status()).to.equal(404);
    // Nor the admin pages: the 404 page.
    const denied = await op.goto(`${base}/admin/accounts`);
    expect(denied?.status()).to.equal(404);

    // The admin disables the account: the operator's next page finds it signed out.
    await admin.goto(accountUrl);
    await admin.locator('#disable-button').click();
    await admin.waitForURL(accountUrl);
    expect(await admin.locator('#account-notice').innerText()).to.equal('账户已停用，其全部会话已结束。');
    expect(await admin.locator('#account-status').getAttribute('data-disabled')).to.equal('1');
    await op.goto(`${base}/account`);
    expect(op.url()).to.contain('/login?next=%2Faccount');
    expect(await op.evaluate(async () => (await fetch('/api/me')).status)).to.equal(401);
    await admin.goto(`${accountUrl}?lang=en`);
    await checkPage(admin, base, 'admin-account-en');
    await admin.goto(`${base}/admin/accounts?lang=en&role=operator`);
    await checkPage(admin, base, 'admin-accounts-en');
    await admin.goto(`${base}/admin/accounts/new?lang=en`);
    await checkPage(admin, base, 'admin-account-new-en');
  });

  it('an admin changes a centre setting (a refusal at the field first) and records a calendar day', async () => {
    const admin = await newPage([422]);
    await signIn(admin, t.users.admin);
    await admin.locator('#nav-admin-centres').click();
    await admin.waitForURL(/\/admin\/centres$/);
    await checkPage(admin, base, 'admin-centres-zh');
    await admin.locator('#edit-construction').click();
    await admin.waitForURL(/\/admin\/centres\/construction$/);
    await checkPage(admin, base, 'admin-centre-zh');
    await admin.fill('#f-minBids', '0');
    await admin.locator('#save-centre-button').click();
    await focusOn(admin, 'error-summary');
    expect(await admin.locator('#f-minBids-error').innerText()).to.equal('请填写 1 至 100 之间的整数。');
    await checkPage(admin, base, 'admin-centre-refused-zh');
    await admin.fill('#f-minBids', '4');
    await admin.locator('#save-centre-button').click();
    await admin.locator('#saved').waitFor();
    expect((await t.services.centres.get('construction')).settings.minBids).to.equal(4);
    await admin.goto(`${base}/admin/centres/land?lang=en`);
    await checkPage(admin, base, 'admin-centre-en');
    await admin.goto(`${base}/admin/centres?lang=en`);
    await checkPage(admin, base, 'admin-centres-en');

    await admin.goto(`${base}/admin/calendar?year=2027`);
    await admin.fill('#f-date', '2027-10-01');
    await admin.selectOption('#f-kind', 'holiday');
    await admin.fill('#f-name', '国庆节');
    await admin.locator('#add-day-button').click();
    await admin.waitForURL(/year=2027$/);
    expect(await admin.locator('#calendar-notice').innerText()).to.equal('2027-10-01 已登记为节假日（休息）。');
    await admin.fill('#f-date', '2027-10-11');
    await admin.selectOption('#f-kind', 'workday');
    await admin.fill('#f-name', '调休');
    await admin.locator('#add-day-button').click();
    await focusOn(admin, 'error-summary');
    expect(await admin.locator('#f-date-error').innerText()).to.contain('星期一');
    await checkPage(admin, base, 'admin-calendar-refused-zh');
    await admin.goto(`${base}/admin/calendar?year=2027`);
    await checkPage(admin, base, 'admin-calendar-zh');
    await admin.goto(`${base}/admin/calendar?year=2027&lang=en`);
    await checkPage(admin, base, 'admin-calendar-en');
    await admin.locator('#remove-2027-10-01-button').click();
    await admin.waitForURL(/year=2027/);
    expect(await admin.locator('#no-days').innerText()).to.contain('2027');
  });
});
