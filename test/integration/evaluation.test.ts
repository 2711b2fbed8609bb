// The evaluation after a real opening: lowest and highest price, comprehensive scoring with exact
// decimals, 废标 and no-deal rules (the sealed reserve), candidate publicity with objections, declines,
// the award with its notice and the contract; per-object permissions.
import { expect } from 'chai';
import { DAY } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { makeCreditCode, T0, type TestApp, type TestUser, createTestApp } from '../support/test-app';
import { approvedBidder, bidAndOpen, publishedLandSection, publishedSection, sealReserve, type Bidder, type PublishedSection as Section } from '../support/bidding';
import { ok } from '../support/http';

const newBidder = (t: TestApp, name: string) => approvedBidder(t, name, 'eval-bidder');

async function state(t: TestApp, id: string) {
  return (await t.req().get(`/api/sections/${id}`)).body.section;
}

async function actions(t: TestApp, objectId: string) {
  return (await t.tdb.db.knex('audit_log').where({ object_id: objectId }).orderBy('idx').select('action')).map((r: any) => String(r.action));
}

describe('evaluation, candidate publicity and award', function () {
  this.timeout(120_000);
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
  beforeEach(() => t.clock.set(T0));

  it('lowest price: ranks the valid bids, excludes the one over budget, publicity, objections, decline, award and contract', async () => {
    const s = await publishedSection(t);
    await bidAndOpen(t, s, [
      [A, '900000.00'],
      [B, '850000.00'],
      [C, '1200000.00'], // over the budget of 1,000,000.00
      [D, '950000.00'],
    ]);
    const url = `/api/sections/${s.id}/evaluation`;
    expect((await t.req().get(url)).status).to.equal(404);
    // Per-object permissions: another centre's operator and bidders cannot start it.
    expect((await t.req(t.users.opLand).post(`${url}/start`)).status).to.equal(403);
    expect((await t.req(A.user).post(`${url}/start`)).status).to.equal(403);
    expect((await t.req().post(`${url}/start`)).status).to.equal(401);
    ok(await t.req(t.users.opProc).post(`${url}/start`));
    expect((await state(t, s.id)).state).to.equal('evaluating');
    expect((await t.req().get(url)).status, 'not public while evaluating').to.equal(404);
    const preview = await t.req(t.users.opProc).get(url);
    ok(preview);
    expect(preview.body.evaluation.preview).to.equal(true);

    const concluded = await t.req(t.users.opProc).post(`${url}/publicity`);
    ok(concluded);
    expect((await state(t, s.id)).state).to.equal('publicity');
    const pub = (await t.req().get(url)).body.evaluation;
    expect(pub.result.candidates.map((c: any) => [c.rank, c.bidder.name, c.price])).to.deep.equal([
      [1, '乙科技有限公司', '850000.00'],
      [2, '甲建设有限公司', '900000.00'],
      [3, '丁贸易有限公司', '950000.00'],
    ]);
    expect(pub.result.excluded.map((x: any) => [x.bidder.name, x.cause.code])).to.deep.equal([['丙工程有限公司', 'over_reference']]);
    expect(pub.publicity.endsAt).to.equal(s.deadline + 3 * DAY);

    // Award before the publicity ends → 409 naming the rule; bidders and other centres may not award.
    const early = await t.req(t.users.opProc).post(`${url}/award`);
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('publicity_not_over');
    expect(early.body.error.message).to.match(/candidatePublicityDays/);
    expect((await t.req(B.user).post(`${url}/award`)).status).to.equal(403);
    expect((await t.req(t.users.opLand).post(`${url}/award`)).status).to.equal(403);

    // An objection during the publicity; a non-bidder (another org's user without a bid) cannot object.
    t.clock.set(s.deadline + 2 * DAY);
    const obj = await t.req(D.user).post(`${url}/objections`).send({ text: '第一名的业绩证明存疑。' });
    ok(obj, 201);
    expect((await t.req(t.users.bidderA).post(`${url}/objections`).send({ text: 'x' })).status).to.equal(403);
    expect((await t.req(t.users.opProc).post(`${url}/objections`).send({ text: 'x' })).status).to.equal(403);

    // After the period: objections → 409 publicity_over; award with the objection unanswered → 409.
    t.clock.set(s.deadline + 3 * DAY);
    const late = await t.req(C.user).post(`${url}/objections`).send({ text: '迟到的质疑' });
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal('publicity_over');
    const unanswered = await t.req(t.users.opProc).post(`${url}/award`);
    expect(unanswered.status).to.equal(409);
    expect(unanswered.body.error.code).to.equal('objections_unanswered');
    expect((await t.req(t.users.opLand).post(`${url}/objections/${obj.body.objection.id}/answer`).send({ answer: 'x' })).status).to.equal(403);
    ok(await t.req(t.users.opProc).post(`${url}/objections/${obj.body.objection.id}/answer`).send({ answer: '经核查，业绩证明真实有效。' }));

    // Rank 1 declines (by itself; another bidder may not decline for it) → rank 2 is awarded.
    expect((await t.req(A.user).post(`${url}/decline`).send({ rank: 1, reason: 'x' })).status).to.equal(403);
    ok(await t.req(B.user).post(`${url}/decline`).send({ rank: 1, reason: '产能不足，放弃中标。' }));
    const awarded = await t.req(t.users.opProc).post(`${url}/award`);
    ok(awarded);
    expect(awarded.body.award).to.include({ rank: 2, bidderName: '甲建设有限公司', orgId: A.orgId, amount: '900000.00', awardedAt: s.deadline + 3 * DAY });
    expect((await state(t, s.id)).state).to.equal('awarded');
    expect((await t.req(t.users.opProc).post(`${url}/award`)).status).to.equal(409);

    const award = await t.req().get(`/api/sections/${s.id}/award`);
    ok(award);
    expect(award.body.award.notice).to.contain('中标通知书').and.to.contain('甲建设有限公司').and.to.contain('900,000.00');

    const contract = await t
      .req(t.users.opProc)
      .post(`/api/sections/${s.id}/contract`)
      .send({ signedAt: s.deadline + 3 * DAY, amount: '900000.00' });
    ok(contract);
    expect((await state(t, s.id)).state).to.equal('contracted');

    expect(await actions(t, s.id)).to.include.members([
      'section.evaluating',
      'section.publicity',
      'evaluation.objection_raised',
      'evaluation.objection_answered',
      'evaluation.candidate_declined',
      'section.awarded',
      'award.recorded',
      'section.contracted',
    ]);
  });

  it('procurement with only two valid bids fails (废标) with the reason', async () => {
    const s = await publishedSection(t);
    await bidAndOpen(t, s, [
      [A, '800000.00'],
      [B, '900000.00'],
      [C, '1100000.00'], // over budget
    ]);
    const url = `/api/sections/${s.id}/evaluation`;
    ok(await t.req(t.users.opProc).post(`${url}/start`));
    ok(await t.req(t.users.opProc).post(`${url}/publicity`));
    const sec = await state(t, s.id);
    expect(sec.state).to.equal('failed');
    expect(sec.failureReason).to.match(/Only 2 responsive bids remained.*fewer than 3/);
    const ev = (await t.req().get(url)).body.evaluation;
    expect(ev.result).to.include({ outcome: 'failed', rule: 'minResponsiveBids' });
    expect((await t.req(t.users.opProc).post(`${url}/award`)).status).to.equal(409);
  });

  it('procurement with every price over the budget fails with that reason', async () => {
    const s = await publishedSection(t);
    await bidAndOpen(t, s, [
      [A, '1000000.01'],
      [B, '1100000.00'],
      [C, '1200000.00'],
    ]);
    const url = `/api/sections/${s.id}/evaluation`;
    ok(await t.req(t.users.opProc).post(`${url}/start`));
    ok(await t.req(t.users.opProc).post(`${url}/publicity`));
    const sec = await state(t, s.id);
    expect(sec.state).to.equal('failed');
    expect(sec.failureReason).to.match(/Every price is over the budget/);
  });

  it('highest price for land: the sealed reserve ends it without a deal when the best price is under it, else gives candidates', async () => {
    const under = await publishedLandSection(t);
    // Only an operator of the land centre, only an age file, only before the deadline.
    const sealed = await sealReserve(under.recipient, '6000000.00');
    expect((await t.req(t.users.opProc).post(`/api/sections/${under.id}/reserve`).send({ sealed })).status).to.equal(403);
    expect((await t.req(A.user).post(`/api/sections/${under.id}/reserve`).send({ sealed })).status).to.equal(403);
    const notAge = await t
      .req(t.users.opLand)
      .post(`/api/sections/${under.id}/reserve`)
      .send({ sealed: Buffer.from('6000000.00 in the clear').toString('base64') });
    expect(notAge.status).to.equal(422);
    ok(await t.req(t.users.opLand).post(`/api/sections/${under.id}/reserve`).send({ sealed }));
    const stored = await t.tdb.db.knex('section_reserves').where({ section_id: under.id }).first();
    expect(JSON.stringify(stored, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).to.not.contain('6000000');
    await bidAndOpen(t, under, [
      [A, '5500000.00'],
      [B, '5900000.00'],
      [C, '5800000.00'],
    ]);
    expect((await t.req(t.users.opLand).post(`/api/sections/${under.id}/reserve`).send({ sealed })).status, 'after the deadline').to.equal(409);
    const url = `/api/sections/${under.id}/evaluation`;
    ok(await t.req(t.users.opLand).post(`${url}/start`));
    ok(await t.req(t.users.opLand).post(`${url}/publicity`));
    const sec = await state(t, under.id);
    expect(sec.state).to.equal('failed');
    expect(sec.failureReason).to.match(/best price 5900000.00 yuan is under the reserve price \(底价\) of 6000000.00/);
    const ev = (await t.req().get(url)).body.evaluation;
    expect(ev.result.reserve.amount).to.equal('6000000.00');

    t.clock.set(T0);
    const above = await publishedLandSection(t);
    ok(
      await t
        .req(t.users.opLand)
        .post(`/api/sections/${above.id}/reserve`)
        .send({ sealed: await sealReserve(above.recipient, '5600000.00') }),
    );
    await bidAndOpen(t, above, [
      [A, '5500000.00'],
      [B, '5900000.00'],
      [C, '5900000.00'], // same price, later: ranks after B
    ]);
    const url2 = `/api/sections/${above.id}/evaluation`;
    ok(await t.req(t.users.opLand).post(`${url2}/start`));
    ok(await t.req(t.users.opLand).post(`${url2}/publicity`));
    expect((await state(t, above.id)).state).to.equal('publicity');
    const ev2 = (await t.req().get(url2)).body.evaluation;
    expect(ev2.result.candidates.map((c: any) => [c.rank, c.bidder.name, c.price])).to.deep.equal([
      [1, '乙科技有限公司', '5900000.00'],
      [2, '丙工程有限公司', '5900000.00'],
    ]);
    expect(ev2.result.reserve.amount).to.equal('5600000.00');
    t.clock.set(above.deadline + 3 * DAY);
    const awarded = await t.req(t.users.opLand).post(`${url2}/award`);
    ok(awarded);
    expect(awarded.body.award).to.include({ rank: 1, amount: '5900000.00' });
    expect(awarded.body.award.notice).to.contain('成交确认书').and.to.contain('竞得人').and.not.contain('招标文件');
  });

  it('comprehensive scoring with two evaluators and weights ranks by the exact totals', async () => {
    const s = await publishedSection(t, { evaluationMethod: 'comprehensive_scoring' });
    await bidAndOpen(t, s, [
      [A, '800000.00'],
      [B, '900000.00'],
      [C, '950000.00'],
    ]);
    const url = `/api/sections/${s.id}/evaluation`;
    ok(await t.req(t.users.opProc).post(`${url}/start`));
    const ids = Object.fromEntries((await t.tdb.db.knex('opening_results').where({ section_id: s.id })).map((r: any) => [JSON.parse(String(r.result)).bidder.name, String(r.bid_id)]));
    const a = ids['甲建设有限公司']!;
    const b = ids['乙科技有限公司']!;
    const c = ids['丙工程有限公司']!;
    const weights = { price: '30', criteria: { 技术: '50', 商务: '20' } };
    const row = (evaluator: string, bidId: string, tech: string, biz: string) => [
      { evaluator, bidId, criterion: '技术', score: tech },
      { evaluator, bidId, criterion: '商务', score: biz },
    ];
    expect(
      (
        await t
          .req(t.users.opProc)
          .post(`${url}/scores`)
          .send({ weights: { price: '30', criteria: { 技术: '50', 商务: '30' } }, scores: row('专家一', a, '60', '70') })
      ).status,
      'weights ≠ 100',
    ).to.equal(422);
    expect(
      (
        await t
          .req(t.users.opLand)
          .post(`${url}/scores`)
          .send({ weights, scores: row('专家一', a, '60', '70') })
      ).status,
    ).to.equal(403);
    ok(
      await t
        .req(t.users.opProc)
        .post(`${url}/scores`)
        .send({ weights, scores: [...row('专家一', a, '60', '70'), ...row('专家一', b, '90', '80'), ...row('专家一', c, '80', '90')] }),
    );
    ok(
      await t
        .req(t.users.opProc)
        .post(`${url}/scores`)
        .send({ scores: [...row('专家二', a, '70', '60'), ...row('专家二', b, '85', '90')] }),
    );
    const incomplete = await t.req(t.users.opProc).post(`${url}/publicity`);
    expect(incomplete.status).to.equal(409);
    expect(incomplete.body.error.code).to.equal('scores_incomplete');
    ok(
      await t
        .req(t.users.opProc)
        .post(`${url}/scores`)
        .send({ scores: row('专家二', c, '80', '70') }),
    );
    ok(await t.req(t.users.opProc).post(`${url}/publicity`));

    // By hand: price score = 800000 ÷ price × 30 (two decimals): A 30.00, B 26.67, C 25.26.
    // Weighted (score × weight ÷ 100): 专家一 A 30+14=44, B 45+16=61, C 40+18=58;
    // 专家二 A 35+12=47, B 42.5+18=60.5, C 40+14=54. Means: A 45.50, B 60.75, C 56.00.
    // Totals: B 87.42, C 81.26, A 75.50.
    const ev = (await t.req().get(url)).body.evaluation;
    expect(ev.result.candidates.map((x: any) => [x.rank, x.bidder.name, x.price, x.score.priceScore, x.score.evaluatorsMean, x.score.total])).to.deep.equal([
      [1, '乙科技有限公司', '900000.00', '26.67', '60.75', '87.42'],
      [2, '丙工程有限公司', '950000.00', '25.26', '56.00', '81.26'],
      [3, '甲建设有限公司', '800000.00', '30.00', '45.50', '75.50'],
    ]);
    expect(ev.result.candidates[0].score.evaluators).to.deep.equal({
      专家一: { scores: { 技术: '90', 商务: '80' }, weighted: '61' },
      专家二: { scores: { 技术: '85', 商务: '90' }, weighted: '60.5' },
    });
    expect(ev.result.scores).to.have.length(12);
  });
});
