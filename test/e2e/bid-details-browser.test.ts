// The bidder pages' finishing pieces in a real browser (Debian's Chromium through playwright-core)
// under the real CSP: the sealing page prints the section's opening key and fingerprint, follows the
// chosen section, seals to it, and refuses when the platform answers another key; a withdrawn
// version's withdrawal receipt downloads and verifies in the page; the receipt findings on a zh page
// are Chinese (no English sentence), times in the centre's zone; a bidder watching the hall before the
// opening gets the objection form without reloading once the window opens; the opening record at
// 390 px is a block per bid with the bidder's name on one line. axe-core (WCAG 2.1 AA), 390 px, screenshots.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { HOUR } from '../../modules/core/clock';
import { recipientFingerprint } from '../../modules/formats/recipient-fingerprint';
import { approvedBidder, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { browserTools, type OpenBrowser, openBrowser, signIn } from '../support/browser';
import { createTestApp, T0, type TestApp } from '../support/test-app';
import { DESKTOP, PHONE, checkPage } from '../support/page-checks';
/** Two ASCII words in a row: an English sentence (codes such as UTC+8, SHA-256, hex digests or etender-receipt/9 do not match). */
type RangeDoc = { document: { createRange(): { selectNodeContents(n: unknown): void; getBoundingClientRect(): { width: number } }; documentElement: { scrollWidth: number; clientWidth: number } } };
const ENGLISH = /[A-Za-z]{2,}[ ,']+[A-Za-z]{2,}/;

describe('bidder pages in a browser: fingerprint, withdrawal receipt, findings in zh, live hall form, 390 px record', function () {
  this.timeout(300_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let userDataDir: string;
  let browser: OpenBrowser;
  let page: Page;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  let s: PublishedSection;
  let other: PublishedSection;
  let aBid: string;
  const problems: string[] = [];

  before(async function () {
    const tools = browserTools(this);
    t = await createTestApp();
    A = await approvedBidder(t, '甲收尾浏览器建设工程集团有限责任公司', 'details-browser');
    B = await approvedBidder(t, '乙收尾浏览器科技有限公司', 'details-browser');
    C = await approvedBidder(t, '丙收尾浏览器工程有限公司', 'details-browser');
    s = await publishedSection(t, { title: '收尾浏览器包' });
    other = await publishedSection(t, { title: '另一标段' });
    t.clock.set(T0 + HOUR);
    aBid = (await placeBid(t, s, A, '900000.00')).bid.id;
    await placeBid(t, s, B, '850000.00');
    await placeBid(t, s, C, '950000.00');

    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-details-'));
    browser = await openBrowser({ ...tools, base, problems, profile: userDataDir, acceptDownloads: true, responses: false });
    page = browser.page;
    await signIn(page, base, A.user);
  });

  after(async () => {
    await browser?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  afterEach(() => {
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  const myVersions = async (b: Bidder) => (await t.req(b.user).get('/api/me/bids')).body.sections.flatMap((x: { versions: unknown[] }) => x.versions) as Array<{ id: string; status: string }>;

  it('the sealing page shows the chosen section’s key and fingerprint, as the section page does, and refuses to seal to another key', async () => {
    await page.goto(`${base}/sections/${s.id}`);
    const printed = await page.locator('#recipient-fingerprint').innerText();
    expect(printed).to.equal(recipientFingerprint(s.recipient));

    await page.goto(`${base}/bid`);
    await page.locator('#bid-form[data-ready="1"]').waitFor();
    expect(await page.locator('#seal-to-key').isHidden()).to.equal(true);
    await page.selectOption('#section', other.id);
    expect(await page.locator('#bid-recipient').innerText()).to.equal(other.recipient);
    await page.selectOption('#section', s.id);
    expect(await page.locator('#bid-recipient').innerText()).to.equal(s.recipient);
    expect(await page.locator('#bid-recipient-fingerprint').innerText()).to.equal(printed);
    await checkPage(page, base, 'details-bid-fingerprint-zh');

    // The platform (or something between) now answers another opening key: nothing is sealed or sent.
    const before = (await myVersions(A)).length;
    const swapped = `age1${'q'.repeat(58)}`;
    await page.route(`**/api/sections/${s.id}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      if (body.openingKey) body.openingKey.recipient = swapped;
      if (body.section?.openingKey) body.section.openingKey.recipient = swapped;
      await route.fulfill({ response: res, json: body });
    });
    await page.fill('#price', '880000.00');
    await page.locator('#seal-button').click();
    await page.locator('#bid-error:not([hidden])').waitFor();
    expect(await page.locator('#bid-error').innerText()).to.contain('平台现在给出的开标公钥与本页显示的不一致');
    expect(await page.locator('#receipt').isHidden()).to.equal(true);
    await page.unroute(`**/api/sections/${s.id}`);
    expect((await myVersions(A)).length).to.equal(before);

    // The printed key: sealed and submitted, the receipt's time in the page's language and zone.
    await page.locator('#seal-button').click();
    await page.locator('#receipt:not([hidden])').waitFor({ timeout: 120_000 });
    expect(await page.locator('#bid-status').innerText()).to.contain(`开标公钥与本页显示的一致，指纹： ${printed}`);
    expect(await page.locator('#receipt-time').innerText()).to.match(/^\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d（UTC\+8）$/);
    expect((await myVersions(A)).length).to.equal(before + 1);
    await page.goto(`${base}/sections/${s.id}/bid?lang=en`);
    await checkPage(page, base, 'details-bid-fingerprint-en');
  });

  it('a withdrawn version offers its withdrawal receipt, which downloads and verifies in the page', async () => {
    const current = (await myVersions(A)).find((v) => v.status === 'current')!;
    expect((await t.req(A.user).post(`/api/bids/${current.id}/withdraw`)).status).to.equal(200);
    await page.goto(`${base}/account/bids`);
    await page.locator('#my-bids[data-ready="1"]').waitFor();
    const card = page.locator(`#version-${current.id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), card.locator('.withdrawal-receipt-link').click()]);
    expect(download.suggestedFilename()).to.equal(`etender-withdrawal-receipt-${current.id}.json`);
    const file = path.join(userDataDir, '..', `${path.basename(userDataDir)}-withdrawal.json`);
    await download.saveAs(file);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.rmSync(file, { force: true });
    expect(saved).to.include({ kind: 'withdrawal' });
    expect(saved.bid.id).to.equal(current.id);

    await card.locator(`[aria-controls="verdict-withdrawal-${current.id}"]`).click();
    const verdict = page.locator(`#verdict-withdrawal-${current.id}`);
    await page.locator(`#verdict-withdrawal-${current.id}[data-result="ok"], #verdict-withdrawal-${current.id}[data-result="bad"]`).waitFor();
    expect(await verdict.getAttribute('data-result'), await verdict.innerText()).to.equal('ok');
    expect(await verdict.innerText()).to.contain('回执签名：用平台公布的回执公钥核验通过。');
    expect(await verdict.innerText()).to.match(/最迟 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d（UTC\+8）/);
    await checkPage(page, base, 'details-withdrawal-receipt-zh');
    aBid = (await placeBid(t, s, A, '890000.00')).bid.id; // bid again: three bids, so the section opens
  });

  it('on a zh page every receipt finding is Chinese (no English sentence); on an en page English', async () => {
    const receipt = (await t.req(A.user).get(`/api/bids/${aBid}/receipt`)).body.receipt;
    const tampered = { ...receipt, receivedAt: receipt.receivedAt + 1000, promise: { ...receipt.promise, entry: { ...receipt.promise.entry, action: 'bid.withdrawn' } } };
    const unknown = { ...receipt, format: 'etender-receipt/9' };
    const file = (name: string, body: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(body)) });
    for (const lang of ['zh', 'en'] as const) {
      await page.goto(`${base}/account/bids${lang === 'en' ? '?lang=en' : ''}`);
      await page.locator('#my-bids[data-ready="1"]').waitFor();
      for (const [name, body, want] of [
        ['tampered.json', tampered, lang === 'zh' ? '回执签名无法用平台公布的回执公钥核验。' : "The receipt signature does not verify with the platform's published receipt key."],
        ['unknown.json', unknown, lang === 'zh' ? '无法识别的回执格式（etender-receipt/9）。' : 'Unknown receipt format (etender-receipt/9).'],
      ] as const) {
        await page.setInputFiles('#f-receiptFile', file(name, body));
        await page.locator('#check-file-button').click();
        // The previous file's red verdict is still on the page until this check replaces it: wait for this file's finding.
        await page.locator('#verdict-file[data-result="bad"]', { hasText: want }).waitFor();
        const text = await page.locator('#verdict-file').innerText();
        expect(text).to.contain(want);
        if (lang === 'zh') expect(text, text).to.not.match(ENGLISH);
        else expect(text).to.match(ENGLISH);
        if (name === 'tampered.json' && lang === 'zh') {
          expect(text).to.contain('日志承诺不是对本投标“投标”条目的承诺。');
          expect(text).to.contain('日志承诺的时间与回执所记的时间不一致。');
          await checkPage(page, base, 'details-findings-zh');
        }
      }
    }
  });

  it('a bidder watching the hall before the opening gets the objection form when the window opens, without reloading', async () => {
    await page.goto(`${base}/sections/${s.id}/hall`);
    expect(await page.locator('#objections-later').isHidden()).to.equal(true);
    expect(await page.locator('#opening-objections-form').count()).to.equal(1); // rendered, hidden, with its token
    const loads: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) loads.push(f.url());
    });
    t.clock.set(s.deadline);
    await t.services.lifecycle.advanceDue();
    expect(await t.services.opening.openDue()).to.deep.include({ id: s.id, outcome: 'opened' });

    await page.locator('#objections-later').waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('#hall-record:not([hidden])').waitFor();
    expect(loads).to.deep.equal([]);
    expect(await page.locator('#objections-opened').innerText()).to.equal('开标异议期已开始，可以在下方提出异议。');
    // The live rows carry their column heads for the narrow layout.
    expect(await page.locator('#record-bids td.bidder').first().getAttribute('data-label')).to.equal('投标人');
    await checkPage(page, base, 'details-hall-live-form-zh');

    await page.fill('#f-text', '开标时间与公告不一致。');
    await page.locator('#opening-objections-submit').click();
    await page.waitForURL(`${base}/sections/${s.id}/hall?objection=raised`);
    const listed = (await t.req().get(`/api/sections/${s.id}/opening-objections`)).body.objections as Array<{ text: string }>;
    expect(listed.map((o) => o.text)).to.deep.equal(['开标时间与公告不一致。']);
  });

  it('the opening record at 390 px: a block per bid, the bidder’s name on a line of its own width, no sideways scroll, still a table', async () => {
    for (const [where, name] of [
      [`/sections/${s.id}`, 'details-record-section'],
      [`/sections/${s.id}/hall`, 'details-record-hall'],
    ] as const) {
      for (const lang of ['zh', 'en']) {
        await page.setViewportSize(PHONE);
        await page.goto(`${base}${where}${lang === 'en' ? '?lang=en' : ''}`);
        // The hall's script redraws the rows from the live 'opened' event: measure after it has.
        if (where.endsWith('/hall')) await page.locator('#hall[data-opened="true"]').waitFor();
        const rows = page.locator('#record-bids tr');
        expect(await rows.count()).to.equal(3);
        for (const box of await page
          .locator('#record-bids td.bidder')
          .evaluateAll((tds) => tds.map((td) => (td as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width))) {
          expect(box, 'the bidder cell is a full-width line').to.be.greaterThan(250);
        }
        const names = await page.locator('#record-bids td.bidder').evaluateAll((tds) =>
          tds.map((td) => {
            const range = (globalThis as unknown as RangeDoc).document.createRange();
            range.selectNodeContents(td); // the text only: the ::before label is not in the range
            return range.getBoundingClientRect().width;
          }),
        );
        for (const w of names) expect(w, `${where} ${lang}: the name itself is not broken per character (${names.join(', ')} px)`).to.be.greaterThan(150);
        // Screen readers still get a table with its column heads and cells.
        expect(await page.getByRole('table').count()).to.be.greaterThan(0);
        expect(await page.getByRole('columnheader', { name: lang === 'zh' ? '投标人' : 'Bidder' }).count()).to.equal(1);
        expect(await page.getByRole('cell', { name: A.name }).count()).to.equal(1);
        const overflow = await page.evaluate(() => {
          const d = (globalThis as unknown as RangeDoc).document.documentElement;
          return d.scrollWidth - d.clientWidth;
        });
        expect(overflow).to.be.at.most(0);
        await page.setViewportSize(DESKTOP);
        await checkPage(page, base, `${name}-${lang}`);
      }
    }
  });
});
