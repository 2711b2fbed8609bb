// What the main endpoints answer, through a real bid-to-opening flow, against the response schema
// each route declares (the schema /api/openapi.json is generated from): receipts, promises,
// checkpoints, proofs, log entries, the published keys, the opening record, the evaluation report,
// the award, the dossier, the rate report and the sections. And: every
// operation of the document states its success body.
import { expect } from 'chai';
import { promiseDigest } from '../../modules/audit/promise-signing';
import { HOUR } from '../../modules/core/clock';
import { approvedBidder, placeBid, publishedSection, sealedBid, submit, type Bidder, type PublishedSection } from '../support/bidding';
import { conforms as conformsTo, documented as documentedBy } from '../support/response-check';
import { createTestApp, T0, type TestApp } from '../support/test-app';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>; components: { schemas: Record<string, unknown> } };

/** A JSON Schema that names fields: a component, an object with properties, or a union of such (never "any object"). */
function describesFields(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return false;
  const s = schema as { $ref?: string; properties?: object; anyOf?: unknown[]; oneOf?: unknown[]; additionalProperties?: unknown };
  if (s.$ref) return true;
  if (s.anyOf ?? s.oneOf) return (s.anyOf ?? s.oneOf)!.every(describesFields);
  return s.properties !== undefined && Object.keys(s.properties).length > 0 && s.additionalProperties === false;
}

const isFileSchema = (schema: unknown) => (schema as { type?: string } | undefined)?.type === 'string';

