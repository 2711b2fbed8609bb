// The opening at the deadline: freeze, too few bids, decryption and checks of every bid, faults
// classed as revoked/withdrawn, custodians' shares, exactly once with two schedulers, resume after a
// crash, and the published record re-checked with the standard `age` tool.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { openDatabase, type Database } from '../../db/connection';
import { DAY, HOUR } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { sealBid } from '../../modules/bids/bid-package';
import { decryptShare } from '../../modules/custody/custody-crypto';
import { createCsr } from '../../modules/pki/client-keys';
import { buildServices } from '../../server/app';
import { shareReleaseCommand } from '../../server/commands/ceremony';
import { makeCreditCode, T0, type TestApp, type TestUser, createTestApp, openTenderSection, testCertsDir } from '../support/test-app';
import { tarMembers } from '../support/tar';
import { approvedBidder, handMadeBid, publishedSection, signedFor, submit, workDir, type Bidder } from '../support/bidding';
import { requireTool } from '../support/tools';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = path.join(ROOT, 'test/support/opening-worker.ts');

type Section = Awaited<ReturnType<typeof publishedSection>>;
const dump = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

const newBidder = (t: TestApp, name: string) => approvedBidder(t, name, 'opening-bidder');

function document(section: { id: string; code: string }, b: Bidder, amount: string, extra: Record<string, unknown> = {}) {
  return {
    format: 'etender-bid/1',
    section: { id: section.id, code: section.code },
    bidder: { orgId: b.orgId, name: b.name, creditCode: '91350100M000100Y43' },
    price: { amount, durationDays: 90, quality: '合格', other: { 项目经理: '张三' }, ...extra },
  };
}

/** A normal sealed bid (the bidder's CLI path), with a price. */
async function normalBid(section: Section, b: Bidder, amount: string, innerOrg = b.orgId, innerSection: { id: string; code: string } = section) {
  const dir = workDir();
  const attachment = path.join(dir, '技术方案.pdf');
  fs.writeFileSync(attachment, crypto.randomBytes(70_000)); // more than one 64 KiB chunk
  const file = path.join(dir, 'bid.age');
  const { price, ...rest } = document(innerSection, { ...b, orgId: innerOrg }, amount);
  await sealBid({ document: { ...rest, price } as never, attachments: [attachment], recipient: section.recipient, outPath: file });
  return signedFor(file, section, b.orgId, b.key);
}

async function submitOk(t: TestApp, b: Bidder, section: Section, bid: Awaited<ReturnType<typeof normalBid>>) {
  const res = await submit(t, b.user, section.id, bid);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.receipt as { bid: { id: string }; promise?: { entry: { id: string } } };
}

async function auditActions(t: TestApp, action: string, objectId?: string) {
  const q = t.tdb.db.knex('audit_log').where({ action });
  if (objectId) q.where({ object_id: objectId });
  return (await q.orderBy('idx').select('idx', 'entry')).map((r: any) => ({ idx: Number(r.idx), entry: JSON.parse(String(r.entry)) }));
}

async function openAtDeadline(t: TestApp, section: Section) {
  t.clock.set(section.deadline);
  await t.services.lifecycle.advanceDue();
  return t.services.opening.openDue();
}

async function fetchRecord(t: TestApp, id: string) {
  const res = await t.req().get(`/api/sections/${id}/opening-record`);
  expect(res.status, res.text).to.equal(200);
  const sha = crypto.createHash('sha256').update(res.text).digest('hex');
  expect(res.headers['etender-record-sha256']).to.equal(sha);
  return { record: JSON.parse(res.text), sha, text: res.text };
}

/** The first tar member (bid.json) of a plaintext package. */
async function bidJsonOf(plain: Buffer): Promise<string> {
  const [first] = await tarMembers(plain);
  expect(first?.name).to.equal('bid.json');
  return first!.data.toString('utf8');
}

