// A bidder's whole journey in a real browser (Debian's Chromium through playwright-core, persistent
// profiles) under the real CSP, through the pages only — the API only for the approval (as the
// operator) and the injected clock: a new organisation registers in /register, is approved, its
// representative signs in at /login, makes a signing key on /account/keys and gets its certificate;
// the browser is closed and opened again on the same profile and the key is still there. From the
// section page's 投标 button the bidder seals and submits a bid with an attachment (the progress bar
// moves), verifies the receipt on /account/bids, replaces the bid, withdraws it (confirmed) and
// submits again. Two more bidders bid through the API helpers. The deadline passes; the section's
// opening key is held 2 of [time lock, custodian, supervisor]: the custodian releases its share on
// /account/custody with the key its own browser profile kept since before the section was published
// (the supervisor's share goes through the API, as the command line sends it); the section opens and
// the bidder follows the link from /account/bids to its line in the opening record.
//
// Each step leaves a screenshot in test-output/journey/NN-step.png (the run's record); every distinct
// page passes checkPage() (axe WCAG 2.1 AA at desktop and 390 px, no sideways scroll).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { HOUR } from '../../modules/core/clock';
import { decryptShare } from '../../modules/custody/custody-crypto';
import { createCsr } from '../../modules/pki/client-keys';
import { STRINGS } from '../../templates/pages/strings';
import { serveAxe } from '../support/axe';
import { approvedBidder, placeBid, publishedSection, type PublishedSection } from '../support/bidding';
import { DESKTOP, SCREENSHOTS, checkPage } from '../support/page-checks';
import { createTestApp, makeCreditCode, T0, type TestApp, type TestUser } from '../support/test-app';
import { requireModuleFile, requireTool } from '../support/tools';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The run's record of the journey, one screenshot per step (git-ignored, kept by the run). */
const JOURNEY = path.join(process.cwd(), 'test-output', 'journey');
const PASS = 'correct horse battery staple 电池';
const PRICES = { first: '912345.60', replaced: '898000.00', resubmitted: '887654.32' };

/** A browser on a persistent profile, with its one page and the problems it met (script errors, CSP refusals, failed loads). */
interface Browser {
  profile: string;
  context: BrowserContext;
  page: Page;
  problems: string[];
}

