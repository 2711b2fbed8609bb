// Certificates of other CAs trusted by configuration (mutual recognition): a user registers one to
// their account with a proof of possession, and then it binds to the user and the organisation and
// works like a platform certificate — for a bid, and for revocation here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import forge from 'node-forge';
import supertest from 'supertest';
import { DAY, HOUR } from '../../modules/core/clock';
import { signChallenge } from '../../modules/pki/client-keys';
import { certRegisterCommand } from '../../server/commands/pki';
import { publishedSection, sealedBid, signingCertificate, submit, type BidderKey } from '../support/bidding';
import { createTestApp, insertTokenFor, makeCreditCode, T0, type TestApp, type TestUser } from '../support/test-app';

interface RsaKey {
  privateKey: crypto.KeyObject;
  privateKeyPem: string;
  publicKeyPem: string;
}

function rsaKey(bits = 2048): RsaKey {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

const CA_NAME = '安徽省电子认证中心 CA';

/** A certificate laid out and signed with node-forge alone, as another CA would. */
function forgeCertificate(opts: {
  subjectCn: string;
  issuerCn?: string;
  publicKeyPem: string;
  signerPem: string;
  ca?: boolean;
  keyUsage: Record<string, boolean>;
  notBefore?: number;
  notAfter?: number;
  serial?: string;
  crl?: string[];
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem);
  cert.serialNumber = opts.serial ?? '0a' + crypto.randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(opts.notBefore ?? T0 - 30 * DAY);
  cert.validity.notAfter = new Date(opts.notAfter ?? T0 + 3 * 365 * DAY);
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class; // the typings call the tag a class
  cert.setSubject([{ name: 'commonName', value: opts.subjectCn, valueTagClass: utf8 }]);
  cert.setIssuer([{ name: 'commonName', value: opts.issuerCn ?? CA_NAME, valueTagClass: utf8 }]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: opts.ca ?? false, critical: true },
    { name: 'keyUsage', ...opts.keyUsage, critical: true },
    ...(opts.crl ? [{ name: 'cRLDistributionPoints', altNames: opts.crl.map((value) => ({ type: 6, value })) }] : []),
  ]);
  cert.sign(forge.pki.privateKeyFromPem(opts.signerPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

const SIGNING = { digitalSignature: true, nonRepudiation: true };
const fingerprintOf = (pem: string) => crypto.createHash('sha256').update(new crypto.X509Certificate(pem).raw).digest('hex');

describe('pki: registering certificates of trusted CAs', () => {
  let t: TestApp;
  let dir: string;
  let foreignCa: RsaKey;
  let foreignCaPem: string;
  /** Same name as the trusted CA, another key: an impostor. */
  let impostorCa: RsaKey;

  /** A leaf of the trusted CA (or of `signer`) for a fresh key. */
  function leaf(opts: Partial<Parameters<typeof forgeCertificate>[0]> & { key?: RsaKey } = {}): { pem: string; key: RsaKey } {
    const key = opts.key ?? rsaKey();
    const pem = forgeCertificate({ subjectCn: '张三', keyUsage: SIGNING, signerPem: foreignCa.privateKeyPem, ...opts, publicKeyPem: key.publicKeyPem });
    return { pem, key };
  }

  async function challenge(user: TestUser): Promise<string> {
    const res = await t.req(user).post('/api/pki/challenges');
    expect(res.status).to.equal(201);
    return res.body.challenge;
  }

  /** Registers `pem` for `user`, proving possession with `signWith` (the certificate's own key by default). */
  async function register(user: TestUser, pem: string, signWith: RsaKey, usage: 'signing' | 'encryption' = 'signing') {
    const c = await challenge(user);
    return t
      .req(user)
      .post('/api/pki/certificates/register')
      .send({ certificate: pem, challenge: c, signature: signChallenge(signWith.privateKeyPem, c), usage });
  }

  const count = async () => Number((await t.tdb.db.knex('certificates').count({ n: '*' }))[0]!.n);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-foreign-'));
    foreignCa = rsaKey();
    foreignCaPem = forgeCertificate({ subjectCn: CA_NAME, publicKeyPem: foreignCa.publicKeyPem, signerPem: foreignCa.privateKeyPem, ca: true, keyUsage: { keyCertSign: true, cRLSign: true } });
    impostorCa = rsaKey();
    const file = path.join(dir, 'ahca.pem');
    fs.writeFileSync(file, foreignCaPem);
    t = await createTestApp({ trustedCaFiles: [file] });
  });
  afterEach(() => t.clock.set(T0));
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('registering', () => {
    it('binds a certificate of a trusted CA to the bidder and its organisation, with proof of possession', async () => {
      const { pem, key } = leaf({ crl: ['http://crl.ahca.example.cn/ca.crl'] });
      const fp = fingerprintOf(pem);
      // Before: it passes the check, but belongs to nobody.
      expect(await t.services.pki.checkCertificate(pem, { at: T0, usage: 'signing' })).to.include({ issuer: 'trusted', userId: null, orgId: null });

      const res = await register(t.users.bidderA, pem, key);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const registered = res.body.certificate;
      expect(registered).to.include({
        fingerprint: fp,
        issuer: 'trusted',
        issuerFingerprint: fingerprintOf(foreignCaPem),
        issuerSubject: `CN=${CA_NAME}`,
        usage: 'signing',
        registeredAt: T0,
        subject: 'CN=张三',
      });
      expect(registered.notAfter).to.equal(T0 + 3 * 365 * DAY);
      expect(registered.crlDistributionPoints).to.deep.equal(['http://crl.ahca.example.cn/ca.crl']);
      expect(registered.revocation)
        .to.match(/does not consult the revocation lists/)
        .and.to.contain('http://crl.ahca.example.cn/ca.crl');
      expect(new crypto.X509Certificate(registered.pem).raw).to.deep.equal(new crypto.X509Certificate(pem).raw);

      const v = await t.services.pki.checkCertificate(pem, { at: T0 + HOUR, usage: 'signing' });
      expect(v).to.include({ fingerprint: fp, issuer: 'trusted', userId: t.users.bidderA.id, orgId: t.orgA, issuerFingerprint: fingerprintOf(foreignCaPem) });
      expect(await t.services.pki.getByFingerprint(fp)).to.include({ userId: t.users.bidderA.id, orgId: t.orgA, issuer: 'trusted', issuerFingerprint: fingerprintOf(foreignCaPem), revokedAt: null });
      const mine = await t.req(t.users.bidderA).get('/api/pki/certificates');
      expect(mine.body.certificates.find((c: { fingerprint: string }) => c.fingerprint === fp)).to.include({ issuer: 'trusted', usage: 'signing' });

      const events = await t.services.audit.list({ objectType: 'certificate', objectId: fp });
      expect(events.map((e) => e.action)).to.deep.equal(['certificate.registered']);
      expect(events[0]!.data).to.include({ fingerprint: fp, userId: t.users.bidderA.id, orgId: t.orgA, usage: 'signing', issuerFingerprint: fingerprintOf(foreignCaPem) });
      expect(JSON.stringify(events)).to.not.match(/PRIVATE KEY|BEGIN/);
    });

    it('refuses a proof made with another key, and the challenge is then used up', async () => {
      const { pem, key } = leaf();
      const before = await count();
      const c = await challenge(t.users.bidderA);
      const send = (signWith: RsaKey) =>
        t
          .req(t.users.bidderA)
          .post('/api/pki/certificates/register')
          .send({ certificate: pem, challenge: c, signature: signChallenge(signWith.privateKeyPem, c), usage: 'signing' });
      const wrong = await send(rsaKey());
      expect(wrong.status).to.equal(422);
      expect(wrong.body.error.code).to.equal('proof_of_possession_failed');
      expect(wrong.body.error.message).to.contain("the certificate's public key");
      const retry = await send(key);
      expect(retry.status).to.equal(422);
      expect(retry.body.error.code).to.equal('challenge_invalid');
      expect(await count()).to.equal(before);
      expect((await t.services.pki.checkCertificate(pem, { at: T0, usage: 'signing' })).userId).to.equal(null);
    });

    it('refuses a certificate that has expired, or is not yet valid, by the server clock', async () => {
      const expired = leaf({ notBefore: T0 - 400 * DAY, notAfter: T0 - DAY });
      const res = await register(t.users.bidderA, expired.pem, expired.key);
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('certificate_expired');
      expect(res.body.error.message).to.contain(new Date(T0 - DAY).toISOString());
      const early = leaf({ notBefore: T0 + DAY });
      expect((await register(t.users.bidderA, early.pem, early.key)).body.error.code).to.equal('certificate_not_yet_valid');
      t.clock.set(T0 + 2 * DAY);
      expect((await register(t.users.bidderA, early.pem, early.key)).status).to.equal(201);
    });

    it('refuses a certificate of a CA that is not trusted, even one that copies a trusted name', async () => {
      const other = leaf({ signerPem: impostorCa.privateKeyPem });
      const res = await register(t.users.bidderA, other.pem, other.key);
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('certificate_untrusted');
      const unknownCa = leaf({ signerPem: impostorCa.privateKeyPem, issuerCn: '某不知名 CA' });
      expect((await register(t.users.bidderA, unknownCa.pem, unknownCa.key)).body.error.code).to.equal('certificate_untrusted');
    });

    it('refuses a platform certificate (issued, not registered), a CA certificate and a certificate without the key usage', async () => {
      const platform: BidderKey = await signingCertificate(t, t.users.bidderA);
      const c = await challenge(t.users.bidderA);
      const res = await t
        .req(t.users.bidderA)
        .post('/api/pki/certificates/register')
        .send({ certificate: platform.certPem, challenge: c, signature: signChallenge(platform.privateKeyPem, c), usage: 'signing' });
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('certificate_not_foreign');

      const subCaKey = rsaKey();
      const subCa = forgeCertificate({
        subjectCn: '下级 CA',
        publicKeyPem: subCaKey.publicKeyPem,
        signerPem: foreignCa.privateKeyPem,
        ca: true,
        keyUsage: { keyCertSign: true, digitalSignature: true },
      });
      expect((await register(t.users.bidderA, subCa, subCaKey)).body.error.code).to.equal('certificate_is_ca');

      const signingOnly = leaf();
      const usage = await register(t.users.bidderA, signingOnly.pem, signingOnly.key, 'encryption');
      expect(usage.status).to.equal(422);
      expect(usage.body.error.code).to.equal('certificate_usage');
    });

    it('refuses a second registration, by the owner or by anyone else, without saying whose it is', async () => {
      const { pem, key } = leaf();
      expect((await register(t.users.bidderA, pem, key)).status).to.equal(201);
      const again = await register(t.users.bidderA, pem, key);
      expect(again.status).to.equal(409);
      const other = await register(t.users.bidderB, pem, key);
      expect(other.status).to.equal(409);
      expect(other.body).to.deep.equal(again.body);
      expect(other.text).to.not.contain(t.users.bidderA.id).and.to.not.contain('bidder-a').and.to.not.contain(t.orgA);
      expect((await t.services.pki.getByFingerprint(fingerprintOf(pem)))!.userId).to.equal(t.users.bidderA.id);
      // Without the key one learns nothing: the proof is checked first.
      expect((await register(t.users.bidderB, pem, rsaKey())).body.error.code).to.equal('proof_of_possession_failed');
    });

    it('scopes serial numbers to their CA: a foreign serial may equal a platform serial, but a CA may not reuse one', async () => {
      const platform = await signingCertificate(t, t.users.bidderB);
      const serial = new crypto.X509Certificate(platform.certPem).serialNumber;
      const same = leaf({ serial });
      expect((await register(t.users.bidderB, same.pem, same.key)).status).to.equal(201);
      const reused = leaf({ serial, subjectCn: '李四' });
      const res = await register(t.users.bidderB, reused.pem, reused.key);
      expect(res.status).to.equal(409);
      expect(res.body.error.message).to.contain('must not reuse serial numbers');
    });

    it('refuses a bidder whose organisation is not approved, and anyone anonymous', async () => {
      const reg = await supertest(t.app)
        .post('/api/orgs')
        .send({
          name: '丁贸易有限公司',
          creditCode: makeCreditCode(),
          contactName: '赵六',
          contactPhone: '0551-7777777',
          representatives: [{ username: 'rep-pending', displayName: '赵六', password: 'bidder-password-1' }],
        });
      expect(reg.status).to.equal(201);
      const token = await insertTokenFor(t, 'rep-pending');
      const auth = { Authorization: `Bearer ${token.token}` };
      const c = (await supertest(t.app).post('/api/pki/challenges').set(auth)).body.challenge as string;
      const { pem, key } = leaf();
      const res = await supertest(t.app)
        .post('/api/pki/certificates/register')
        .set(auth)
        .send({ certificate: pem, challenge: c, signature: signChallenge(key.privateKeyPem, c), usage: 'signing' });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('org_not_approved');
      expect((await supertest(t.app).post('/api/pki/certificates/register').send({ certificate: pem, challenge: c, signature: 'AAAA', usage: 'signing' })).status).to.equal(401);
    });

    it('lets a custodian register an encryption certificate, found for key shares until an admin revokes it', async () => {
      const { pem, key } = leaf({ subjectCn: '保管人', keyUsage: { keyEncipherment: true } });
      expect((await register(t.users.custodian, pem, key, 'encryption')).status).to.equal(201);
      const found = await t.services.pki.certificateOfUser(t.users.custodian.id, 'encryption', T0);
      expect(found).to.include({ fingerprint: fingerprintOf(pem), issuer: 'trusted' });
      expect((await t.services.pki.checkCertificate(pem, { at: T0, usage: 'encryption' })).userId).to.equal(t.users.custodian.id);
      t.clock.set(T0 + HOUR);
      const revoked = await t
        .req(t.users.admin)
        .post(`/api/pki/certificates/${fingerprintOf(pem)}/revoke`)
        .send({ reason: '对方 CA 已吊销' });
      expect(revoked.status).to.equal(200);
      expect(await t.services.pki.certificateOfUser(t.users.custodian.id, 'encryption', T0 + 2 * HOUR)).to.equal(null);
    });

    it('the CLI "cert register" proves possession on this machine and registers the certificate', async () => {
      const server = t.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-cli-'));
      try {
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
        const { pem, key } = leaf({ subjectCn: '王五' });
        fs.writeFileSync(path.join(work, 'foreign.pem'), pem);
        fs.writeFileSync(path.join(work, 'key.pem'), key.privateKeyPem);
        fs.writeFileSync(path.join(work, 'other.pem'), rsaKey().privateKeyPem);
        const args = { url, token: t.users.bidderB.token, cert: path.join(work, 'foreign.pem'), key: path.join(work, 'key.pem'), usage: 'signing' };
        await expectRejection(certRegisterCommand.run({ ...args, key: path.join(work, 'other.pem') }, []), /is not the key of the certificate/);
        const write = process.stdout.write;
        let printed = '';
        process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
        try {
          await certRegisterCommand.run(args, []);
        } finally {
          process.stdout.write = write;
        }
        expect(printed)
          .to.contain(fingerprintOf(pem))
          .and.to.contain(CA_NAME)
          .and.to.match(/does not consult/);
        expect((await t.services.pki.getByFingerprint(fingerprintOf(pem)))!.userId).to.equal(t.users.bidderB.id);
        await expectRejection(certRegisterCommand.run(args, []), /refused \(409\)/);
        expect(certRegisterCommand.help).to.contain('etender cert register --url');
      } finally {
        server.close();
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  });

  describe('bidding with a registered certificate', () => {
    let key: BidderKey;
    let section: Awaited<ReturnType<typeof publishedSection>>;
    let firstBidId: string;

    before(async () => {
      const { pem, key: rsa } = leaf({ subjectCn: '甲建设有限公司 张三' });
      const res = await register(t.users.bidderA, pem, rsa);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      key = { privateKey: rsa.privateKey, privateKeyPem: rsa.privateKeyPem, certPem: pem, fingerprint: res.body.certificate.fingerprint };
      section = await publishedSection(t);
    });

    it('accepts a bid signed with it, and the receipt names its fingerprint', async () => {
      const res = await submit(t, t.users.bidderA, section.id, await sealedBid(section, t.orgA, key));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.receipt).to.include({ kind: 'submission', certificate: key.fingerprint });
      expect(res.body.receipt.bidder).to.deep.equal({ orgId: t.orgA, userId: t.users.bidderA.id });
      firstBidId = res.body.receipt.bid.id;
    });

    it('does not let another bidder use it', async () => {
      const res = await submit(t, t.users.bidderB, section.id, await sealedBid(section, t.orgB, key));
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('certificate_not_yours');
    });

    it('still refuses an unregistered certificate of the trusted CA: it belongs to nobody', async () => {
      const { pem, key: rsa } = leaf();
      const unregistered: BidderKey = { privateKey: rsa.privateKey, privateKeyPem: rsa.privateKeyPem, certPem: pem, fingerprint: fingerprintOf(pem) };
      const bid = await sealedBid(section, t.orgA, unregistered);
      const res = await submit(t, t.users.bidderA, section.id, bid, { 'Etender-Certificate': new crypto.X509Certificate(pem).raw.toString('base64') });
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('certificate_not_yours');
    });

    it('refuses a new bid once the owner revoked it here; the earlier bid stands', async () => {
      t.clock.set(T0 + HOUR);
      const revoke = await t.req(t.users.bidderA).post(`/api/pki/certificates/${key.fingerprint}/revoke`).send({ reason: '证书已被签发 CA 吊销' });
      expect(revoke.status).to.equal(200);
      expect(revoke.body.certificate).to.include({ revokedAt: T0 + HOUR, issuer: 'trusted' });
      const res = await submit(t, t.users.bidderA, section.id, await sealedBid(section, t.orgA, key));
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('certificate_revoked');
      const mine = await t.req(t.users.bidderA).get(`/api/sections/${section.id}/my-bids`);
      expect(mine.body.bids.map((b: { id: string; status: string }) => [b.id, b.status])).to.deep.equal([[firstBidId, 'active']]);
      const events = await t.services.audit.list({ objectType: 'certificate', objectId: key.fingerprint });
      expect(events.map((e) => e.action)).to.deep.equal(['certificate.registered', 'certificate.revoked']);
    });
  });
});

async function expectRejection(work: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await work;
  } catch (err) {
    expect((err as Error).message).to.match(message);
    return;
  }
  throw new Error('expected a refusal, but it succeeded');
}