describe('the opening at the deadline', function () {
  this.timeout(120_000);
  let t: TestApp;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  before(async () => {
    t = await createTestApp({ maxBidBytes: 5 * 1024 * 1024 });
    A = await newBidder(t, '甲建设有限公司');
    B = await newBidder(t, '乙科技有限公司');
    C = await newBidder(t, '丙工程有限公司');
  });
  after(async () => t.close());
  beforeEach(() => t.clock.set(T0));
  /** The first test's record and downloaded ciphertexts, for the age tool's check after it. */
  let published: { record: any; keyFile: string; section: Section; files: string[] } | undefined;

  it('opens three sealed bids by itself at the deadline and publishes a record that the age tool re-checks', async () => {
    const section = await publishedSection(t);
    const ops = await t.req(t.users.opProc).put(`/api/sections/${section.id}/opening-officials`).send({ presiding: '王主持', recording: '李记录', supervising: '赵监督' });
    expect(ops.status, JSON.stringify(ops.body)).to.equal(200);
    const bids = [
      { b: A, price: '880000.00' },
      { b: B, price: '912345.67' },
      { b: C, price: '1200000.00' }, // over the budget of 1,000,000.00
    ];
    const receipts = [];
    const sealed = [];
    for (const [i, { b, price }] of bids.entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      const bid = await normalBid(section, b, price);
      sealed.push(bid);
      receipts.push(await submitOk(t, b, section, bid));
    }
    // Nothing is readable before the deadline, and nothing is opened.
    for (const url of [`/api/sections/${section.id}/opening-record`, `/api/bids/${receipts[0]!.bid.id}/ciphertext`]) {
      expect((await t.req().get(url)).status, url).to.equal(404);
      expect((await t.req(t.users.admin).get(url)).status, url).to.equal(404);
    }
    expect(await t.services.opening.openDue()).to.deep.equal([]);
    // Closed but not yet opened: 409.
    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    expect((await t.req().get(`/api/sections/${section.id}/opening-record`)).status).to.equal(409);
    expect(await t.services.opening.openDue()).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
    expect(await t.services.opening.openDue()).to.deep.equal([]);

    const { record, sha } = await fetchRecord(t, section.id);
    expect(record.format).to.equal('etender-opening-record/1');
    expect(record.section).to.include({ id: section.id, code: section.code, title: '第一包', referencePrice: '1000000.00' });
    expect(record.section.centre).to.deep.equal({ code: 'procurement', name: '政府采购', direction: 'cost' });
    expect(record.openingTime).to.equal(section.deadline);
    expect(record.officials).to.deep.equal({ presiding: '王主持', recording: '李记录', supervising: '赵监督' });
    expect(record.bids.map((b: any) => [b.seq, b.bidder.name, b.price?.amount, b.status, b.validity])).to.deep.equal([
      [1, '甲建设有限公司', '880000.00', 'opened', 'valid'],
      [2, '乙科技有限公司', '912345.67', 'opened', 'valid'],
      [3, '丙工程有限公司', '1200000.00', 'opened', 'invalid'],
    ]);
    expect(record.bids[2].cause.code).to.equal('over_reference');
    expect(record.bids[2].remarks[0]).to.match(/over the budget/);
    // The receipt's promised entry, merged at the freeze, just before the freeze entry.
    const [submitted] = await t.services.audit.list({ objectId: receipts[0]!.bid.id, action: 'bid.submitted' });
    expect(submitted!.id).to.equal(receipts[0]!.promise!.entry.id);
    expect(record.freeze.auditIndex).to.equal(submitted!.idx + 3);
    expect(record.bids[0]).to.deep.include({ bidId: receipts[0]!.bid.id, receiptLogIndex: submitted!.idx, receivedAt: T0 + HOUR, ciphertextSha256: sealed[0]!.manifest.ciphertext.sha256 });
    expect(record.bids[0].price).to.deep.equal({ amount: '880000.00', durationDays: 90, quality: '合格', other: { 项目经理: '张三' } });
    expect(record.bids[0].manifestSha256).to.equal(crypto.createHash('sha256').update(Buffer.from(sealed[0]!.manifestB64, 'base64')).digest('hex'));
    expect(record.freeze.bidCount).to.equal(3);
    expect(record.freeze.checkpoint.size).to.be.greaterThan(record.freeze.auditIndex);
    expect(record.publication.checkpoint.size).to.be.greaterThan(record.freeze.checkpoint.size);
    expect(record.openingKey.recipient).to.equal(section.recipient);
    expect(record.openingKey.identity).to.match(/^AGE-SECRET-KEY-1/);
    expect(await identityToRecipient(record.openingKey.identity)).to.equal(section.recipient);

    // The log: one freeze (listing the bids), one result per bid, one 'section.opened' with the record's digest.
    const frozen = await auditActions(t, 'section.bids_frozen', section.id);
    expect(frozen).to.have.length(1);
    expect(frozen[0]!.entry.data.bids.map((b: any) => b.id)).to.deep.equal(receipts.map((r) => r.bid.id));
    const opened = await auditActions(t, 'section.opened', section.id);
    expect(opened).to.have.length(1);
    expect(opened[0]!.entry.data.recordSha256).to.equal(sha);
    const state = (await t.req().get(`/api/sections/${section.id}`)).body.section.state;
    expect(state).to.equal('opened');

    // Anyone downloads the ciphertexts (the next test decrypts them with the standard age tool and the published key).
    const dir = workDir();
    const keyFile = path.join(dir, 'opening.key');
    fs.writeFileSync(keyFile, `${record.openingKey.identity}\n`, { mode: 0o600 });
    published = { record, keyFile, section, files: [] };
    for (const [i, r] of receipts.entries()) {
      const res = await t
        .req()
        .get(`/api/bids/${r.bid.id}/ciphertext`)
        .buffer(true)
        .parse((resp, cb) => {
          const chunks: Buffer[] = [];
          resp.on('data', (c: Buffer) => chunks.push(c));
          resp.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).to.equal(200);
      const body = res.body as Buffer;
      expect(crypto.createHash('sha256').update(body).digest('hex')).to.equal(record.bids[i].ciphertextSha256);
      const file = path.join(dir, `${i}.age`);
      fs.writeFileSync(file, body);
      published.files.push(file);
    }
  });

  it('the standard age tool decrypts every published ciphertext of that record with the published key', async function () {
    requireTool(this, 'age', 'apt-get install age');
    expect(published, 'the test above published a record').to.not.equal(undefined);
    const { record, keyFile, section, files } = published!;
    expect(files).to.have.length(3);
    for (const [i, file] of files.entries()) {
      const plain = execFileSync('age', ['-d', '-i', keyFile, file]);
      const json = JSON.parse(await bidJsonOf(plain));
      expect(json.price.amount).to.equal(record.bids[i].price.amount);
      expect(json.bidder.orgId).to.equal(record.bids[i].bidder.orgId);
      expect(json.section.id).to.equal(section.id);
    }
  });

  it('fails a section with fewer than three bids, publishes the reason and decrypts nothing', async () => {
    const section = await publishedSection(t);
    await submitOk(t, A, section, await normalBid(section, A, '800000.00'));
    await submitOk(t, B, section, await normalBid(section, B, '810000.00'));
    expect(await openAtDeadline(t, section)).to.deep.equal([{ id: section.id, outcome: 'failed' }]);
    const s = (await t.req().get(`/api/sections/${section.id}`)).body.section;
    expect(s.state).to.equal('failed');
    expect(s.failureReason).to.match(/Too few bids to open: 2 received.*minimum is 3/);
    const failed = await auditActions(t, 'section.failed', section.id);
    expect(failed).to.have.length(1);
    expect(failed[0]!.entry.data).to.include({ rule: 'minBids', counted: 2, minimum: 3 });
    expect(await auditActions(t, 'section.bids_frozen', section.id)).to.have.length(1);
    expect(await t.tdb.db.knex('opening_results').where({ section_id: section.id })).to.deep.equal([]);
    const rec = await t.req().get(`/api/sections/${section.id}/opening-record`);
    expect(rec.status).to.equal(409);
    expect(rec.body.error.code).to.equal('section_failed');
    expect(rec.text).to.not.contain('AGE-SECRET-KEY');
    expect(dump(await t.tdb.db.knex('opening_runs').where({ section_id: section.id }))).to.not.contain('AGE-SECRET-KEY');
    expect(await auditActions(t, 'bid.opened')).to.satisfy((rows: any[]) => rows.every((r) => r.entry.data.section !== section.id));
  });

  it('records faulty bids with their cause — revoked for the bidder, withdrawn for the platform — and opens the rest', async () => {
    const section = await publishedSection(t);
    const other = await publishedSection(t);
    const D = await newBidder(t, '丁贸易有限公司');
    const E = await newBidder(t, '戊信息有限公司');
    const F = await newBidder(t, '己设备有限公司');
    const foreignKey = await identityToRecipient(await generateX25519Identity());
    t.clock.set(T0 + HOUR);
    await submitOk(t, A, section, await normalBid(section, A, '850000.00', B.orgId)); // names another bidder
    t.clock.set(T0 + 2 * HOUR);
    await submitOk(t, B, section, await handMadeBid(section, B, document(section, B, '1,000.00'))); // bad price format
    t.clock.set(T0 + 3 * HOUR);
    const corrupted = await normalBid(section, C, '870000.00');
    await submitOk(t, C, section, corrupted);
    t.clock.set(T0 + 4 * HOUR);
    await submitOk(t, D, section, await handMadeBid(section, D, document(section, D, '860000.00'), foreignKey)); // sealed to another key
    t.clock.set(T0 + 5 * HOUR);
    await submitOk(t, E, section, await normalBid(section, E, '840000.00', E.orgId, { id: other.id, code: other.code })); // names another section
    t.clock.set(T0 + 6 * HOUR);
    await submitOk(t, F, section, await normalBid(section, F, '990000.00'));
    // The platform's storage damages C's file after it was received.
    const sha = corrupted.manifest.ciphertext.sha256;
    const blob = path.join(t.tdb.dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    const bytes = fs.readFileSync(blob);
    bytes[bytes.length - 100]! ^= 0xff;
    fs.writeFileSync(blob, bytes);

    expect(await openAtDeadline(t, section)).to.deep.include({ id: section.id, outcome: 'opened' });
    const { record } = await fetchRecord(t, section.id);
    const rows = record.bids.map((b: any) => [b.bidder.name, b.status, b.decryption, b.cause?.code ?? null, b.validity]);
    expect(rows).to.deep.equal([
      ['甲建设有限公司', 'revoked', 'failed', 'inner_outer_mismatch', null],
      ['乙科技有限公司', 'opened', 'ok', 'price_format', 'invalid'],
      ['丙工程有限公司', 'withdrawn', 'failed', 'ciphertext_corrupted', null],
      ['丁贸易有限公司', 'revoked', 'failed', 'not_decryptable', null],
      ['戊信息有限公司', 'revoked', 'failed', 'inner_outer_mismatch', null],
      ['己设备有限公司', 'opened', 'ok', null, 'valid'],
    ]);
    expect(record.bids[0].cause.message).to.contain(`names bidder ${B.orgId}`);
    expect(record.bids[1].price.amount).to.equal('1,000.00');
    expect(record.bids[1].remarks[0]).to.match(/must be a decimal string/);
    expect(record.bids[2].remarks[0]).to.match(/^撤回/);
    expect(record.bids[3].remarks[0]).to.match(/^撤销/);
    expect(record.bids[4].cause.message).to.contain(other.code);
  });

  it('reads each stored file once and still withdraws one swapped after its receipt for another that decrypts, publishing nothing of it', async () => {
    const section = await publishedSection(t);
    const G = await newBidder(t, '庚建材有限公司');
    t.clock.set(T0 + HOUR);
    const received = await normalBid(section, G, '870000.00');
    await submitOk(t, G, section, received);
    t.clock.set(T0 + 2 * HOUR);
    await submitOk(t, A, section, await normalBid(section, A, '860000.00'));
    t.clock.set(T0 + 3 * HOUR);
    await submitOk(t, B, section, await normalBid(section, B, '850000.00'));
    // Someone with access to the storage puts another package of G's in its place, sealed to the
    // same key at another price: every chunk of it authenticates.
    const swapped = await normalBid(section, G, '123456.78');
    const sha = received.manifest.ciphertext.sha256;
    fs.writeFileSync(path.join(t.tdb.dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha), swapped.bytes);
    const reads: string[] = [];
    const open = t.services.blobs.open.bind(t.services.blobs);
    t.services.blobs.open = (s: string, o?: { readSize?: number }) => {
      reads.push(s);
      return open(s, o);
    };
    try {
      const outcomes = await openAtDeadline(t, section);
      expect(outcomes, JSON.stringify(outcomes)).to.deep.include({ id: section.id, outcome: 'opened' });
    } finally {
      t.services.blobs.open = open;
    }
    const { record, text } = await fetchRecord(t, section.id);
    expect(record.bids.map((b: any) => [b.bidder.name, b.status, b.cause?.code ?? null, b.price?.amount ?? null])).to.deep.equal([
      ['庚建材有限公司', 'withdrawn', 'ciphertext_corrupted', null],
      ['甲建设有限公司', 'opened', null, '860000.00'],
      ['乙科技有限公司', 'opened', null, '850000.00'],
    ]);
    expect(text).to.not.contain('123456.78');
    // One read per bid: the digest is computed while decrypting.
    expect(reads.sort()).to.deep.equal(record.bids.map((b: any) => b.ciphertextSha256).sort());
  });

  it('judges the certificate at the time the bid was received: a revocation afterwards does not invalidate it', async () => {
    const section = await publishedSection(t);
    const G = await newBidder(t, '庚咨询有限公司');
    await submitOk(t, A, section, await normalBid(section, A, '700000.00'));
    await submitOk(t, B, section, await normalBid(section, B, '710000.00'));
    await submitOk(t, G, section, await normalBid(section, G, '720000.00'));
    t.clock.set(T0 + DAY);
    const rev = await t.req(G.user).post(`/api/pki/certificates/${G.key.fingerprint}/revoke`).send({ reason: '私钥泄露' });
    expect(rev.status, JSON.stringify(rev.body)).to.equal(200);
    await openAtDeadline(t, section);
    const { record } = await fetchRecord(t, section.id);
    expect(record.bids.map((b: any) => b.validity)).to.deep.equal(['valid', 'valid', 'valid']);
  });

  it('lets bidders raise objections at the opening and operators answer them', async () => {
    const section = await publishedSection(t);
    for (const [b, p] of [
      [A, '1.00'],
      [B, '2.00'],
      [C, '3.00'],
    ] as const)
      await submitOk(t, b, section, await normalBid(section, b, p));
    expect((await t.req(A.user).post(`/api/sections/${section.id}/opening-objections`).send({ text: '早了' })).status).to.equal(409);
    await openAtDeadline(t, section);
    const raised = await t.req(A.user).post(`/api/sections/${section.id}/opening-objections`).send({ text: '乙的报价单签章不清' });
    expect(raised.status, JSON.stringify(raised.body)).to.equal(201);
    const outsider = await newBidder(t, '辛外部有限公司');
    expect((await t.req(outsider.user).post(`/api/sections/${section.id}/opening-objections`).send({ text: 'x' })).status).to.equal(403);
    const oid = raised.body.objection.id;
    expect((await t.req(A.user).post(`/api/sections/${section.id}/opening-objections/${oid}/answer`).send({ answer: 'x' })).status).to.equal(403);
    const ans = await t.req(t.users.opProc).post(`/api/sections/${section.id}/opening-objections/${oid}/answer`).send({ answer: '签章经核验有效' });
    expect(ans.status, JSON.stringify(ans.body)).to.equal(200);
    expect((await t.req(t.users.opProc).post(`/api/sections/${section.id}/opening-objections/${oid}/answer`).send({ answer: '再答' })).status).to.equal(409);
    const list = (await t.req().get(`/api/sections/${section.id}/opening-objections`)).body.objections;
    expect(list).to.have.length(1);
    expect(list[0]).to.include({ text: '乙的报价单签章不清', answer: '签章经核验有效' });
  });

  it('opens exactly once when two schedulers on two connections reach the same deadline', async () => {
    const section = await publishedSection(t);
    for (const [b, p] of [
      [A, '1.00'],
      [B, '2.00'],
      [C, '3.00'],
    ] as const)
      await submitOk(t, b, section, await normalBid(section, b, p));
    const secondDb: Database = await openDatabase({ url: t.tdb.url, dataDir: t.tdb.dataDir });
    try {
      const second = buildServices({ config: t.config, db: secondDb, clock: t.clock });
      t.clock.set(section.deadline);
      await Promise.all([t.services.lifecycle.advanceDue(), second.lifecycle.advanceDue()]);
      const results = await Promise.all([t.services.opening.openDue(), second.opening.openDue(), t.services.opening.openDue()]);
      // Whoever lost a lease race leaves it to the next pass; after one more pass it is opened.
      await Promise.all([t.services.opening.openDue(), second.opening.openDue()]);
      expect(results.flat().filter((r) => r.id === section.id && r.outcome === 'opened').length).to.be.at.most(1);
    } finally {
      await secondDb.close();
    }
    expect((await t.req().get(`/api/sections/${section.id}`)).body.section.state).to.equal('opened');
    expect(await auditActions(t, 'section.opened', section.id)).to.have.length(1);
    expect(await auditActions(t, 'section.bids_frozen', section.id)).to.have.length(1);
    expect(await auditActions(t, 'section.opening', section.id)).to.have.length(1);
    const perBid = (await auditActions(t, 'bid.opened')).filter((r) => r.entry.data.section === section.id);
    expect(perBid).to.have.length(3);
    expect(await t.tdb.db.knex('opening_runs').where({ section_id: section.id }).whereNotNull('record')).to.have.length(1);
  });

  it('resumes an opening interrupted by a crash and produces the same record', async () => {
    const section = await publishedSection(t);
    const more = [A, B, C, await newBidder(t, '壬建材有限公司'), await newBidder(t, '癸物流有限公司')];
    for (const [i, b] of more.entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      await submitOk(t, b, section, await normalBid(section, b, `${900000 + i}.00`));
    }
    // A separate process starts the opening at the deadline and dies after two results.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, '--data-dir', t.tdb.dataDir, '--certs-dir', testCertsDir(), '--now', String(section.deadline), '--crash-after', '2', ...(t.tdb.url ? ['--url', t.tdb.url] : [])],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code, err).to.equal(1);
    const s = (await t.req().get(`/api/sections/${section.id}`)).body.section;
    expect(s.state).to.equal('opening');
    const before = await t.tdb.db.knex('opening_results').where({ section_id: section.id }).orderBy('seq');
    expect(before).to.have.length(2);
    // Its lease is still live: this process waits for it to expire, then takes over.
    t.clock.set(section.deadline + 1000);
    expect(await t.services.opening.openDue()).to.deep.equal([]);
    t.clock.set(section.deadline + 61_000);
    expect(await t.services.opening.openDue()).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
    const { record } = await fetchRecord(t, section.id);
    expect(record.bids.map((b: any) => [b.seq, b.price.amount, b.validity])).to.deep.equal(more.map((_, i) => [i + 1, `${900000 + i}.00`, 'valid']));
    // The two results made before the crash were kept, not redone; each bid has one result entry.
    const after = await t.tdb.db.knex('opening_results').where({ section_id: section.id }).orderBy('seq');
    expect(after.slice(0, 2)).to.deep.equal(before);
    const perBid = (await auditActions(t, 'bid.opened')).filter((r) => r.entry.data.section === section.id);
    expect(perBid.map((r) => r.entry.object.id)).to.deep.equal(record.bids.map((b: any) => b.bidId));
    // The same record as an uninterrupted opening: recomputing every result from the stored facts gives the record's bids.
    const recomputed = (await t.tdb.db.knex('opening_results').where({ section_id: section.id }).orderBy('seq')).map((r: any) => JSON.parse(String(r.result)));
    expect(record.bids.map(({ openingLogIndex: _, ...b }: any) => b)).to.deep.equal(recomputed);
    expect(await auditActions(t, 'section.opened', section.id)).to.have.length(1);
  });
});

describe('the opening with a 2-of-3 custody set: custodians release their shares', function () {
  this.timeout(120_000);
  let t: TestApp;
  const bidders: Bidder[] = [];
  const custodianKeys = new Map<string, crypto.KeyObject>();

  async function custodianCert(user: TestUser) {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await t.services.pki.issueFromCsr(user.ctx, createCsr(pem, { commonName: user.username }), 'encryption');
    custodianKeys.set(user.id, privateKey);
  }

  async function shareOf(sectionId: string, user: TestUser): Promise<string> {
    const row = await t.tdb.db.knex('key_shares').where({ section_id: sectionId, custodian: user.id }).first();
    return Buffer.from(decryptShare(String(row.encrypted_share), custodianKeys.get(user.id)!)).toString('base64');
  }

  before(async () => {
    t = await createTestApp();
    await custodianCert(t.users.supervisor);
    await custodianCert(t.users.custodian);
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    const res = await t
      .req(t.users.admin)
      .put('/api/centres/procurement/settings')
      .send({ ...centre.settings, custody: { threshold: 2, members: ['platform-timer', 'user:supervisor', 'user:custodian'] }, releaseWindowHours: 2 });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    for (const name of ['子公司', '丑公司', '寅公司']) bidders.push(await newBidder(t, name));
  });
  after(async () => t.close());

  it('waits with k−1 shares, refuses a non-custodian, another section’s share and a second release, flags the window, then opens', async () => {
    const section = await publishedSection(t);
    const other = await publishedSection(t);
    for (const [i, b] of bidders.entries()) await submitOk(t, b, section, await normalBid(section, b, `${500000 + i}.00`));
    // Before the deadline no share is taken.
    const early = await t
      .req(t.users.custodian)
      .post(`/api/sections/${section.id}/shares`)
      .send({ share: await shareOf(section.id, t.users.custodian) });
    expect(early.status).to.equal(409);
    expect(await openAtDeadline(t, section)).to.deep.include({ id: section.id, outcome: 'waiting' });
    expect((await t.req().get(`/api/sections/${section.id}`)).body.section.state).to.equal('opening');
    expect(await t.tdb.db.knex('opening_results').where({ section_id: section.id })).to.deep.equal([]);
    expect((await t.req().get(`/api/sections/${section.id}/opening-record`)).status).to.equal(409);

    const mine = await shareOf(section.id, t.users.custodian);
    expect((await t.req(bidders[0]!.user).post(`/api/sections/${section.id}/shares`).send({ share: mine })).status).to.equal(403);
    expect((await t.req(t.users.opProc).post(`/api/sections/${section.id}/shares`).send({ share: mine })).status).to.equal(403);
    const wrong = await t
      .req(t.users.custodian)
      .post(`/api/sections/${section.id}/shares`)
      .send({ share: await shareOf(other.id, t.users.custodian) });
    expect(wrong.status, JSON.stringify(wrong.body)).to.equal(422);
    expect(wrong.body.error.code).to.equal('custody.share_invalid'); // checked against the commitments
    expect(wrong.body.error.details[0].custodian).to.equal('user:custodian');
    expect((await t.tdb.db.knex('key_shares').where({ section_id: section.id }).whereNotNull('released_at')).length).to.equal(0);
    expect(await auditActions(t, 'custody.share_released', section.id)).to.have.length(0);

    // Past the release window the waiting opening is flagged (once), not failed.
    t.clock.set(section.deadline + 3 * HOUR);
    expect(await t.services.opening.openDue()).to.deep.equal([{ id: section.id, outcome: 'waiting' }]);
    expect(await t.services.opening.openDue()).to.deep.equal([{ id: section.id, outcome: 'waiting' }]);
    expect(await auditActions(t, 'section.opening_overdue', section.id)).to.have.length(1);

    // The custodian's own tool: etender share release fetches the encrypted share, decrypts it locally and releases it.
    expect((await t.req(bidders[0]!.user).get(`/api/sections/${section.id}/shares/mine`)).status).to.equal(403);
    const keyFile = path.join(workDir(), 'custodian.key.pem');
    fs.writeFileSync(keyFile, custodianKeys.get(t.users.custodian.id)!.export({ type: 'pkcs8', format: 'pem' }) as string);
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const printed: string[] = [];
    const write = process.stdout.write;
    try {
      process.stdout.write = ((chunk: string) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
      await shareReleaseCommand.run({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, token: t.users.custodian.token, section: section.id, key: keyFile }, []);
    } finally {
      process.stdout.write = write;
      server.close();
    }
    expect(printed.join('')).to.contain('2 of 2 shares are in; the opening proceeds');
    const again = await t.req(t.users.custodian).post(`/api/sections/${section.id}/shares`).send({ share: mine });
    expect(again.status).to.equal(409);
    const released = await auditActions(t, 'custody.share_released', section.id);
    expect(released).to.have.length(1);
    expect(released[0]!.entry.data).to.include({ custodian: 'user:custodian' });
    expect(JSON.stringify(released[0]!.entry)).to.not.contain(mine);
    expect(dump(await t.tdb.db.knex('key_shares').where({ section_id: section.id }))).to.not.contain(mine);

    expect(await t.services.opening.openDue()).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
    const { record } = await fetchRecord(t, section.id);
    expect(record.custody).to.deep.include({ threshold: 2, custodians: ['platform-timer', 'user:supervisor', 'user:custodian'] });
    expect(record.custody.released.map((r: any) => r.custodian)).to.deep.equal(['platform-timer', 'user:custodian']);
    expect(record.releaseWindow).to.deep.include({ hours: 2, exceeded: true });
    expect(record.bids.map((b: any) => b.price.amount)).to.deep.equal(['500000.00', '500001.00', '500002.00']);
    expect(await identityToRecipient(record.openingKey.identity)).to.equal(section.recipient);
  });
});
