// The evaluation report (评标报告, with the opening record inside) and the award notice (中标通知书 /
// 成交通知书) as JSON and PDF, from real flows: sealed bids → opening at the deadline → evaluation →
// candidate publicity → award. Text is checked with poppler's pdftotext (skipped without it); the digest each PDF states
// must be the SHA-256 of the canonical JSON its JSON endpoint serves; signed-in downloads are audit entries,
// anonymous ones are counted per day.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { expect } from 'chai';
import { Encrypter } from 'age-encryption';
import type supertest from 'supertest';
import { DAY, HOUR } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { rmbUppercase } from '../../templates/records/rmb';
import { approvedBidder, bidAndOpen, publishedLandSection, publishedSection, type Bidder, type PublishedSection as Section } from '../support/bidding';
import { createTestApp, makeCreditCode, T0, type TestApp, type TestUser } from '../support/test-app';
import { requireTool } from '../support/tools';
import { binary, ok } from '../support/http';

function pdfText(pdf: Buffer): string {
  if (process.env.RECORDS_PDF_OUT) fs.writeFileSync(path.join(process.env.RECORDS_PDF_OUT, `${crypto.createHash('sha256').update(pdf).digest('hex').slice(0, 12)}.pdf`), pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
}

const squash = (s: string) => s.replace(/\s+/g, '');
const sha256Of = (json: unknown) =>
  crypto
    .createHash('sha256')
    .update(canonicalize(json) as string, 'utf8')
    .digest('hex');

const newBidder = (t: TestApp, name: string) => approvedBidder(t, name, 'rec-eval-bidder');

async function downloads(t: TestApp) {
  return t.services.audit.list({ action: 'record.downloaded', limit: 1000 });
}

/** Anonymous downloads of one section's records: {kind: count} over all days. */
async function counted(t: TestApp, sectionId: string): Promise<Record<string, number>> {
  const rows = await t.tdb.db.knex('record_downloads').where({ section_id: sectionId });
  const out: Record<string, number> = {};
  for (const r of rows) out[String(r.kind)] = (out[String(r.kind)] ?? 0) + Number(r.downloads);
  return out;
}

/** GET the JSON and the PDF; the PDF states the digest of that JSON (page one, footer, header, metadata). */
async function jsonAndPdf(t: TestApp, jsonUrl: string, pdfUrl: string, user?: TestUser) {
  const json = await (user ? t.req(user) : t.req()).get(jsonUrl);
  ok(json);
  const digest = sha256Of(json.body);
  const res = await binary((user ? t.req(user) : t.req()).get(pdfUrl));
  expect(res.status, String(res.body)).to.equal(200);
  expect(res.headers['content-type']).to.match(/^application\/pdf/);
  expect(res.headers['etender-json-sha256']).to.equal(digest);
  const pdf = res.body as Buffer;
  expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
  const raw = pdfText(pdf);
  const pages = raw.split('\f').filter((p) => p.trim());
  expect(squash(pages[0]!)).to.contain(`JSONdigest(SHA-256):${digest}`);
  for (const p of pages) expect(squash(p)).to.contain(`SHA-256${digest}`);
  const info = execFileSync('pdfinfo', ['-enc', 'UTF-8', '-'], { input: pdf }).toString('utf8');
  expect(info).to.contain(`sha256:${digest}`);
  return { body: json.body, digest, text: squash(raw), info };
}

describe('records: amounts in Chinese capital numerals (大写)', () => {
  it('writes yuan, 角 and 分 with the zero rules of cheques and notices', () => {
    const cases: Array<[string, string]> = [
      ['900000.00', '玖拾万元整'],
      ['0.05', '伍分'],
      ['0.50', '伍角'],
      ['1.00', '壹元整'],
      ['10.00', '壹拾元整'],
      ['101.00', '壹佰零壹元整'],
      ['1010.00', '壹仟零壹拾元整'],
      ['10050.05', '壹万零伍拾元零伍分'],
      ['10000.10', '壹万元壹角'],
      ['1000.50', '壹仟元伍角'],
      ['100000001.00', '壹亿零壹元整'],
      ['100010000.00', '壹亿零壹万元整'],
      ['10010000.00', '壹仟零壹万元整'],
      ['1234567.89', '壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分'],
      ['5900000.50', '伍佰玖拾万元伍角'],
      ['900000.05', '玖拾万元零伍分'],
      ['20000000.03', '贰仟万元零叁分'],
    ];
    for (const [amount, upper] of cases) expect(rmbUppercase(amount), amount).to.equal(upper);
    expect(rmbUppercase('12,00')).to.equal(null);
    expect(rmbUppercase('-1.00')).to.equal(null);
  });
});

describe('records: the evaluation report and the award notice from real flows', function () {
  this.timeout(180_000);
  let t: TestApp;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  let D: Bidder;
  before(async () => {
    t = await createTestApp();
    A = await newBidder(t, '甲建设有限公司');
    B = await newBidder(t, '乙科技有限公司');
    C = await newBidder(t, '丙工程有限公司');
    D = await newBidder(t, '丁贸易有限公司');
  });
  after(async () => t.close());
  // Every flow below reads its PDFs' text and metadata.
  beforeEach(function () {
    t.clock.set(T0);
    requireTool(this, 'pdftotext', 'apt-get install poppler-utils');
    requireTool(this, 'pdfinfo', 'apt-get install poppler-utils');
  });

  it('lowest price: 404 before the publicity, 409 to staff while evaluating; the report with the opening record inside; the 中标通知书 after the award', async () => {
    const s = await publishedSection(t);
    const report = `/api/sections/${s.id}/evaluation-report`;
    const notice = `/api/sections/${s.id}/award-notice.pdf`;
    const ev = `/api/sections/${s.id}/evaluation`;
    const before0 = (await downloads(t)).length;

    expect((await t.req().get(report)).status, 'before the opening').to.equal(404);
    expect((await t.req().get(`${report}.pdf`)).status).to.equal(404);
    expect((await t.req().get(notice)).status).to.equal(404);

    await bidAndOpen(t, s, [
      [A, '900000.00'],
      [B, '850000.00'],
      [C, '1200000.00'], // over the budget of 1,000,000.00
      [D, '950000.00'],
    ]);
    expect((await t.req().get(report)).status, 'opened, not evaluated').to.equal(404);
    expect((await t.req(t.users.opProc).get(`${report}.pdf`)).status).to.equal(404);
    ok(await t.req(t.users.opProc).post(`${ev}/start`));
    expect((await t.req().get(`${report}.pdf`)).status, 'public while evaluating').to.equal(404);
    const preview = await t.req(t.users.opProc).get(report);
    expect(preview.status).to.equal(409);
    expect(preview.body.error.code).to.equal('evaluation_not_concluded');
    expect((await t.req(t.users.auditor).get(`${report}.pdf`)).status).to.equal(409);
    expect((await downloads(t)).length, 'refused downloads are not logged').to.equal(before0);
    expect(await counted(t, s.id), 'nor counted').to.deep.equal({});

    ok(await t.req(t.users.opProc).post(`${ev}/publicity`));
    expect((await t.req().get(notice)).status, 'not awarded yet').to.equal(404);

    // During the publicity: an objection and its answer, a decline of rank 1.
    t.clock.set(s.deadline + 1 * DAY);
    const obj = await t.req(D.user).post(`${ev}/objections`).send({ text: '第一名的业绩证明存疑。' });
    ok(obj, 201);
    ok(await t.req(t.users.opProc).post(`${ev}/objections/${obj.body.objection.id}/answer`).send({ answer: '经核查，业绩证明真实有效。' }));
    ok(await t.req(B.user).post(`${ev}/decline`).send({ rank: 1, reason: '产能不足，放弃中标。' }));

    const r = await jsonAndPdf(t, report, `${report}.pdf`);
    expect(r.body.format).to.equal('etender-evaluation-report/1');
    expect(r.body.section).to.include({ id: s.id, code: s.code, state: 'publicity', centre: 'procurement' });
    expect(r.body.evaluation.result.candidates.map((c: any) => [c.rank, c.bidder.name, c.price])).to.deep.equal([
      [1, '乙科技有限公司', '850000.00'],
      [2, '甲建设有限公司', '900000.00'],
      [3, '丁贸易有限公司', '950000.00'],
    ]);
    // The whole opening record is inside, byte for byte the published one.
    const opening = await t.req().get(`/api/sections/${s.id}/opening-record`);
    ok(opening);
    expect(r.body.openingRecord).to.deep.equal(opening.body);
    expect(sha256Of(r.body.openingRecord)).to.equal(opening.headers['etender-record-sha256']);
    // The same as the evaluation endpoint, without its time-dependent fields.
    const evaluation = (await t.req().get(ev)).body.evaluation;
    expect(r.body.evaluation.result).to.deep.equal(evaluation.result);
    expect(r.body.evaluation.objections).to.deep.equal(evaluation.objections);
    expect(r.body.evaluation.declines).to.deep.equal(evaluation.declines);
    for (const x of [
      '评标报告',
      'EvaluationReport',
      '办公设备采购',
      '政府采购',
      '最低评标价法',
      '乙科技有限公司',
      '甲建设有限公司',
      '丁贸易有限公司',
      '丙工程有限公司',
      '¥850,000.00',
      '¥900,000.00',
      '¥950,000.00',
      '¥1,200,000.00',
      'over_reference',
      '第一名的业绩证明存疑。',
      '经核查，业绩证明真实有效。',
      '产能不足，放弃中标。',
      '开标记录',
      opening.body.bids[0].ciphertextSha256.slice(0, 16),
      r.digest,
    ]) {
      expect(r.text, x).to.contain(x);
    }
    expect(r.info).to.contain('评标报告');
    // The JSON endpoint is not logged; the anonymous PDF download is counted, not logged.
    let logged = await downloads(t);
    expect(logged.length - before0).to.equal(0);
    expect(await counted(t, s.id)).to.deep.equal({ 'evaluation-report': 1 });

    // The award: the 中标通知书 for rank 2 (rank 1 declined).
    t.clock.set(s.deadline + 3 * DAY);
    ok(await t.req(t.users.opProc).post(`${ev}/award`));
    const n = await jsonAndPdf(t, `/api/sections/${s.id}/award`, notice, t.users.bidderA);
    expect(n.body.award).to.include({ bidderName: '甲建设有限公司', amount: '900000.00', code: s.code });
    const awardDate = new Date(s.deadline + 3 * DAY + 8 * HOUR).toISOString().slice(0, 10);
    for (const x of [
      '中标通知书',
      'NoticeofAward',
      '中标人',
      '甲建设有限公司',
      '¥900,000.00',
      '人民币玖拾万元整',
      `${awardDate}(Asia/Shanghai)`,
      s.code,
      '政府采购交易中心',
      '盖章',
      '签发Issuedby',
      '办公设备采购',
      '市政务服务管理局',
      squash(n.body.award.notice),
      n.digest,
    ]) {
      expect(n.text, x).to.contain(x);
    }
    expect(n.text).to.not.contain('成交通知书');
    logged = await downloads(t);
    expect(logged[logged.length - 1]!.data).to.deep.include({ kind: 'award-notice', section: s.id, sha256: n.digest });
    expect(logged[logged.length - 1]!.actor).to.include({ role: 'bidder' });

    // After the award the report shows the awarded state (a new document, a new digest) and stays public.
    const after = await jsonAndPdf(t, report, `${report}.pdf`);
    expect(after.body.section.state).to.equal('awarded');
    expect(after.digest).to.not.equal(r.digest);
    expect((await downloads(t)).length - before0, "the bidder's download of the notice").to.equal(1);
    expect(await counted(t, s.id)).to.deep.equal({ 'evaluation-report': 2 });
  });

  it('comprehensive scoring: weights, the price-score formula and every evaluator\u2019s score per criterion; an award amount with 分', async () => {
    const s = await publishedSection(t, { evaluationMethod: 'comprehensive_scoring' });
    await bidAndOpen(t, s, [
      [A, '800000.00'],
      [B, '900000.05'],
      [C, '950000.00'],
    ]);
    const ev = `/api/sections/${s.id}/evaluation`;
    ok(await t.req(t.users.opProc).post(`${ev}/start`));
    const ids = Object.fromEntries((await t.tdb.db.knex('opening_results').where({ section_id: s.id })).map((x: any) => [JSON.parse(String(x.result)).bidder.name, String(x.bid_id)]));
    const row = (evaluator: string, bidId: string, tech: string, biz: string) => [
      { evaluator, bidId, criterion: '技术', score: tech },
      { evaluator, bidId, criterion: '商务', score: biz },
    ];
    const a = ids['甲建设有限公司']!;
    const b = ids['乙科技有限公司']!;
    const c = ids['丙工程有限公司']!;
    ok(
      await t
        .req(t.users.opProc)
        .post(`${ev}/scores`)
        .send({ weights: { price: '30', criteria: { 技术: '50', 商务: '20' } }, scores: [...row('专家一', a, '60', '70'), ...row('专家一', b, '90', '80'), ...row('专家一', c, '80', '90')] }),
    );
    ok(
      await t
        .req(t.users.opProc)
        .post(`${ev}/scores`)
        .send({ scores: [...row('专家二', a, '70', '60'), ...row('专家二', b, '85', '90'), ...row('专家二', c, '80', '70')] }),
    );
    ok(await t.req(t.users.opProc).post(`${ev}/publicity`));

    const report = `/api/sections/${s.id}/evaluation-report`;
    const r = await jsonAndPdf(t, report, `${report}.pdf`);
    const first = r.body.evaluation.result.candidates[0];
    expect(first.bidder.name).to.equal('乙科技有限公司');
    expect(r.body.evaluation.result.weights).to.deep.equal({ price: '30', criteria: { 技术: '50', 商务: '20' } });
    for (const x of [
      '综合评分法',
      '评分权重及价格分公式',
      '价格分=评标基准价÷投标报价×30',
      '评委逐项评分',
      '专家一',
      '专家二',
      '技术(50)',
      '商务(20)',
      first.score.priceScore,
      first.score.evaluatorsMean,
      first.score.total,
      '¥900,000.05',
      '60.5',
      r.digest,
    ]) {
      expect(r.text, x).to.contain(x);
    }

    t.clock.set(s.deadline + 3 * DAY);
    ok(await t.req(t.users.opProc).post(`${ev}/award`));
    const n = await jsonAndPdf(t, `/api/sections/${s.id}/award`, `/api/sections/${s.id}/award-notice.pdf`);
    expect(n.body.award.amount).to.equal('900000.05');
    for (const x of ['中标通知书', '乙科技有限公司', '¥900,000.05', '人民币玖拾万元零伍分', n.digest]) expect(n.text, x).to.contain(x);
  });

  it('land: the reserve revealed in the report, the 成交通知书 with 角 in capitals; a failed section has a report and no notice', async () => {
    const s = await publishedLandSection(t, '5000000.00', '滨湖地块一');
    const e = new Encrypter();
    e.addRecipient(s.recipient);
    const sealed = Buffer.from(await e.encrypt('5600000.00')).toString('base64');
    ok(await t.req(t.users.opLand).post(`/api/sections/${s.id}/reserve`).send({ sealed }));
    await bidAndOpen(t, s, [
      [A, '5500000.00'],
      [B, '5900000.50'],
      [C, '5800000.00'],
    ]);
    const ev = `/api/sections/${s.id}/evaluation`;
    ok(await t.req(t.users.opLand).post(`${ev}/start`));
    ok(await t.req(t.users.opLand).post(`${ev}/publicity`));
    const report = `/api/sections/${s.id}/evaluation-report`;
    const r = await jsonAndPdf(t, report, `${report}.pdf`);
    expect(r.body.evaluation.result.reserve.amount).to.equal('5600000.00');
    for (const x of [
      '价高者得',
      '土地出让State',
      '滨湖地块一',
      '底价',
      '¥5,600,000.00',
      r.body.evaluation.result.reserve.sealedSha256.slice(0, 16),
      '¥5,900,000.50',
      '乙科技有限公司',
      '竞买人',
      '出让人',
      r.digest,
    ]) {
      expect(r.text, x).to.contain(x);
    }
    expect(r.text).to.not.contain('投标人');
    expect((await t.req().get(`/api/sections/${s.id}/award-notice.pdf`)).status).to.equal(404);

    t.clock.set(s.deadline + 3 * DAY);
    ok(await t.req(t.users.opLand).post(`${ev}/award`));
    const n = await jsonAndPdf(t, `/api/sections/${s.id}/award`, `/api/sections/${s.id}/award-notice.pdf`);
    for (const x of [
      '成交确认书',
      'ConfirmationofSale',
      '竞得人',
      '成交价',
      '竞买保证金',
      '乙科技有限公司',
      '¥5,900,000.50',
      '人民币伍佰玖拾万元伍角',
      '土地出让State',
      '土地出让交易中心',
      '盖章',
      n.digest,
    ]) {
      expect(n.text, x).to.contain(x);
    }
    for (const x of ['中标通知书', '成交通知书', '投标人', '招标文件', '中标人', '政府采购']) expect(n.text, x).to.not.contain(x);

    // 废标: two responsive bids only. The report states the rule and the reason; there is no notice.
    t.clock.set(T0);
    const f = await publishedSection(t);
    await bidAndOpen(t, f, [
      [A, '800000.00'],
      [B, '900000.00'],
      [C, '1100000.00'],
    ]);
    ok(await t.req(t.users.opProc).post(`/api/sections/${f.id}/evaluation/start`));
    ok(await t.req(t.users.opProc).post(`/api/sections/${f.id}/evaluation/publicity`));
    const fr = await jsonAndPdf(t, `/api/sections/${f.id}/evaluation-report`, `/api/sections/${f.id}/evaluation-report.pdf`);
    expect(fr.body.section.state).to.equal('failed');
    expect(fr.body.evaluation.result).to.include({ outcome: 'failed', rule: 'minResponsiveBids' });
    for (const x of ['废标', 'minResponsiveBids', 'Only2responsivebids', fr.digest]) expect(fr.text, x).to.contain(x);
    expect((await t.req().get(`/api/sections/${f.id}/award-notice.pdf`)).status).to.equal(404);
  });
});
