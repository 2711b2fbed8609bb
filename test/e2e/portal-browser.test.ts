// The finished public portal in a real browser (Debian's Chromium through playwright-core) under
// the real CSP: the section browser (list, a filter, the archive, a later page), the rate report
// with its server-drawn SVG charts and a centre without data, and the halls of a cancelled and of a
// failed section, each checked by checkPage() (axe-core WCAG 2.1 AA at desktop and 390 px, no
// sideways scroll, screenshots in test-output/screenshots/) in Chinese and in English.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DAY } from '../../modules/core/clock';
import { publishedLandSection, publishedSection } from '../support/bidding';
import { browserTools, type OpenBrowser, openBrowser } from '../support/browser';
import { checkPage } from '../support/page-checks';
import { seedSections } from '../support/seed-sections';
import { createTestApp, T0, type TestApp } from '../support/test-app';

describe('the public portal in a browser: section browser, archive, rate charts, halls that will not open', function () {
  this.timeout(300_000);
  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: OpenBrowser;
  let page: Page;
  let cancelled: string;
  let failed: string;
  const problems: string[] = [];

  before(async function () {
    const tools = browserTools(this);
    t = await createTestApp();
    await seedSections(t, 120);
    await publishedLandSection(t, '5000000.00', '浏览器地块');
    cancelled = (await publishedSection(t, { title: '浏览器取消包' })).id;
    expect((await t.req(t.users.opProc).post(`/api/sections/${cancelled}/cancel`).send({ reason: '采购需求发生重大变化，终止本次采购' })).status).to.equal(200);
    const f = await publishedSection(t, { title: '浏览器流标包' });
    failed = f.id;
    t.clock.set(f.deadline + 1000);
    await t.services.lifecycle.advanceDue();
    await t.services.opening.openDue();
    const csv = [
      'centre,code,title,reference_price,award_amount,award_date,reference_kind',
      'construction,HF-2025-C-001,图表工程一,1000000.00,900000.00,2025-03-15,',
      'construction,HF-2025-C-002,图表工程二,3000000.00,2850000.00,2025-03-20,',
      'construction,HF-2025-C-003,图表工程三,2000000.00,1900000.00,2025-07-01,',
      'procurement,HF-2025-P-001,图表采购,500000.00,430000.00,2025-11-11,',
      'land,HF-2025-L-001,图表地块,50000000.00,62000000.00,2025-05-05,',
      'land,HF-2025-L-002,图表地块二,30000000.00,31500000.00,2025-09-09,',
    ].join('\r\n');
    expect((await t.req(t.users.admin).post('/api/reports/imports').set('Content-Type', 'text/csv').send(csv)).status).to.equal(201);
    t.clock.set(T0 + DAY);

    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser({ ...tools, base, problems, profile: true, responses: (r) => /centre=moon/.test(r.url()) });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  afterEach(() => {
    expect(problems.splice(0), 'script errors, CSP refusals or failed loads').to.deep.equal([]);
  });

  const rows = () => page.locator('#section-list tbody tr').count();

  for (const lang of ['zh', 'en'] as const) {
    const q = lang === 'en' ? '?lang=en' : '';
    const amp = lang === 'en' ? '&lang=en' : '';

    it(`${lang}: the section list, a filter chosen in the form, the next page and the archive`, async () => {
      await page.goto(`${base}/sections${q}`);
      expect(await rows()).to.equal(20);
      await checkPage(page, base, `portal-sections-${lang}`);
      // Choose a centre and a state in the form, as a person does; the query and the language stay.
      await page.selectOption('#f-centre', 'land');
      await page.selectOption('#f-state', 'published');
      await page.locator('#filter-button').click();
      await page.waitForURL(/centre=land/);
      const url = new URL(page.url());
      expect(url.searchParams.get('state')).to.equal('published');
      expect(url.searchParams.get('lang')).to.equal(lang === 'en' ? 'en' : null);
      const centres = await page.locator('#section-list tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { centre: string } }).dataset.centre));
      expect(centres.length).to.be.greaterThan(0);
      expect(new Set(centres)).to.deep.equal(new Set(['land']));
      await checkPage(page, base, `portal-sections-filtered-${lang}`);
      // A later page of the whole list, through the pager.
      await page.goto(`${base}/sections${q}`);
      await page.locator('#page-next').click();
      await page.waitForURL(/page=2/);
      expect(await page.locator('#pager [aria-current="page"]').innerText()).to.contain('2');
      await checkPage(page, base, `portal-sections-page2-${lang}`);
      await page.goto(`${base}/archive${q}`);
      const states = await page.locator('#section-list tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { state: string } }).dataset.state));
      for (const s of states) expect(['contracted', 'archived', 'failed', 'cancelled']).to.include(s);
      await checkPage(page, base, `portal-archive-${lang}`);
      // A refused filter: the summary takes the focus and links to the field.
      await page.goto(`${base}/sections?centre=moon${amp}`);
      expect(await page.locator('#f-centre-error').isVisible()).to.equal(true);
      await checkPage(page, base, `portal-sections-refused-${lang}`);
    });

    it(`${lang}: the rate report draws a chart per centre with data and says "no data" for the others`, async () => {
      await page.goto(`${base}/reports?from=2025-01-01&to=2025-12-31${amp}`);
      expect(await page.locator('svg.rate-chart').count()).to.equal(3);
      expect(await page.locator('#chart-property-none').isVisible()).to.equal(true);
      // Bars grow upwards from the zero line: a positive rate's bar ends on it.
      const bar = await page.locator('#chart-construction rect[data-key="2025-03"]').evaluate((r) => {
        const e = r as unknown as { getAttribute(n: string): string };
        return { y: Number(e.getAttribute('y')), h: Number(e.getAttribute('height')) };
      });
      expect(bar.h).to.be.greaterThan(10);
      expect(await page.locator('#chart-construction').getAttribute('role')).to.equal('img');
      expect(await page.locator('#chart-construction-title').textContent()).to.match(lang === 'en' ? /savings rate/i : /资金节约率/);
      expect(await page.locator('#chart-land-title').textContent()).to.match(lang === 'en' ? /value-added rate/i : /增值率/);
      expect(await page.content()).not.to.include('费率');
      await checkPage(page, base, `portal-reports-${lang}`);
      // A period without any result: every centre says so.
      await page.goto(`${base}/reports?from=2019-01-01&to=2019-12-31${amp}`);
      expect(await page.locator('svg.rate-chart').count()).to.equal(0);
      expect(await page.locator('p.no-data').count()).to.equal(4);
      await checkPage(page, base, `portal-reports-empty-${lang}`);
    });

    it(`${lang}: the halls of a cancelled and of a failed section say so, without a countdown`, async () => {
      await page.goto(`${base}/sections/${cancelled}/hall${q}`);
      expect(await page.locator('#hall-ended').getAttribute('data-ended')).to.equal('cancelled');
      expect(await page.locator('#countdown').count()).to.equal(0);
      expect(await page.locator('#cancel-reason').innerText()).to.equal('采购需求发生重大变化，终止本次采购');
      await checkPage(page, base, `portal-hall-cancelled-${lang}`);
      await page.goto(`${base}/sections/${failed}/hall${q}`);
      expect(await page.locator('#hall-ended').getAttribute('data-ended')).to.equal('failed');
      expect(await page.locator('#failure-reason').innerText()).to.match(lang === 'en' ? /^Too few bids to open/ : /^投标不足，未开标/);
      await checkPage(page, base, `portal-hall-failed-${lang}`);
    });
  }
});