describe("a bidder's whole journey in a browser: register, key, seal, replace, withdraw, custody, opening", function () {
  this.timeout(300_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let executablePath: string;
  let axeFile: string;
  let work: string;
  let attachmentPath: string;
  const ATTACHMENT = crypto.randomBytes(2 * 1024 * 1024);
  const browsers: Browser[] = [];
  let bidder: Browser;
  let custodianBrowser: Browser;
  let section: PublishedSection;
  let supervisorKey: crypto.KeyObject;
  let step = 0;

  const rep = { username: `journey-rep-${Date.now() % 100000}`, password: 'pw-journey-rep-0123', name: '己旅程建设有限公司', creditCode: makeCreditCode() };
  let repUser: TestUser;
  let fingerprint: string;
  const bidIds: string[] = [];

  /** The step's screenshot: test-output/journey/NN-name.png, full page at desktop width. */
  async function shot(b: Browser, name: string): Promise<void> {
    step += 1;
    await b.page.screenshot({ path: path.join(JOURNEY, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
  }

  async function open(profile: string): Promise<Browser> {
    const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000, viewport: DESKTOP, acceptDownloads: true });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(60_000);
    await serveAxe(page, base, axeFile);
    const b: Browser = { profile, context, page, problems: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) b.problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url())) b.problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => b.problems.push(String(e)));
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== base) b.problems.push(`request outside the platform: ${r.url()}`);
    });
    browsers.push(b);
    return b;
  }

  async function close(b: Browser): Promise<void> {
    await b.context.close();
    browsers.splice(browsers.indexOf(b), 1);
  }

  async function signIn(b: Browser, user: { username: string; password: string }): Promise<void> {
    await b.page.goto(`${base}/login`);
    await b.page.fill('#f-username', user.username);
    await b.page.fill('#f-password', user.password);
    await b.page.locator('#login-button').click();
    await b.page.waitForURL(/\/account$/);
  }

  /** Makes the signed-in user's key on /account/keys and gets its certificate; answers the fingerprint the page marks as this browser's. */
  async function makeKey(b: Browser): Promise<string> {
    const page = b.page;
    await page.goto(`${base}/account/keys`);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    expect(await page.locator('#certify-button').isHidden()).to.equal(true); // no key yet
    await page.fill('#f-backupPassphrase', PASS);
    await page.fill('#f-repeatPassphrase', PASS);
    await page.locator('#make-key-button').click();
    await page.locator('#backup-area').waitFor({ state: 'visible' });
    await page.locator('#certify-button').click();
    await page.waitForURL(/certified=1/);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    expect(await page.locator('#notice').innerText()).to.equal('证书已签发，已保存在本浏览器中。');
    return (await page.locator('li.card:has(.this-browser:visible)').getAttribute('data-fingerprint'))!;
  }

  /** Waits for the sealing page's receipt; fails with the page's own message if it shows an error instead. */
  async function receiptOrPageError(page: Page): Promise<void> {
    await Promise.race([
      page.locator('#receipt').waitFor({ state: 'visible', timeout: 90_000 }),
      page
        .locator('#bid-error')
        .waitFor({ state: 'visible', timeout: 90_000 })
        .then(async () => {
          throw new Error(`the page reports: ${await page.locator('#bid-error').innerText()}`);
        }),
    ]);
  }

  /** On the sealing page (already open): types the price, adds the attachment, seals and submits; answers the receipt's bid id and the progress bar's phases and values as they changed. */
  async function sealAndSubmit(page: Page, price: string): Promise<{ bidId: string; phases: string[]; values: number[] }> {
    await page.locator('#bid-form[data-ready="1"][data-session="1"]').waitFor({ state: 'attached' });
    expect(await page.locator('#token').count(), 'a signed-in bidder is asked for no token').to.equal(0);
    expect(await page.locator('#section').inputValue()).to.equal(section.id);
    // The bar's phases and values as they change, observed in the page (script evaluated through
    // the devtools protocol is not subject to the CSP). A string: the project's TypeScript has no DOM types.
    await page.evaluate(`(() => {
      const bar = document.getElementById('seal-progress');
      window.phases = [];
      window.values = [];
      new MutationObserver(() => {
        if (bar.dataset.phase !== window.phases[window.phases.length - 1]) window.phases.push(bar.dataset.phase);
        window.values.push(Number(bar.getAttribute('value')));
      }).observe(bar, { attributes: true, attributeFilter: ['data-phase', 'value'] });
    })()`);
    await page.locator('#price').fill(price);
    await page.locator('#duration').fill('90');
    await page.locator('#files').setInputFiles(attachmentPath);
    await page.locator('#seal-button').click();
    await receiptOrPageError(page);
    await page.locator('#receipt-log').filter({ hasNotText: '…' }).waitFor({ state: 'attached' });
    return { bidId: await page.locator('#receipt-bid').innerText(), phases: (await page.evaluate('window.phases')) as string[], values: (await page.evaluate('window.values')) as number[] };
  }

  /** /account/bids with its script ready; answers each version's status by bid id. */
  async function myBids(page: Page): Promise<Record<string, string>> {
    await page.goto(`${base}/account/bids`);
    await page.locator('#my-bids[data-ready="1"]').waitFor();
    const out: Record<string, string> = {};
    for (const v of await page.locator(`section[data-section="${section.id}"] li.version`).all()) out[(await v.getAttribute('data-bid'))!] = await v.locator('.version-status').innerText();
    return out;
  }

  before(async function () {
    executablePath = requireTool(this, 'chromium', 'apt-get install chromium');
    axeFile = requireModuleFile(this, 'axe-core/axe.min.js', 'npm install --save-dev axe-core');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    fs.rmSync(JOURNEY, { recursive: true, force: true });
    fs.mkdirSync(JOURNEY, { recursive: true });
    t = await createTestApp();
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-journey-'));
    attachmentPath = path.join(work, '技术方案.pdf');
    fs.writeFileSync(attachmentPath, ATTACHMENT);
    fs.mkdirSync(path.join(work, 'bidder'));
    fs.mkdirSync(path.join(work, 'custodian'));
  });

  after(async () => {
    for (const b of [...browsers]) await b.context.close().catch(() => undefined);
    if (work) fs.rmSync(work, { recursive: true, force: true });
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  afterEach(() => {
    for (const b of browsers) expect(b.problems, b.problems.join('\n')).to.deep.equal([]);
  });

  it('01 before the section is published, the custodian makes its encryption key on /account/keys in its own browser profile', async () => {
    custodianBrowser = await open(path.join(work, 'custodian'));
    await signIn(custodianBrowser, t.users.custodian);
    const custodianFingerprint = await makeKey(custodianBrowser);
    const certs = (await t.req(t.users.custodian).get('/api/pki/certificates')).body.certificates as Array<{ fingerprint: string; usage: string }>;
    expect(certs.find((c) => c.fingerprint === custodianFingerprint)).to.deep.include({ usage: 'encryption' });
    await shot(custodianBrowser, 'custodian-key');
    await close(custodianBrowser);

    // The other custodian's key is made on its own machine (a CSR), as the command line does.
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    supervisorKey = privateKey;
    await t.services.pki.issueFromCsr(t.users.supervisor.ctx, createCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { commonName: 'supervisor' }), 'encryption');
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    const settings = await t
      .req(t.users.admin)
      .put('/api/centres/procurement/settings')
      .send({ ...centre.settings, custody: { threshold: 2, members: ['time-lock', 'user:custodian', 'user:supervisor'] } });
    expect(settings.status, settings.text).to.equal(200);
    section = await publishedSection(t, { title: '旅程测试包' });
    const key = (await t.req().get(`/api/sections/${section.id}`)).body.section.openingKey;
    expect(key).to.deep.include({ threshold: 2, custodians: ['time-lock', 'user:custodian', 'user:supervisor'] });
  });

  it('02 a new organisation registers in /register and is told it awaits approval', async () => {
    bidder = await open(path.join(work, 'bidder'));
    const page = bidder.page;
    await page.goto(`${base}/register`);
    await checkPage(page, base, 'journey-register');
    await page.fill('#f-name', rep.name);
    await page.fill('#f-creditCode', rep.creditCode);
    await page.locator('#f-creditCode-live').filter({ hasText: '校验码正确。' }).waitFor();
    await page.fill('#f-contactName', '孙八');
    await page.fill('#f-contactPhone', '0551-6660002');
    await page.fill('#f-displayName', '孙八');
    await page.fill('#f-username', rep.username);
    await page.fill('#f-password', rep.password);
    await page.fill('#f-repeatPassword', rep.password);
    await shot(bidder, 'register');
    await page.locator('#register-button').click();
    await page.waitForURL(`${base}/account?registered=1`);
    expect(await page.locator('#org-status').innerText()).to.equal('待审核');
    await checkPage(page, base, 'journey-account-pending');
    await shot(bidder, 'registered-pending');
  });

  it('03 the operator approves it (API); the representative signs in at /login', async () => {
    const page = bidder.page;
    const org = (await t.req(t.users.opProc).get('/api/orgs?status=pending')).body.organisations.find((o: { creditCode: string }) => o.creditCode === rep.creditCode);
    expect(org, 'the registration reached the operator').to.not.equal(undefined);
    expect((await t.req(t.users.opProc).post(`/api/orgs/${org.id}/approve`).send({})).status).to.equal(200);
    await page.locator('#logout-button').click();
    await page.waitForURL(`${base}/login?out=1`);
    await checkPage(page, base, 'journey-login');
    await page.fill('#f-username', rep.username);
    await page.fill('#f-password', rep.password);
    await shot(bidder, 'login');
    await page.locator('#login-button').click();
    await page.waitForURL(`${base}/account`);
    expect(await page.locator('#org-status').innerText()).to.equal('已通过审核');
    expect(await page.locator('#who-org').innerText()).to.equal(rep.name);
    await checkPage(page, base, 'journey-account');
    await shot(bidder, 'signed-in');
    // An API token of the representative, for the test's own look at what the server holds.
    const row = await t.tdb.db.knex('users').where({ username: rep.username }).first('id');
    const actor = (await t.services.accounts.actorById(String(row.id)))!;
    const token = await t.services.accounts.createTokenForUsername(rep.username, 'journey test');
    repUser = { id: actor.userId, username: rep.username, password: rep.password, token: token.token, ctx: { actor, ip: '127.0.0.1' } };
  });

  it('04 makes a signing key on /account/keys and gets its certificate', async () => {
    fingerprint = await makeKey(bidder);
    expect(fingerprint).to.match(/^[0-9a-f]{64}$/);
    await checkPage(bidder.page, base, 'journey-keys');
    await shot(bidder, 'key-certified');
  });

  it('05 the browser is closed and opened again on the same profile: the same key and certificate are there, no new key is made', async () => {
    await close(bidder);
    bidder = await open(path.join(work, 'bidder'));
    const page = bidder.page;
    await page.goto(`${base}/account/keys`);
    if (page.url().includes('/login')) await signIn(bidder, rep);
    await page.goto(`${base}/account/keys`);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    expect(await page.locator('#vault-state').innerText()).to.contain(fingerprint.slice(0, 16));
    expect(await page.locator('#make-key-form').isHidden(), 'no key to make: the browser has one').to.equal(true);
    expect(await page.locator('#certify-button').isHidden()).to.equal(true);
    expect(await page.locator(`li[data-fingerprint="${fingerprint}"] .this-browser`).isVisible()).to.equal(true);
    const certs = (await t.req(repUser).get('/api/pki/certificates')).body.certificates as Array<{ fingerprint: string }>;
    expect(certs.map((c) => c.fingerprint)).to.deep.equal([fingerprint]);
    await shot(bidder, 'key-after-reopen');
  });

  it('06 from the section page the 投标 button leads to the sealing page; the bid is sealed with an attachment and submitted, the progress bar moving', async () => {
    const page = bidder.page;
    t.clock.set(T0 + HOUR);
    await page.goto(`${base}/sections/${section.id}`);
    const link = page.locator('#section-bid-link');
    expect(await link.innerText()).to.equal(STRINGS.zh.submitBid);
    await checkPage(page, base, 'journey-section-bidding');
    await shot(bidder, 'section-page');
    await link.click();
    await page.waitForURL(`${base}/sections/${section.id}/bid`);
    await page.locator('#bid-form[data-ready="1"]').waitFor({ state: 'attached' });
    await checkPage(page, base, 'journey-seal');
    const sent = await sealAndSubmit(page, PRICES.first);
    expect(sent.phases).to.deep.equal(['hashing', 'sealing', 'uploading', 'done']);
    expect(
      sent.values.filter((v) => v > 0 && v < 1000),
      `the bar's values: ${sent.values.join(',')}`,
    ).to.have.length.greaterThan(2);
    expect(await page.locator('#seal-percent').innerText()).to.equal('100 %');
    expect(await page.locator('#bid-status').innerText()).to.contain('使用本浏览器保存的签名密钥');
    expect(await page.locator('#certificate-fingerprint').innerText(), 'the kept key signed').to.equal(fingerprint);
    expect(await page.locator('#receipt-log').innerText()).to.equal(STRINGS.zh.bid.msgPromiseValid);
    bidIds.push(sent.bidId);
    await checkPage(page, base, 'journey-seal-receipt');
    await shot(bidder, 'sealed-receipt');
  });

  it('07 /account/bids lists the bid; its receipt verifies in the page', async () => {
    const page = bidder.page;
    expect(await myBids(page)).to.deep.equal({ [bidIds[0]!]: '有效（以此为准）' });
    await page.locator(`#version-${bidIds[0]} .verify-button`).click();
    const verdict = page.locator(`#verdict-${bidIds[0]}`);
    await page.locator(`#verdict-${bidIds[0]}[data-result="ok"], #verdict-${bidIds[0]}[data-result="bad"]`).waitFor();
    expect(await verdict.getAttribute('data-result'), await verdict.innerText()).to.equal('ok');
    expect(await verdict.innerText()).to.contain('回执核验通过');
    await checkPage(page, base, 'journey-my-bids');
    await shot(bidder, 'receipt-verified');
  });

  it('08 replaces the bid from /account/bids: a new version counts, the old one is shown replaced', async () => {
    const page = bidder.page;
    t.clock.set(T0 + 2 * HOUR);
    await page.locator(`section[data-section="${section.id}"] .replace-link`).click();
    await page.waitForURL(`${base}/sections/${section.id}/bid`);
    const sent = await sealAndSubmit(page, PRICES.replaced);
    bidIds.push(sent.bidId);
    await shot(bidder, 'replaced-receipt');
    expect(await myBids(page)).to.deep.equal({ [bidIds[0]!]: '已被替换', [bidIds[1]!]: '有效（以此为准）' });
    expect(await page.locator(`#version-${bidIds[0]} .withdraw-link`).count(), 'a replaced version cannot be withdrawn').to.equal(0);
    await shot(bidder, 'my-bids-replaced');
  });

  it('09 withdraws the bid after a confirmation, and submits again', async () => {
    const page = bidder.page;
    t.clock.set(T0 + 3 * HOUR);
    await page.locator(`#version-${bidIds[1]} .withdraw-link`).click();
    await page.waitForURL(`${base}/account/bids/${bidIds[1]}/withdraw`);
    expect(await page.locator('h1').innerText()).to.equal(STRINGS.zh.mine.withdrawTitle);
    await checkPage(page, base, 'journey-withdraw');
    await shot(bidder, 'withdraw-confirm');
    await page.locator('#withdraw-button').click();
    await page.waitForURL(`${base}/account/bids?withdrawn=${bidIds[1]}`);
    expect(await page.locator('#notice').innerText()).to.contain('已撤回');
    await page.locator('#my-bids[data-ready="1"]').waitFor();
    await checkPage(page, base, 'journey-my-bids-withdrawn');
    await shot(bidder, 'withdrawn');
    expect(await myBids(page)).to.deep.equal({ [bidIds[0]!]: '已被替换', [bidIds[1]!]: '已撤回' });
    // Nothing of the organisation counts now: the page says so, and its link submits anew.
    expect(await page.locator(`#no-current-${section.id}`).innerText()).to.contain('目前没有有效投标');
    expect(await page.locator(`section[data-section="${section.id}"] .replace-link`).innerText()).to.equal(STRINGS.zh.mine.submitBid);

    t.clock.set(T0 + 4 * HOUR);
    await page.locator(`section[data-section="${section.id}"] .replace-link`).click();
    await page.waitForURL(`${base}/sections/${section.id}/bid`);
    const sent = await sealAndSubmit(page, PRICES.resubmitted);
    bidIds.push(sent.bidId);
    await shot(bidder, 'resubmitted-receipt');
    expect(await myBids(page)).to.deep.equal({ [bidIds[0]!]: '已被替换', [bidIds[1]!]: '已撤回', [bidIds[2]!]: '有效（以此为准）' });
    await shot(bidder, 'my-bids-resubmitted');
  });

  it('10 a second and a third bidder bid (sealed and signed by the API helpers of test/support/bidding.ts)', async () => {
    for (const [i, [name, price]] of (
      [
        ['庚旅程科技有限公司', '905000.00'],
        ['辛旅程工程有限公司', '930000.00'],
      ] as const
    ).entries()) {
      t.clock.set(T0 + (5 + i) * HOUR);
      const b = await approvedBidder(t, name, 'journey');
      await placeBid(t, section, b, price);
    }
    await bidder.page.goto(`${base}/sections/${section.id}`);
    await shot(bidder, 'section-three-bidders');
  });

  it('11 the deadline passes (injected clock); the custodian opens its own profile again and releases its share on /account/custody', async () => {
    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    custodianBrowser = await open(path.join(work, 'custodian'));
    const page = custodianBrowser.page;
    await page.goto(`${base}/account/custody`);
    if (page.url().includes('/login')) {
      await signIn(custodianBrowser, t.users.custodian);
      await page.goto(`${base}/account/custody`);
    }
    await page.locator('#custody[data-ready="1"]').waitFor();
    await checkPage(page, base, 'journey-custody');
    await shot(custodianBrowser, 'custody-before-release');
    await page.locator(`.release-button[data-section="${section.id}"]`).click();
    const box = page.locator(`#release-${section.id}`);
    await page.locator(`#release-${section.id}[data-result]`).waitFor();
    expect(await box.getAttribute('data-result'), await box.innerText()).to.equal('ok');
    // With the time lock, the custodian's share is all the opening still needed.
    expect(await box.innerText()).to.equal('份额已提交：开标所需的份额已齐，可以开标。');
    expect(await page.locator(`#custody-${section.id} .share-state`).innerText()).to.equal('刚刚已提交');
    await shot(custodianBrowser, 'custody-released');

    // The supervisor's share, decrypted on its own machine and sent through the API as the command line does.
    const { share } = (await t.req(t.users.supervisor).get(`/api/sections/${section.id}/shares/mine`)).body;
    const plain = decryptShare(share.encryptedShare, supervisorKey);
    const released = await t
      .req(t.users.supervisor)
      .post(`/api/sections/${section.id}/shares`)
      .send({ share: Buffer.from(plain).toString('base64') });
    expect(released.status, released.text).to.equal(200);
    expect(released.body).to.deep.include({ ready: true });
    await close(custodianBrowser);
  });

  it('12 the section opens; the bidder follows the link from /account/bids to its line in the opening record', async () => {
    const opened = await t.services.opening.openDue();
    expect(opened.filter((o) => o.id === section.id)).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
    const page = bidder.page;
    await myBids(page);
    const link = page.locator(`#version-${bidIds[2]} .record-link`);
    expect(await link.getAttribute('href')).to.equal(`/sections/${section.id}#bid-${bidIds[2]}`);
    for (const id of bidIds.slice(0, 2)) expect(await page.locator(`#version-${id} .record-link`).count(), 'only the version that counts is in the record').to.equal(0);
    await shot(bidder, 'my-bids-opened');
    await link.click();
    await page.waitForURL(`${base}/sections/${section.id}#bid-${bidIds[2]}`);
    const row = page.locator(`#bid-${bidIds[2]}`);
    await row.waitFor();
    expect(await page.evaluate(`document.querySelector(':target')?.id`), 'the link lands on the line').to.equal(`bid-${bidIds[2]}`);
    expect(await row.locator('.bidder').innerText()).to.equal(rep.name);
    expect(await row.locator('.price').innerText()).to.contain('887,654.32');
    expect(await page.locator('#record-bids tr').count(), 'three bidders, one line each').to.equal(3);
    for (const id of bidIds.slice(0, 2)) expect(await page.locator(`#bid-${id}`).count()).to.equal(0);
    await checkPage(page, base, 'journey-section-opened');
    await page.goto(`${base}/sections/${section.id}#bid-${bidIds[2]}`);
    await shot(bidder, 'opening-record-line');
  });
});
