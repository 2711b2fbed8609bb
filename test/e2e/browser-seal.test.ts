// The browser path of sealing (EB 16: an ordinary browser suffices): the bidder page GET /bid in
// Debian's Chromium (playwright-core) makes a non-exportable RSA-PSS 3072 key with WebCrypto, gets
// it certified (challenge + POST /api/pki/certificates/from-key), packs bid.json and an attachment
// into a ustar tar, seals it with age to the section's recipient, signs the RFC 8785 manifest and
// submits it, streaming the attachment through the hash, the tar and age into a Blob and uploading
// it with a progress bar. The server only ever receives age ciphertext (read at a recording proxy
// in front of it: the browser's request log has no body for a Blob upload); the receipt verifies;
// the opening decrypts the bid and reads the price that was typed; the standard age tool opens it
// too. A bid over the server's limit is refused in the page before anything is sent.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { leafHash, verifyInclusion } from '../../modules/audit/merkle';
import { verifyReceipt, type Receipt } from '../../modules/bids/receipt';
import { STRINGS } from '../../templates/pages/strings';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { createTestApp, type TestApp } from '../support/test-app';
import { recordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { approvedBidder, openingIdentity, publishedSection, sealedBid, submit, workDir } from '../support/bidding';
import { tarMembers } from '../support/tar';
import { requireTool } from '../support/tools';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AGE_HEADER = 'age-encryption.org/v1\n';

const run = (cmd: string, args: string[], cwd: string) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | undefined) : 0;
      resolve({ status: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });

