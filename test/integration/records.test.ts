// PDF records: the renderer on sample JSON (CJK text, digest, size of a 500-row record), the rate
// report from imported results, the opening record and the dossier from a real opening, the access
// rules and the audit entries of downloads. Text is checked with poppler's pdftotext (the tests that
// read text skip without it, see test/support/tools.ts).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { expect } from 'chai';
import type supertest from 'supertest';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { openingRecordSchema } from '../../modules/formats/opening-record';
import { canonicalDigest } from '../../modules/records/digest';
import { renderPdf } from '../../modules/records/pdf';
import { openingRecordDocument, type OpeningRecordJson } from '../../templates/records/opening-record';
import { publishedSection, sealedBid, signingCertificate, submit, type BidderKey } from '../support/bidding';
import { createTestApp, makeCreditCode, T0, type TestApp, type TestUser } from '../support/test-app';
import { requireTool } from '../support/tools';
import { binary } from '../support/http';

const POPPLER = 'apt-get install poppler-utils';

const BIDDER_NAME = '合肥示范建设工程有限公司';

function pdfText(pdf: Buffer): string {
  // RECORDS_PDF_OUT=dir keeps every PDF a test reads, to look at them.
  if (process.env.RECORDS_PDF_OUT) fs.writeFileSync(path.join(process.env.RECORDS_PDF_OUT, `${crypto.createHash('sha256').update(pdf).digest('hex').slice(0, 12)}.pdf`), pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
}

/** Text without whitespace, so that a line break inside a table cell does not split a name. */
const squash = (s: string) => s.replace(/\s+/g, '');

const sha256Of = (json: unknown) =>
  crypto
    .createHash('sha256')
    .update(canonicalize(json) as string, 'utf8')
    .digest('hex');

/** supertest: collect a binary body as a Buffer. */

/** A whole record of the published format (checked by its schema), with made-up digests and keys. */
function sampleRecord(bids: number): OpeningRecordJson {
  const hex = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
  const checkpoint = (size: number) => ({ v: 1 as const, log: 'etender-audit' as const, size, root: hex(`root${size}`), at: T0, keyId: hex('log key'), signature: 'c2lnbmF0dXJl' });
  return openingRecordSchema.parse({
    format: 'etender-opening-record/1',
    section: {
      id: '01JSAMPLESECTION',
      code: 'HF-PROCUREMENT-2026-0001-01',
      title: '第一包',
      round: 1,
      project: { id: '01JSAMPLEPROJECT', code: 'HF-PROCUREMENT-2026-0001', title: '办公设备采购', tenderee: '市政务服务管理局' },
      centre: { code: 'procurement', name: '政府采购', direction: 'cost' },
      procedure: 'open_tender',
      evaluationMethod: 'lowest_price',
      referenceKind: 'budget',
      referencePrice: '1000000.00',
    },
    openingTime: T0,
    officials: { presiding: '张三', recording: '李四', supervising: '王五' },
    freeze: { auditIndex: 99 + bids, bidCount: bids, checkpoint: checkpoint(100 + bids) },
    custody: { recipient: 'age1sample', threshold: 1, custodians: ['platform-timer'], released: [{ custodian: 'platform-timer', at: T0 }], scheme: 'feldman-ed25519', commitments: [], timeLock: null },
    releaseWindow: { hours: 24, endsAt: T0 + 86_400_000, exceeded: false, flaggedAt: null },
    bids: Array.from({ length: bids }, (_, i) => ({
      seq: i + 1,
      bidId: `01JBID${String(i).padStart(6, '0')}`,
      bidder: { orgId: `org-${i}`, name: i === 0 ? BIDDER_NAME : `第${i + 1}号安徽建设工程有限公司`, creditCode: '91340100MA0000001X' },
      receivedAt: T0 - 86_400_000 + i * 1000,
      ciphertextSha256: hex(String(i)),
      size: 5000,
      manifestSha256: hex(`manifest${i}`),
      receiptLogIndex: 100 + i,
      certificate: hex(`certificate${i}`),
      decryption: 'ok',
      status: 'opened',
      cause: null,
      price: { amount: `${880000 + i}.00`, durationDays: 180 },
      attachments: [],
      validity: 'valid',
      remarks: [],
      openingLogIndex: 100 + bids + i,
    })),
    objections: [{ id: '01JOBJECTION', bidder: 'org-0', text: '对第二号投标人的报价有异议', answer: '经核对，报价有效。', raisedAt: T0 + 60_000, answeredAt: T0 + 120_000 }],
    openingKey: { recipient: 'age1sample', identity: 'AGE-SECRET-KEY-1SAMPLE' },
    publication: { checkpoint: checkpoint(200 + 2 * bids) },
  });
}

describe('records: the PDF renderer on sample JSON', () => {
  it('renders Chinese text, states the digest of the canonical JSON on page one, in every footer and in the metadata', async function () {
    requireTool(this, 'pdftotext', POPPLER);
    requireTool(this, 'pdfinfo', POPPLER);
    const record = sampleRecord(3);
    const { pdf, sha256 } = await renderPdf(openingRecordDocument(record, '/api/sections/x/opening-record'));
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(sha256).to.equal(sha256Of(record)).and.to.equal(canonicalDigest(record).sha256);
    const text = pdfText(pdf);
    const flat = squash(text);
    for (const s of [BIDDER_NAME, '开标记录表', '政府采购', '办公设备采购', '张三', '对第二号投标人的报价有异议', '统一电子招投标平台']) expect(flat, s).to.contain(s);
    expect(flat).to.contain(sha256);
    // Page one states it, and so does the footer of each page.
    const pages = text.split('\f').filter((p) => p.trim());
    expect(squash(pages[0]!)).to.contain(`JSONdigest(SHA-256):${sha256}`);
    for (const p of pages) expect(squash(p)).to.contain(`SHA-256${sha256}`);
    const info = execFileSync('pdfinfo', ['-enc', 'UTF-8', '-'], { input: pdf }).toString('utf8');
    expect(info).to.contain(`sha256:${sha256}`).and.to.contain('开标记录表');
  });

  it('keeps a 500-row record small by embedding a subset of the font', async function () {
    requireTool(this, 'pdftotext', POPPLER);
    requireTool(this, 'pdffonts', POPPLER);
    const record = sampleRecord(500);
    const { pdf, sha256 } = await renderPdf(openingRecordDocument(record, '/api/sections/x/opening-record'));
    const text = squash(pdfText(pdf));
    expect(text).to.contain('第500号安徽建设工程有限公司').and.to.contain(sha256);
    const fonts = execFileSync('pdffonts', ['-'], { input: pdf }).toString();
    // A subset font has a "ABCDEF+" tag in its name and is marked "yes" in the sub column.
    expect(fonts).to.match(/[A-Z]{6}\+\S*Noto/);
    console.log(`      (500-row opening record: ${pdf.length} bytes, ${(pdf.length / 1024).toFixed(0)} KB)`);
    expect(pdf.length).to.be.below(400 * 1024);
  });
});

describe('records: PDFs of real records over HTTP', () => {
  let t: TestApp;
  let third: { orgId: string; user: TestUser };
  let section: Awaited<ReturnType<typeof publishedSection>>;

  async function extraBidder(username: string, name: string) {
    const password = `pw-${username}-0123456789`;
    const reg = await t.services.orgs.register(SYSTEM_CONTEXT, {
      name,
      creditCode: makeCreditCode(),
      contactName: '联系人',
      contactPhone: '0551-1234567',
      representatives: [{ username, displayName: username, password }],
    });
    await t.services.orgs.approve(t.users.opProc.ctx, reg.organisation.id);
    const token = await t.services.accounts.createTokenForUsername(username, 'tests');
    const actor = (await t.services.accounts.actorById(reg.representatives[0]!.id))!;
    return { orgId: reg.organisation.id, user: { id: actor.userId, username, password, token: token.token, ctx: { actor, ip: '127.0.0.1' } } };
  }

  before(async () => {
    t = await createTestApp();
    third = await extraBidder('bidder-c', BIDDER_NAME);
    section = await publishedSection(t);
    const bidders: Array<[TestUser, string, string]> = [
      [t.users.bidderA, t.orgA, '880000.00'],
      [t.users.bidderB, t.orgB, '910000.00'],
      [third.user, third.orgId, '905000.00'],
    ];
    for (const [user, orgId, price] of bidders) {
      const key: BidderKey = await signingCertificate(t, user);
      const res = await submit(t, user, section.id, await sealedBid(section, orgId, key, { price }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  });
  after(async () => t.close());

  it('the opening record PDF does not exist before the record is out, for anyone', async () => {
    const anon = await t.req().get(`/api/sections/${section.id}/opening-record.pdf`);
    expect(anon.status).to.equal(404);
    expect(await t.services.audit.list({ action: 'record.downloaded' })).to.have.length(0);
  });

  it('the dossier is for supervisors, auditors and admins: 401 anonymous, 403 bidders and operators', async () => {
    expect((await t.req().get(`/api/sections/${section.id}/dossier.pdf`)).status).to.equal(401);
    expect((await t.req().get(`/api/sections/${section.id}/dossier`)).status).to.equal(401);
    for (const user of [t.users.bidderA, t.users.opProc, t.users.custodian]) {
      const res = await t.req(user).get(`/api/sections/${section.id}/dossier.pdf`);
      expect(res.status, user.username).to.equal(403);
      expect(res.body.error?.code ?? res.body.code).to.equal('forbidden');
    }
    expect(await t.services.audit.list({ action: 'record.downloaded' })).to.have.length(0);
  });

  describe('after the opening', () => {
    let recordJson: Record<string, unknown>;

    before(async () => {
      t.clock.set(section.deadline + 1);
      await t.services.lifecycle.advanceDue();
      const out = await t.services.opening.openDue();
      expect(out, JSON.stringify(out)).to.deep.include({ id: section.id, outcome: 'opened' });
      const res = await t.req().get(`/api/sections/${section.id}/opening-record`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      recordJson = res.body;
    });

    it('anyone downloads the opening record PDF: Chinese names and the digest of the served JSON; the anonymous download is counted, not logged', async function () {
      requireTool(this, 'pdftotext', POPPLER);
      const res = await binary(t.req().get(`/api/sections/${section.id}/opening-record.pdf`));
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^application\/pdf/);
      const pdf = res.body as Buffer;
      expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
      const digest = sha256Of(recordJson);
      const served = await t.req().get(`/api/sections/${section.id}/opening-record`);
      expect(served.headers['etender-record-sha256']).to.equal(digest);
      expect(res.headers['etender-json-sha256']).to.equal(digest);
      const raw = pdfText(pdf);
      const text = squash(raw);
      for (const s of [BIDDER_NAME, '甲建设有限公司', '乙科技有限公司', '政府采购', '开标记录表', '办公设备采购', '¥880,000.00', '¥1,000,000.00', '公开招标', '最低评标价法', digest])
        expect(text, s).to.contain(s);
      // The signature lines of the officials and of every bidder's representative; times with their offset.
      for (const s of ['开标人Openedbyop-proc', '记录人Recordedby', '监标人Supervisedby', '投标人代表签字', `3.${BIDDER_NAME}`, '签字Signature', 'UTC+08:00']) expect(text, s).to.contain(s);
      expect(text).to.not.match(/\d{7}\.\d\d/);
      // Column heads do not break inside a word (the squashed text would hide a break: look at the raw lines).
      for (const word of ['Decryption', 'Ciphertext', 'Received', 'Validity,']) expect(raw, word).to.contain(word);

      expect(await t.services.audit.list({ action: 'record.downloaded' })).to.have.length(0);
      const counts = await t.tdb.db.knex('record_downloads').where({ section_id: section.id });
      expect(counts.map((r) => [r.kind, r.day, Number(r.downloads)])).to.deep.equal([['opening-record', new Date(t.clock.now() + 8 * 3600_000).toISOString().slice(0, 10), 1]]);
    });

    it('the dossier PDF renders every entry of the section and its bids with leaf hashes, and states the digest of the dossier JSON', async function () {
      requireTool(this, 'pdftotext', POPPLER);
      const json = await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier`);
      expect(json.status, JSON.stringify(json.body)).to.equal(200);
      const d = json.body;
      const actions = d.entries.map((e: { entry: { action: string } }) => e.entry.action);
      expect(actions).to.include('section.published');
      expect(actions.filter((a: string) => a === 'bid.submitted')).to.have.length(3);
      expect(actions).to.include('section.opened');
      expect(d.bids).to.have.length(3);
      // Every leaf hash is the log's own, and the checkpoint covers them all.
      const last = d.entries[d.entries.length - 1];
      expect(d.checkpoint.size).to.be.greaterThan(last.index);
      const proof = await t.services.audit.inclusionProof(last.index, d.checkpoint.size);
      expect(proof.leafHash).to.equal(last.leafHash);
      expect(proof.root).to.equal(d.checkpoint.root);

      const before = (await t.services.audit.list({ action: 'record.downloaded', limit: 1000 })).length;
      for (const user of [t.users.auditor, t.users.supervisor, t.users.admin]) {
        const res = await binary(t.req(user).get(`/api/sections/${section.id}/dossier.pdf`));
        expect(res.status, user.username).to.equal(200);
        const pdf = res.body as Buffer;
        expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
        // The same document as the JSON endpoint serves: downloads are logged against the record, so they do not change it.
        expect(res.headers['etender-json-sha256']).to.equal(sha256Of(d));
        const text = squash(pdfText(pdf));
        // Hashes in narrow cells wrap over lines that pdftotext may interleave with the next column's: look for their first 16 digits.
        for (const s of [
          '标段审计档案',
          section.code,
          'bid.submitted',
          'section.opened',
          last.leafHash.slice(0, 16),
          d.checkpoint.root.slice(0, 16),
          'etenderauditverify',
          'etenderverify-receipt',
          'age-d',
          sha256Of(d),
          // Readable data: states as "a → b", organisations by name, times in the centre's zone with the offset.
          '状态state:draft→published',
          '投标人bidder:甲建设有限公司',
          `${BIDDER_NAME}的投标`,
          'UTC+08:00',
          'Asia/Shanghai',
        ]) {
          expect(text, s).to.contain(s);
        }
        // No raw JSON and no epoch milliseconds in the rendering (the leaf hashes and the JSON digest stay).
        // (An epoch stands alone; the hex of a hash may hold 13 decimal digits in a row by chance.)
        expect(text).to.not.match(/(?<![0-9a-fA-F])1[78]\d{11}(?![0-9a-fA-F])/);
        expect(text).to.not.contain('{"state"');
      }
      const logged = await t.services.audit.list({ action: 'record.downloaded', limit: 1000 });
      expect(logged.length - before).to.equal(3);
      expect(logged[logged.length - 1]!.data).to.deep.include({ kind: 'dossier', sha256: sha256Of(d) });
      expect(logged[logged.length - 1]!.actor).to.include({ role: 'admin' });
    });

    it('the dossier stays closed to the public and to bidders after the opening too', async () => {
      expect((await t.req().get(`/api/sections/${section.id}/dossier.pdf`)).status).to.equal(401);
      expect((await t.req(third.user).get(`/api/sections/${section.id}/dossier.pdf`)).status).to.equal(403);
      expect((await t.req(third.user).get(`/api/sections/${section.id}/dossier`)).status).to.equal(403);
    });
  });

  describe('the rate report', () => {
    const CSV = [
      'centre,code,title,reference_price,award_amount,award_date,reference_kind',
      'procurement,HF-2025-P-001,政府采购示范项目一,40000.00,34830.00,2025-03-15,',
      'procurement,HF-2025-P-002,政府采购示范项目二,100000.00,90000.00,2025-07-01,',
      'construction,HF-2025-C-001,合肥示范体育中心工程,60000.00,50000.00,2025-05-15,',
      'land,HF-2025-L-001,滨湖新区地块,50000.00,62000.00,2025-01-01,',
      'property,HF-2025-R-001,市属企业股权,50000.00,58730.00,2025-12-31,listing_price',
    ].join('\r\n');

    before(async () => {
      const res = await t.req(t.users.admin).post('/api/reports/imports').set('Content-Type', 'text/csv').send(CSV);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });

    it('is public as PDF, with the centres, the headline, a chart per centre and the digest of the JSON report', async function () {
      requireTool(this, 'pdftotext', POPPLER);
      const json = await t.req().get('/api/reports/rates?from=2025-01-01&to=2025-12-31');
      expect(json.status).to.equal(200);
      const digest = sha256Of(json.body);
      const res = await binary(t.req().get('/api/reports/rates?from=2025-01-01&to=2025-12-31&format=pdf'));
      expect(res.status, String(res.body)).to.equal(200);
      expect(res.headers['content-type']).to.match(/^application\/pdf/);
      expect(res.headers['etender-json-sha256']).to.equal(digest);
      const pdf = res.body as Buffer;
      expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
      const text = squash(pdfText(pdf));
      for (const s of [
        '资金节约率与增值率报告',
        '政府采购',
        '建设工程',
        '土地出让State',
        '产权交易State',
        '资金节约率savingsrate',
        '增值率value-addedrate',
        '政府采购示范项目一',
        '合肥示范体育中心工程',
        squash(json.body.headlineZh),
        '2025-07',
        digest,
      ]) {
        expect(text, s).to.contain(s);
      }
      // The monthly chart of procurement: 12.93% in March (5170/40000), 10.00% in July.
      expect(text).to.contain('12.93').and.to.contain('10.00');
      // The rates by their names, never 费率; amounts with thousands separators.
      expect(text).to.not.contain('费率');
      expect(text).to.match(/\d{1,3},\d{3}\.\d\d/);
      expect(text).to.not.match(/\d{5,}\.\d\d/);
      expect(text).to.not.contain('土地使用权出让');
    });

    it('a period with no data renders too (zeros, no error)', async function () {
      requireTool(this, 'pdftotext', POPPLER);
      const res = await binary(t.req().get('/api/reports/rates?from=2010-01-01&to=2010-12-31&format=pdf'));
      expect(res.status).to.equal(200);
      const text = squash(pdfText(res.body as Buffer));
      expect(text).to.contain('资金节约率与增值率报告').and.to.contain('本期间无数据Nodatainthisperiod');
      expect(text).to.not.contain('费率');
    });
  });
});
