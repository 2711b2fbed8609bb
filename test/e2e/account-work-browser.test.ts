// The work pages in a real browser (Debian's Chromium through playwright-core, a persistent
// profile) under the real CSP: a bidder makes a signing key on /account/keys, downloads its backup,
// gets the certificate, and after the browser is closed and opened again on the same profile still
// has it; a bid signed with that key and submitted through the API is listed on /account/bids and
// its receipt verifies green in the page, a tampered one red; a custodian makes an encryption key,
// and after the deadline (injected clock) releases its share on /account/custody, which the server
// records. axe-core checks WCAG 2.1 AA on each page; no page scrolls sideways at 390 px.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DAY } from '../../modules/core/clock';
import { createCsr } from '../../modules/pki/client-keys';
import { openKeyBackup } from '../../modules/pki/key-backup';
import { serveAxe } from '../support/axe';
import { publishedSection, sealedForSigning, submit } from '../support/bidding';
import { createTestApp, T0, type TestApp, type TestUser } from '../support/test-app';
import { requireModuleFile, requireTool } from '../support/tools';
import { DESKTOP, SCREENSHOTS, checkPage, vaultBundle } from '../support/page-checks';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The vault exposed to the test (to sign a manifest with the page's key, as the sealing page does). */
const VAULT_SCRIPT = '/test-support/key-vault.js';
const PASS = 'correct horse battery staple 电池';

describe('work pages in a browser: keys, my bids, custody', function () {
  this.timeout(300_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let executablePath: string;
  let axeFile: string;
  let vaultCode: string;
  let profile: string;
  /** The last backup file the page offered (kept outside the profile); all are removed after the run. */
  let backupFile = '';
  const backupFiles: string[] = [];
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  async function launch(): Promise<void> {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000, viewport: DESKTOP, acceptDownloads: true });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(90_000);
    await serveAxe(page, base, axeFile);
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url())) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(String(e)));
  }

  async function signIn(user: TestUser): Promise<void> {
    await page.goto(`${base}/login`);
    await page.fill('#f-username', user.username);
    await page.fill('#f-password', user.password);
    await page.locator('#login-button').click();
    await page.waitForURL(/\/account$/);
  }

  /** Makes the signed-in user's key on /account/keys, keeps the backup, and gets the certificate; answers its fingerprint. */
  async function makeKeyAndCertify(user: TestUser, kind: 'signing' | 'encryption'): Promise<string> {
    await page.goto(`${base}/account/keys`);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    expect(await page.locator('#needs-script').isHidden()).to.equal(true);
    expect(await page.locator('#certify-button').isHidden()).to.equal(true); // no key yet
    await page.fill('#f-backupPassphrase', PASS);
    await page.fill('#f-repeatPassphrase', PASS);
    await page.locator('#make-key-button').click();
    await page.locator('#backup-area').waitFor({ state: 'visible' });
    expect(await page.locator('#vault-message').innerText()).to.contain('以后无法再制作备份');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#backup-download').click()]);
    expect(download.suggestedFilename()).to.equal(`etender-${user.username}-${kind}-key.age`);
    backupFile = path.join(profile, '..', `${path.basename(profile)}-${download.suggestedFilename()}`);
    await download.saveAs(backupFile);
    backupFiles.push(backupFile);
    const backup = await openKeyBackup(fs.readFileSync(backupFile), PASS);
    expect(backup).to.deep.include({ username: user.username, kind, certificatePem: null });
    await page.locator('#certify-button').click();
    await page.waitForURL(/certified=1/);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    expect(await page.locator('#notice').innerText()).to.equal('证书已签发，已保存在本浏览器中。');
    // The certificate the page marks as this browser's is one the server issued to this user, for this kind.
    const mine = (await t.req(user).get('/api/pki/certificates')).body.certificates as Array<{ fingerprint: string; usage: string; revokedAt: number | null }>;
    const fingerprint = (await page.locator('li.card:has(.this-browser:visible)').getAttribute('data-fingerprint'))!;
    expect(mine.find((c) => c.fingerprint === fingerprint)).to.deep.include({ usage: kind, revokedAt: null });
    expect(await page.locator('#certify-button').isHidden()).to.equal(true);
    return fingerprint;
  }

  before(async function () {
    executablePath = requireTool(this, 'chromium', 'apt-get install chromium');
    axeFile = requireModuleFile(this, 'axe-core/axe.min.js', 'npm install --save-dev axe-core');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    t = await createTestApp();
    vaultCode = await vaultBundle();
    server = http.createServer((req, res) => {
      if (req.url === VAULT_SCRIPT) {
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(vaultCode);
        return;
      }
      t.app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-work-'));
    await launch();
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    for (const file of backupFiles) fs.rmSync(file, { force: true });
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  afterEach(() => {
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  let fingerprint: string;

  it('a bidder makes a key on /account/keys, downloads its backup, gets the certificate; a new browser session on the profile still has it', async () => {
    const bidder = t.users.bidderA;
    await signIn(bidder);
    fingerprint = await makeKeyAndCertify(bidder, 'signing');
    await checkPage(page, base, 'account-keys-zh');
    await page.goto(`${base}/account/keys?lang=en`);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    await checkPage(page, base, 'account-keys-en');

    await context.close();
    await launch();
    await page.goto(`${base}/account/keys`);
    if (page.url().includes('/login')) await signIn(bidder);
    await page.goto(`${base}/account/keys`);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    expect(await page.locator('#vault-state').innerText()).to.contain(fingerprint.slice(0, 16));
    expect(await page.locator('#make-key-form').isHidden()).to.equal(true);
    expect(await page.locator('#certify-button').isHidden()).to.equal(true);
    expect(await page.locator(`li[data-fingerprint="${fingerprint}"] .this-browser`).isVisible()).to.equal(true);

    // The backup file back in through the import form: a wrong passphrase is told in the page's
    // language; without "replace" the kept key is not overwritten; with it, the same key comes back.
    const importWith = async (passphrase: string, replace: boolean) => {
      await page.setInputFiles('#f-backupFile', backupFile);
      await page.fill('#f-importPassphrase', passphrase);
      await page.locator('#f-replace').setChecked(replace);
      await page.locator('#import-key-button').click();
      await page.waitForFunction(() => {
        const m = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('vault-message');
        return m.textContent !== '' && m.textContent !== '正在处理…';
      });
      return page.locator('#vault-message').innerText();
    };
    expect(await importWith('not the passphrase', true)).to.equal('未能完成： 口令不正确。');
    expect(await importWith(PASS, false)).to.contain('本浏览器中已有您的同类密钥');
    expect(await importWith(PASS, true)).to.equal('密钥已导入本浏览器。');
    expect(await page.locator('#vault-state').innerText()).to.contain('这把密钥还没有证书'); // a browser-made backup holds no certificate
    expect(await page.locator('#certify-button').isVisible()).to.equal(true);
    await page.locator('#certify-button').click();
    await page.waitForURL(/certified=1/);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    fingerprint = (await page.locator('li.card:has(.this-browser:visible)').getAttribute('data-fingerprint'))!;
  });

  it("lists a bid signed with the vault's key on /account/bids; its receipt verifies green in the page, a tampered receipt red", async () => {
    const bidder = t.users.bidderA;
    const section = await publishedSection(t, { title: '我的投标页面包' });
    const { bytes, manifestB64 } = await sealedForSigning(section, t.orgA, fingerprint, { attachmentBytes: 4000 });
    // Signed in the page with the key the vault keeps, as the sealing page signs.
    await page.addScriptTag({ url: VAULT_SCRIPT });
    const signature = (await page.evaluate(
      `(async (arg) => { const vault = await globalThis.keyVault.openKeyVault(); return vault.sign(arg.user, Uint8Array.from(atob(arg.m), (c) => c.charCodeAt(0))); })(${JSON.stringify({ user: bidder.username, m: manifestB64 })})`,
    )) as string;
    const res = await submit(t, bidder, section.id, { bytes, manifestB64, signature });
    expect(res.status, res.text).to.equal(201);
    const bidId: string = res.body.receipt.bid.id;
    const receipt: Record<string, any> = res.body.receipt;

    await page.goto(`${base}/account/bids`);
    await page.locator('#my-bids[data-ready="1"]').waitFor();
    const version = page.locator(`#version-${bidId}`);
    expect(await version.locator('.version-status').innerText()).to.equal('有效（以此为准）');
    await version.locator('.verify-button').click();
    const verdict = page.locator(`#verdict-${bidId}`);
    await page.locator(`#verdict-${bidId}[data-result="ok"], #verdict-${bidId}[data-result="bad"]`).waitFor();
    expect(await verdict.getAttribute('data-result'), await verdict.innerText()).to.equal('ok');
    expect(await verdict.innerText())
      .to.contain('回执核验通过')
      .and.to.contain('回执签名：用平台公布的回执公钥核验通过')
      .and.to.contain('日志承诺');
    await checkPage(page, base, 'account-bids-zh');

    // A receipt file with its size changed: the signature no longer holds, and the page says so in red.
    const tampered = path.join(os.tmpdir(), `tampered-receipt-${Date.now()}.json`);
    fs.writeFileSync(tampered, JSON.stringify({ ...receipt, bid: { ...receipt.bid, size: receipt.bid.size + 1 } }));
    try {
      await page.setInputFiles('#f-receiptFile', tampered);
      await page.locator('#check-file-button').click();
      await page.locator('#verdict-file[data-result="bad"], #verdict-file[data-result="ok"]').waitFor();
      expect(await page.locator('#verdict-file').getAttribute('data-result')).to.equal('bad');
      expect(await page.locator('#verdict-file').innerText())
        .to.contain('回执核验未通过')
        .and.to.contain('回执签名无法用平台公布的回执公钥核验。');
    } finally {
      fs.rmSync(tampered, { force: true });
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'account-bids-tampered-desktop.png'), fullPage: true });
    await page.goto(`${base}/account/bids?lang=en`);
    await page.locator('#my-bids[data-ready="1"]').waitFor();
    await checkPage(page, base, 'account-bids-en');
  });

  it('a custodian makes an encryption key, and after the deadline releases its share on /account/custody; the server records it', async () => {
    const custodian = t.users.custodian;
    await page.goto(`${base}/account`);
    await page.locator('#logout-button').click();
    await page.waitForURL(/\/login/);
    await signIn(custodian);
    await makeKeyAndCertify(custodian, 'encryption');
    // The second user custodian's certificate (made on the command line's way: a CSR).
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    await t.services.pki.issueFromCsr(t.users.supervisor.ctx, createCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { commonName: 'supervisor' }), 'encryption');
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    const put = (settings: object) => t.req(t.users.admin).put('/api/centres/procurement/settings').send(settings);
    expect((await put({ ...centre.settings, custody: { threshold: 2, members: ['time-lock', 'user:custodian', 'user:supervisor'] } })).status).to.equal(200);
    const deadline = T0 + 30 * DAY;
    const section = await publishedSection(t, { title: '保管浏览器包', bidDeadlineAt: deadline });
    expect((await put(centre.settings)).status).to.equal(200);

    await page.goto(`${base}/account/custody`);
    expect(await page.locator(`#custody-${section.id}`).innerText()).to.contain('投标截止后才能提交。');
    t.clock.set(deadline);
    await t.services.lifecycle.advanceDue();
    await page.goto(`${base}/account/custody`);
    await page.locator('#custody[data-ready="1"]').waitFor();
    await checkPage(page, base, 'account-custody-zh');
    await page.locator(`.release-button[data-section="${section.id}"]`).click();
    const box = page.locator(`#release-${section.id}`);
    await page.locator(`#release-${section.id}[data-result]`).waitFor();
    expect(await box.getAttribute('data-result'), await box.innerText()).to.equal('ok');
    expect(await box.innerText()).to.equal('份额已提交：开标所需的份额已齐，可以开标。');
    expect(await page.locator(`#custody-${section.id} .share-state`).innerText()).to.equal('刚刚已提交');
    const held = (await t.req(custodian).get('/api/me/custody')).body.sections.find((s: { section: { id: string } }) => s.section.id === section.id);
    expect(held.share.released).to.equal(true);
    expect(held.canReleaseNow).to.equal(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'account-custody-released-desktop.png'), fullPage: true });
    await page.goto(`${base}/account/custody?lang=en`);
    expect(await page.locator(`#custody-${section.id} .share-state`).innerText()).to.match(/^released /);
    await checkPage(page, base, 'account-custody-en');
  });
});
