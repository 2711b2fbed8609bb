// Uploads that would hold the server: a body that trickles in (408, its temporary file removed), more
// concurrent bid uploads than a bidder may have (429), and a disk without room (507). The app runs
// behind a real HTTP server on a local port so that a request can be held half sent.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { expectError, unchanged } from '../support/api-errors';
import { publishedSection, sealedBid, signingCertificate, submit, type BidderKey, type PublishedSection, type SealedBid } from '../support/bidding';
import { createTestApp, openTenderSection, type TestApp } from '../support/test-app';

interface Held {
  /** Writes more of the body. */
  write(bytes: Buffer): void;
  end(bytes?: Buffer): void;
  response: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;
  destroy(): void;
}

/** A request whose headers go out at once and whose body is sent by the test, piece by piece. */
function heldRequest(port: number, method: string, url: string, headers: Record<string, string | number>): Held {
  const req = http.request({ host: '127.0.0.1', port, method, path: url, headers });
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { write: (b) => void req.write(b), end: (b) => void req.end(b), response, destroy: () => req.destroy() };
}

const tmpDirOf = (t: TestApp) => path.join(t.config.dataDir, 'blobs', 'tmp');
const tmpFiles = (t: TestApp) => fs.readdirSync(tmpDirOf(t));

/** Waits (bounded) for a condition on the file system that the server brings about asynchronously. */
async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function listen(t: TestApp): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function draftSection(t: TestApp): Promise<string> {
  const res = await t
    .req(t.users.opProc)
    .post('/api/projects')
    .send({ centre: 'procurement', title: '办公设备采购', tenderee: '市政务服务管理局', sections: [openTenderSection()] });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.sections[0].id as string;
}

describe('upload guards', function () {
  this.timeout(30_000);

  describe('a body that trickles in', () => {
    let t: TestApp;
    let server: http.Server;
    let port: number;
    before(async () => {
      t = await createTestApp({ uploadMinBytesPerSecond: 16 * 1024, uploadRateWindowMs: 500 });
      ({ server, port } = await listen(t));
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await t.close();
    });

    it('is cut off with 408, its temporary file removed and nothing stored', async () => {
      const id = await draftSection(t);
      const before = await t.snapshot();
      const held = heldRequest(port, 'POST', `/api/sections/${id}/documents?name=slow.pdf`, {
        Authorization: `Bearer ${t.users.opProc.token}`,
        'Content-Type': 'application/pdf',
        'Content-Length': 1_000_000,
      });
      // The first window gets enough (8 KiB are needed per 500 ms), so that the upload surely reaches the store.
      held.write(Buffer.alloc(20_000, 1));
      await until('the upload reached the blob store', () => tmpFiles(t).length === 1);
      // 10 bytes every 50 ms: far below 16 KiB/s.
      const trickle = setInterval(() => held.write(Buffer.alloc(10, 2)), 50);
      let res: Awaited<typeof held.response>;
      try {
        res = await held.response;
      } finally {
        clearInterval(trickle);
        held.destroy();
      }
      expect(res.status).to.equal(408);
      expect(res.headers.connection).to.equal('close');
      const error = JSON.parse(res.body).error as { code: string; message: string };
      expect(error.code).to.equal('request_timeout');
      expect(error.message).to.match(/below the minimum of 16384.*nothing was stored/);
      await until('the temporary file is removed', () => tmpFiles(t).length === 0);
      expect(await t.snapshot()).to.equal(before);
    });

    it('a body sent at full speed is not cut off', async () => {
      const id = await draftSection(t);
      const res = await t.req(t.users.opProc).post(`/api/sections/${id}/documents?name=fast.pdf`).set('Content-Type', 'application/pdf').send(Buffer.alloc(300_000, 3));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(tmpFiles(t)).to.deep.equal([]);
    });
  });

  describe('concurrent bid uploads of one bidder', () => {
    let t: TestApp;
    let server: http.Server;
    let port: number;
    let section: PublishedSection;
    let keyA: BidderKey;
    before(async () => {
      t = await createTestApp({ maxUploadsPerBidder: 1 });
      ({ server, port } = await listen(t));
      section = await publishedSection(t);
      keyA = await signingCertificate(t, t.users.bidderA);
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await t.close();
    });

    const startHeld = (bid: SealedBid) => {
      const held = heldRequest(port, 'POST', `/api/sections/${section.id}/bids`, {
        Authorization: `Bearer ${t.users.bidderA.token}`,
        'Content-Type': 'application/octet-stream',
        'Content-Length': bid.bytes.length,
        'Etender-Manifest': bid.manifestB64,
        'Etender-Signature': bid.signature,
      });
      held.write(bid.bytes.subarray(0, 100));
      return held;
    };

    it('the one over the limit answers 429 and stores nothing; another bidder is not held up; the slot is free again afterwards', async () => {
      const first = await sealedBid(section, t.orgA, keyA, { price: '900000.00' });
      const held = startHeld(first);
      await until('the first upload reached the blob store', () => tmpFiles(t).length === 1);

      const second = await sealedBid(section, t.orgA, keyA, { price: '880000.00' });
      const refused = await unchanged(t, () => submit(t, t.users.bidderA, section.id, second));
      const error = expectError(refused, 429, 'too_many_requests');
      expect(error.message).to.match(/already has 1 bid upload under way.*wait until it has finished/);
      expect(Number(refused.headers['retry-after'])).to.be.greaterThan(0);

      const keyB = await signingCertificate(t, t.users.bidderB);
      const other = await submit(t, t.users.bidderB, section.id, await sealedBid(section, t.orgB, keyB, { bidderName: '乙科技有限公司' }));
      expect(other.status, JSON.stringify(other.body)).to.equal(201);

      held.end(first.bytes.subarray(100));
      const done = await held.response;
      expect(done.status, done.body).to.equal(201);

      const again = await submit(t, t.users.bidderA, section.id, second);
      expect(again.status, JSON.stringify(again.body)).to.equal(201);
    });

    it('a refused or aborted upload gives its slot back', async () => {
      const bid = await sealedBid(section, t.orgA, keyA, { price: '870000.00' });
      const held = startHeld(bid);
      await until('the upload reached the blob store', () => tmpFiles(t).length === 1);
      held.destroy();
      await held.response.catch(() => undefined);
      await until('the aborted upload is cleaned up', () => tmpFiles(t).length === 0);
      const res = await submit(t, t.users.bidderA, section.id, bid);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });
  });

  describe('a disk without room', () => {
    let t: TestApp;
    before(async () => {
      // A reserve no disk has: every upload is refused before a byte is written.
      t = await createTestApp({ blobFreeSpaceReserveBytes: Number.MAX_SAFE_INTEGER });
    });
    after(() => t.close());

    it('refuses a tender document with 507 and stores nothing', async () => {
      const id = await draftSection(t);
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${id}/documents?name=a.pdf`).set('Content-Type', 'application/pdf').send(Buffer.alloc(5000, 1)));
      const error = expectError(res, 507, 'insufficient_storage');
      expect(error.message).to.match(/too little free space.*nothing was stored/);
      expect(tmpFiles(t)).to.deep.equal([]);
    });

    it('refuses a sealed bid with 507 and stores nothing', async () => {
      const section = await publishedSection(t);
      const key = await signingCertificate(t, t.users.bidderA);
      const bid = await sealedBid(section, t.orgA, key);
      const res = await unchanged(t, () => submit(t, t.users.bidderA, section.id, bid));
      expectError(res, 507, 'insufficient_storage');
      expect(tmpFiles(t)).to.deep.equal([]);
    });
  });
});
