// Fault 5 (issue 12): the deadline's edge, on the injected clock, with 100 MB uploads that started
// an hour before it. "Completing" is the moment the server has the last byte of the body, hashed
// and checked against the signed manifest (bids-service.ts: receivedAt = clock.now() right after
// the blob store has staged the whole file); that instant is the bid's receipt time and is judged
// against the deadline. So an upload whose last byte arrives 1 ms before the deadline counts, one
// whose last byte arrives 1 ms after does not, however early it started. Deterministic: every byte
// but the last is sent and written to the store's temporary file, then the clock is set, then the
// last byte goes; nothing else moves the clock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { HOUR } from '../../modules/core/clock';
import { approvedBidder, publishedSection, sealedBid, type Bidder, type PublishedSection, type SealedBid } from '../support/bidding';
import { createTestApp, type TestApp } from '../support/test-app';

const BID_BYTES = 100 * 1024 * 1024;

describe('faults: the deadline boundary with 100 MB uploads, on the injected clock', function () {
  this.timeout(180_000);
  let t: TestApp;
  let server: http.Server;
  let port: number;
  let section: PublishedSection;
  let early: Bidder;
  let late: Bidder;

  const tmpDir = () => path.join(t.tdb.dataDir, 'blobs', 'tmp');
  const blobExists = (sha: string) => fs.existsSync(path.join(t.tdb.dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha));

  before(async () => {
    t = await createTestApp();
    early = await approvedBidder(t, '甲建设有限公司', 'edge');
    late = await approvedBidder(t, '乙建设有限公司', 'edge');
    section = await publishedSection(t);
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server?.close(r));
    await t?.close();
  });

  /**
   * Starts the upload at `startAt`, sends every byte but the last, waits until the store has them
   * all on disk, sets the clock to `completeAt`, sends the last byte; answers the response.
   */
  async function uploadCompletingAt(b: Bidder, bid: SealedBid, startAt: number, completeAt: number): Promise<{ status: number; body: any }> {
    t.clock.set(startAt);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/sections/${section.id}/bids`,
      headers: {
        authorization: `Bearer ${b.user.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(bid.bytes.length),
        'etender-manifest': bid.manifestB64,
        'etender-signature': bid.signature,
      },
    });
    const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
      });
      req.on('error', reject);
    });
    const head = bid.bytes.subarray(0, bid.bytes.length - 1);
    for (let i = 0; i < head.length; i += 1024 * 1024) {
      if (!req.write(head.subarray(i, i + 1024 * 1024))) await new Promise((r) => req.once('drain', r));
    }
    // All but the last byte are in the temporary file: the upload is under way, its checks done.
    const end = Date.now() + 60_000;
    for (;;) {
      const sizes = fs.readdirSync(tmpDir()).map((n) => fs.statSync(path.join(tmpDir(), n)).size);
      if (sizes.includes(head.length)) break;
      if (Date.now() > end) throw new Error(`the store did not receive ${head.length} bytes within 60 s (has ${sizes.join(', ')})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    t.clock.set(completeAt);
    req.end(bid.bytes.subarray(bid.bytes.length - 1));
    return response;
  }

  it('counts an upload completing 1 ms before the deadline and refuses one completing 1 ms after, both started an hour before', async () => {
    const deadline = section.deadline;
    const bidEarly = await sealedBid(section, early.orgId, early.key, { price: '880000.00', attachmentBytes: BID_BYTES - 4096, bidderName: early.name });
    const bidLate = await sealedBid(section, late.orgId, late.key, { price: '870000.00', attachmentBytes: BID_BYTES - 4096, bidderName: late.name });
    expect(bidEarly.bytes.length).to.be.at.least(100_000_000);

    const ok = await uploadCompletingAt(early, bidEarly, deadline - HOUR, deadline - 1);
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body.receipt.receivedAt).to.equal(deadline - 1);
    expect(blobExists(bidEarly.manifest.ciphertext.sha256)).to.equal(true);

    const refused = await uploadCompletingAt(late, bidLate, deadline - HOUR, deadline + 1);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
    expect(refused.body.error.code).to.equal('deadline_passed');
    expect(refused.body.error.message).to.include(new Date(deadline).toISOString());
    expect(await t.tdb.db.knex('bids').where({ org_id: late.orgId })).to.deep.equal([]);
    expect(blobExists(bidLate.manifest.ciphertext.sha256), 'the late file is not kept').to.equal(false);
    expect(fs.readdirSync(tmpDir())).to.deep.equal([]);

    // At the deadline the section closes with exactly the early bid counted.
    t.clock.set(deadline);
    await t.services.lifecycle.advanceDue();
    const counted = await t.services.bids.countedBids(section.id);
    expect(counted.map((b) => [b.orgId, b.ciphertextSha256, b.receivedAt])).to.deep.equal([[early.orgId, bidEarly.manifest.ciphertext.sha256, deadline - 1]]);
    expect(
      crypto
        .createHash('sha256')
        .update(
          fs.readFileSync(path.join(t.tdb.dataDir, 'blobs', bidEarly.manifest.ciphertext.sha256.slice(0, 2), bidEarly.manifest.ciphertext.sha256.slice(2, 4), bidEarly.manifest.ciphertext.sha256)),
        )
        .digest('hex'),
    ).to.equal(bidEarly.manifest.ciphertext.sha256);
  });
});
