// The operator's pages after the deadline over HTTP, as a browser without JavaScript uses them: the
// opening's officials and objections, the evaluation (score sheets with the server's totals, the
// ranking with exclusions and reasons, publishing the candidates, answering publicity objections),
// the award, a decline, the contract, the re-tender of a failed section, and the historical CSV
// import (every row error with its line, nothing stored). Each form: its success (303), its refusals
// in the page's language (422 / the service's status), and a bad post that changes nothing. An
// operator of another centre gets 404; a signed-out visitor is sent to sign in.
import { expect } from 'chai';
import { DAY, HOUR } from '../../modules/core/clock';
import { approvedBidder, bidAndOpen, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { browserAgent, fieldErrorIn, formProblemIn, formTokenIn, postForm } from '../support/pages';
import { snapshot } from '../support/test-db';
import { createTestApp, T0, type TestApp, type TestUser } from '../support/test-app';

async function signIn(t: TestApp, user: TestUser) {
  const agent = browserAgent(t);
  const res = await postForm(agent, '/login', '/login', { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

type Agent = Awaited<ReturnType<typeof signIn>>;

/** The whole database but the session rows (a signed-in browser touches its session). */
const dbState = (t: TestApp) => snapshot(t.tdb.db, ['sessions']);

async function stateOf(t: TestApp, id: string): Promise<string> {
  return (await t.req().get(`/api/sections/${id}`)).body.section.state;
}

/** Opening-result bid ids by bidder name. */
async function bidIds(t: TestApp, sectionId: string): Promise<Record<string, string>> {
  const rows = await t.tdb.db.knex('opening_results').where({ section_id: sectionId });
  return Object.fromEntries(rows.map((r: any) => [JSON.parse(String(r.result)).bidder.name, String(r.bid_id)]));
}

describe('operator pages: opening, evaluation, award, import', function () {
  this.timeout(120_000);
  let t: TestApp;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  let D: Bidder;
  let op: Agent;
  let scoring: PublishedSection;
  let lowest: PublishedSection;
  let lonely: PublishedSection;

  before(async () => {
    t = await createTestApp();
    A = await approvedBidder(t, '甲评标有限公司', 'staffwork');
    B = await approvedBidder(t, '乙评标有限公司', 'staffwork');
    C = await approvedBidder(t, '丙评标有限公司', 'staffwork');
    D = await approvedBidder(t, '丁评标有限公司', 'staffwork');
    scoring = await publishedSection(t, { title: '综合评分包', evaluationMethod: 'comprehensive_scoring' });
    lowest = await publishedSection(t, { title: '最低价包', bidDeadlineAt: T0 + 26 * DAY });
    lonely = await publishedSection(t, { title: '独家包', bidDeadlineAt: T0 + 40 * DAY });
    op = await signIn(t, t.users.opProc);
  });
  after(async () => t.close());

  it('sends a signed-out visitor to sign in, and is not found for an operator of another centre', async () => {
    for (const path of [`/staff/sections/${scoring.id}/opening`, `/staff/sections/${scoring.id}/evaluation`, `/staff/sections/${scoring.id}/award`, '/staff/imports']) {
      const res = await browserAgent(t).get(path);
      expect(res.status, path).to.equal(303);
      expect(res.headers.location, path).to.equal(`/login?${new URLSearchParams({ next: path })}`);
    }
    const land = await signIn(t, t.users.opLand);
    for (const page of ['opening', 'evaluation', 'award']) {
      const res = await land.get(`/staff/sections/${scoring.id}/${page}`);
      expect(res.status, page).to.equal(404);
      expect(res.text).to.contain('未找到');
    }
    // Its post is refused the same way, and changes nothing.
    const own = await land.get('/staff/imports'); // a page of its own, for a form token
    const before = await dbState(t);
    const res = await land
      .post(`/staff/sections/${scoring.id}/opening/officials`)
      .type('form')
      .send({ _csrf: formTokenIn(own.text), presiding: '甲', recording: '乙', supervising: '丙' });
    expect(res.status).to.equal(404);
    expect(await dbState(t)).to.equal(before);
    // A bidder has no import page.
    expect((await (await signIn(t, A.user)).get('/staff/imports')).status).to.equal(403);
  });

  it('names the opening officials before the deadline, with field errors in the page language', async () => {
    const path = `/staff/sections/${scoring.id}/opening`;
    const page = await op.get(path);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('开标人（主持人）').and.to.contain('监标人（监督人）').and.to.contain(`/sections/${scoring.id}/hall`);
    expect(page.text).to.contain('截止前不公开投标数量');
    const before = await dbState(t);
    const bad = await postForm(op, path, `${path}/officials`, { presiding: '  ', recording: '李记录', supervising: 'x'.repeat(101) });
    expect(bad.status).to.equal(422);
    expect(fieldErrorIn(bad.text, 'presiding')).to.equal('请填写姓名。');
    expect(fieldErrorIn(bad.text, 'supervising')).to.equal('最多 100 字，现为 101 字。');
    expect(bad.text).to.contain('value="李记录"');
    expect(await dbState(t)).to.equal(before);
    const en = await postForm(op, `${path}?lang=en`, `${path}/officials?lang=en`, { presiding: '', recording: 'a', supervising: 'b' });
    expect(fieldErrorIn(en.text, 'presiding')).to.equal('Enter a name.');
    // Without the form token: the page again with the problem, nothing stored.
    const noToken = await op.post(`${path}/officials`).type('form').send({ presiding: '王主持', recording: '李记录', supervising: '赵监督' });
    expect(noToken.status).to.equal(403);
    expect(formProblemIn(noToken.text)).to.contain('表单已过期');
    expect(await dbState(t)).to.equal(before);
    const ok = await postForm(op, path, `${path}/officials`, { presiding: '王主持', recording: '李记录', supervising: '赵监督' });
    expect(ok.status).to.equal(303);
    expect(ok.headers.location).to.equal(`${path}?saved=officials`);
    const officials = (await t.req().get(`/api/sections/${scoring.id}/opening-officials`)).body.officials;
    expect(officials).to.deep.equal({ presiding: '王主持', recording: '李记录', supervising: '赵监督', source: 'set' });
    expect((await op.get(`${path}?saved=officials`)).text).to.contain('开标人员已保存');
  });

  it('after the opening: the officials are fixed, and an objection raised at the opening is answered on the page', async () => {
    await bidAndOpen(t, scoring, [
      [A, '800000.00'],
      [B, '900000.00'],
      [C, '950000.00'],
    ]);
    const path = `/staff/sections/${scoring.id}/opening`;
    const raised = await t.req(A.user).post(`/api/sections/${scoring.id}/opening-objections`).send({ text: '开标时间与公告不一致。' });
    expect(raised.status, JSON.stringify(raised.body)).to.equal(201);
    const oid = raised.body.objection.id as string;
    const page = await op.get(path);
    expect(page.text).to.contain('开标记录已公布，开标人员不能再修改').and.to.not.contain('id="officials-form"');
    expect(page.text).to.contain('<span id="bid-count">3</span>');
    expect(page.text).to.contain('开标时间与公告不一致。').and.to.contain('甲评标有限公司');
    const before = await dbState(t);
    const empty = await postForm(op, path, `${path}/objections/${oid}/answer`, { [`answer-${oid}`]: ' ' });
    expect(empty.status).to.equal(422);
    expect(fieldErrorIn(empty.text, `answer-${oid}`)).to.equal('请填写答复内容。');
    expect(await dbState(t)).to.equal(before);
    const ok = await postForm(op, path, `${path}/objections/${oid}/answer`, { [`answer-${oid}`]: '开标时间以平台时钟为准，与公告一致。' });
    expect(ok.status).to.equal(303);
    const list = (await t.req().get(`/api/sections/${scoring.id}/opening-objections`)).body.objections;
    expect(list[0].answer).to.equal('开标时间以平台时钟为准，与公告一致。');
    // A second answer is refused, in the page's language.
    const again = await postForm(op, path, `${path}/objections/${oid}/answer`, { [`answer-${oid}`]: '再答一次' });
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('该操作与现有记录冲突。');
  });

  it('comprehensive scoring: two evaluators’ sheets, weights checked, totals computed by the server and shown back', async () => {
    const path = `/staff/sections/${scoring.id}/evaluation`;
    const opened = await op.get(path);
    expect(opened.text).to.contain('id="start-form"');
    expect((await postForm(op, path, `${path}/start`, {})).status).to.equal(303);
    expect(await stateOf(t, scoring.id)).to.equal('evaluating');
    const ids = await bidIds(t, scoring.id);
    const a = ids['甲评标有限公司']!;
    const b = ids['乙评标有限公司']!;
    const c = ids['丙评标有限公司']!;
    const sheet = (evaluator: string, s: Record<string, [string, string]>) => ({
      evaluator,
      ...Object.fromEntries(
        Object.entries(s).flatMap(([bid, [tech, biz]]) => [
          [`s-${bid}-0`, tech],
          [`s-${bid}-1`, biz],
        ]),
      ),
    });
    const weights = { price: '30', cname0: '技术', cweight0: '50', cname1: '商务', cweight1: '20', cname2: '', cweight2: '' };
    const page = await op.get(path);
    expect(page.text).to.contain('评分表（每位评委一张）').and.to.contain(`name="s-${a}-0"`);

    const before = await dbState(t);
    const badSum = await postForm(op, path, `${path}/scores`, { ...weights, cweight1: '30', ...sheet('专家一', { [a]: ['60', '70'], [b]: ['90', '80'], [c]: ['80', '90'] }) });
    expect(badSum.status).to.equal(422);
    expect(fieldErrorIn(badSum.text, 'price')).to.equal('价格分值与各评审因素分值合计须为 100，现为 110。');
    const badScore = await postForm(op, path, `${path}/scores`, { ...weights, ...sheet('专家一', { [a]: ['101', '70'], [b]: ['90', '80'], [c]: ['80', ''] }) });
    expect(badScore.status).to.equal(422);
    expect(fieldErrorIn(badScore.text, `s-${a}-0`)).to.equal('请填写 0 至 100 之间的分数，最多两位小数。');
    expect(fieldErrorIn(badScore.text, `s-${c}-1`)).to.equal('请填写 0 至 100 之间的分数，最多两位小数。');
    expect(badScore.text).to.contain('value="101"');
    const noName = await postForm(op, path, `${path}/scores`, { ...weights, ...sheet('', { [a]: ['60', '70'], [b]: ['90', '80'], [c]: ['80', '90'] }) });
    expect(fieldErrorIn(noName.text, 'evaluator')).to.equal('请填写评委姓名。');
    expect(await dbState(t)).to.equal(before);

    const first = await postForm(op, path, `${path}/scores`, { ...weights, ...sheet('专家一', { [a]: ['60', '70'], [b]: ['90', '80'], [c]: ['80', '90'] }) });
    expect(first.status, first.text.slice(0, 500)).to.equal(303);
    expect(first.headers.location).to.equal(`${path}?done=scores`);
    const second = await postForm(op, path, `${path}/scores`, sheet('专家二', { [a]: ['70', '60'], [b]: ['85', '90'], [c]: ['80', '70'] }));
    expect(second.status, second.text.slice(0, 500)).to.equal(303);
    const shown = await op.get(`${path}?done=scores`);
    expect(shown.text).to.contain('评分已保存');
    // The weights in force, and by hand: price score 800000 ÷ price × 30; weighted score × weight ÷ 100; the mean of the two.
    expect(shown.text).to.contain('<dt>技术</dt><dd>50</dd>');
    const row = (bid: string) => new RegExp(`<tr data-bid="${bid}">(.*?)</tr>`).exec(shown.text)?.[1] ?? '';
    expect(row(b)).to.contain('<td>1</td>').and.to.contain('26.67').and.to.contain('60.75').and.to.contain('<td class="num total">87.42</td>');
    expect(row(c)).to.contain('<td>2</td>').and.to.contain('<td class="num total">81.26</td>');
    expect(row(a)).to.contain('<td>3</td>').and.to.contain('<td class="num total">75.50</td>');
    expect(shown.text).to.contain('<td class="num weighted">60.50</td>'); // 专家二 for 乙: 42.5 + 18
  });

  it('publishes the candidates only when confirmed, then answers a publicity objection on the page', async () => {
    const path = `/staff/sections/${scoring.id}/evaluation`;
    const before = await dbState(t);
    const unconfirmed = await postForm(op, path, `${path}/publicity`, {});
    expect(unconfirmed.status).to.equal(422);
    expect(fieldErrorIn(unconfirmed.text, 'confirm')).to.equal('请勾选确认后再提交。');
    expect(await dbState(t)).to.equal(before);
    expect((await postForm(op, path, `${path}/publicity`, { confirm: 'yes' })).status).to.equal(303);
    expect(await stateOf(t, scoring.id)).to.equal('publicity');
    const raised = await t.req(C.user).post(`/api/sections/${scoring.id}/evaluation/objections`).send({ text: '乙的技术分过高。' });
    expect(raised.status, JSON.stringify(raised.body)).to.equal(201);
    const oid = raised.body.objection.id as string;
    const page = await op.get(path);
    expect(page.text).to.contain('id="candidates"').and.to.contain('乙的技术分过高。').and.to.contain('公示期至');
    const ok = await postForm(op, path, `${path}/objections/${oid}/answer`, { [`answer-${oid}`]: '经复核，评分符合评分标准。' });
    expect(ok.status).to.equal(303);
    const view = (await t.req().get(`/api/sections/${scoring.id}/evaluation`)).body.evaluation;
    expect(view.objections[0].answer).to.equal('经复核，评分符合评分标准。');
  });

  it('awards after the publicity (confirmed), records a decline first, then the contract', async () => {
    const path = `/staff/sections/${scoring.id}/award`;
    const early = await postForm(op, path, `${path}/award`, { confirm: 'yes' });
    expect(early.status).to.equal(409);
    expect(formProblemIn(early.text)).to.equal('中标候选人公示期尚未结束。');
    const endsAt = (await t.req().get(`/api/sections/${scoring.id}/evaluation`)).body.evaluation.publicity.endsAt as number;
    t.clock.set(endsAt + HOUR);

    const before = await dbState(t);
    const bad = await postForm(op, path, `${path}/decline`, { rank: '1', reason: '' });
    expect(bad.status).to.equal(422);
    expect(fieldErrorIn(bad.text, 'reason')).to.equal('请填写放弃原因。');
    expect(fieldErrorIn(bad.text, 'confirmDecline')).to.equal('请勾选确认后再提交。');
    expect(await dbState(t)).to.equal(before);
    expect((await postForm(op, path, `${path}/decline`, { rank: '1', reason: '无法按期履约', confirmDecline: 'yes' })).status).to.equal(303);
    const page = await op.get(`${path}?done=declined`);
    expect(page.text).to.contain('已记录候选人放弃').and.to.contain('已放弃（无法按期履约）');

    expect((await postForm(op, path, `${path}/award`, {})).status).to.equal(422);
    expect(await stateOf(t, scoring.id)).to.equal('publicity');
    const awarded = await postForm(op, path, `${path}/award`, { confirm: 'yes' });
    expect(awarded.status).to.equal(303);
    const after = await op.get(`${path}?done=awarded`);
    expect(after.text).to.contain('已定标，中标通知书已发出');
    expect(after.text).to.match(/id="award-winner">丙评标有限公司</); // rank 1 declined: rank 2 is awarded
    expect(after.text).to.contain('value="950000.00"'); // the contract form proposes the award amount

    const beforeContract = await dbState(t);
    const badDate = await postForm(op, path, `${path}/contract`, { signedAt: '2027-02-30 10:00', amount: '950000.001' });
    expect(badDate.status).to.equal(422);
    expect(fieldErrorIn(badDate.text, 'signedAt')).to.equal('请按 YYYY-MM-DD HH:mm 填写一个存在的时间。');
    expect(fieldErrorIn(badDate.text, 'amount')).to.equal('请填写大于零的金额（元），最多两位小数。');
    const future = await postForm(op, path, `${path}/contract`, { signedAt: '2030-01-01 10:00', amount: '940000.00' });
    expect(future.status).to.equal(422);
    expect(fieldErrorIn(future.text, 'signedAt')).to.equal('签订时间不能晚于现在（以平台时钟为准）。');
    const beforeAward = await postForm(op, path, `${path}/contract`, { signedAt: '2026-12-01 08:00', amount: '940000.00' });
    expect(fieldErrorIn(beforeAward.text, 'signedAt')).to.equal('合同不能早于定标时间签订。');
    expect(await dbState(t)).to.equal(beforeContract);
    const now = new Date(t.clock.now() + 8 * HOUR).toISOString(); // the centre's wall clock (UTC+8)
    const signedAt = `${now.slice(0, 10)} ${now.slice(11, 16)}`;
    expect((await postForm(op, path, `${path}/contract`, { signedAt, amount: '940000.00' })).status).to.equal(303);
    expect(await stateOf(t, scoring.id)).to.equal('contracted');
    const award = (await t.req().get(`/api/sections/${scoring.id}/award`)).body.award;
    expect(award.contractAmount).to.equal('940000.00');
    expect(Math.floor(award.contractSignedAt / 60_000)).to.equal(Math.floor(t.clock.now() / 60_000));
    expect((await op.get(path)).text).to.contain('id="contract-amount">940,000.00 元');
  });

  it('lowest price: the ranking with the excluded bids and their reasons; the committee excludes one with its reason', async () => {
    t.clock.set(T0);
    await bidAndOpen(t, lowest, [
      [A, '900000.00'],
      [B, '850000.00'],
      [C, '1200000.00'], // over the budget of 1,000,000.00
      [D, '950000.00'],
    ]);
    const path = `/staff/sections/${lowest.id}/evaluation`;
    expect((await postForm(op, path, `${path}/start`, {})).status).to.equal(303);
    const page = await op.get(path);
    expect(page.text).to.contain('id="ranking"').and.to.not.contain('id="scores-form"');
    const ranking = /<table id="ranking"[\s\S]*?<\/table>/.exec(page.text)![0];
    expect(ranking.indexOf('乙评标有限公司')).to.be.lessThan(ranking.indexOf('甲评标有限公司'));
    const excluded = /<table id="excluded"[\s\S]*?<\/table>/.exec(page.text)![0];
    expect(excluded).to.contain('丙评标有限公司').and.to.contain('报价超过预算 / 最高投标限价');
    expect((await op.get(`${path}?lang=en`)).text).to.contain('the price is over the budget / control price');

    // The committee excludes a responsive bid with its reason: it leaves the ranking and is listed with the reason.
    const d = (await bidIds(t, lowest.id))['丁评标有限公司']!;
    const before = await dbState(t);
    const bad = await postForm(op, path, `${path}/exclusions`, { bidId: d, excludeReason: ' ', confirmExclude: 'yes' });
    expect(bad.status).to.equal(422);
    expect(fieldErrorIn(bad.text, 'excludeReason')).to.equal('请填写否决理由。');
    const unconfirmed = await postForm(op, path, `${path}/exclusions`, { bidId: d, excludeReason: '未按招标文件提供资格证明' });
    expect(fieldErrorIn(unconfirmed.text, 'confirmExclude')).to.equal('请勾选确认后再提交。');
    expect(await dbState(t)).to.equal(before);
    const ok = await postForm(op, path, `${path}/exclusions`, { bidId: d, excludeReason: '未按招标文件提供资格证明', confirmExclude: 'yes' });
    expect(ok.status).to.equal(303);
    const after = await op.get(`${path}?done=excluded`);
    const ranked = /<table id="ranking"[\s\S]*?<\/table>/.exec(after.text)![0];
    expect(ranked).to.not.contain('丁评标有限公司');
    const out = /<table id="excluded"[\s\S]*?<\/table>/.exec(after.text)![0];
    expect(out).to.contain('丁评标有限公司').and.to.contain('评标委员会否决：未按招标文件提供资格证明');
    const again = await postForm(op, path, `${path}/exclusions`, { bidId: d, excludeReason: '再次', confirmExclude: 'yes' });
    expect(again.status).to.equal(409); // once per bid
    expect(formProblemIn(again.text)).to.equal('该操作与现有记录冲突。');
    // The concluded result keeps the exclusion and its reason.
    expect((await postForm(op, path, `${path}/publicity`, { confirm: 'yes' })).status).to.equal(303);
    const published = (await t.req().get(`/api/sections/${lowest.id}/evaluation`)).body.evaluation;
    expect(published.exclusions).to.have.length(1);
    expect(published.result.excluded.find((x: any) => x.bidId === d).cause).to.deep.equal({ code: 'excluded_by_committee', message: '未按招标文件提供资格证明' });
    // Two responsive bids remain, fewer than the procurement centre's three (87 §43): the exclusion counts, and the section fails.
    expect(published.result).to.include({ outcome: 'failed', rule: 'minResponsiveBids', responsiveCount: 2 });
  });

  it('re-tenders a failed section only when confirmed, going on to the new draft', async () => {
    t.clock.set(T0 + HOUR);
    await placeBid(t, lonely, A, '900000.00');
    t.clock.set(lonely.deadline);
    await t.services.lifecycle.advanceDue();
    await t.services.opening.openDue();
    expect(await stateOf(t, lonely.id)).to.equal('failed');
    const path = `/staff/sections/${lonely.id}/award`;
    const page = await op.get(path);
    expect(page.text).to.contain('id="retender-form"').and.to.contain('…-R2');
    const before = await dbState(t);
    const unconfirmed = await postForm(op, path, `${path}/retender`, { bidOpensAt: '', clarificationDeadlineAt: '', bidDeadlineAt: '' });
    expect(unconfirmed.status).to.equal(422);
    expect(fieldErrorIn(unconfirmed.text, 'confirm')).to.equal('请勾选确认后再提交。');
    const badTime = await postForm(op, path, `${path}/retender`, { bidDeadlineAt: '明天', confirm: 'yes' });
    expect(badTime.status).to.equal(422);
    expect(fieldErrorIn(badTime.text, 'bidDeadlineAt')).to.equal('请按 YYYY-MM-DD HH:mm 填写一个存在的时间。');
    expect(badTime.text).to.contain('value="明天"');
    expect(await dbState(t)).to.equal(before);
    const ok = await postForm(op, path, `${path}/retender`, { bidOpensAt: '', clarificationDeadlineAt: '', bidDeadlineAt: '', confirm: 'yes' });
    expect(ok.status).to.equal(303);
    const next = (await t.tdb.db.knex('sections').where({ previous_section_id: lonely.id }).first()) as any;
    expect(next.state).to.equal('draft');
    expect(String(next.code)).to.match(/-R2$/);
    expect(ok.headers.location).to.equal(`/staff/sections/${next.id}?retendered=${lonely.id}`);
    // Once is all: a second round of the same section is refused on the page.
    const again = await postForm(op, path, `${path}/retender`, { confirm: 'yes' });
    expect(again.status).to.equal(409);
  });

  describe('historical import', () => {
    const header = 'centre,code,title,reference_price,award_amount,award_date';
    const upload = async (agent: Agent, csv: string | null, lang = '') => {
      const page = await agent.get(`/staff/imports${lang}`);
      const req = agent.post(`/staff/imports${lang}`).field('_csrf', formTokenIn(page.text));
      return csv === null ? req.field('note', 'no file') : req.attach('csv', Buffer.from(csv, 'utf8'), 'history.csv');
    };
    const imported = async () => Number((await t.tdb.db.knex('imported_results').count({ n: '*' }))[0]!.n);

    it('lists every row error with its line number and stores nothing', async () => {
      const before = await dbState(t);
      const csv = [
        header,
        'procurement,HIST-2019-001,旧项目一,1000000.00,900000.00,2019-05-01',
        'procurement,HIST-2019-002,旧项目二,abc,900000.00,2019-05-02',
        'nowhere,HIST-2019-003,旧项目三,1000000.00,900000.00,2019-13-01',
      ].join('\n');
      const res = await upload(op, csv);
      expect(res.status).to.equal(422);
      expect(fieldErrorIn(res.text, 'csv')).to.equal('文件中有 3 处错误，未导入任何一行；每处错误及其行号列在下方。');
      const lines = [...res.text.matchAll(/<tr data-line="(\d+)">/g)].map((m) => Number(m[1]));
      expect(lines).to.deep.equal([3, 4, 4]);
      expect(res.text).to.contain('“abc”不是元金额（最多两位小数）。').and.to.contain('“nowhere”不是交易中心代码').and.to.contain('“2019-13-01”不是 YYYY-MM-DD 格式的日期。');
      expect(await imported()).to.equal(0);
      expect(await dbState(t)).to.equal(before);
      const en = await upload(op, csv, '?lang=en');
      expect(en.text).to.contain('The file has 3 errors; nothing was imported.');
    });

    it('says every row and header problem in the page’s language: no English sentence on the zh page', async () => {
      const problemsIn = (page: string) => [...page.matchAll(/<tr data-line="\d+"><td class="num line">\d+<\/td><td><code>[^<]*<\/code><\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => m[1]!);
      /** Two English words in a row: a sentence the page did not translate. */
      const english = /[A-Za-z]{2,}[ ,.:;]+(?:a |an |the )?[A-Za-z]{2,}/;
      const rows = [
        `${header},reference_kind`,
        'procurement,H-1,旧一,abc,0,2019-13-01,',
        'nowhere,H-2,旧二,100.00,90.00,2019-05-01,',
        'procurement,H-1,旧三,100.00,90.00,2999-01-01,',
        'procurement,,旧四,100.00,90.00,2019-05-01,',
        'procurement,H-5,,100.00,90.00,2019-05-01,',
        'procurement,H-6,旧六,100.00,90.00',
        'procurement,H-8,旧八,100.00,90.00,2019-05-01,moon',
      ].join('\n');
      const headerBad = 'centre,code,title,reference_price,award_amount,colour,colour\nprocurement,H-9,旧九,1.00,1.00,x,y';
      for (const csv of [rows, headerBad]) {
        const res = await upload(op, csv);
        expect(res.status).to.equal(422);
        const said = problemsIn(res.text);
        expect(said.length, res.text.slice(0, 200)).to.be.greaterThan(3);
        for (const p of said) expect(p, p).to.not.match(english);
        const en = problemsIn((await upload(op, csv, '?lang=en')).text);
        expect(en).to.have.length(said.length);
        for (const p of en) expect(p, p).to.match(english); // the same problems, in English there
      }
      const zh = problemsIn((await upload(op, rows)).text);
      expect(zh).to.include.members([
        '“abc”不是元金额（最多两位小数）。',
        '金额须大于零。',
        '“nowhere”不是交易中心代码；请使用 procurement、construction、land 或 property。',
        '编号“H-1”已在第 2 行出现；每个编号只导入一次。',
        '日期 2999-01-01 晚于今天。',
        '编号须为 1 至 48 个字符。',
        '名称须为 1 至 200 个字符。',
        '该行有 5 个字段，表头有 7 个。',
        '“moon”不是该交易中心的参考价类型；可用：budget。',
      ]);
      expect(await imported()).to.equal(0);
    });

    it('refuses a missing file, a file that is not UTF-8 and another centre’s rows, storing nothing', async () => {
      const before = await dbState(t);
      const none = await upload(op, null);
      expect(none.status).to.equal(422);
      expect(fieldErrorIn(none.text, 'csv')).to.equal('请选择一个 CSV 文件。');
      const page = await op.get('/staff/imports');
      const latin = await op
        .post('/staff/imports')
        .field('_csrf', formTokenIn(page.text))
        .attach('csv', Buffer.from([0x63, 0x65, 0x6e, 0xff, 0xfe, 0x0a]), 'bad.csv');
      expect(latin.status).to.equal(422);
      expect(fieldErrorIn(latin.text, 'csv')).to.contain('UTF-8');
      const land = await upload(op, [header, 'land,HIST-LAND-001,旧地块,5000000.00,6000000.00,2019-05-01'].join('\n'));
      expect(land.status).to.equal(403);
      expect(fieldErrorIn(land.text, 'csv')).to.equal('您的账户无权进行此操作。');
      const noToken = await op.post('/staff/imports').attach('csv', Buffer.from(`${header}\n`), 'x.csv');
      expect(noToken.status).to.equal(403);
      expect(fieldErrorIn(noToken.text, 'csv')).to.contain('表单已过期');
      expect(await dbState(t)).to.equal(before);
    });

    it('imports a valid file and shows what was imported', async () => {
      const csv = ['\ufeff' + header, 'procurement,HIST-2018-001,旧项目甲,"1,000,000.00",850000.00,2018-06-01', 'construction,HIST-2018-002,旧工程乙,2000000.00,1800000.50,2018-07-15'].join('\r\n');
      const bad = await upload(op, csv);
      expect(bad.status, 'thousands separators are refused').to.equal(422);
      const good = csv.replace('"1,000,000.00"', '1000000.00');
      const res = await upload(op, good);
      expect(res.status, res.text.slice(0, 800)).to.equal(303);
      expect(res.headers.location).to.match(/^\/staff\/imports\?imported=[0-9A-Z]{26}$/);
      const page = await op.get(res.headers.location);
      expect(page.text).to.contain('导入成功：2 行').and.to.contain('HIST-2018-001').and.to.contain('1,800,000.50 元').and.to.contain('2018-07-15');
      expect(await imported()).to.equal(2);
      const rates = await t.req().get('/api/reports/rates?from=2018-01-01&to=2018-12-31');
      expect(JSON.stringify(rates.body)).to.contain('HIST-2018-002');
    });
  });
});
