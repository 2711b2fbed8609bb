// The browser's key vault (server/pages/client/key-vault.ts) in Debian's Chromium (playwright-core),
// loaded into a portal page under its real CSP (script-src 'self': the bundle is served from the
// same origin): a bidder makes a signing key and gets it certified by a real test server; the
// browser context is closed and the SAME persistent profile opened again, and the key is still
// there, non-extractable, and signs a bid manifest the server accepts. A custodian's encryption key
// is certified for encryption and decrypts a share. A backup made in the browser is imported into a
// fresh profile with its passphrase; a wrong passphrase and a damaged file give their own codes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { encryptShare } from '../../modules/custody/custody-crypto';
import { openKeyBackup } from '../../modules/pki/key-backup';
import { publishedSection, sealedForSigning, submit } from '../support/bidding';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app';
import { requireTool } from '../support/tools';
import { vaultBundle } from '../support/page-checks';

// biome-ignore lint/suspicious/noExplicitAny: what page script answers; each test checks the fields it reads.
type FromPage = any;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VAULT_SCRIPT = '/test-support/key-vault.js';
const PASS = 'correct horse battery staple 电池';

describe('the key vault in the browser (persistent keys, backups)', function () {
  this.timeout(240_000);

  let t: TestApp;
  let server: http.Server;
  let base: string;
  let executablePath: string;
  let bundle: string;
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  /** Every request body the browsers sent, by path. */
  const sent: Array<{ path: string; body: string }> = [];

  async function launch(profile: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    contexts.push(context);
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url())) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin !== base) problems.push(`request outside the platform: ${r.url()}`);
      sent.push({ path: u.pathname, body: r.postData() ?? '' });
    });
    const res = await page.goto(`${base}/`);
    expect(res!.status()).to.equal(200);
    expect(res!.headers()['content-security-policy']).to.contain("script-src 'self'");
    await page.addScriptTag({ url: VAULT_SCRIPT });
    expect(await page.evaluate('typeof globalThis.keyVault?.openKeyVault')).to.equal('function');
    return { context, page };
  }

  const newProfile = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-vault-'));
    profiles.push(dir);
    return dir;
  };

  /**
   * Runs vault code in the page with a bearer-token API caller; answers its result or { error: code }.
   * Given as source text: the test runner's transform must not leak helpers into the page, and the
   * page's CSP forbids eval, so the body is written into the evaluated expression itself.
   */
  function inPage<T>(page: Page, user: TestUser | null, body: string, arg: unknown = null): Promise<T> {
    return page.evaluate(`(async (token, arg) => {
      const api = async (method, url, json) => {
        const res = await fetch(url, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify(json) });
        const data = await res.json();
        if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? res.statusText), { code: data?.error?.code });
        return data;
      };
      const kv = globalThis.keyVault;
      const vault = await kv.openKeyVault();
      try {
        ${body}
      } catch (err) {
        return { error: err.code ?? String(err), name: err.name };
      }
    })(${JSON.stringify(user?.token ?? '')}, ${JSON.stringify(arg)})`) as Promise<T>;
  }

  before(async function () {
    executablePath = requireTool(this, 'chromium', 'apt-get install chromium');
    t = await createTestApp();
    bundle = await vaultBundle();
    // The age library and the vault; the schema library (≈450 KB) must stay out of the pages' bundle.
    expect(bundle.length, 'bundle size').to.be.below(200_000);
    server = http.createServer((req, res) => {
      // The test's copy of the vault, from the platform's own origin; every other path is the real app.
      if (req.url === VAULT_SCRIPT) {
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(bundle);
        return;
      }
      t.app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    for (const dir of profiles) fs.rmSync(dir, { recursive: true, force: true });
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  afterEach(() => {
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  let profile: string;
  let backup: string;
  let certificate: { pem: string; fingerprint: string };
  let keyId: string;

  it('makes a signing key and its backup, gets it certified by the server; the key cannot be exported', async () => {
    profile = newProfile();
    const { context, page } = await launch(profile);
    sent.splice(0);
    const started = Date.now();
    const made = await inPage<FromPage>(
      page,
      t.users.bidderA,
      `const { key, backup, fileName } = await vault.create({ username: arg, kind: 'signing', backupPassphrase: '${PASS}' });
       const certified = await vault.certify(arg, 'signing', api);
       let exported = 'exported';
       try { await crypto.subtle.exportKey('pkcs8', certified.privateKey); } catch (e) { exported = e.name; }
       let jwk = 'exported';
       try { await crypto.subtle.exportKey('jwk', certified.privateKey); } catch (e) { jwk = e.name; }
       return { backup, fileName, keyId: key.keyId, extractable: certified.privateKey.extractable, usages: certified.privateKey.usages,
                algorithm: certified.privateKey.algorithm.name, bits: certified.privateKey.algorithm.modulusLength, exported, jwk,
                fingerprint: certified.fingerprint, pem: certified.certificatePem, fields: Object.keys(certified).sort() };`,
      t.users.bidderA.username,
    );
    const tookMs = Date.now() - started;
    expect(made.error, JSON.stringify(made)).to.equal(undefined);
    expect(made).to.deep.include({
      extractable: false,
      algorithm: 'RSA-PSS',
      bits: 3072,
      exported: 'InvalidAccessError',
      jwk: 'InvalidAccessError',
      fileName: `etender-${t.users.bidderA.username}-signing-key.age`,
    });
    expect(made.usages).to.deep.equal(['sign']);
    expect(made.fields).to.deep.equal(['algorithm', 'certificatePem', 'createdAt', 'fingerprint', 'keyId', 'kind', 'privateKey', 'proofKey', 'publicKeyPem', 'username']);
    backup = made.backup;
    keyId = made.keyId;
    certificate = { pem: made.pem, fingerprint: made.fingerprint };
    console.log(`      (key, scrypt-18 backup and certificate in ${tookMs} ms)`);

    // The server issued the certificate to bidder A for exactly this key, for signing.
    const mine = await t.req(t.users.bidderA).get('/api/pki/certificates');
    const issued = mine.body.certificates.find((c: { fingerprint: string }) => c.fingerprint === certificate.fingerprint);
    expect(issued, 'the certificate is in the register').to.not.equal(undefined);
    expect(issued.usage).to.equal('signing');
    const x509 = new crypto.X509Certificate(certificate.pem);
    expect(
      crypto
        .createHash('sha256')
        .update(x509.publicKey.export({ type: 'spki', format: 'der' }))
        .digest('hex'),
    ).to.equal(keyId);

    // What left the browser: the public key, the challenge and its signature — no private key.
    const fromKey = sent.find((r) => r.path === '/api/pki/certificates/from-key')!;
    expect(Object.keys(JSON.parse(fromKey.body)).sort()).to.deep.equal(['challenge', 'publicKey', 'signature', 'usage']);
    const opened = await openKeyBackup(backup, PASS);
    const pkcs8Sample = opened.pkcs8.slice(100, 160);
    for (const r of sent) expect(r.body, r.path).to.not.contain(pkcs8Sample);
    expect(backup).to.not.contain(pkcs8Sample);

    // The backup is the same key (its public half is the certified one), made before the certificate.
    const fromBackup = crypto.createPrivateKey({ key: Buffer.from(opened.pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
    expect(
      crypto
        .createPublicKey(fromBackup)
        .export({ type: 'spki', format: 'der' })
        .equals(x509.publicKey.export({ type: 'spki', format: 'der' })),
    ).to.equal(true);
    expect(opened).to.deep.include({ username: t.users.bidderA.username, kind: 'signing', algorithm: 'RSA-PSS-SHA256', certificatePem: null });
    await context.close();
  });

  it('after the browser is closed, the same profile still has the key; it signs a bid manifest the server accepts', async () => {
    const { context, page } = await launch(profile);
    const kept = await inPage<FromPage>(
      page,
      null,
      `const k = await vault.get(arg, 'signing');
       return k && { keyId: k.keyId, fingerprint: k.fingerprint, extractable: k.privateKey.extractable, all: (await vault.list(arg)).length, other: (await vault.list('nobody')).length };`,
      t.users.bidderA.username,
    );
    expect(kept).to.deep.equal({ keyId, fingerprint: certificate.fingerprint, extractable: false, all: 1, other: 0 });

    // A real bid: sealed here, its manifest signed in the page with the kept key, submitted, accepted.
    const section = await publishedSection(t, { title: '密钥保管测试' });
    const { bytes, manifestB64 } = await sealedForSigning(section, t.orgA, certificate.fingerprint, { attachmentBytes: 5000 });
    const signed = await inPage<FromPage>(page, null, `return { signature: await vault.sign(arg.user, Uint8Array.from(atob(arg.m), (c) => c.charCodeAt(0))) };`, {
      user: t.users.bidderA.username,
      m: manifestB64,
    });
    expect(signed.error, JSON.stringify(signed)).to.equal(undefined);
    const res = await submit(t, t.users.bidderA, section.id, { bytes, manifestB64, signature: signed.signature });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.receipt.certificate).to.equal(certificate.fingerprint);

    // The record in IndexedDB holds key handles and public parts only.
    const stored = await inPage<FromPage>(
      page,
      null,
      `const k = await vault.get(arg, 'signing'); return Object.entries(k).filter(([, v]) => typeof v === 'string').map(([n, v]) => n + '=' + v.slice(0, 30));`,
      t.users.bidderA.username,
    );
    expect(stored.join('\n')).to.not.match(/PRIVATE KEY|pkcs8/);
    // Making a second signing key for the same user is refused while one is kept.
    const again = await inPage<FromPage>(page, null, `return await vault.create({ username: arg, kind: 'signing', backupPassphrase: 'x', workFactor: 10 });`, t.users.bidderA.username);
    expect(again).to.deep.include({ error: 'vault.key_exists' });
    await context.close();
  });

  it("a custodian's encryption key is certified for encryption and decrypts a share encrypted to that certificate", async () => {
    const { context, page } = await launch(newProfile());
    const made = await inPage<FromPage>(
      page,
      t.users.custodian,
      `await vault.create({ username: arg, kind: 'encryption', backupPassphrase: 'custodian pass', workFactor: 12 });
       const k = await vault.certify(arg, 'encryption', api);
       return { pem: k.certificatePem, fingerprint: k.fingerprint, algorithm: k.privateKey.algorithm.name, usages: k.privateKey.usages,
                proofUsages: k.proofKey.usages, extractable: [k.privateKey.extractable, k.proofKey.extractable] };`,
      t.users.custodian.username,
    );
    expect(made.error, JSON.stringify(made)).to.equal(undefined);
    expect(made).to.deep.include({ algorithm: 'RSA-OAEP' });
    expect(made.usages).to.deep.equal(['decrypt']);
    expect(made.proofUsages).to.deep.equal(['sign']);
    expect(made.extractable).to.deep.equal([false, false]);
    // The platform picks this certificate for the custodian's shares.
    const chosen = await t.services.pki.certificateOfUser(t.users.custodian.id, 'encryption', t.clock.now());
    expect(chosen?.fingerprint).to.equal(made.fingerprint);
    expect((await t.services.pki.checkCertificate(made.pem, { at: t.clock.now(), usage: 'encryption' })).userId).to.equal(t.users.custodian.id);
    const share = crypto.randomBytes(33);
    const decrypted = await inPage<FromPage>(page, null, `return Array.from(await vault.decrypt(arg.user, arg.c));`, { user: t.users.custodian.username, c: encryptShare(share, chosen!.pem) });
    expect(Buffer.from(decrypted).equals(share)).to.equal(true);
    // A signing operation on the encryption key is not offered: it has no signing key.
    expect(await inPage<FromPage>(page, null, `return await vault.sign(arg, new Uint8Array([1]));`, t.users.custodian.username)).to.deep.include({ error: 'vault.no_key' });
    await context.close();
  });

  it('a backup made in the browser imports into a fresh profile with its passphrase; wrong passphrase and damaged file are told apart', async () => {
    const { context, page } = await launch(newProfile());
    const user = t.users.bidderA.username;
    expect(await inPage<FromPage>(page, null, `return await vault.get(arg, 'signing');`, user)).to.equal(null);
    expect(await inPage<FromPage>(page, null, `return await vault.importBackup({ file: arg.b, passphrase: 'wrong passphrase', username: arg.u });`, { b: backup, u: user })).to.deep.equal({
      error: 'key_backup.wrong_passphrase',
      name: 'KeyBackupError',
    });
    // One base64 character changed in the header, one in the payload; and the file cut in half.
    const damage = (line: number) => {
      const lines = backup.split('\n');
      const i = line < 0 ? lines.length + line : line;
      lines[i] = (lines[i]![10] === 'A' ? 'B' : 'A').padStart(11, lines[i]!.slice(0, 10)) + lines[i]!.slice(11);
      return lines.join('\n');
    };
    for (const file of [damage(1), damage(-4), backup.slice(0, Math.floor(backup.length / 2))]) {
      expect(file).to.not.equal(backup);
      const result = await inPage<FromPage>(page, null, `return await vault.importBackup({ file: arg.b, passphrase: arg.p, username: arg.u });`, { b: file, p: PASS, u: user });
      expect(result, JSON.stringify(result)).to.deep.equal({ error: 'key_backup.corrupted', name: 'KeyBackupError' });
    }
    expect(await inPage<FromPage>(page, null, `return await vault.importBackup({ file: arg.b, passphrase: arg.p, username: 'someone-else' });`, { b: backup, p: PASS })).to.deep.include({
      error: 'vault.wrong_user',
    });
    // As a file the person picked (a Blob), with the right passphrase.
    const imported = await inPage<FromPage>(
      page,
      t.users.bidderA,
      `const k = await vault.importBackup({ file: new Blob([arg.b], { type: 'application/octet-stream' }), passphrase: arg.p, username: arg.u });
       const withCert = await vault.setCertificate(arg.u, 'signing', arg.cert);
       let exported = 'exported';
       try { await crypto.subtle.exportKey('pkcs8', k.privateKey); } catch (e) { exported = e.name; }
       const signature = await vault.sign(arg.u, new TextEncoder().encode('hello'));
       return { keyId: k.keyId, fingerprint: withCert.fingerprint, extractable: k.privateKey.extractable, exported, signature };`,
      { b: backup, p: PASS, u: user, cert: certificate.pem },
    );
    expect(imported.error, JSON.stringify(imported)).to.equal(undefined);
    expect(imported).to.deep.include({ keyId, fingerprint: certificate.fingerprint, extractable: false, exported: 'InvalidAccessError' });
    const ok = crypto.verify(
      'sha256',
      Buffer.from('hello'),
      { key: new crypto.X509Certificate(certificate.pem).publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(imported.signature, 'base64'),
    );
    expect(ok, 'the imported key signs as the certified one').to.equal(true);
    // A certificate of another key is not kept with it.
    const other = await inPage<FromPage>(page, null, `return await vault.setCertificate(arg.u, 'signing', arg.cert);`, {
      u: user,
      cert: (await t.services.pki.certificateOfUser(t.users.custodian.id, 'encryption', t.clock.now()))!.pem,
    });
    expect(other).to.deep.include({ error: 'vault.certificate_mismatch' });
    await context.close();
  });
});
