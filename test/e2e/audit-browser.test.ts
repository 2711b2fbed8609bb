// The auditor's desk in a real browser (Debian's Chromium through playwright-core) under the real
// CSP: an auditor signs in, downloads a section's dossier PDF from /audit, sees every entry's
// inclusion proof on /audit/log go green — and red when the proof the server answers is altered (the
// RESPONSE is replaced in the browser with page.route; the server is untouched) — and verifies the
// whole log on /audit/verify, green, with counts. axe-core checks WCAG 2.1 AA on each page in zh and
// en; no page scrolls sideways at 390 px. (The README's verifier screenshot comes from
// operator-journey-browser.test.ts.)
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { approvedBidder, bidAndOpen, publishedSection, type PublishedSection } from '../support/bidding';
import { browserTools, type OpenBrowser, openBrowser, signIn as signInAt } from '../support/browser';
import { checkPage } from '../support/page-checks';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app';

describe('audit pages in a browser: dossier, log proofs, verifier', function () {
  this.timeout(300_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: OpenBrowser;
  let page: Page;
  let section: PublishedSection;
  const problems: string[] = [];

  before(async function () {
    const tools = browserTools(this);
    t = await createTestApp();
    section = await publishedSection(t, { title: '审计浏览器测试标段' });
    const bidders = [await approvedBidder(t, '丙工程有限公司'), await approvedBidder(t, '丁设备有限公司'), await approvedBidder(t, '戊科技有限公司')];
    await bidAndOpen(t, section, [
      [bidders[0]!, '950000.00'],
      [bidders[1]!, '960000.00'],
      [bidders[2]!, '970000.00'],
    ]);
    await t.services.audit.checkpoint();
    server = http.createServer((req, res) => t.app(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser({ ...tools, base, problems, acceptDownloads: true, timeout: 90_000, responses: false });
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

  const signIn = (user: TestUser, next: string) => signInAt(page, base, user, next);

  it('opens the desk after signing in and downloads the dossier PDF', async () => {
    await page.goto(`${base}/audit`);
    await page.waitForURL(/\/login\?next=%2Faudit/);
    await signIn(t.users.auditor, '/audit');
    const card = page.locator(`#section-${section.id}`);
    expect(await card.locator('.pdf-link[data-kind="opening-record"]').count()).to.equal(1);
    const [download] = await Promise.all([page.waitForEvent('download'), card.locator('.pdf-link[data-kind="dossier"]').click()]);
    const file = await download.path();
    expect(fs.readFileSync(file!).subarray(0, 5).toString()).to.equal('%PDF-');
    await checkPage(page, base, 'audit-desk-zh');
    await page.goto(`${base}/audit?lang=en`);
    await checkPage(page, base, 'audit-desk-en');
  });

  it('checks every shown entry against the signed checkpoint, and shows an altered proof red', async () => {
    await page.goto(`${base}/audit/log`);
    await page.locator('#audit-log[data-checked="1"]').waitFor();
    expect(await page.locator('#needs-script').isHidden()).to.equal(true);
    const results = await page.locator('.proof-verdict').evaluateAll((boxes) => boxes.map((b) => (b as unknown as { dataset: { result?: string } }).dataset.result));
    expect(results.length).to.equal(50);
    expect(
      results.filter((r) => r !== 'ok' && r !== 'pending'),
      JSON.stringify(results),
    ).to.deep.equal([]);
    expect(results.filter((r) => r === 'ok').length).to.be.greaterThan(0);
    await checkPage(page, base, 'audit-log-zh');

    // The server's answer, altered in the browser: one hash of every proof flipped.
    const target = Number(
      await page
        .locator('.proof-verdict[data-result="ok"]')
        .first()
        .evaluate((b) => (b as unknown as { id: string }).id.slice('proof-'.length)),
    );
    await page.route('**/api/audit/proofs/inclusion?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      if (Array.isArray(body.proof) && body.proof.length) body.proof[0] = body.proof[0].replace(/^./, (ch: string) => (ch === '0' ? '1' : '0'));
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${base}/audit/log?lang=en`);
    await page.locator('#audit-log[data-checked="1"]').waitFor();
    const box = page.locator(`#proof-${target}`);
    expect(await box.getAttribute('data-result')).to.equal('bad');
    expect(await box.innerText()).to.contain('does not lead to the signed checkpoint root');
    await page.unroute('**/api/audit/proofs/inclusion?*');
    await page.reload();
    await page.locator('#audit-log[data-checked="1"]').waitFor();
    expect(await box.getAttribute('data-result')).to.equal('ok');
    await checkPage(page, base, 'audit-log-en');
  });

  it('verifies the whole log in the browser: green, saying what it checked', async () => {
    const size = await t.services.audit.size();
    const newest = await t.services.audit.publishedCheckpoint();
    await page.goto(`${base}/audit/verify`);
    await page.locator('#verify-button').click();
    const result = page.locator('#verify-result[data-result]');
    await result.waitFor();
    expect(await result.getAttribute('data-result'), await result.innerText()).to.equal('ok');
    const text = await result.innerText();
    expect(text).to.contain('日志核验通过');
    expect(text).to.contain(`${newest.size.toLocaleString('en-US')} 条日志条目`);
    const root = page.locator('#log-verifier');
    expect(Number(await root.getAttribute('data-entries'))).to.equal(newest.size);
    expect(newest.size).to.be.at.most(size);
    expect(Number(await root.getAttribute('data-signatures'))).to.be.greaterThan(0);
    await checkPage(page, base, 'audit-verify-zh');

    // A checkpoint whose signed root is altered: the page says which one failed.
    await page.route('**/api/audit/checkpoints?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const last = body.checkpoints[body.checkpoints.length - 1];
      last.root = last.root.replace(/^./, (ch: string) => (ch === '0' ? '1' : '0'));
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${base}/audit/verify?lang=en`);
    await page.locator('#verify-button').click();
    await result.waitFor();
    expect(await result.getAttribute('data-result')).to.equal('bad');
    expect(await result.innerText()).to.contain('The log does not verify');
    await page.unroute('**/api/audit/checkpoints?*');
    await page.locator('#verify-button').click();
    await page.locator('#verify-result[data-result="ok"]').waitFor();
    await checkPage(page, base, 'audit-verify-en');
  });
});
