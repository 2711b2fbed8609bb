// The certificate check keeps what never changes about a certificate (parsed, chained to its CA,
// its key usage) per exact bytes, so that a bidder's chain is verified once and not on every bid.
// What may change is checked every time: revocation in the register, the dates, the usage asked for;
// and other bytes are never taken for a certificate checked before.
import crypto from 'node:crypto';
import { expect } from 'chai';
import { DAY } from '../../modules/core/clock';
import { unchanged } from '../support/api-errors';
import { publishedSection, sealedBid, signingCertificate, submit, type BidderKey } from '../support/bidding';
import { createTestApp, T0, type TestApp } from '../support/test-app';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  throw new Error('the check accepted the certificate');
}

describe('certificate check: chains verified once per certificate, revocation and dates every time', () => {
  let t: TestApp;
  let key: BidderKey;
  let section: Awaited<ReturnType<typeof publishedSection>>;

  before(async () => {
    t = await createTestApp({ maxBidBytes: 5 * 1024 * 1024 });
  });
  beforeEach(async () => {
    t.clock.set(T0);
    section = await publishedSection(t);
    key = await signingCertificate(t, t.users.bidderA);
  });
  after(async () => t.close());

  it('refuses a bid with a certificate revoked after it was accepted for an earlier bid, and stores nothing', async () => {
    const first = await submit(t, t.users.bidderA, section.id, await sealedBid(section, t.orgA, key));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    t.clock.advance(60_000);
    const revoked = await t.req(t.users.bidderA).post(`/api/pki/certificates/${key.fingerprint}/revoke`).send({ reason: '私钥泄露' });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    t.clock.advance(60_000);
    const bid = await sealedBid(section, t.orgA, key);
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('certificate_revoked');
  });

  it('still judges a certificate checked before by the instant asked about (revoked from then on, expired after notAfter)', async () => {
    const at = t.clock.now();
    const ok = await t.services.pki.checkCertificate(key.certPem, { at, usage: 'signing' });
    expect(ok.fingerprint).to.equal(key.fingerprint);
    const notAfter = Date.parse(new crypto.X509Certificate(key.certPem).validTo);
    expect(await refusal(t.services.pki.checkCertificate(key.certPem, { at: notAfter + 1000, usage: 'signing' }))).to.equal('certificate_expired');
    expect(await refusal(t.services.pki.checkCertificate(key.certPem, { at, usage: 'encryption' }))).to.equal('certificate_usage');

    t.clock.advance(DAY);
    await t.services.pki.revoke(t.users.bidderA.ctx, key.fingerprint, '离职');
    expect(await refusal(t.services.pki.checkCertificate(key.certPem, { at: t.clock.now(), usage: 'signing' }))).to.equal('certificate_revoked');
    // Before the revocation it was good, and is still judged so (a bid received then stays valid).
    expect((await t.services.pki.checkCertificate(key.certPem, { at, usage: 'signing' })).fingerprint).to.equal(key.fingerprint);
  });

  it('does not take other bytes for a certificate whose chain was verified before', async () => {
    await t.services.pki.checkCertificate(key.certPem, { at: t.clock.now(), usage: 'signing' });
    const der = Buffer.from(new crypto.X509Certificate(key.certPem).raw);
    // The last byte is in the CA's signature: the certificate still parses, but no CA signed it.
    der[der.length - 1] = der[der.length - 1]! ^ 0x01;
    expect(await refusal(t.services.pki.checkCertificate(der, { at: t.clock.now(), usage: 'signing' }))).to.equal('certificate_untrusted');
    // The same certificate in DER (other bytes than its PEM) is checked on its own and accepted.
    const genuine = Buffer.from(new crypto.X509Certificate(key.certPem).raw);
    expect((await t.services.pki.checkCertificate(genuine, { at: t.clock.now(), usage: 'signing' })).fingerprint).to.equal(key.fingerprint);
  });
});
