// PDF records that cannot stall the server: a published record's PDF is rendered once, in a worker
// thread, stored under its JSON digest and served from there (ETag, 304, Content-Length);
// concurrent first requests render once; the dossier is stored per state of its JSON; anonymous
// downloads are rate limited per address and counted per day instead of being audit entries; and
// the price form bounds what a bid can put into the public record.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import canonicalize from 'canonicalize';
import { expect } from 'chai';
import supertest from 'supertest';
import type { RequestContext } from '../../modules/core/context';
import { workerRenderer, type PdfRenderer } from '../../modules/records/pdf-renderer';
import { createRecordsService } from '../../modules/records/records-service';
import { approvedBidder, handMadeBid, placeBid, publishedSection, submit, type Bidder, type PublishedSection } from '../support/bidding';
import { createTestApp, T0, type TestApp } from '../support/test-app';
import { binary, ok } from '../support/http';

const ANONYMOUS: RequestContext = { actor: null, ip: '127.0.0.1' };

function blobPath(t: TestApp, sha256: string): string {
  return path.join(t.tdb.dataDir, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The worker renderer, counting its renders and noting the thread each ran on. */
function countingRenderer(): PdfRenderer & { calls: number; threads: number[] } {
  const inner = workerRenderer();
  const r = {
    calls: 0,
    threads: [] as number[],
    async render(job: Parameters<PdfRenderer['render']>[0]) {
      r.calls += 1;
      const out = await inner.render(job);
      r.threads.push(out.threadId);
      return out;
    },
    close: () => inner.close(),
  };
  return r;
}

function bidDocument(section: PublishedSection, b: Bidder, price: Record<string, unknown>) {
  return { format: 'etender-bid/1', section: { id: section.id, code: section.code }, bidder: { orgId: b.orgId, name: b.name, creditCode: '91350100M000100Y43' }, price };
}

async function openNow(t: TestApp, section: PublishedSection) {
  t.clock.set(section.deadline + 1);
  await t.services.lifecycle.advanceDue();
  expect((await t.services.opening.openDue()).filter((o) => o.id === section.id)).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
}

describe('records: stored PDFs, rate limits and bounded bids', function () {
  this.timeout(120_000);
  let t: TestApp;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  let section: PublishedSection;
  let recordSha: string;

  before(async () => {
    t = await createTestApp({ recordDownloadsPerMinute: 8 });
    A = await approvedBidder(t, '甲建设有限公司', 'stored-bidder');
    B = await approvedBidder(t, '乙科技有限公司', 'stored-bidder');
    C = await approvedBidder(t, '丙工程有限公司', 'stored-bidder');
    section = await publishedSection(t);
    t.clock.set(T0 + 1000);
    await placeBid(t, section, A, '880000.00');
    await placeBid(t, section, B, '910000.00');
    await placeBid(t, section, C, '905000.00');
    await openNow(t, section);
    recordSha = (await t.req().get(`/api/sections/${section.id}/opening-record`)).headers['etender-record-sha256'] as string;
  });
  after(async () => t.close());

  it('renders a record once, in a worker thread, even for concurrent first requests; later requests get the stored bytes', async () => {
    const renderer = countingRenderer();
    const records = createRecordsService({
      knex: t.tdb.db.knex,
      clock: t.clock,
      audit: t.services.audit,
      blobs: t.services.blobs,
      renderer,
      section: async (_ctx, id) => ({ id, code: section.code, title: '第一包', centre: 'procurement', state: 'opened', projectTitle: null, tenderee: null }),
      openingRecord: (ctx, id) => t.services.opening.record(ctx, id),
      evaluation: (ctx, id) => t.services.evaluation.view(ctx, id),
      award: (id) => t.services.awards.publicAward(id),
    });
    try {
      const downloads = await Promise.all(Array.from({ length: 5 }, () => records.openingRecordPdf(ANONYMOUS, section.id)));
      const delivered = await Promise.all(downloads.map((d) => d.deliver()));
      const bodies = await Promise.all(delivered.map((d) => readAll(d.stream)));
      expect(renderer.calls, 'five concurrent first requests, one render').to.equal(1);
      expect(isMainThread).to.equal(true);
      expect(renderer.threads).to.have.length(1);
      expect(renderer.threads[0], 'rendered off the main thread').to.not.equal(threadId);
      for (const b of bodies) expect(b.equals(bodies[0]!)).to.equal(true);
      expect(bodies[0]!.subarray(0, 5).toString()).to.equal('%PDF-');
      expect(delivered[0]!.size).to.equal(bodies[0]!.length);
      expect(downloads[0]!.sha256).to.equal(recordSha);

      // Later: from storage, no render.
      const again = await (await records.openingRecordPdf(ANONYMOUS, section.id)).deliver();
      expect((await readAll(again.stream)).equals(bodies[0]!)).to.equal(true);
      expect(renderer.calls).to.equal(1);
      const rows = await t.tdb.db.knex('record_pdfs').where({ kind: 'opening-record', json_sha256: recordSha });
      expect(rows).to.have.length(1);
      expect(fs.readFileSync(blobPath(t, String(rows[0].pdf_sha256))).equals(bodies[0]!)).to.equal(true);
    } finally {
      await renderer.close();
    }
  });

  it('refuses a render with 503 records_busy when too many are waiting, and renders the others', async () => {
    const renderer = workerRenderer({ maxWaiting: 1 });
    try {
      const record = (await t.req().get(`/api/sections/${section.id}/opening-record`)).text;
      const job = { kind: 'opening-record' as const, json: record, source: '/x' };
      const running = renderer.render(job);
      const waiting = renderer.render(job);
      let refused: unknown = null;
      await renderer.render(job).catch((err: unknown) => (refused = err));
      expect(refused).to.deep.include({ status: 503, code: 'records_busy' });
      expect((refused as Error).message).to.match(/try again in a minute/);
      for (const r of await Promise.all([running, waiting])) expect(r.sha256).to.equal(recordSha);
    } finally {
      await renderer.close();
    }
  });

  it('serves the stored PDF with its JSON digest as ETag and its Content-Length, and answers 304 to If-None-Match', async () => {
    const url = `/api/sections/${section.id}/opening-record.pdf`;
    const first = await binary(t.req().get(url));
    ok(first);
    const pdf = first.body as Buffer;
    expect(first.headers.etag).to.equal(`"${recordSha}"`);
    expect(first.headers['etender-json-sha256']).to.equal(recordSha);
    expect(first.headers['content-length']).to.equal(String(pdf.length));
    expect(first.headers['cache-control']).to.equal('no-cache');
    const [row] = await t.tdb.db.knex('record_pdfs').where({ kind: 'opening-record', json_sha256: recordSha });
    expect(row, 'the PDF is stored under the JSON digest').to.not.equal(undefined);
    expect(pdf.equals(fs.readFileSync(blobPath(t, String(row.pdf_sha256)))), 'the stored bytes are served').to.equal(true);

    const counted = async () => Number((await t.tdb.db.knex('record_downloads').where({ kind: 'opening-record', section_id: section.id }).first())?.downloads ?? 0);
    const before = await counted();
    for (const tag of [`"${recordSha}"`, `W/"${recordSha}"`, `"other", "${recordSha}"`, '*']) {
      const res = await t.req().get(url).set('If-None-Match', tag);
      expect(res.status, tag).to.equal(304);
      expect(res.headers.etag).to.equal(`"${recordSha}"`);
    }
    const head = await supertest(t.app).head(url);
    expect(head.status).to.equal(200);
    expect(head.headers['content-length']).to.equal(String(pdf.length));
    expect(await counted(), 'a 304 or a HEAD is not a download').to.equal(before);
    const changed = await binary(t.req().get(url).set('If-None-Match', '"0000"'));
    ok(changed);
    expect((changed.body as Buffer).equals(pdf)).to.equal(true);
  });

  it('keeps the dossier PDF per state of the dossier JSON: the same JSON is not rendered twice, a grown log is a new PDF', async () => {
    const url = `/api/sections/${section.id}/dossier.pdf`;
    const one = await binary(t.req(t.users.auditor).get(url));
    ok(one);
    const two = await binary(t.req(t.users.supervisor).get(url));
    ok(two);
    expect(two.headers.etag).to.equal(one.headers.etag);
    expect((two.body as Buffer).equals(one.body as Buffer), 'the same stored bytes').to.equal(true);
    expect(await t.tdb.db.knex('record_pdfs').where({ kind: 'dossier' })).to.have.length(1);
    // The section's log grows (the evaluation starts): a new dossier, a new digest, a new PDF.
    ok(await t.req(t.users.opProc).post(`/api/sections/${section.id}/evaluation/start`));
    const three = await binary(t.req(t.users.auditor).get(url));
    ok(three);
    expect(three.headers.etag).to.not.equal(one.headers.etag);
    const json = await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier`);
    expect(three.headers.etag).to.equal(
      `"${crypto
        .createHash('sha256')
        .update(canonicalize(json.body) as string)
        .digest('hex')}"`,
    );
    expect(await t.tdb.db.knex('record_pdfs').where({ kind: 'dossier' })).to.have.length(2);
    // Signed-in downloads stay audit entries.
    const logged = await t.services.audit.list({ action: 'record.downloaded', limit: 1000 });
    expect(logged.filter((e) => (e.data as { kind?: string }).kind === 'dossier')).to.have.length(3);
  });

  it('counts anonymous downloads per record and day instead of logging them, and limits them per address with 429 and Retry-After', async () => {
    const url = `/api/sections/${section.id}/opening-record.pdf`;
    const auditBefore = (await t.services.audit.list({ limit: 1000 })).length;
    const day = new Date(t.clock.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const count = async () => Number((await t.tdb.db.knex('record_downloads').where({ kind: 'opening-record', section_id: section.id, day }).first())?.downloads ?? 0);
    const start = await count();
    // The limiter has seen the earlier tests' anonymous requests of this file (8 a minute): go on until refused.
    let served = 0;
    let refused: supertest.Response | null = null;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await binary(t.req().get(url));
      if (res.status === 429) refused = res;
      else {
        ok(res);
        served += 1;
      }
    }
    expect(refused, 'the limit is reached within 10 requests').to.not.equal(null);
    expect(Number(refused!.headers['retry-after'])).to.be.greaterThan(0);
    const body = JSON.parse((refused!.body as Buffer).toString('utf8'));
    expect(body.error.code).to.equal('too_many_requests');
    expect(body.error.message)
      .to.match(/Too many PDF downloads from your address/)
      .and.to.match(/wait a minute/);
    expect(await count(), 'served downloads are counted, refused ones are not').to.equal(start + served);
    expect((await t.services.audit.list({ limit: 1000 })).length, 'anonymous downloads add no audit entries').to.equal(auditBefore);

    // Signed-in users are not limited by it, and their downloads stay audit entries.
    const staff = await binary(t.req(t.users.auditor).get(url));
    ok(staff);
    const logged = await t.services.audit.list({ action: 'record.downloaded', limit: 1000 });
    expect(logged[logged.length - 1]!.data).to.deep.include({ kind: 'opening-record', section: section.id, sha256: recordSha });
    expect(logged[logged.length - 1]!.actor).to.include({ role: 'auditor' });

    // Overseers read the counts.
    const counts = await t.req(t.users.auditor).get(`/api/sections/${section.id}/record-downloads`);
    ok(counts);
    expect(counts.body.counts).to.deep.include({ kind: 'opening-record', day, downloads: start + served });
    expect((await t.req(t.users.bidderA).get(`/api/sections/${section.id}/record-downloads`)).status).to.equal(403);
    expect((await t.req().get(`/api/sections/${section.id}/record-downloads`)).status).to.equal(401);
  });

  it('limits anonymous rate report PDFs per address too, but not the JSON report', async () => {
    const url = '/api/reports/rates?from=2025-01-01&to=2025-12-31';
    for (let i = 0; i < 10; i++) ok(await t.req().get(url));
    let refused: supertest.Response | null = null;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await binary(t.req().get(`${url}&format=pdf`));
      if (res.status === 429) refused = res;
      else ok(res);
    }
    expect(refused, 'the limit is reached within 10 requests').to.not.equal(null);
    expect(Number(refused!.headers['retry-after'])).to.be.greaterThan(0);
    ok(await t.req().get(url));
    ok(await binary(t.req(t.users.auditor).get(`${url}&format=pdf`)));
  });

  it('bounds what a bid puts into the record: a price outside the price form is invalid, with a remark, and its oversize parts stay out', async () => {
    t.clock.set(T0);
    const s = await publishedSection(t);
    t.clock.set(T0 + 2000);
    // About 800 KB of "other items" (bid.json stays under the 1 MiB limit), one of them with a 5,000-character name.
    const other: Record<string, string> = { ['名'.repeat(5000)]: 'x' };
    for (let i = 0; i < 390; i++) other[`item-${i}`] = '长'.repeat(700);
    ok(await submit(t, A.user, s.id, await handMadeBid(s, A, bidDocument(s, A, { amount: '870000.00', durationDays: 90, other }))), 201);
    ok(await submit(t, B.user, s.id, await handMadeBid(s, B, bidDocument(s, B, { amount: '880000.00', quality: '优'.repeat(5000), colour: 'x'.repeat(10_000) }))), 201);
    ok(await submit(t, C.user, s.id, await handMadeBid(s, C, bidDocument(s, C, { amount: '890000.00', durationDays: 60, quality: '合格', other: { 项目经理: '张三' } }))), 201);
    await openNow(t, s);
    const res = await t.req().get(`/api/sections/${s.id}/opening-record`);
    ok(res);
    expect(res.text.length, 'the record stays small').to.be.below(60_000);
    const [a, b, c] = res.body.bids;
    expect([a.status, a.validity, a.cause?.code]).to.deep.equal(['opened', 'invalid', 'price_form']);
    expect(a.price).to.deep.equal({ amount: '870000.00', durationDays: 90 });
    expect(a.remarks.join('\n')).to.contain("outside the section's price form").and.to.contain('price.other');
    expect(a.remarks.join('\n').length).to.be.below(1000);
    expect([b.status, b.validity, b.cause?.code]).to.deep.equal(['opened', 'invalid', 'price_form']);
    expect(b.price).to.deep.equal({ amount: '880000.00' });
    expect(b.remarks.join('\n')).to.contain('price.quality').and.to.contain('"colour" is not a field of the price form');
    expect([c.status, c.validity, c.cause]).to.deep.equal(['opened', 'valid', null]);
    expect(c.price).to.deep.equal({ amount: '890000.00', durationDays: 60, quality: '合格', other: { 项目经理: '张三' } });
  });

  it('keeps the message of an unreadable bid.json short, whatever the bidder wrote', async () => {
    t.clock.set(T0);
    const s = await publishedSection(t);
    t.clock.set(T0 + 3000);
    const attachments = Array.from({ length: 900 }, (_, i) => ({ name: `${'附'.repeat(150)}${i}`, size: -1, sha256: 'not-a-digest' }));
    const doc = { ...bidDocument(s, A, { amount: '870000.00' }), attachments, ['键'.repeat(20_000)]: 1 };
    ok(await submit(t, A.user, s.id, await handMadeBid(s, A, doc)), 201);
    await placeBid(t, s, B, '880000.00');
    await placeBid(t, s, C, '890000.00');
    await openNow(t, s);
    const res = await t.req().get(`/api/sections/${s.id}/opening-record`);
    ok(res);
    const a = res.body.bids[0];
    expect([a.status, a.cause?.code]).to.deep.equal(['revoked', 'bad_bid_json']);
    expect(a.cause.message).to.match(/and \d+ more$/);
    expect(a.cause.message.length).to.be.below(1000);
    expect(res.text.length).to.be.below(30_000);
  });
});