describe('sealing a bid in the browser (GET /bid)', function () {
  this.timeout(180_000);

  let t: TestApp;
  let server: http.Server;
  let proxy: RecordingProxy;
  let base: string;
  let userDataDir: string;
  let browser: BrowserContext;
  let page: Page;
  let section: Awaited<ReturnType<typeof publishedSection>>;
  const problems: string[] = [];
  /** Every request the server received from the browser, by method and path, with its body. */
  const sent = () => proxy.received;
  const PRICE = '934567.80'; // under the section's reference price of 1,000,000.00
  const ATTACHMENT = crypto.randomBytes(300_000);
  /** The server's limit on a sealed bid, small enough to test a refusal, large enough for the attachment. */
  const LIMIT = 1024 * 1024;
  let attachmentPath: string;

  /** Waits for the page to show the receipt; fails with the page's own message if it shows an error instead. */
  async function receiptOrPageError(): Promise<void> {
    await Promise.race([
      page.locator('#receipt').waitFor({ state: 'visible', timeout: 60_000 }),
      page
        .locator('#bid-error')
        .waitFor({ state: 'visible', timeout: 60_000 })
        .then(async () => {
          throw new Error(`the page reports: ${await page.locator('#bid-error').innerText()}`);
        }),
    ]);
  }

  before(async function () {
    const executablePath = requireTool(this, 'chromium', 'apt-get install chromium');
    t = await createTestApp({ maxBidBytes: LIMIT });
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = await recordingProxy(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    base = proxy.base;
    section = await publishedSection(t, { title: '浏览器投标测试' });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-chromium-'));
    attachmentPath = path.join(userDataDir, '技术方案.pdf');
    fs.writeFileSync(attachmentPath, ATTACHMENT);
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url())) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin !== base) problems.push(`request outside the platform: ${r.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  it('the page lists the open section in Chinese (and English), behind the strict CSP, with its script bundled locally', async () => {
    const res = await page.goto(`${base}/bid?lang=en`);
    expect(res!.status()).to.equal(200);
    expect(await page.locator('h1').innerText()).to.equal('Seal a bid in your browser');
    const res2 = await page.goto(`${base}/sections/${section.id}/bid`);
    expect(res2!.status()).to.equal(200);
    expect(res2!.headers()['content-security-policy']).to.contain("script-src 'self'");
    expect(await page.locator('html').getAttribute('lang')).to.equal('zh-CN');
    expect(await page.locator('h1').innerText()).to.equal('在浏览器中加密投标');
    expect(await page.locator('#section').inputValue()).to.equal(section.id);
    expect(await page.locator('#section option:checked').innerText()).to.contain(section.code);
    await page.locator('#bid-form[data-ready="1"]').waitFor({ state: 'attached' });
    const js = await fetch(`${base}/portal-static/bid.js`);
    expect(js.status).to.equal(200);
    expect(js.headers.get('content-type')).to.match(/javascript/);
    expect((await page.goto(`${base}/sections/NO-SUCH-SECTION/bid`))!.status()).to.equal(404);
    problems.splice(0); // the deliberate 404
  });

  let receipt: Receipt;
  let ciphertext: Buffer;

  it('makes the key, gets a certificate, seals, signs and submits; the server sees only ciphertext', async () => {
    await page.goto(`${base}/sections/${section.id}/bid`);
    await page.locator('#bid-form[data-ready="1"]').waitFor({ state: 'attached' });
    proxy.received.splice(0);
    // The phases the bar shows, as they change, with the bar's value when each ends (observed in the
    // page: script evaluated through the devtools protocol is not subject to the CSP). A string, since
    // the project's TypeScript has no DOM types.
    await page.evaluate(`(() => {
      const bar = document.getElementById('seal-progress');
      window.phases = [];
      let last = bar.dataset.phase;
      new MutationObserver(() => {
        if (bar.dataset.phase !== last) window.phases.push(last = bar.dataset.phase);
      }).observe(bar, { attributes: true, attributeFilter: ['data-phase', 'value'] });
    })()`);
    await page.locator('#token').fill(t.users.bidderA.token);
    await page.locator('#price').fill(PRICE);
    await page.locator('#duration').fill('120');
    await page.locator('#files').setInputFiles(attachmentPath);
    await page.locator('#seal-button').click();
    await receiptOrPageError();
    expect(problems, problems.join('\n')).to.deep.equal([]);

    // The bar went through hashing, sealing and uploading, and ends full.
    expect(await page.evaluate('window.phases')).to.deep.equal(['hashing', 'sealing', 'uploading', 'done']);
    // progress.value reflects its content attribute.
    expect([await page.locator('#seal-progress').getAttribute('value'), await page.locator('#seal-progress').getAttribute('max')]).to.deep.equal(['1000', '1000']);
    expect(await page.locator('#seal-percent').innerText()).to.equal('100 %');
    expect(await page.locator('#seal-phase').innerText()).to.equal(STRINGS.zh.bid.msgPhaseDone);
    // The sealed file was kept in the origin's private file system until the upload, then removed.
    expect(
      await page.evaluate(`(async () => {
        const names = [];
        for await (const name of (await navigator.storage.getDirectory()).keys()) names.push(name);
        return names;
      })()`),
    ).to.deep.equal([]);

    // The certificate request carried the public key and the signed challenge only.
    const fromKey = sent().find((r) => r.path === '/api/pki/certificates/from-key')!;
    const fk = JSON.parse(fromKey.body!.toString('utf8'));
    expect(Object.keys(fk).sort()).to.deep.equal(['challenge', 'publicKey', 'signature', 'usage']);
    expect(fk.publicKey).to.match(/^-----BEGIN PUBLIC KEY-----/);
    const pub = crypto.createPublicKey(fk.publicKey);
    expect(pub.asymmetricKeyType).to.equal('rsa'); // WebCrypto exports RSA-PSS keys as rsaEncryption SPKI
    expect(pub.asymmetricKeyDetails?.modulusLength).to.equal(3072);

    // The bid upload is an age file; no request carried the attachment or a tar of it.
    const posts = sent().filter((r) => r.path === `/api/sections/${section.id}/bids`);
    expect(posts).to.have.length(1);
    ciphertext = posts[0]!.body!;
    expect(ciphertext.subarray(0, AGE_HEADER.length).toString('latin1')).to.equal(AGE_HEADER);
    expect(ciphertext.subarray(0, 200).toString('latin1')).to.contain('-> X25519 ');
    const probe = ATTACHMENT.subarray(1000, 1064);
    for (const r of sent()) {
      if (!r.body) continue;
      expect(r.body.includes(probe), `${r.method} ${r.path} carried plaintext`).to.equal(false);
      expect(r.body.includes(Buffer.from('ustar')), `${r.method} ${r.path} carried a tar`).to.equal(false);
      expect(r.body.includes(Buffer.from(PRICE)), `${r.method} ${r.path} carried the price`).to.equal(false);
      expect(r.body.toString('latin1')).not.to.match(/PRIVATE KEY/);
    }
    const manifest = JSON.parse(Buffer.from(posts[0]!.headers['etender-manifest'] as string, 'base64').toString('utf8'));
    expect(manifest).to.include({ format: 'etender-manifest/1', section: section.id, bidder: t.orgA, recipient: section.recipient });
    expect(manifest.ciphertext).to.deep.equal({ sha256: crypto.createHash('sha256').update(ciphertext).digest('hex'), size: ciphertext.length });
    // The manifest signature verifies in Node with the certified key.
    expect(
      crypto.verify(
        'sha256',
        Buffer.from(posts[0]!.headers['etender-manifest'] as string, 'base64'),
        { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        Buffer.from(posts[0]!.headers['etender-signature'] as string, 'base64'),
      ),
    ).to.equal(true);

    // The receipt shown and offered for download.
    const bidId = await page.locator('#receipt-bid').innerText();
    const download = page.waitForEvent('download');
    await page.locator('#receipt-download').click();
    const file = await (await download).path();
    receipt = JSON.parse(fs.readFileSync(file!, 'utf8')) as Receipt;
    expect(receipt.bid.id).to.equal(bidId);
    // The page checked the log's signed promise with the published log key (WebCrypto Ed25519).
    await page.locator('#receipt-log').filter({ hasNotText: '…' }).waitFor({ state: 'attached' });
    expect(await page.locator('#receipt-log').innerText()).to.equal(STRINGS.zh.bid.msgPromiseValid);
    expect(receipt.promise?.entry.object.id).to.equal(bidId);
    expect(receipt.bid.ciphertextSha256).to.equal(manifest.ciphertext.sha256);
    expect(await page.locator('#certificate-fingerprint').innerText()).to.equal(manifest.certificate);
  });

  it('the receipt verifies and my-bids shows the bid', async () => {
    const keys = (await t.req().get('/api/pki/keys')).body;
    expect(verifyReceipt(receipt, keys, { leafHash, verifyInclusion }, { sha256: crypto.createHash('sha256').update(ciphertext).digest('hex'), size: ciphertext.length })).to.deep.equal([]);
    const mine = await t.req(t.users.bidderA).get(`/api/sections/${section.id}/my-bids`);
    expect(mine.status, JSON.stringify(mine.body)).to.equal(200);
    expect(JSON.stringify(mine.body)).to.contain(receipt.bid.id);
  });

  it('a signed-in bidder seals and submits with the session cookie (no token in the page), and signs out after', async () => {
    const own = await publishedSection(t, { title: '会话投标测试' });
    await page.goto(`${base}/login?next=${encodeURIComponent(`/sections/${own.id}/bid`)}`);
    await page.locator('#f-username').fill(t.users.bidderB.username);
    await page.locator('#f-password').fill(t.users.bidderB.password);
    await page.locator('#f-password').press('Enter');
    await page.waitForURL(`${base}/sections/${own.id}/bid`);
    // The key this browser keeps for the bidder (made and certified on /account/keys) signs the bid.
    await page.goto(`${base}/account/keys`);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    await page.fill('#f-backupPassphrase', 'correct horse battery staple 电池');
    await page.fill('#f-repeatPassphrase', 'correct horse battery staple 电池');
    await page.locator('#make-key-button').click();
    await page.locator('#backup-area').waitFor({ state: 'visible' });
    await page.locator('#certify-button').click();
    await page.waitForURL(/certified=1/);
    await page.locator('#key-area[data-ready="1"]').waitFor();
    const kept = (await page.locator('li.card:has(.this-browser:visible)').getAttribute('data-fingerprint'))!;
    expect(kept).to.match(/^[0-9a-f]{64}$/);
    await page.goto(`${base}/sections/${own.id}/bid`);
    await page.locator('#bid-form[data-ready="1"][data-session="1"]').waitFor({ state: 'attached' });
    expect(await page.locator('#token').count()).to.equal(0);
    proxy.received.splice(0);
    await page.locator('#price').fill(PRICE);
    await page.locator('#files').setInputFiles(attachmentPath);
    await page.locator('#seal-button').click();
    await receiptOrPageError();
    fs.mkdirSync(path.join(process.cwd(), 'test-output', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(process.cwd(), 'test-output', 'screenshots', 'seal-session-zh-desktop.png'), fullPage: true });
    // The upload went with the session cookie and no bearer token.
    const upload = proxy.received.find((r) => r.method === 'POST' && r.path === `/api/sections/${own.id}/bids`);
    expect(upload, 'the sealed upload').to.not.equal(undefined);
    expect(upload!.headers.authorization).to.equal(undefined);
    expect(upload!.headers.cookie ?? '').to.contain('etender.sid=');
    const signedManifest = JSON.parse(Buffer.from(String(upload!.headers['etender-manifest']), 'base64').toString('utf8'));
    expect(signedManifest.certificate, 'the kept key signed, not a key for this page').to.equal(kept);
    expect(await page.locator('#bid-status').innerText()).to.contain('使用本浏览器保存的签名密钥');
    const mine = await t.req(t.users.bidderB).get(`/api/sections/${own.id}/my-bids`);
    expect(mine.body.bids).to.have.length(1);
    await page.locator('#logout-button').click();
    await page
      .locator('#f-username')
      .waitFor({ state: 'attached' })
      .catch(() => undefined);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it("refuses a bid over the server's limit before anything is read, made or sent: the server receives no write", async () => {
    await page.goto(`${base}/sections/${section.id}/bid`);
    await page.locator('#bid-form[data-ready="1"]').waitFor({ state: 'attached' });
    expect(await page.locator('#bid-form').getAttribute('data-max-bid-bytes')).to.equal(String(LIMIT));
    expect(await page.locator('#files-limit').innerText()).to.contain('1 MB');
    await page.locator('#token').fill(t.users.bidderA.token);
    await page.locator('#price').fill(PRICE);
    // Under the limit as plaintext, over it once bid.json, the tar headers and age's overhead are added:
    // the exact sealed size is known before reading. Then one over the limit as it stands.
    for (const size of [LIMIT - 100, 3 * LIMIT]) {
      const big = path.join(userDataDir, `over-${size}.bin`);
      fs.writeFileSync(big, crypto.randomBytes(size));
      await page.locator('#files').setInputFiles(big);
      proxy.received.splice(0);
      await page.locator('#seal-button').click();
      await page.locator('#bid-error').waitFor({ state: 'visible' });
      expect(await page.locator('#bid-error').innerText()).to.match(/^失败： 投标文件加密后为 [\d.]+ (KB|MB)，超过平台上限 1 MB，未做任何处理；请减小附件后再试。$/);
      const writes = sent().filter((r) => r.method !== 'GET');
      expect(writes.map((r) => `${r.method} ${r.path}`)).to.deep.equal([]);
      // Only the reads that tell the page who bids where (and none at all when the files alone are too big).
      expect(sent().map((r) => r.path)).to.deep.equal(size > LIMIT ? [] : ['/api/me', `/api/orgs/${t.orgA}`, `/api/sections/${section.id}`]);
      expect(await page.locator('#seal-progress').getAttribute('value')).to.equal('0');
      expect(await page.locator('#seal-button').isEnabled()).to.equal(true);
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  /** Checks a receipt file on the receipt page (GET /receipt); answers the result kind and the text shown. */
  async function checkOnPage(json: string): Promise<{ result: string | null; text: string; problems: string[] }> {
    const file = path.join(userDataDir, `receipt-${crypto.randomUUID()}.json`);
    fs.writeFileSync(file, json);
    await page.goto(`${base}/receipt`);
    await page.locator('#receipt-form[data-ready="1"]').waitFor({ state: 'attached' });
    await page.locator('#receipt-file').setInputFiles(file);
    await page.locator('#check-button').click();
    await page.locator('#receipt-result[data-result]:not([data-result="checking"])').waitFor({ state: 'attached' });
    return {
      result: await page.locator('#receipt-result').getAttribute('data-result'),
      text: await page.locator('#receipt-result').innerText(),
      problems: await page.locator('#receipt-problems li').allInnerTexts(),
    };
  }

  it('the receipt page checks the receipt in the browser: before the deadline the promise holds; a changed receipt is refused', async () => {
    const waiting = await checkOnPage(JSON.stringify(receipt));
    expect(waiting.result, waiting.text + waiting.problems.join('; ')).to.equal('waiting');
    expect(waiting.text).to.match(/^回执有效，日志的签名承诺成立。投标截止后该投标并入公开日志（最迟 .*\(UTC\+8\)），届时再来核验。$/);
    const changed = await checkOnPage(JSON.stringify({ ...receipt, receivedAt: receipt.receivedAt + 1 }));
    expect(changed.result).to.equal('invalid');
    expect(changed.problems).to.include('the receipt signature does not verify with the published receipt key');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('the opening decrypts the browser-sealed bid and reads the typed price; the age tool opens it too', async function () {
    for (const [name, price] of [
      ['乙科技有限公司', '990000.00'],
      ['丙工程有限公司', '960000.00'],
    ] as const) {
      const b = await approvedBidder(t, name);
      const r = await submit(t, b.user, section.id, await sealedBid(section, b.orgId, b.key, { price }));
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    t.clock.set(section.deadline + 1000);
    await t.services.lifecycle.advanceDue();
    await t.services.opening.openDue();
    const { json } = await t.services.opening.record(SYSTEM_CONTEXT, section.id);
    const record = JSON.parse(json) as {
      bids: Array<{ bidId: string; bidder: { orgId: string }; status: string; validity: string | null; decryption: string; cause: unknown; price: { amount: string; durationDays?: number } | null }>;
    };
    const mine = record.bids.find((b) => b.bidId === receipt.bid.id);
    expect(mine, JSON.stringify(record.bids)).to.not.equal(undefined);
    expect(mine!.cause, JSON.stringify(mine)).to.equal(null);
    expect(mine!.decryption).to.equal('ok');
    expect(mine!.status).to.equal('opened');
    expect(mine!.validity).to.equal('valid');
    expect(mine!.bidder.orgId).to.equal(t.orgA);
    expect(mine!.price!.amount).to.equal(PRICE);

    // The standard age tool, with the section's opening identity, gives bid.json first and the attachment.
    requireTool(this, 'age', 'apt-get install age');
    requireTool(this, 'tar', 'apt-get install tar');
    const dir = workDir();
    try {
      const identity = await openingIdentity(t, section.id);
      fs.writeFileSync(path.join(dir, 'identity.txt'), `${identity}\n`, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, 'bid.age'), ciphertext);
      const opened = await run('age', ['-d', '-i', 'identity.txt', '-o', 'bid.tar', 'bid.age'], dir);
      expect(opened.status, opened.stderr).to.equal(0);
      const list = await run('tar', ['-tf', 'bid.tar'], dir);
      expect(list.stdout.split('\n').filter(Boolean)).to.deep.equal(['bid.json', '技术方案.pdf']);
      const members = await tarMembers(fs.readFileSync(path.join(dir, 'bid.tar')));
      const doc = JSON.parse(members[0]!.data.toString('utf8'));
      expect(doc.price).to.deep.equal({ amount: PRICE, durationDays: 120 });
      expect(doc.attachments).to.deep.equal([{ name: '技术方案.pdf', size: ATTACHMENT.length, sha256: crypto.createHash('sha256').update(ATTACHMENT).digest('hex') }]);
      expect(members[1]!.data.equals(ATTACHMENT)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the receipt page, after the freeze: the log kept its promise, and the inclusion proof verifies in the browser', async () => {
    const included = await checkOnPage(JSON.stringify(receipt));
    expect(included.result, included.text + included.problems.join('; ')).to.equal('included');
    const [entry] = await t.services.audit.list({ objectId: receipt.bid.id, action: 'bid.submitted' });
    expect(included.text).to.contain(`第 ${entry!.idx} 条`);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
