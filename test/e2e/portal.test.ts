// The public portal in a real browser (Debian's Chromium driven by playwright-core): the home page,
// a section's notice, the opening hall (countdown on the server's clock, live 'opened' event over
// server-sent events) and the escaping of values. The app runs in-process on a ManualClock.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { escapeHtml, html } from '../../templates/html';
import { createTestApp, type TestApp } from '../support/test-app';
import { approvedBidder, publishedSection, sealedBid, submit } from '../support/bidding';
import { requireTool } from '../support/tools';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Set to a directory (outside the repository) to keep screenshots of the home page and the hall. */
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS;

describe('public portal in a browser', function () {
  this.timeout(120_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let userDataDir: string;
  let browser: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let section: Awaited<ReturnType<typeof publishedSection>>;
  const TITLE = '办公桌椅采购包';
  const EVIL = '<script>window.__xss = 1</script>恶意标题';

  before(async function () {
    const executablePath = requireTool(this, 'chromium', 'apt-get install chromium');
    t = await createTestApp();
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    section = await publishedSection(t, { title: TITLE });
    await publishedSection(t, { title: EVIL });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
    // Script errors, CSP refusals, and failed loads other than the favicon and the deliberate 404.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !/\/favicon\.ico$|NO-SUCH-SECTION|from=2026-13/.test(r.url())) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    // Open event streams would keep the server from closing.
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  it('the home page lists the section with its Chinese title, centre and reference price, behind a strict CSP', async () => {
    const res = await page.goto(`${base}/`);
    expect(res!.status()).to.equal(200);
    const csp = res!.headers()['content-security-policy'];
    expect(csp).to.contain("default-src 'self'");
    expect(csp).to.contain("script-src 'self'");
    expect(await page.locator('html').getAttribute('lang')).to.equal('zh-CN');
    await expect(await page.title()).to.contain('统一公共资源交易平台');
    const row = page.locator(`#open-sections tr[data-section="${section.id}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).to.contain(TITLE);
    expect(text).to.contain(section.code);
    expect(text).to.contain('政府采购');
    expect(text).to.contain('1,000,000.00 元');
    expect(await page.locator('#centres li').count()).to.equal(4);
    expect(await page.locator('#report-link').getAttribute('href')).to.equal('/reports');
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'home.png'), fullPage: true });

    const en = await page.goto(`${base}/?lang=en`);
    expect(en!.status()).to.equal(200);
    expect(await page.locator('html').getAttribute('lang')).to.equal('en');
    expect(await page.locator('h1').innerText()).to.equal('Unified Public Resources Trading Platform');
    expect(await page.locator('#open-sections').innerText()).to.contain('Government procurement');
  });

  it('escapes a value containing <script> (the page shows it as text and never runs it)', async () => {
    expect(escapeHtml('<a href="x">\'&`')).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#96;');
    expect(html`<p title="${'"><script>'}">${'<b>'}${html`<i>ok</i>`}</p>`.value).to.equal('<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;<i>ok</i></p>');
    await page.goto(`${base}/`);
    const body = await page.locator('#open-sections').innerText();
    expect(body).to.contain(EVIL);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).to.equal(undefined);
    const source = await (await fetch(`${base}/`)).text();
    expect(source).to.contain('&lt;script&gt;window.__xss = 1&lt;/script&gt;恶意标题');
    expect(source).not.to.contain('<script>window.__xss');
  });

  it('the section page shows the notice and the opening recipient, and nothing about bids before the deadline', async () => {
    for (const name of ['甲建设有限公司', '乙科技有限公司', '丙工程有限公司']) {
      const b = await approvedBidder(t, name);
      const r = await submit(t, b.user, section.id, await sealedBid(section, b.orgId, b.key, { price: name === '乙科技有限公司' ? '860000.00' : '910000.00' }));
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    const res = await page.goto(`${base}/sections/${section.id}`);
    expect(res!.status()).to.equal(200);
    expect(await page.locator('h1').innerText()).to.contain(TITLE);
    expect(await page.locator('#recipient').innerText()).to.equal(section.recipient);
    // Who holds the key until the opening, in words: the time lock's round (a local beacon here, so the host is named as trusted).
    const round = (await t.req().get(`/api/sections/${section.id}`)).body.section.openingKey.timeLock.round;
    const parts = await page.locator('#key-parts').innerText();
    expect(parts).to.contain(`本地信标第 ${round} 轮`);
    expect(parts).to.contain('主机可提前解密');
    expect(parts).not.to.contain('time-lock');
    expect(await page.locator('#opening-record').innerText()).to.contain('开标记录将在开标时间后公布');
    expect(await page.locator('#bid-count').count()).to.equal(0);
    expect(await page.locator('#record-table').count()).to.equal(0);
    const all = await page.locator('body').innerText();
    for (const name of ['甲建设有限公司', '乙科技有限公司', '丙工程有限公司']) expect(all).not.to.contain(name);

    expect((await page.goto(`${base}/sections/NO-SUCH-SECTION`))!.status()).to.equal(404);
  });

  it('the hall counts down on the server clock, then shows the record live when it is published', async () => {
    const before = 2 * 3600_000 + 3 * 60_000 + 4_000; // 02:03:04 before the deadline
    t.clock.set(section.deadline - before);
    const res = await page.goto(`${base}/sections/${section.id}/hall`);
    expect(res!.status()).to.equal(200);
    expect(Number(await page.locator('#hall').getAttribute('data-server-now'))).to.equal(t.clock.now());
    // The page script keeps ticking from the server's time: 02:03:04 or a few seconds less, never
    // anything derived from the browser's own (real, years-off) clock.
    const shown = await page.locator('#countdown').innerText();
    const m = /^(\d\d):(\d\d):(\d\d)$/.exec(shown);
    expect(m, shown).to.not.equal(null);
    const seconds = Number(m![1]) * 3600 + Number(m![2]) * 60 + Number(m![3]);
    expect(seconds).to.be.within(before / 1000 - 10, before / 1000);
    expect(await page.locator('#server-time').innerText()).to.match(/^2026-12-26 06:56:\d\d \(UTC\+8\)$/);
    await page.locator('#connection').filter({ hasText: '实时' }).waitFor();
    expect(await page.locator('#hall-record').isHidden()).to.equal(true);

    await page.evaluate(() => ((globalThis as unknown as { __noReload?: boolean }).__noReload = true));
    t.clock.set(section.deadline + 1000);
    await t.services.lifecycle.advanceDue();
    await t.services.opening.openDue();

    await page.locator('#record-bids tr').nth(2).waitFor({ timeout: 20_000 });
    await page.locator('#hall-record').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload)).to.equal(true);
    const table = await page.locator('#record-bids').innerText();
    for (const name of ['甲建设有限公司', '乙科技有限公司', '丙工程有限公司']) expect(table).to.contain(name);
    expect(table).to.contain('860,000.00 元');
    expect(table).to.contain('910,000.00 元');
    expect(await page.locator('#bid-count').innerText()).to.equal('3');
    await page.locator('#countdown').filter({ hasText: '00:00:00' }).waitFor();
    await page.locator('#hall-state').filter({ hasText: '已开标' }).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'hall-opened.png'), fullPage: true });

    // The section page now has the record with its links.
    await page.goto(`${base}/sections/${section.id}`);
    expect(await page.locator('#record-bids tr').count()).to.equal(3);
    expect(await page.locator(`#opening-record a[href="/api/sections/${section.id}/opening-record.pdf"]`).count()).to.equal(1);
    expect(await page.locator('#opening-record a[href^="/api/bids/"]').count()).to.equal(3);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('the event stream sends the server time as text/event-stream', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/sections/${section.id}/hall/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: opened')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const state = JSON.parse(/event: state\ndata: (.*)\n/.exec(text)![1]!);
    expect(state).to.include({ state: 'opened', now: t.clock.now() });
  });

  it('the rate report page has the headline, the centres and the CSV and PDF links', async () => {
    const res = await page.goto(`${base}/reports`);
    expect(res!.status()).to.equal(200);
    expect(await page.locator('input[name=from]').inputValue()).to.equal('2026-01-01');
    expect(await page.locator('input[name=to]').inputValue()).to.equal('2026-12-31');
    expect(await page.locator('#headline').innerText()).to.contain('资金节约率');
    expect(await page.locator('#rates tbody tr').count()).to.equal(6);
    expect(await page.locator('#csv-link').getAttribute('href')).to.equal('/api/reports/rates?from=2026-01-01&to=2026-12-31&format=csv');
    const csv = await fetch(`${base}${await page.locator('#pdf-link').getAttribute('href')}`);
    expect(csv.status).to.equal(200);
    expect((await page.goto(`${base}/reports?from=2026-13-01&to=2026-12-31`))!.status()).to.equal(422);
    expect(await page.locator('#report-error').count()).to.equal(1);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
