// The account pages in a real browser (Debian's Chromium through playwright-core) under the real
// CSP: an organisation registers in the page (the credit code checked as it is typed), is approved
// through the API, its representative signs in with the keyboard only, sees who they are in the
// header, changes the password and signs out. axe-core checks WCAG 2.1 AA on every page in zh and
// en, no page scrolls sideways at 390 px, and screenshots go to test-output/screenshots/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { creditCodeCheckChar } from '../../modules/orgs/credit-code';
import { browserTools, type OpenBrowser, openBrowser } from '../support/browser';
import { createTestApp, makeCreditCode, type TestApp } from '../support/test-app';
import { DESKTOP, PHONE, SCREENSHOTS, activeId, checkPage, focusOn, tabTo } from '../support/page-checks';

/** Kept by the run (gitignored): look at them after a change to the pages. */

describe('account pages in a browser', function () {
  this.timeout(180_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: OpenBrowser;
  let page: Page;
  const problems: string[] = [];
  const username = `rep-browser-${Date.now() % 100000}`;
  const password = 'pw-browser-rep-0123';
  const newPassword = 'pw-browser-rep-new-0123';
  const creditCode = makeCreditCode();

  before(async function () {
    const tools = browserTools(this);
    t = await createTestApp();
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Script errors and CSP refusals; failed loads other than the favicon and the deliberate refusals.
    browser = await openBrowser({ ...tools, base, problems, profile: true, timeout: 15_000, responses: (r) => /\/login(\?|$)|\/register(\?|$)|\/account\/password(\?|$)/.test(r.url()) });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  it('the sign-in and registration pages pass axe (WCAG 2.1 AA) and fit 390 px, in zh and en, also with errors shown', async () => {
    for (const lang of ['zh', 'en']) {
      const q = lang === 'en' ? '?lang=en' : '';
      await page.goto(`${base}/login${q}`);
      await checkPage(page, base, `login-${lang}`);
      await page.goto(`${base}/register${q}`);
      await checkPage(page, base, `register-${lang}`);
      // A refused form: the summary takes the focus, every field says what is wrong.
      await page.locator('#register-button').click();
      await page.waitForURL(/\/register/);
      await focusOn(page, 'error-summary');
      await checkPage(page, base, `register-errors-${lang}`);
      await page.goto(`${base}/login${q}`);
      await page.fill('#f-username', 'nobody-here');
      await page.fill('#f-password', 'wrong-password-123');
      await page.locator('#login-button').click();
      await page.locator('#error-summary').waitFor();
      await focusOn(page, 'error-summary');
      expect(await page.locator('#form-problem').innerText()).to.equal(lang === 'en' ? 'The username or password is wrong, or the account is disabled.' : '用户名或密码不正确，或该账户已停用。');
      await checkPage(page, base, `login-error-${lang}`);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('registers in the page: the credit code is checked as it is typed, then "pending approval" until approved', async () => {
    await page.goto(`${base}/register`);
    const wrong = creditCode.slice(0, 17) + (creditCode[17] === '0' ? '1' : '0');
    await page.fill('#f-creditCode', wrong);
    const live = page.locator('#f-creditCode-live');
    await live.filter({ hasText: `应为“${creditCodeCheckChar(wrong.slice(0, 17))}”` }).waitFor();
    expect(await live.getAttribute('class')).to.contain('bad');
    await page.fill('#f-creditCode', creditCode);
    await live.filter({ hasText: '校验码正确。' }).waitFor();
    await page.fill('#f-name', '戊浏览器测试有限公司');
    await page.fill('#f-contactName', '钱七');
    await page.fill('#f-contactPhone', '0551-6660001');
    await page.fill('#f-displayName', '钱七');
    await page.fill('#f-username', username);
    await page.fill('#f-password', password);
    await page.fill('#f-repeatPassword', password);
    await page.locator('#register-button').click();
    await page.waitForURL(`${base}/account?registered=1`);
    expect(await page.locator('#org-status').innerText()).to.equal('待审核');
    expect(await page.locator('#org-status-note').innerText()).to.contain('正在等待交易中心审核');
    await checkPage(page, base, 'account-pending-zh');

    const org = (await t.req(t.users.opProc).get('/api/orgs?status=pending')).body.organisations.find((o: { creditCode: string }) => o.creditCode === creditCode);
    expect((await t.req(t.users.opProc).post(`/api/orgs/${org.id}/approve`).send({})).status).to.equal(200);
    await page.reload();
    expect(await page.locator('#org-status').innerText()).to.equal('已通过审核');
  });

  it('signs out with the header button, and signs in with the keyboard only; the header shows user, organisation and role', async () => {
    await page.goto(`${base}/account`);
    await page.locator('#logout-button').click();
    await page.waitForURL(`${base}/login?out=1`);
    expect(await page.locator('#signed-out').innerText()).to.equal('您已退出登录。');
    expect(await page.locator('#login-link').count()).to.equal(1);

    await page.goto(`${base}/login?next=%2Faccount`);
    await tabTo(page, 'f-username');
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    expect(await activeId(page)).to.equal('f-password');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/account`);
    expect(await page.locator('#who-name').innerText()).to.equal('钱七');
    expect(await page.locator('#who-org').innerText()).to.equal('戊浏览器测试有限公司');
    expect(await page.locator('#who-role').innerText()).to.equal('投标单位代表');
    expect(await page.locator('#nav-bids').getAttribute('href')).to.equal('/account/bids');
    expect(await page.locator('#nav-keys').getAttribute('href')).to.equal('/account/keys');
    await checkPage(page, base, 'account-zh');
    await page.goto(`${base}/account?lang=en`);
    expect(await page.locator('#who-role').innerText()).to.equal('bidder representative');
    await checkPage(page, base, 'account-en');
    // The public pages show the same header, their content unchanged.
    await page.goto(`${base}/`);
    expect(await page.locator('#who-name').innerText()).to.equal('钱七');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home-signed-in-desktop.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home-signed-in-390.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
  });

  it('changes the password (a mismatch is named at its field first), signs out, and signs in with the new one', async () => {
    for (const lang of ['zh', 'en']) {
      await page.goto(`${base}/account/password${lang === 'en' ? '?lang=en' : ''}`);
      await checkPage(page, base, `password-${lang}`);
    }
    await page.goto(`${base}/account/password`);
    await page.fill('#f-currentPassword', password);
    await page.fill('#f-newPassword', newPassword);
    await page.fill('#f-repeatPassword', `${newPassword}x`);
    await page.locator('#password-button').click();
    await page.locator('#f-repeatPassword-error').waitFor();
    await focusOn(page, 'error-summary');
    expect(await page.locator('#f-repeatPassword-error').innerText()).to.equal('两次输入的密码不一致。');
    await checkPage(page, base, 'password-errors-zh');
    await page.fill('#f-currentPassword', password);
    await page.fill('#f-newPassword', newPassword);
    await page.fill('#f-repeatPassword', newPassword);
    await page.locator('#password-button').click();
    await page.waitForURL(`${base}/account`);
    expect(await page.locator('#password-changed').innerText()).to.contain('密码已修改。');

    await page.locator('#logout-button').click();
    await page.waitForURL(`${base}/login?out=1`);
    await page.fill('#f-username', username);
    await page.fill('#f-password', password);
    await page.locator('#login-button').click();
    await page.locator('#form-problem').waitFor();
    await page.fill('#f-password', newPassword);
    await page.locator('#login-button').click();
    await page.waitForURL(`${base}/account`);
    expect(await page.locator('#who-name').innerText()).to.equal('钱七');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