describe('response schemas: real answers against the documented ones', function () {
  this.timeout(60_000);
  let t: TestApp;
  let section: PublishedSection;
  let bidders: Bidder[];

  const conforms = (method: string, path: string, res: Parameters<typeof conformsTo>[3], status = 200, body?: unknown) =>
    conformsTo(t, method, path, res, status, body === undefined ? res.body : body);
  const documented = (method: string, path: string) => documentedBy(t, method, path);

  before(async () => {
    t = await createTestApp();
    section = await publishedSection(t);
    conforms('get', '/api/sections/:id', await t.req().get(`/api/sections/${section.id}`));
    bidders = [];
    for (const name of ['甲建设有限公司', '乙科技有限公司', '丙工程有限公司', '丁贸易有限公司']) bidders.push(await approvedBidder(t, name, 'schemas'));
  });
  after(async () => {
    await t.close();
  });

  it('receipts (submission, withdrawal, read back) and a waiting promise match their schemas', async () => {
    t.clock.set(T0 + HOUR);
    const b = bidders[0]!;
    const submitted = await submit(t, b.user, section.id, await sealedBid(section, b.orgId, b.key, { price: '900000.00', bidderName: b.name }));
    conforms('post', '/api/sections/:id/bids', submitted, 201);
    const bidId = submitted.body.receipt.bid.id as string;
    conforms('get', '/api/bids/:id/receipt', await t.req(b.user).get(`/api/bids/${bidId}/receipt`));
    const waiting = await t.req().get(`/api/audit/promises/${promiseDigest(submitted.body.receipt.promise)}`);
    conforms('get', '/api/audit/promises/:digest', waiting);
    expect(waiting.body.state).to.equal('waiting');
    conforms('post', '/api/bids/:id/withdraw', await t.req(b.user).post(`/api/bids/${bidId}/withdraw`));
  });

  it('after the opening: the record, merged promises, checkpoints, proofs, entries and keys match theirs', async () => {
    const receipts = [];
    for (const [i, b] of bidders.slice(1).entries()) {
      t.clock.set(T0 + (i + 2) * HOUR);
      receipts.push(await placeBid(t, section, b, `${950000 + i}.00`));
    }
    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    expect((await t.services.opening.openDue()).filter((o) => o.id === section.id)).to.deep.equal([{ id: section.id, outcome: 'opened' }]);

    const record = await t.req().get(`/api/sections/${section.id}/opening-record`);
    conforms('get', '/api/sections/:id/opening-record', record, 200, JSON.parse(record.text));
    const merged = await t.req().get(`/api/audit/promises/${promiseDigest(receipts[0]!.promise!)}`);
    conforms('get', '/api/audit/promises/:digest', merged);
    expect(merged.body.state).to.equal('merged');
    const checkpoint = await t.req().get('/api/audit/checkpoint');
    conforms('get', '/api/audit/checkpoint', checkpoint);
    conforms('get', '/api/audit/checkpoints', await t.req().get('/api/audit/checkpoints'));
    const size = checkpoint.body.size as number;
    conforms('get', '/api/audit/proofs/inclusion', await t.req().get(`/api/audit/proofs/inclusion?index=${merged.body.index}&size=${size}`));
    conforms('get', '/api/audit/proofs/consistency', await t.req().get(`/api/audit/proofs/consistency?from=1&to=${size}`));
    conforms('get', '/api/audit/entries', await t.req(t.users.auditor).get(`/api/audit/entries?start=0&end=${size}`));
    conforms('get', '/api/pki/keys', await t.req().get('/api/pki/keys'));
    conforms('get', '/api/sections/:id', await t.req().get(`/api/sections/${section.id}`));
    conforms('get', '/api/sections/:id', await t.req(t.users.opProc).get(`/api/sections/${section.id}`));
    conforms('get', '/api/sections', await t.req().get('/api/sections'));
  });

  it('then the evaluation report, the award, the dossier and the rate report match theirs', async () => {
    const ev = `/api/sections/${section.id}/evaluation`;
    expect((await t.req(t.users.opProc).post(`${ev}/start`)).status).to.be.oneOf([200, 201]);
    expect((await t.req(t.users.opProc).post(`${ev}/publicity`)).status).to.be.oneOf([200, 201]);
    conforms('get', '/api/sections/:id/evaluation-report', await t.req().get(`/api/sections/${section.id}/evaluation-report`));
    t.clock.set(section.deadline + 10 * 24 * HOUR);
    expect((await t.req(t.users.opProc).post(`${ev}/award`)).status).to.be.oneOf([200, 201]);
    const award = await t.req().get(`/api/sections/${section.id}/award`);
    conforms('get', '/api/sections/:id/award', award);
    expect(award.body.award.bidderName).to.equal('乙科技有限公司');
    conforms('get', '/api/sections/:id/dossier', await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier`));
    const rates = await t.req().get('/api/reports/rates?from=2026-01-01&to=2027-12-31');
    conforms('get', '/api/reports/rates', rates);
    expect(rates.body.sections.map((r: { sectionId: string }) => r.sectionId)).to.include(section.id);
  });

  it('a schema is strict: an answer with a field more, or a field less, does not pass', async () => {
    const checkpoint = (await t.req().get('/api/audit/checkpoint')).body as Record<string, unknown>;
    const schema = documented('get', '/api/audit/checkpoint');
    expect(schema.safeParse(checkpoint).success).to.equal(true);
    expect(schema.safeParse({ ...checkpoint, extra: 1 }).success).to.equal(false);
    const { signature: _signature, ...unsigned } = checkpoint;
    expect(schema.safeParse(unsigned).success).to.equal(false);
  });

  it('every route declares its success answer: a response schema, a file or no body (204)', () => {
    const undeclared = t.registry.specs.filter((s) => (s.status === 204 ? s.response || s.responseFile : !s.response && !s.responseFile));
    expect(
      undeclared.map((s) => `${s.method.toUpperCase()} ${s.path}`),
      'routes without a declared success answer (or a 204 that declares a body)',
    ).to.deep.equal([]);
  });

  it('every operation of /api/openapi.json documents its success body with a real schema, and every reference resolves', async () => {
    const res = await t.req().get('/api/openapi.json');
    expect(res.status).to.equal(200);
    const doc = res.body as Doc;
    const missing: string[] = [];
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        const success = Object.entries(op.responses).filter(([code]) => /^2\d\d$/.test(code));
        const documentsBody =
          success.length === 1 &&
          success.every(([code, r]) => {
            const content = Object.entries(r.content ?? {});
            if (code === '204') return content.length === 0;
            return content.length > 0 && content.every(([type, c]) => (type === 'application/json' ? describesFields(c.schema) : isFileSchema(c.schema)));
          });
        if (!documentsBody) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(operations).to.be.greaterThan(50);
    expect(missing, 'operations without a documented success body').to.deep.equal([]);
    const text = JSON.stringify(doc);
    expect(text).to.not.contain('#/$defs/');
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas, `component ${name}`).to.have.property(name!);
    for (const name of ['Receipt', 'LogPromise', 'Checkpoint', 'OpeningRecord', 'BidDocument', 'Manifest']) expect(doc.components.schemas).to.have.property(name);
    const receiptOp = doc.paths['/api/bids/{id}/receipt']!.get!.responses['200']!.content!['application/json']!.schema;
    expect(receiptOp).to.deep.include({ properties: { receipt: { $ref: '#/components/schemas/Receipt' } } });
  });
});
