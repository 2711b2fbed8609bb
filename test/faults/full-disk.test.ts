// Fault 4 (issue 12): the disk of the blob store fills up. The store here is the real
// LocalBlobStore with its disk replaced by a tiny one: every byte it writes is counted against a
// capacity, and past it the write fails with ENOSPC as the file system's would (a tmpfs quota cannot
// be mounted in every CI). Uploads that hit the full disk — while streaming, or when the finished
// file is made durable (fsync) — answer 507 insufficient_storage with a message a person can act
// on; nothing half-written is counted (no bid row, no file, no temporary); the server keeps serving
// reads (sections, receipts, documents, /healthz) and takes uploads again once there is room.
import fs from 'node:fs';
import path from 'node:path';
import * as streams from 'node:stream';
import { Transform, type Readable } from 'node:stream';
import { expect } from 'chai';
import { LocalBlobStore, type StagedBlob, type StageOptions } from '../../modules/storage/blob-store';
import { expectError } from '../support/api-errors';
import { approvedBidder, publishedSection, sealedBid, submit, type Bidder, type PublishedSection } from '../support/bidding';
import { createTestApp, openTenderSection, type TestApp } from '../support/test-app';

/** stream.compose (Node ≥ 16.9; not in @types/node 20): one Transform of the disk's limit, then the caller's inspection. */
const compose = (streams as unknown as { compose(...parts: Transform[]): Transform }).compose;

const enospc = (syscall: string) => Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });

/** A LocalBlobStore on a disk of `capacity` bytes (the bytes of every upload count, kept or not, until it is emptied). */
class TinyDiskStore extends LocalBlobStore {
  capacity = Number.MAX_SAFE_INTEGER;
  used = 0;
  /** The disk fills up between the upload and its fsync (another writer took the last space). */
  failFsync = false;

  constructor(root: string) {
    // The free-space check before an upload sees room: the disk fills while the upload streams.
    super(root, { reserveBytes: 0, freeSpace: async () => 1024 ** 4 });
  }

  override async stage(source: Readable, options: StageOptions): Promise<StagedBlob> {
    const store = this;
    const disk = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (store.used + chunk.length > store.capacity) return done(enospc('write'));
        store.used += chunk.length;
        done(null, chunk);
      },
    });
    const staged = await super.stage(source, { ...options, inspect: options.inspect ? compose(disk, options.inspect) : disk });
    return {
      ...staged,
      commit: async () => {
        if (store.failFsync) throw enospc('fsync');
        await staged.commit();
      },
    };
  }
}

describe('faults: the disk for blobs is full', function () {
  this.timeout(120_000);
  let t: TestApp;
  let store: TinyDiskStore;
  let section: PublishedSection;
  let a: Bidder;
  let b: Bidder;
  let receiptA: unknown;
  let bidA: string;
  let documentUrl: string;

  const tmp = () => fs.readdirSync(path.join(t.tdb.dataDir, 'blobs', 'tmp'));
  const files = () =>
    fs
      .readdirSync(path.join(t.tdb.dataDir, 'blobs'), { recursive: true, encoding: 'utf8' })
      .map((p) => path.basename(p))
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .sort();
  const bidsOf = async (orgId: string) => t.tdb.db.knex('bids').where({ section_id: section.id, org_id: orgId }).select('id');

  before(async () => {
    t = await createTestApp({}, { blobs: (dataDir) => (store = new TinyDiskStore(path.join(dataDir, 'blobs'))) });
    a = await approvedBidder(t, '甲建设有限公司', 'disk');
    b = await approvedBidder(t, '乙建设有限公司', 'disk');
    // While there is room: a tender document and one bid.
    const draft = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '磁盘测试', tenderee: '市政务服务管理局', sections: [openTenderSection()] });
    const draftId = draft.body.sections[0].id as string;
    const doc = await t.req(t.users.opProc).post(`/api/sections/${draftId}/documents?name=tender.pdf`).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.4 招标文件'));
    expect(doc.status, doc.text).to.equal(201);
    documentUrl = doc.body.document.url ?? `/api/sections/${draftId}/documents/${doc.body.document.id}`;
    section = await publishedSection(t);
    const res = await submit(t, a.user, section.id, await sealedBid(section, a.orgId, a.key, { price: '880000.00', attachmentBytes: 50_000 }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    receiptA = res.body.receipt;
    bidA = (await bidsOf(a.orgId))[0]!.id;
  });
  after(async () => t?.close());

  it('an upload that fills the disk while it streams: 507, a message to act on, nothing stored or counted', async () => {
    const before = files();
    store.capacity = store.used + 20_000; // room for 20 KB more, the bid is about 100 KB
    const res = await submit(t, b.user, section.id, await sealedBid(section, b.orgId, b.key, { attachmentBytes: 100_000, bidderName: b.name }));
    const error = expectError(res, 507, 'insufficient_storage');
    expect(error.message).to.match(/ran out of space.*nothing was stored.*Try again later/);
    expect(await bidsOf(b.orgId)).to.deep.equal([]);
    expect(files()).to.deep.equal(before);
    expect(tmp()).to.deep.equal([]);
  });

  it('an upload whose file cannot be made durable (ENOSPC at fsync): 507, and its temporary is removed at once', async () => {
    store.capacity = Number.MAX_SAFE_INTEGER;
    store.failFsync = true;
    const before = files();
    const res = await submit(t, b.user, section.id, await sealedBid(section, b.orgId, b.key, { bidderName: b.name }));
    const error = expectError(res, 507, 'insufficient_storage');
    expect(error.message).to.match(/storage is full.*not stored.*Try again later/);
    expect(await bidsOf(b.orgId)).to.deep.equal([]);
    expect(files()).to.deep.equal(before);
    expect(tmp()).to.deep.equal([]);
  });

  it('a tender document on the full disk: 507 too', async () => {
    store.failFsync = false;
    store.capacity = store.used;
    const draft = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '满盘文件', tenderee: '市政务服务管理局', sections: [openTenderSection()] });
    const res = await t.req(t.users.opProc).post(`/api/sections/${draft.body.sections[0].id}/documents?name=b.pdf`).set('Content-Type', 'application/pdf').send(Buffer.alloc(5000, 1));
    expectError(res, 507, 'insufficient_storage');
    expect(tmp()).to.deep.equal([]);
  });

  it('keeps serving reads while the disk is full, and takes uploads again once there is room', async () => {
    expect((await t.req().get('/healthz')).status).to.equal(200);
    expect((await t.req().get(`/api/sections/${section.id}`)).status).to.equal(200);
    const receipt = await t.req(a.user).get(`/api/bids/${bidA}/receipt`);
    expect(receipt.status).to.equal(200);
    expect(receipt.body.receipt).to.deep.equal(receiptA);
    const doc = await t.req(t.users.opProc).get(documentUrl);
    expect(doc.status, documentUrl).to.equal(200);
    expect(Buffer.from(doc.body).toString('utf8')).to.equal('%PDF-1.4 招标文件');

    store.capacity = Number.MAX_SAFE_INTEGER;
    const res = await submit(t, b.user, section.id, await sealedBid(section, b.orgId, b.key, { bidderName: b.name }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(await bidsOf(b.orgId)).to.have.length(1);
  });
});
