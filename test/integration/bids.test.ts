import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import forge from 'node-forge';
import { DAY } from '../../modules/core/clock';
import { leafHash, verifyInclusion } from '../../modules/audit/merkle';
import { verifyReceipt, type Receipt } from '../../modules/bids/receipt';
import { createTestApp, insertTokenFor, makeCreditCode, T0, type TestApp, type TestUser } from '../support/test-app';
import { approvedBidder, publishedSection, sealedBid, signedFor, signingCertificate, submit, workDir, type BidderKey } from '../support/bidding';
import { unchanged } from '../support/api-errors';

describe('sealed bid submission, receipts and the attacks on them', () => {
  let t: TestApp;
  let keyA: BidderKey;
  let keyB: BidderKey;
  let section: Awaited<ReturnType<typeof publishedSection>>;
  let keys: { receipt: { keyId: string; publicKeyPem: string }; log: { keyId: string; publicKeyPem: string } };

  before(async () => {
    t = await createTestApp({ maxBidBytes: 5 * 1024 * 1024 });
    keyA = await signingCertificate(t, t.users.bidderA);
    keyB = await signingCertificate(t, t.users.bidderB);
    keys = (await t.req().get('/api/pki/keys')).body;
  });
  beforeEach(async () => {
    t.clock.set(T0);
    section = await publishedSection(t);
  });
  after(async () => t.close());

  const check = (receipt: Receipt, bytes?: Buffer) =>
    verifyReceipt(receipt, keys, { leafHash, verifyInclusion }, bytes ? { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length } : undefined);

  it('accepts a sealed bid with a signed receipt that verifies offline', async () => {
    const bid = await sealedBid(section, t.orgA, keyA);
    const res = await submit(t, t.users.bidderA, section.id, bid);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const receipt = res.body.receipt as Receipt;
    expect(receipt).to.include({ kind: 'submission', receivedAt: t.clock.now(), supersedes: null, certificate: keyA.fingerprint });
    expect(receipt.bid).to.include({ ciphertextSha256: bid.manifest.ciphertext.sha256, size: bid.bytes.length, version: 1 });
    expect(check(receipt, bid.bytes)).to.deep.equal([]);
    // Tampering with any part is detected.
    expect(check({ ...receipt, receivedAt: receipt.receivedAt - 1 })).to.not.deep.equal([]);
    expect(check({ ...receipt, promise: { ...receipt.promise!, at: receipt.promise!.at + 1 } })).to.not.deep.equal([]);
    expect(check({ ...receipt, promise: undefined })).to.not.deep.equal([]);
    expect(check(receipt, Buffer.from('other'))).to.not.deep.equal([]);
    // The receipt can be fetched again, identical.
    const again = await t.req(t.users.bidderA).get(`/api/bids/${receipt.bid.id}/receipt`);
    expect(again.body.receipt).to.deep.equal(receipt);
    // The log only promised the entry: it joins the log when bidding closes (EB 21).
    expect(receipt.format).to.equal('etender-receipt/2');
    expect(receipt.promise).to.include({ at: receipt.receivedAt, maxMergeDelayMs: 3_600_000 });
    expect(receipt.promise!.entry).to.include({ action: 'bid.submitted' });
    expect((await t.req(t.users.auditor).get('/api/audit/events?action=bid.submitted')).body.events).to.deep.equal([]);
  });

  it('keeps every version; the latest counts; a withdrawal gets its own receipt', async () => {
    const first = await submit(t, t.users.bidderA, section.id, await sealedBid(section, t.orgA, keyA, { price: '900000.00' }));
    const second = await submit(t, t.users.bidderA, section.id, await sealedBid(section, t.orgA, keyA, { price: '870000.00' }));
    expect(second.status).to.equal(201);
    expect(second.body.receipt.supersedes).to.equal(first.body.receipt.bid.id);
    expect(second.body.receipt.bid.version).to.equal(2);
    const mine = await t.req(t.users.bidderA).get(`/api/sections/${section.id}/my-bids`);
    expect(mine.body.bids.map((b: { status: string }) => b.status)).to.deep.equal(['superseded', 'active']);
    // Only the version that counts can be withdrawn.
    expect((await t.req(t.users.bidderA).post(`/api/bids/${first.body.receipt.bid.id}/withdraw`)).status).to.equal(409);
    const w = await t.req(t.users.bidderA).post(`/api/bids/${second.body.receipt.bid.id}/withdraw`);
    expect(w.status).to.equal(200);
    expect(w.body.receipt.kind).to.equal('withdrawal');
    expect(check(w.body.receipt)).to.deep.equal([]);
    const after = await t.req(t.users.bidderA).get(`/api/sections/${section.id}/my-bids`);
    expect(after.body.bids.map((b: { status: string }) => b.status)).to.deep.equal(['superseded', 'withdrawn']);
    // Another bidder cannot see or touch them.
    expect((await t.req(t.users.bidderB).get(`/api/bids/${first.body.receipt.bid.id}/receipt`)).status).to.equal(404);
    expect((await t.req(t.users.bidderB).get(`/api/sections/${section.id}/my-bids`)).body.bids).to.deep.equal([]);
  });

  /**
   * Every documented GET that names the section, its project or one of its bids, with the ids
   * filled in. A bid route is asked with `bidId`: before any bid exists, with an id that names
   * nothing. Routes with a further parameter (a document's id) do not concern bids.
   */
  async function documentedReads(projectId: string, bidId: string): Promise<string[]> {
    const doc = (await t.req().get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const urls: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      if (!ops.get) continue;
      const m = /^\/api\/(sections|bids|projects)\/\{id\}(\/[^{}]*)?$/.exec(p);
      if (!m) continue;
      urls.push(p.replace('{id}', m[1] === 'sections' ? section.id : m[1] === 'bids' ? bidId : projectId));
    }
    return urls;
  }

  it('reveals nothing before the deadline, not even to supervisors: every documented read of the section, its project and its bids answers as before the bids', async () => {
    const C = await approvedBidder(t, '丙建设有限公司', 'count-c');
    const D = await approvedBidder(t, '丁建设有限公司', 'count-d'); // registered, never bids
    const projectId = (await t.req().get(`/api/sections/${section.id}`)).body.project.id as string;
    const roles: Array<[string, TestUser | undefined]> = [
      ['anonymous', undefined],
      ...(['admin', 'opProc', 'opLand', 'supervisor', 'auditor', 'custodian', 'bidderA', 'bidderB'] as const).map((k) => [k, t.users[k]] as [string, TestUser]),
      ['bidderC', C.user],
      ['bidderD', D.user],
    ];
    const noBid = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    async function observe(bidId: string) {
      const urls = await documentedReads(projectId, bidId);
      const seen = new Map<string, string>();
      for (const [role, user] of roles) {
        for (const url of urls) {
          const res = await t
            .req(user)
            .get(url)
            .buffer(true)
            .parse((r, cb) => {
              const chunks: Buffer[] = [];
              r.on('data', (c: Buffer) => chunks.push(c));
              r.on('end', () => cb(null, Buffer.concat(chunks)));
            });
          // The id asked for is the only thing allowed to differ.
          const body = (res.body as Buffer).toString('latin1').split(bidId).join('{bid}');
          seen.set(`${role} GET ${url.split(bidId).join('{bid}')}`, `${res.status} ${body}`);
        }
      }
      return seen;
    }
    const before = await observe(noBid);
    expect([...before.keys()].filter((k) => k.startsWith('anonymous ')).length, 'the probe covers the documented reads').to.be.at.least(15);

    const placed: Array<[string, string]> = [];
    for (const [role, user, orgId, key] of [
      ['bidderA', t.users.bidderA, t.orgA, keyA],
      ['bidderB', t.users.bidderB, t.orgB, keyB],
      ['bidderC', C.user, C.orgId, C.key],
    ] as const) {
      const res = await submit(t, user, section.id, await sealedBid(section, orgId, key));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      placed.push([role, (res.body.receipt as Receipt).bid.id]);
    }
    // Each bidder sees its own bid, and only that one: the reads of another's bid answer as for no bid.
    for (const [owner, bidId] of placed) {
      const after = await observe(bidId);
      for (const [key, answer] of before) {
        const [role] = key.split(' ');
        const own = (key.endsWith('/my-bids') && placed.some(([r]) => r === role)) || (role === owner && key.includes('/api/bids/{bid}'));
        if (own) continue;
        expect(after.get(key), key).to.equal(answer);
      }
      const mine = await t.req(roles.find(([r]) => r === owner)![1]).get(`/api/sections/${section.id}/my-bids`);
      expect(mine.body.bids.map((b: { id: string }) => b.id)).to.deep.equal([bidId]);
    }
  });

  it('refuses a bid completed after the deadline, leaving no trace in the database', async () => {
    const bid = await sealedBid(section, t.orgA, keyA);
    t.clock.set(section.deadline);
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('deadline_passed');
  });

  it('refuses an upload that starts before the deadline and completes after it', async () => {
    const bid = await sealedBid(section, t.orgA, keyA, { attachmentBytes: 200_000 });
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const blobsBefore = fs.readdirSync(path.join(t.tdb.dataDir, 'blobs', 'tmp'));
    try {
      const before = await t.snapshot();
      const res = await new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: `/api/sections/${section.id}/bids`,
            method: 'POST',
            headers: {
              authorization: `Bearer ${t.users.bidderA.token}`,
              'content-type': 'application/octet-stream',
              'content-length': String(bid.bytes.length),
              'etender-manifest': bid.manifestB64,
              'etender-signature': bid.signature,
            },
          },
          (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (c) => chunks.push(c));
            r.on('end', () => resolve({ status: r.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
          },
        );
        req.on('error', reject);
        const half = Math.floor(bid.bytes.length / 2);
        req.write(bid.bytes.subarray(0, half), () => {
          // The deadline passes while the rest is still on its way.
          setImmediate(() => {
            t.clock.set(section.deadline + 1);
            req.end(bid.bytes.subarray(half));
          });
        });
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(409);
      expect(res.body.error.code).to.equal('deadline_passed');
      expect(await t.snapshot()).to.equal(before);
      expect(fs.readdirSync(path.join(t.tdb.dataDir, 'blobs', 'tmp'))).to.deep.equal(blobsBefore);
    } finally {
      server.close();
    }
  });

  it('ignores any time the client sends: the receipt carries the server clock', async () => {
    const bid = await sealedBid(section, t.orgA, keyA);
    const res = await submit(t, t.users.bidderA, section.id, bid, { Date: 'Mon, 01 Jan 2024 00:00:00 GMT', 'X-Submitted-At': '2024-01-01T00:00:00Z' });
    expect(res.status).to.equal(201);
    expect(res.body.receipt.receivedAt).to.equal(t.clock.now());
  });

  it('refuses a replayed manifest and a reused nonce', async () => {
    const bid = await sealedBid(section, t.orgA, keyA);
    expect((await submit(t, t.users.bidderA, section.id, bid)).status).to.equal(201);
    const replay = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
    expect(replay.status).to.equal(409);
    expect(replay.body.error.code).to.equal('replay');
    const other = await sealedBid(section, t.orgA, keyA, { nonce: bid.manifest.nonce });
    const res2 = await unchanged(t, () => submit(t, t.users.bidderA, section.id, other));
    expect(res2.status).to.equal(409);
    expect(res2.body.error.code).to.equal('replay');
  });

  it("refuses a bid signed with another bidder's certificate", async () => {
    const bid = await sealedBid(section, t.orgA, keyB);
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('certificate_not_yours');
  });

  it('refuses a bid signed with a revoked certificate', async () => {
    const key = await signingCertificate(t, t.users.bidderA);
    expect((await t.req(t.users.bidderA).post(`/api/pki/certificates/${key.fingerprint}/revoke`).send({ reason: '私钥泄露' })).status).to.equal(200);
    const bid = await sealedBid(section, t.orgA, key);
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('certificate_revoked');
  });

  it('judges the certificate at the time the upload completes: expired and not-yet-valid are refused', async () => {
    // A section whose deadline lies beyond the certificate's two years.
    const far = await publishedSection(t, { bidDeadlineAt: T0 + 3 * 365 * DAY });
    const bid = await sealedBid(far, t.orgA, keyA);
    t.clock.set(T0 + 2 * 366 * DAY);
    const expired = await unchanged(t, () => submit(t, t.users.bidderA, far.id, bid));
    expect(expired.status).to.equal(422);
    expect(expired.body.error.code).to.equal('certificate_expired');
    // A certificate issued now cannot sign a bid completed earlier (a clock before its notBefore).
    t.clock.set(T0 + DAY);
    const fresh = await signingCertificate(t, t.users.bidderA);
    t.clock.set(T0 + DAY - 60_000);
    const earlyBid = await sealedBid(far, t.orgA, fresh);
    const early = await unchanged(t, () => submit(t, t.users.bidderA, far.id, earlyBid));
    expect(early.status).to.equal(422);
    expect(early.body.error.code).to.equal('certificate_not_yet_valid');
  });

  it('refuses a certificate issued by a leaf certificate acting as a CA', async () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const leaf = new crypto.X509Certificate(keyA.certPem);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = '01' + crypto.randomBytes(8).toString('hex');
    cert.validity.notBefore = new Date(T0 - DAY);
    cert.validity.notAfter = new Date(T0 + 365 * DAY);
    cert.setSubject([{ name: 'commonName', value: 'bidder-a' }]);
    cert.setIssuer(forge.pki.certificateFromPem(keyA.certPem).subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(keyA.privateKeyPem), forge.md.sha256.create());
    const pem = forge.pki.certificateToPem(cert);
    expect(new crypto.X509Certificate(pem).verify(leaf.publicKey)).to.equal(true);
    const forgedKey: BidderKey = { privateKey, privateKeyPem: '', certPem: pem, fingerprint: new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase() };
    const bid = await sealedBid(section, t.orgA, forgedKey);
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid, { 'Etender-Certificate': new crypto.X509Certificate(pem).raw.toString('base64') }));
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('certificate_untrusted');
  });

  it('offers no way to read a bid before the deadline, to anyone', async () => {
    const bid = await sealedBid(section, t.orgA, keyA);
    const receipt = (await submit(t, t.users.bidderA, section.id, bid)).body.receipt as Receipt;
    const projectId = (await t.req().get(`/api/sections/${section.id}`)).body.project.id as string;
    const bidReads = (await documentedReads(projectId, receipt.bid.id)).filter((u) => u.startsWith('/api/bids/'));
    expect(bidReads).to.include.members([`/api/bids/${receipt.bid.id}/receipt`, `/api/bids/${receipt.bid.id}/ciphertext`]);
    for (const user of [undefined, t.users.admin, t.users.supervisor, t.users.auditor, t.users.opProc, t.users.custodian, t.users.bidderB]) {
      for (const url of [...bidReads, `/api/sections/${section.id}/opening-record`]) {
        const res = await t.req(user).get(url);
        expect(res.status, `${user?.username ?? 'anonymous'} GET ${url}`).to.be.oneOf([401, 403, 404]);
        expect(res.text).to.not.contain(bid.bytes.subarray(0, 64).toString('base64'));
      }
    }
    // Its owner gets the receipt, never the ciphertext.
    expect((await t.req(t.users.bidderA).get(`/api/bids/${receipt.bid.id}/ciphertext`)).status).to.equal(404);
    // Nor is the submission in the audit log yet: the log holds a promise only.
    const { size } = (await t.req().get('/api/audit/checkpoint')).body;
    const entries = await t.req(t.users.auditor).get(`/api/audit/entries?start=0&end=${size}`);
    expect(entries.status).to.equal(200);
    expect(JSON.stringify(entries.body)).to.not.contain(receipt.bid.id);
  });

  it('refuses a ciphertext that does not match the manifest: truncated, bit-flipped', async () => {
    const bid = await sealedBid(section, t.orgA, keyA);
    const truncated = await unchanged(t, () => submit(t, t.users.bidderA, section.id, { ...bid, bytes: bid.bytes.subarray(0, bid.bytes.length - 10) }));
    expect(truncated.status).to.equal(422);
    expect(truncated.body.error.code).to.equal('digest_mismatch');
    const flipped = Buffer.from(bid.bytes);
    flipped[flipped.length - 5]! ^= 0x01;
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, { ...bid, bytes: flipped }));
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('digest_mismatch');
    expect(res.body.error.message).to.match(/truncated or changed/);
  });

  it('refuses an unsealed file with a message that says so', async () => {
    const dir = workDir();
    const plain = path.join(dir, 'bid.tar');
    fs.writeFileSync(plain, Buffer.concat([Buffer.from('bid.json'), Buffer.alloc(1000)]));
    const bid = signedFor(plain, section, t.orgA, keyA);
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('not_sealed');
    expect(res.body.error.message).to.match(/not a sealed bid/);
  });

  it('refuses a bid sealed to another recipient, or whose manifest names another section', async () => {
    const other = await publishedSection(t);
    const wrongRecipient = await sealedBid({ ...section, recipient: other.recipient }, t.orgA, keyA);
    const r1 = await unchanged(t, () => submit(t, t.users.bidderA, section.id, wrongRecipient));
    expect(r1.body.error.code).to.equal('wrong_recipient');
    const forOther = await sealedBid(other, t.orgA, keyA);
    const r2 = await unchanged(t, () => submit(t, t.users.bidderA, section.id, forOther));
    expect(r2.body.error.code).to.equal('manifest_mismatch');
  });

  it('refuses an oversized upload with 413', async () => {
    const bid = await sealedBid(section, t.orgA, keyA, { attachmentBytes: 6 * 1024 * 1024 });
    const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
    expect(res.status).to.equal(413);
  });

  it('lets exactly one of a concurrent replace and withdraw win', async () => {
    const first = await submit(t, t.users.bidderA, section.id, await sealedBid(section, t.orgA, keyA));
    const replacement = await sealedBid(section, t.orgA, keyA);
    const [replace, withdraw] = await Promise.all([submit(t, t.users.bidderA, section.id, replacement), t.req(t.users.bidderA).post(`/api/bids/${first.body.receipt.bid.id}/withdraw`)]);
    const mine = (await t.req(t.users.bidderA).get(`/api/sections/${section.id}/my-bids`)).body.bids as Array<{ status: string }>;
    const outcome = `${replace.status}/${withdraw.status}`;
    // Either order is legitimate; what may never happen is two bids counting, or a success that is not reflected.
    const expected: Record<string, string[]> = {
      '201/200': ['withdrawn', 'active'], // withdrawn first, then a fresh bid
      '201/409': ['superseded', 'active'], // replaced first; the old one can no longer be withdrawn
      '409/200': ['withdrawn'], // withdrawn first while the replacement was racing for the same bid
    };
    expect(expected, `unexpected outcome ${outcome}`).to.have.property(outcome);
    expect(mine.map((b) => b.status)).to.deep.equal(expected[outcome]);
  });

  it('accepts the same ciphertext from two bidders and records it for supervisors after the deadline', async () => {
    const bidA = await sealedBid(section, t.orgA, keyA);
    const bidB = signedFor(bidA.file, section, t.orgB, keyB);
    expect((await submit(t, t.users.bidderA, section.id, bidA)).status).to.equal(201);
    expect((await submit(t, t.users.bidderB, section.id, bidB)).status).to.equal(201);
    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    const signals = await t.req(t.users.supervisor).get(`/api/sections/${section.id}/signals`);
    expect(signals.status).to.equal(200);
    expect(signals.body.signals).to.have.length(1);
    expect(signals.body.signals[0].kind).to.equal('duplicate_ciphertext');
    expect(signals.body.signals[0].detail.orgs).to.have.members([t.orgA, t.orgB]);
    expect((await t.req(t.users.bidderA).get(`/api/sections/${section.id}/signals`)).status).to.equal(403);
  });

  it('refuses bids from an organisation that is not approved, and from staff', async () => {
    const bid = await sealedBid(section, t.orgA, keyA);
    const reg = await t
      .req()
      .post('/api/orgs')
      .send({
        name: '待审核有限公司',
        creditCode: makeCreditCode(),
        contactName: '赵六',
        contactPhone: '0551-1111111',
        representatives: [{ username: 'pending-rep', displayName: '赵六', password: 'pending-password-1' }],
      });
    expect(reg.status).to.equal(201);
    const token = (await insertTokenFor(t, 'pending-rep')).token;
    const pending = { ...t.users.bidderA, token };
    const res = await unchanged(t, () => submit(t, pending, section.id, bid));
    expect(res.status).to.equal(403);
    expect(res.body.error.message).to.match(/not been approved/);
    expect((await unchanged(t, () => submit(t, t.users.opProc, section.id, bid))).status).to.equal(403);
    expect((await unchanged(t, () => submit(t, t.users.supervisor, section.id, bid))).status).to.equal(403);
  });
});
