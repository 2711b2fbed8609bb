import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import forge from 'node-forge';
import supertest from 'supertest';
import { DAY, HOUR, MINUTE } from '../../modules/core/clock';
import { AppError } from '../../modules/core/errors';
import { issueCertificate, ATTR } from '../../modules/pki/certificate-authority';
import { createCsr, signChallenge } from '../../modules/pki/client-keys';
import { loadOrCreatePlatformKeys, PlatformKeysError, type PlatformKeys } from '../../modules/pki/platform-keys';
import type { IssuedCertificate } from '../../modules/pki/pki-service';
import { keyUsageOf, OID } from '../../modules/pki/x509-der';
import { buildServices } from '../../server/app';
import { certRequestCommand } from '../../server/commands/pki';
import { ConfigError, readTrustedCaFiles } from '../../server/config';
import { createTestApp, insertTokenFor, makeCreditCode, T0, testCertsDir, type TestApp, type TestUser } from '../support/test-app';

const YEAR2 = Date.parse('2028-12-01T09:00:00+08:00') - T0; // two calendar years from T0

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

async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (err) {
    expect(err).to.be.instanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal, but it succeeded');
}

const tmpDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** A certificate laid out and signed with node-forge alone, as another CA (or a forger) would. */
function forgeCertificate(opts: {
  subjectCn: string;
  issuerCn: string;
  publicKeyPem: string;
  signerPem: string;
  ca: boolean;
  keyUsage: Record<string, boolean>;
  notBefore?: number;
  notAfter?: number;
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem);
  cert.serialNumber = '0a' + crypto.randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(opts.notBefore ?? T0 - 30 * DAY);
  cert.validity.notAfter = new Date(opts.notAfter ?? T0 + 3 * 365 * DAY);
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class; // the typings call the tag a class
  cert.setSubject([{ name: 'commonName', value: opts.subjectCn, valueTagClass: utf8 }]);
  cert.setIssuer([{ name: 'commonName', value: opts.issuerCn, valueTagClass: utf8 }]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: opts.ca, critical: true },
    { name: 'keyUsage', ...opts.keyUsage, critical: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(opts.signerPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('pki: the platform certificate authority', () => {
  let t: TestApp;
  /** Every response body of this file, to check that none carries private key material. */
  const responses: string[] = [];
  const record = (res: supertest.Response) => {
    responses.push(res.text ?? '');
    return res;
  };

  async function requestCsrCert(user: TestUser, key: RsaKey, usage: 'signing' | 'encryption', commonName = user.username): Promise<IssuedCertificate> {
    const res = record(
      await t
        .req(user)
        .post('/api/pki/certificates')
        .send({ csr: createCsr(key.privateKeyPem, { commonName }), usage }),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.certificate as IssuedCertificate;
  }

  let bidderKey: RsaKey;
  let bidderSigning: IssuedCertificate;
  let bidderEncryption: IssuedCertificate;

  before(async () => {
    t = await createTestApp();
    bidderKey = rsaKey();
    bidderSigning = await requestCsrCert(t.users.bidderA, bidderKey, 'signing');
    bidderEncryption = await requestCsrCert(t.users.bidderA, bidderKey, 'encryption');
  });
  afterEach(() => t.clock.set(T0));
  after(async () => t.close());

  describe('issuing from a CSR', () => {
    it('certifies the key of a bidder of an approved organisation, with a subject set by the server', async () => {
      const key = rsaKey();
      const csr = createCsr(key.privateKeyPem, { commonName: 'admin' }); // the CSR asks for someone else's name
      const res = record(await t.req(t.users.bidderA).post('/api/pki/certificates').send({ csr, usage: 'signing' }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const issued = res.body.certificate;
      const cert = new crypto.X509Certificate(issued.pem);
      const { organisation } = await t.services.orgs.get(t.users.admin.ctx, t.orgA);
      expect(cert.subject.split('\n')).to.deep.equal(['CN=bidder-a', 'O=甲建设有限公司', `OU=${organisation.creditCode}`, `serialNumber=${t.users.bidderA.id}`]);
      expect(cert.subject).to.not.contain('admin');
      expect(cert.issuer).to.equal('CN=etender platform CA');
      expect(cert.checkIssued(t.services.platformKeys.ca.cert)).to.equal(true);
      expect(cert.verify(t.services.platformKeys.ca.publicKey)).to.equal(true);
      expect(cert.ca).to.equal(false);
      expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).to.equal(key.publicKeyPem);
      expect([...keyUsageOf(cert.raw)!].sort()).to.deep.equal(['digitalSignature', 'nonRepudiation']);
      expect(cert.keyUsage).to.deep.equal([OID.documentSigning]); // node names the extended key usage "keyUsage"
      expect(issued.notBefore).to.equal(T0);
      expect(issued.notAfter).to.equal(T0 + YEAR2);
      expect(Date.parse(cert.validFrom)).to.equal(T0);
      expect(Date.parse(cert.validTo)).to.equal(T0 + YEAR2);
      expect(cert.serialNumber).to.match(/^[0-9A-F]{32}$/);
      expect(issued.fingerprint).to.equal(crypto.createHash('sha256').update(cert.raw).digest('hex'));

      const stored = await t.services.pki.getByFingerprint(issued.fingerprint);
      expect(stored).to.include({ userId: t.users.bidderA.id, orgId: t.orgA, usage: 'signing', notBefore: T0, revokedAt: null });
      const events = await t.services.audit.list({ objectType: 'certificate', objectId: issued.fingerprint });
      expect(events.map((e) => e.action)).to.deep.equal(['certificate.issued']);
      expect(events[0]!.data).to.include({ fingerprint: issued.fingerprint, usage: 'signing', via: 'csr', userId: t.users.bidderA.id });
      expect(JSON.stringify(events)).to.not.match(/PRIVATE KEY|BEGIN/);
    });

    it('gives an encryption certificate keyEncipherment only', async () => {
      const cert = new crypto.X509Certificate(bidderEncryption.pem);
      expect([...keyUsageOf(cert.raw)!]).to.deep.equal(['keyEncipherment']);
      expect(cert.keyUsage).to.equal(undefined);
    });

    it('refuses a bidder whose organisation is still pending, and stores nothing', async () => {
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
      const before = (await t.tdb.db.knex('certificates').count({ n: '*' }))[0]!.n;
      const res = record(
        await supertest(t.app)
          .post('/api/pki/certificates')
          .set('Authorization', `Bearer ${token.token}`)
          .send({ csr: createCsr(rsaKey().privateKeyPem, { commonName: 'rep-pending' }), usage: 'signing' }),
      );
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('org_not_approved');
      expect(res.body.error.message).to.match(/pending/);
      expect((await t.tdb.db.knex('certificates').count({ n: '*' }))[0]!.n).to.equal(before);
    });

    it('refuses an anonymous request', async () => {
      const res = record(await supertest(t.app).post('/api/pki/certificates').send({ csr: 'x', usage: 'signing' }));
      expect(res.status).to.equal(401);
    });

    it('refuses a CSR whose signature was not made by the key it carries', async () => {
      const carried = rsaKey();
      const other = rsaKey();
      const csr = forge.pki.createCertificationRequest();
      csr.publicKey = forge.pki.publicKeyFromPem(carried.publicKeyPem);
      csr.setSubject([{ name: 'commonName', value: 'bidder-a' }]);
      csr.sign(forge.pki.privateKeyFromPem(other.privateKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
      const res = record(
        await t
          .req(t.users.bidderA)
          .post('/api/pki/certificates')
          .send({ csr: forge.pki.certificationRequestToPem(csr), usage: 'signing' }),
      );
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('csr_signature_invalid');
    });

    it('refuses a CSR that is tampered with after signing', async () => {
      const pem = createCsr(rsaKey().privateKeyPem, { commonName: 'bidder-a' });
      const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      der[der.length - 1]! ^= 0x01; // the last byte of the signature
      const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
      const res = record(await t.req(t.users.bidderA).post('/api/pki/certificates').send({ csr: tampered, usage: 'signing' }));
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('csr_signature_invalid');
    });

    it('refuses a 1024-bit key with a message that says what is needed', async () => {
      const res = record(
        await t
          .req(t.users.bidderA)
          .post('/api/pki/certificates')
          .send({ csr: createCsr(rsaKey(1024).privateKeyPem, { commonName: 'bidder-a' }), usage: 'signing' }),
      );
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('key_too_weak');
      expect(res.body.error.message).to.match(/1024 bits; at least 2048/);
    });

    it('refuses what is not a CSR, and an unknown usage', async () => {
      const bad = record(await t.req(t.users.bidderA).post('/api/pki/certificates').send({ csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', usage: 'signing' }));
      expect(bad.status).to.equal(422);
      expect(bad.body.error.code).to.equal('csr_invalid');
      const usage = record(
        await t
          .req(t.users.bidderA)
          .post('/api/pki/certificates')
          .send({ csr: createCsr(bidderKey.privateKeyPem, { commonName: 'x' }), usage: 'authentication' }),
      );
      expect(usage.status).to.equal(422);
      expect(usage.body.error.details[0].field).to.equal('usage');
    });

    it('certifies staff too (a custodian needs an encryption certificate), named by role', async () => {
      const issued = await requestCsrCert(t.users.custodian, rsaKey(), 'encryption');
      expect(new crypto.X509Certificate(issued.pem).subject.split('\n')).to.deep.equal(['CN=custodian', 'OU=custodian', `serialNumber=${t.users.custodian.id}`]);
    });

    it('the CLI "cert request" sends a CSR and saves the certificate', async () => {
      const server = t.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const dir = tmpDir('etender-cli-');
      try {
        const key = rsaKey();
        fs.writeFileSync(path.join(dir, 'req.csr'), createCsr(key.privateKeyPem, { commonName: 'bidder-b' }));
        const port = (server.address() as { port: number }).port;
        const out = path.join(dir, 'cert.pem');
        const write = process.stdout.write;
        let printed = '';
        process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
        try {
          await certRequestCommand.run({ url: `http://127.0.0.1:${port}`, token: t.users.bidderB.token, csr: path.join(dir, 'req.csr'), usage: 'encryption', out }, []);
        } finally {
          process.stdout.write = write;
        }
        const cert = new crypto.X509Certificate(fs.readFileSync(out));
        expect(cert.subject).to.contain('CN=bidder-b');
        expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).to.equal(key.publicKeyPem);
        expect(printed).to.contain(crypto.createHash('sha256').update(cert.raw).digest('hex'));
        const refused = await refusal(
          certRequestCommand.run({ url: `http://127.0.0.1:${port}`, token: 'etk_wrong', csr: path.join(dir, 'req.csr'), usage: 'signing', out: path.join(dir, 'x.pem') }, []),
        );
        expect(refused.status).to.equal(401);
        expect(fs.existsSync(path.join(dir, 'x.pem'))).to.equal(false);
      } finally {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('issuing from a public key with proof of possession (browser path)', () => {
    async function challenge(user: TestUser): Promise<string> {
      const res = record(await t.req(user).post('/api/pki/challenges'));
      expect(res.status).to.equal(201);
      expect(res.body.expiresAt).to.equal(t.clock.now() + 5 * MINUTE);
      return res.body.challenge;
    }
    const fromKey = (user: TestUser, body: Record<string, unknown>) =>
      t
        .req(user)
        .post('/api/pki/certificates/from-key')
        .send({ usage: 'signing', ...body });

    it('certifies the key when the challenge is signed with it', async () => {
      const key = rsaKey();
      const c = await challenge(t.users.bidderB);
      const res = record(await fromKey(t.users.bidderB, { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(key.privateKeyPem, c) }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const cert = new crypto.X509Certificate(res.body.certificate.pem);
      expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).to.equal(key.publicKeyPem);
      expect(cert.subject).to.contain('O=乙科技有限公司');
      const events = await t.services.audit.list({ objectType: 'certificate', objectId: res.body.certificate.fingerprint });
      expect(events[0]!.data).to.include({ via: 'browser' });
    });

    it("certifies a custodian's browser key for encryption: keyEncipherment only, accepted for encryption, refused for signing", async () => {
      const key = rsaKey();
      const c = await challenge(t.users.custodian);
      const res = record(await fromKey(t.users.custodian, { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(key.privateKeyPem, c), usage: 'encryption' }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.certificate.usage).to.equal('encryption');
      const cert = new crypto.X509Certificate(res.body.certificate.pem);
      expect(cert.subject).to.contain('OU=custodian');
      expect([...keyUsageOf(cert.raw)!]).to.deep.equal(['keyEncipherment']);
      const at = t.clock.now();
      expect((await t.services.pki.checkCertificate(res.body.certificate.pem, { at, usage: 'encryption' })).userId).to.equal(t.users.custodian.id);
      let refused: unknown = null;
      await t.services.pki.checkCertificate(res.body.certificate.pem, { at, usage: 'signing' }).catch((err: unknown) => (refused = err));
      expect(refused, 'an encryption certificate does not sign').to.not.equal(null);
    });

    it('refuses a signature by another key, and the challenge is then used up', async () => {
      const key = rsaKey();
      const c = await challenge(t.users.bidderB);
      const wrong = record(await fromKey(t.users.bidderB, { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(rsaKey().privateKeyPem, c) }));
      expect(wrong.status).to.equal(422);
      expect(wrong.body.error.code).to.equal('proof_of_possession_failed');
      const retry = record(await fromKey(t.users.bidderB, { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(key.privateKeyPem, c) }));
      expect(retry.status).to.equal(422);
      expect(retry.body.error.code).to.equal('challenge_invalid');
    });

    it('refuses a signature over something else than the challenge', async () => {
      const key = rsaKey();
      const c = await challenge(t.users.bidderB);
      const res = record(await fromKey(t.users.bidderB, { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(key.privateKeyPem, `${c}x`) }));
      expect(res.body.error.code).to.equal('proof_of_possession_failed');
    });

    it('refuses a challenge used twice', async () => {
      const key = rsaKey();
      const c = await challenge(t.users.bidderB);
      const body = { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(key.privateKeyPem, c) };
      expect(record(await fromKey(t.users.bidderB, body)).status).to.equal(201);
      const again = record(await fromKey(t.users.bidderB, body));
      expect(again.status).to.equal(422);
      expect(again.body.error.code).to.equal('challenge_invalid');
    });

    it('refuses an expired challenge', async () => {
      const key = rsaKey();
      const c = await challenge(t.users.bidderB);
      t.clock.advance(5 * MINUTE);
      const res = record(await fromKey(t.users.bidderB, { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(key.privateKeyPem, c) }));
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('challenge_expired');
      expect(res.body.error.message).to.contain(new Date(T0 + 5 * MINUTE).toISOString());
    });

    it("refuses another user's challenge", async () => {
      const key = rsaKey();
      const c = await challenge(t.users.bidderA);
      const res = record(await fromKey(t.users.bidderB, { publicKey: key.publicKeyPem, challenge: c, signature: signChallenge(key.privateKeyPem, c) }));
      expect(res.body.error.code).to.equal('challenge_invalid');
    });

    it('refuses a key that is not RSA', async () => {
      const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const c = await challenge(t.users.bidderB);
      const res = record(
        await fromKey(t.users.bidderB, { publicKey: publicKey.export({ type: 'spki', format: 'pem' }), challenge: c, signature: crypto.sign('sha256', Buffer.from(c), privateKey).toString('base64') }),
      );
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('key_not_rsa');
    });
  });

  describe('checking a certificate at the time of use', () => {
    const pki = () => t.services.pki;

    it('accepts a valid certificate, as PEM or DER, and says whose it is', async () => {
      const v = await pki().checkCertificate(bidderSigning.pem, { at: T0 + HOUR, usage: 'signing' });
      expect(v).to.include({ fingerprint: bidderSigning.fingerprint, userId: t.users.bidderA.id, orgId: t.orgA, issuer: 'platform', issuerFingerprint: t.services.platformKeys.ca.fingerprint });
      expect(v.subject).to.contain('CN=bidder-a');
      expect(v.publicKey.export({ type: 'spki', format: 'pem' })).to.equal(bidderKey.publicKeyPem);
      const der = new crypto.X509Certificate(bidderSigning.pem).raw;
      expect((await pki().checkCertificate(der, { at: T0, usage: 'signing' })).fingerprint).to.equal(bidderSigning.fingerprint);
    });

    it('refuses an expired certificate, naming the dates', async () => {
      t.clock.set(bidderSigning.notAfter + 1000);
      const err = await refusal(pki().checkCertificate(bidderSigning.pem, { at: t.clock.now(), usage: 'signing' }));
      expect(err.status).to.equal(422);
      expect(err.code).to.equal('certificate_expired');
      expect(err.message).to.contain(new Date(bidderSigning.notAfter).toISOString());
      // at its last instant it was still valid
      await pki().checkCertificate(bidderSigning.pem, { at: bidderSigning.notAfter, usage: 'signing' });
    });

    it('refuses a certificate that is not yet valid', async () => {
      t.clock.set(T0 - 1000);
      const err = await refusal(pki().checkCertificate(bidderSigning.pem, { at: t.clock.now(), usage: 'signing' }));
      expect(err.code).to.equal('certificate_not_yet_valid');
      expect(err.message).to.contain(new Date(T0).toISOString());
    });

    it('refuses a use after the revocation, and accepts a use before it', async () => {
      const key = rsaKey();
      const issued = await requestCsrCert(t.users.bidderA, key, 'signing');
      t.clock.set(T0 + DAY);
      expect(record(await t.req(t.users.bidderA).post(`/api/pki/certificates/${issued.fingerprint}/revoke`).send({ reason: 'key compromised' })).status).to.equal(200);
      const err = await refusal(pki().checkCertificate(issued.pem, { at: T0 + 2 * DAY, usage: 'signing' }));
      expect(err.code).to.equal('certificate_revoked');
      expect(err.message).to.contain('key compromised');
      expect((await refusal(pki().checkCertificate(issued.pem, { at: T0 + DAY, usage: 'signing' }))).code).to.equal('certificate_revoked');
      const before = await pki().checkCertificate(issued.pem, { at: T0 + DAY - 1, usage: 'signing' });
      expect(before.fingerprint).to.equal(issued.fingerprint);
    });

    describe('certificates of other authorities', () => {
      let otherCa: RsaKey;
      let otherCaPem: string;
      let foreignLeaf: string;
      let foreignKey: RsaKey;
      before(() => {
        otherCa = rsaKey();
        otherCaPem = forgeCertificate({
          subjectCn: '安徽省电子认证中心 CA',
          issuerCn: '安徽省电子认证中心 CA',
          publicKeyPem: otherCa.publicKeyPem,
          signerPem: otherCa.privateKeyPem,
          ca: true,
          keyUsage: { keyCertSign: true, cRLSign: true },
        });
        foreignKey = rsaKey();
        foreignLeaf = forgeCertificate({
          subjectCn: 'other-bidder',
          issuerCn: '安徽省电子认证中心 CA',
          publicKeyPem: foreignKey.publicKeyPem,
          signerPem: otherCa.privateKeyPem,
          ca: false,
          keyUsage: { digitalSignature: true, nonRepudiation: true },
        });
      });

      it('refuses a certificate of a CA that is not configured as trusted', async () => {
        const err = await refusal(pki().checkCertificate(foreignLeaf, { at: T0, usage: 'signing' }));
        expect(err.code).to.equal('certificate_untrusted');
        expect(err.message).to.contain('安徽省电子认证中心 CA');
      });

      it('accepts it once that CA is listed in trustedCaFiles, and publishes the trusted CA', async () => {
        const dir = tmpDir('etender-trusted-');
        const file = path.join(dir, 'other-ca.pem');
        fs.writeFileSync(file, otherCaPem);
        const t2 = await createTestApp({ trustedCaFiles: [file] });
        try {
          const v = await t2.services.pki.checkCertificate(foreignLeaf, { at: T0, usage: 'signing' });
          expect(v).to.include({ issuer: 'trusted', userId: null, orgId: null });
          expect(v.issuerFingerprint).to.equal(crypto.createHash('sha256').update(new crypto.X509Certificate(otherCaPem).raw).digest('hex'));
          // the platform CA is still trusted there
          expect((await t2.services.pki.checkCertificate(t2.services.platformKeys.timer.certPem, { at: T0, usage: 'encryption' })).issuer).to.equal('platform');
          const keys = record(await supertest(t2.app).get('/api/pki/keys'));
          expect(keys.body.trustedCas).to.have.length(1);
          expect(keys.body.trustedCas[0].subject).to.equal('CN=安徽省电子认证中心 CA');
          // still refused where the CA is not configured
          expect((await refusal(pki().checkCertificate(foreignLeaf, { at: T0, usage: 'signing' }))).code).to.equal('certificate_untrusted');
        } finally {
          await t2.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

      it('refuses, at start, a trusted CA file that is unreadable or not a CA', () => {
        const dir = tmpDir('etender-trusted-');
        try {
          const leafFile = path.join(dir, 'leaf.pem');
          fs.writeFileSync(leafFile, foreignLeaf);
          expect(() => readTrustedCaFiles([leafFile])).to.throw(ConfigError, /not a CA certificate/);
          expect(() => readTrustedCaFiles([path.join(dir, 'missing.pem')])).to.throw(ConfigError, /missing\.pem cannot be read/);
          const junk = path.join(dir, 'junk.pem');
          fs.writeFileSync(junk, 'hello');
          expect(() => readTrustedCaFiles([junk])).to.throw(ConfigError, /no PEM certificate/);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    });

    it('refuses a certificate signed by a platform-issued leaf key, whatever issuer it names', async () => {
      const victim = rsaKey();
      // issued "by" the bidder's certificate: its subject, byte for byte, as the issuer
      const underLeaf = issueCertificate(
        { certDer: new crypto.X509Certificate(bidderSigning.pem).raw, privateKey: bidderKey.privateKey },
        {
          subject: [{ type: ATTR.commonName, value: 'bidder-b' }],
          publicKey: victim.privateKey,
          notBefore: T0 - DAY,
          notAfter: T0 + DAY,
          extensions: [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', digitalSignature: true },
          ],
        },
      );
      expect(new crypto.X509Certificate(underLeaf).verify(new crypto.X509Certificate(bidderSigning.pem).publicKey)).to.equal(true);
      // or naming the platform CA as its issuer
      const namingCa = forgeCertificate({
        subjectCn: 'bidder-b',
        issuerCn: 'etender platform CA',
        publicKeyPem: victim.publicKeyPem,
        signerPem: bidderKey.privateKeyPem,
        ca: false,
        keyUsage: { digitalSignature: true },
      });
      expect(new crypto.X509Certificate(namingCa).issuer).to.equal('CN=etender platform CA');
      for (const forged of [underLeaf, namingCa]) {
        const err = await refusal(pki().checkCertificate(forged, { at: T0, usage: 'signing' }));
        expect(err.code).to.equal('certificate_untrusted');
      }
    });

    it('refuses the CA certificate itself presented as a bidder certificate', async () => {
      const err = await refusal(pki().checkCertificate(t.services.platformKeys.ca.certPem, { at: T0, usage: 'signing' }));
      expect(err.code).to.equal('certificate_is_ca');
      expect(err.message).to.match(/a CA certificate cannot sign bids/);
    });

    it('refuses a certificate used for what its key usage does not allow', async () => {
      const e1 = await refusal(pki().checkCertificate(bidderEncryption.pem, { at: T0, usage: 'signing' }));
      expect(e1.code).to.equal('certificate_usage');
      expect(e1.message).to.match(/needs keyUsage digitalSignature, and it has keyEncipherment/);
      const e2 = await refusal(pki().checkCertificate(bidderSigning.pem, { at: T0, usage: 'encryption' }));
      expect(e2.code).to.equal('certificate_usage');
      expect((await pki().checkCertificate(bidderEncryption.pem, { at: T0, usage: 'encryption' })).fingerprint).to.equal(bidderEncryption.fingerprint);
    });

    it('refuses a certificate with the platform CA signature that is not in the register', async () => {
      const keys = t.services.platformKeys;
      const pem = issueCertificate(
        { certDer: keys.ca.cert.raw, privateKey: keys.ca.privateKey },
        {
          subject: [{ type: ATTR.commonName, value: 'ghost' }],
          publicKey: rsaKey().privateKey,
          notBefore: T0,
          notAfter: T0 + DAY,
          extensions: [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', digitalSignature: true },
          ],
        },
      );
      expect((await refusal(pki().checkCertificate(pem, { at: T0, usage: 'signing' }))).code).to.equal('certificate_unknown');
    });

    it('accepts the platform timer certificate for encryption, with no user', async () => {
      const v = await pki().checkCertificate(t.services.platformKeys.timer.certPem, { at: T0, usage: 'encryption' });
      expect(v).to.include({ userId: null, issuer: 'platform', fingerprint: t.services.platformKeys.timer.fingerprint });
    });

    it('refuses what is not a certificate', async () => {
      expect((await refusal(pki().checkCertificate('not a certificate', { at: T0, usage: 'signing' }))).code).to.equal('certificate_invalid');
    });

    it("finds a user's newest valid, unrevoked certificate for a usage", async () => {
      const user = t.users.supervisor;
      expect(await pki().certificateOfUser(user.id, 'encryption', T0)).to.equal(null);
      const first = await requestCsrCert(user, rsaKey(), 'encryption');
      t.clock.set(T0 + HOUR);
      const second = await requestCsrCert(user, rsaKey(), 'encryption');
      await requestCsrCert(user, rsaKey(), 'signing');
      expect((await pki().certificateOfUser(user.id, 'encryption', T0 + 2 * HOUR))!.fingerprint).to.equal(second.fingerprint);
      expect((await pki().certificateOfUser(user.id, 'encryption', T0 + 30 * MINUTE))!.fingerprint).to.equal(first.fingerprint);
      t.clock.set(T0 + 3 * HOUR);
      await pki().revoke(user.ctx, second.fingerprint, 'superseded');
      expect((await pki().certificateOfUser(user.id, 'encryption', T0 + 4 * HOUR))!.fingerprint).to.equal(first.fingerprint);
      expect((await pki().certificateOfUser(user.id, 'encryption', T0 + 2 * HOUR))!.fingerprint).to.equal(second.fingerprint);
      expect(await pki().certificateOfUser(user.id, 'encryption', first.notAfter + 1)).to.equal(null);
    });
  });

  describe('listing and revoking', () => {
    it('lists your own certificates; overseers see all', async () => {
      const mine = record(await t.req(t.users.bidderB).get('/api/pki/certificates'));
      expect(mine.status).to.equal(200);
      expect(mine.body.certificates.length).to.be.greaterThan(0);
      expect(mine.body.certificates.every((c: { userId: string }) => c.userId === t.users.bidderB.id)).to.equal(true);
      const all = record(await t.req(t.users.auditor).get('/api/pki/certificates'));
      const owners = new Set(all.body.certificates.map((c: { userId: string }) => c.userId));
      expect(owners).to.include(t.users.bidderA.id).and.to.include(t.users.bidderB.id);
      expect((await refusal(t.services.pki.listAll(t.users.bidderA.ctx))).status).to.equal(403);
    });

    it('the owner revokes its certificate once; a second revocation is a conflict', async () => {
      const issued = await requestCsrCert(t.users.bidderA, rsaKey(), 'signing');
      t.clock.set(T0 + 2 * HOUR);
      const res = record(await t.req(t.users.bidderA).post(`/api/pki/certificates/${issued.fingerprint}/revoke`).send({ reason: '离职' }));
      expect(res.status).to.equal(200);
      expect(res.body.certificate).to.include({ revokedAt: T0 + 2 * HOUR, revocationReason: '离职' });
      const again = record(await t.req(t.users.bidderA).post(`/api/pki/certificates/${issued.fingerprint}/revoke`).send({ reason: 'again' }));
      expect(again.status).to.equal(409);
      const events = await t.services.audit.list({ objectType: 'certificate', objectId: issued.fingerprint });
      expect(events.map((e) => e.action)).to.deep.equal(['certificate.issued', 'certificate.revoked']);
      expect(events[1]!.data).to.include({ reason: '离职', revokedAt: T0 + 2 * HOUR });
    });

    it("an admin revokes anyone's certificate (the fingerprint may be written with colons)", async () => {
      const issued = await requestCsrCert(t.users.bidderA, rsaKey(), 'signing');
      const colons = issued.fingerprint.toUpperCase().match(/../g)!.join(':');
      const res = record(await t.req(t.users.admin).post(`/api/pki/certificates/${colons}/revoke`).send({ reason: 'organisation request' }));
      expect(res.status).to.equal(200);
      expect(res.body.certificate.revokedAt).to.equal(T0);
    });

    it('nobody else may: another bidder does not see it, a supervisor may not change it', async () => {
      const issued = await requestCsrCert(t.users.bidderA, rsaKey(), 'signing');
      const url = `/api/pki/certificates/${issued.fingerprint}/revoke`;
      expect(record(await t.req(t.users.bidderB).post(url).send({ reason: 'x' })).status).to.equal(404);
      expect(record(await t.req(t.users.supervisor).post(url).send({ reason: 'x' })).status).to.equal(403);
      expect(record(await t.req(t.users.opProc).post(url).send({ reason: 'x' })).status).to.equal(404);
      expect(record(await t.req(t.users.bidderA).post(url).send({})).status).to.equal(422);
      expect(
        record(
          await t
            .req(t.users.admin)
            .post(`/api/pki/certificates/${'0'.repeat(64)}/revoke`)
            .send({ reason: 'x' }),
        ).status,
      ).to.equal(404);
      expect((await t.services.pki.getByFingerprint(issued.fingerprint))!.revokedAt).to.equal(null);
    });
  });

  describe('published keys', () => {
    it('serves the CA certificate as PEM to anyone', async () => {
      const res = record(await supertest(t.app).get('/api/pki/ca.pem'));
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/plain/);
      expect(res.text).to.equal(t.services.platformKeys.ca.certPem);
    });

    it('publishes the public keys to anyone, with key ids that can be recomputed', async () => {
      const res = record(await supertest(t.app).get('/api/pki/keys'));
      expect(res.status).to.equal(200);
      const keys = res.body;
      expect(Object.keys(keys).sort()).to.deep.equal(['ca', 'log', 'receipt', 'timer', 'trustedCas']);
      expect(keys.trustedCas).to.deep.equal([]);
      const fp = (pem: string) => crypto.createHash('sha256').update(new crypto.X509Certificate(pem).raw).digest('hex');
      expect(keys.ca.fingerprint).to.equal(fp(keys.ca.certPem));
      expect(keys.timer.fingerprint).to.equal(fp(keys.timer.certPem));
      for (const name of ['receipt', 'log'] as const) {
        const pub = crypto.createPublicKey(keys[name].publicKeyPem);
        expect(pub.asymmetricKeyType).to.equal('ed25519');
        expect(keys[name].keyId).to.equal(
          crypto
            .createHash('sha256')
            .update(pub.export({ type: 'spki', format: 'der' }))
            .digest('hex'),
        );
        const data = Buffer.from(`signed by ${name}`);
        expect(crypto.verify(null, data, pub, t.services.platformKeys[name].sign(data))).to.equal(true);
      }
      expect(keys.receipt.keyId).to.not.equal(keys.log.keyId);
      expect(res.text).to.not.contain('PRIVATE KEY');
    });
  });

  describe('platform key files', () => {
    it('a second load returns the same keys', () => {
      const again = loadOrCreatePlatformKeys(testCertsDir());
      const first = t.services.platformKeys;
      expect(again.ca.fingerprint).to.equal(first.ca.fingerprint);
      expect(again.timer.fingerprint).to.equal(first.timer.fingerprint);
      expect(again.receipt.keyId).to.equal(first.receipt.keyId);
      expect(again.log.keyId).to.equal(first.log.keyId);
      expect(again.ca.privateKey.export({ type: 'pkcs8', format: 'pem' })).to.equal(first.ca.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    });

    it('writes the expected files, private keys readable by the owner only, and a CA as specified', () => {
      const dir = testCertsDir();
      const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;
      for (const f of ['ca.key.pem', 'receipt.key.pem', 'log.key.pem', 'timer.key.pem']) expect(mode(f), f).to.equal(0o600);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
      const ca = t.services.platformKeys.ca;
      expect(ca.cert.subject).to.equal('CN=etender platform CA');
      expect(ca.cert.ca).to.equal(true);
      expect([...keyUsageOf(ca.cert.raw)!].sort()).to.deep.equal(['cRLSign', 'keyCertSign']);
      expect(ca.privateKey.asymmetricKeyDetails!.modulusLength).to.equal(3072);
      expect(forge.pki.certificateFromPem(ca.certPem).getExtension('basicConstraints')).to.include({ cA: true, pathLenConstraint: 0, critical: true });
      const years = (Date.parse(ca.cert.validTo) - Date.parse(ca.cert.validFrom)) / (365.25 * DAY);
      expect(Math.round(years)).to.equal(10);
      const timer = t.services.platformKeys.timer;
      expect(timer.cert.subject).to.equal('CN=platform-timer');
      expect([...keyUsageOf(timer.cert.raw)!].sort()).to.deep.equal(['digitalSignature', 'keyEncipherment']);
      expect(timer.cert.checkIssued(ca.cert) && timer.cert.verify(ca.publicKey)).to.equal(true);
    });

    describe('in a directory of their own', () => {
      let dir: string;
      let made: PlatformKeys;
      before(() => {
        dir = tmpDir('etender-certs-');
        made = loadOrCreatePlatformKeys(dir);
      });
      after(() => fs.rmSync(dir, { recursive: true, force: true }));
      const copy = () => {
        const d = tmpDir('etender-certs-');
        for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(d, f));
        return d;
      };

      it('a corrupted ca.cert.pem stops the start with a message naming the file', () => {
        const d = copy();
        try {
          fs.writeFileSync(path.join(d, 'ca.cert.pem'), '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
          expect(() => loadOrCreatePlatformKeys(d)).to.throw(PlatformKeysError, /ca\.cert\.pem is not a readable X\.509 certificate/);
          expect(fs.readFileSync(path.join(d, 'ca.cert.pem'), 'utf8')).to.contain('broken'); // never silently replaced
        } finally {
          fs.rmSync(d, { recursive: true, force: true });
        }
      });

      it('refuses a CA certificate that is not a CA, a key that does not match, and a certificate without its key', () => {
        const d = copy();
        try {
          fs.copyFileSync(path.join(d, 'timer.cert.pem'), path.join(d, 'ca.cert.pem'));
          expect(() => loadOrCreatePlatformKeys(d)).to.throw(PlatformKeysError, /not a CA certificate/);
          fs.copyFileSync(path.join(dir, 'ca.cert.pem'), path.join(d, 'ca.cert.pem'));
          fs.writeFileSync(path.join(d, 'timer.key.pem'), rsaKey().privateKeyPem);
          expect(() => loadOrCreatePlatformKeys(d)).to.throw(PlatformKeysError, /timer\.key\.pem and timer\.cert\.pem .* do not belong together/);
          fs.rmSync(path.join(d, 'ca.key.pem'));
          expect(() => loadOrCreatePlatformKeys(d)).to.throw(PlatformKeysError, /ca\.key\.pem is missing/);
        } finally {
          fs.rmSync(d, { recursive: true, force: true });
        }
      });

      it('uses key files a deployment (or another module) put there, and refuses a log key of the wrong kind', () => {
        const d = tmpDir('etender-certs-');
        try {
          const logKey = crypto.generateKeyPairSync('ed25519').privateKey;
          fs.writeFileSync(path.join(d, 'log.key.pem'), logKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
          fs.copyFileSync(path.join(dir, 'ca.key.pem'), path.join(d, 'ca.key.pem'));
          fs.copyFileSync(path.join(dir, 'ca.cert.pem'), path.join(d, 'ca.cert.pem'));
          const keys = loadOrCreatePlatformKeys(d);
          expect(keys.log.keyId).to.equal(
            crypto
              .createHash('sha256')
              .update(crypto.createPublicKey(logKey).export({ type: 'spki', format: 'der' }))
              .digest('hex'),
          );
          expect(keys.ca.fingerprint).to.equal(made.ca.fingerprint);
          expect(keys.timer.cert.checkIssued(made.ca.cert)).to.equal(true);
          fs.writeFileSync(path.join(d, 'receipt.key.pem'), crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
          expect(() => loadOrCreatePlatformKeys(d)).to.throw(PlatformKeysError, /receipt\.key\.pem must be an Ed25519/);
        } finally {
          fs.rmSync(d, { recursive: true, force: true });
        }
      });

      it('the server refuses to start on unusable keys with a ConfigError', () => {
        const d = copy();
        try {
          fs.writeFileSync(path.join(d, 'ca.cert.pem'), 'garbage');
          expect(() => buildServices({ config: { ...t.config, certsDir: d }, db: t.tdb.db, clock: t.clock }))
            .to.throw(ConfigError)
            .with.property('message')
            .that.contains(path.join(d, 'ca.cert.pem'));
        } finally {
          fs.rmSync(d, { recursive: true, force: true });
        }
      });
    });

    it('processes starting at once on an empty directory end up with one CA', async () => {
      const dir = tmpDir('etender-certs-race-');
      try {
        const script = `const m = await import(${JSON.stringify(path.resolve('modules/pki/platform-keys.ts'))});
const k = m.loadOrCreatePlatformKeys(process.argv[1]);
console.log(JSON.stringify([k.ca.fingerprint, k.timer.fingerprint, k.receipt.keyId, k.log.keyId]));`;
        const run = promisify(execFile);
        const outputs = await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir])));
        const results = outputs.map((o) => o.stdout.trim());
        expect(new Set(results).size, results.join('\n')).to.equal(1);
        const [caFp] = JSON.parse(results[0]!) as string[];
        expect(loadOrCreatePlatformKeys(dir).ca.fingerprint).to.equal(caFp);
        expect(fs.readdirSync(dir).sort()).to.deep.equal(['ca.cert.pem', 'ca.key.pem', 'log.key.pem', 'receipt.key.pem', 'timer.cert.pem', 'timer.key.pem']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  // Last: mocha runs a suite's own tests before its child suites, so this goes in a suite of its own.
  describe('all responses', () => {
    it('no response of this file carried private key material', () => {
      expect(responses.length).to.be.greaterThan(30);
      for (const text of responses) expect(text).to.not.match(/PRIVATE KEY/);
    });
  });
});
