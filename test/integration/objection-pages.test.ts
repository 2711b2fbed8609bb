// Objections in the browser without JavaScript: at the opening hall (TBLS 44) while the section is
// opening or opened, and on the section page during the candidate publicity (TBLS 54). Who sees the
// form, what each refusal says at the field in the page's language, CSRF, and that the page lists
// exactly what the public API lists.
import { expect } from 'chai';
import type supertest from 'supertest';
import { DAY, HOUR } from '../../modules/core/clock';
import { approvedBidder, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { ok } from '../support/http';
import { browserAgent, fieldErrorIn, formProblemIn, formTokenIn, postForm, printPageTimings, timePage } from '../support/pages';
import { createTestApp, T0, type TestApp, type TestUser } from '../support/test-app';

async function signIn(t: TestApp, user: TestUser, lang = '') {
  const agent = browserAgent(t);
  const res = await postForm(agent, `/login${lang}`, `/login${lang}`, { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

/** Posts an objection form with the token of a page the agent already reads (the header's sign-out form has one). */
async function object(agent: supertest.Agent, tokenPage: string, action: string, text: string) {
  const token = formTokenIn((await agent.get(tokenPage)).text);
  return agent.post(action).type('form').send({ _csrf: token, text });
}

const hasForm = (html: string, id: string) => html.includes(`id="${id}-form"`);

describe('objection pages: at the opening hall and during the candidate publicity', function () {
  this.timeout(120_000);
  let t: TestApp;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  let D: Bidder;
  let s: PublishedSection;
  let hall: string;
  let page: string;
  let hallPost: string;
  let sectionPost: string;

  before(async () => {
    t = await createTestApp();
    A = await approvedBidder(t, '甲异议建设有限公司', 'obj-bidder');
    B = await approvedBidder(t, '乙异议科技有限公司', 'obj-bidder');
    C = await approvedBidder(t, '丙异议工程有限公司', 'obj-bidder');
    D = await approvedBidder(t, '丁未投标贸易有限公司', 'obj-bidder');
    s = await publishedSection(t);
    hall = `/sections/${s.id}/hall`;
    page = `/sections/${s.id}`;
    hallPost = `${hall}/objections`;
    sectionPost = `/sections/${s.id}/objections`;
  });
  after(async () => {
    printPageTimings();
    await t.close();
  });

  describe('at the opening hall', () => {
    it('before the deadline: no objections block, and a post is refused at the field (not yet)', async () => {
      await bidBeforeDeadline();
      const agent = await signIn(t, A.user);
      const before = await agent.get(hall);
      expect(before.status).to.equal(200);
      // Only the block the hall's script shows when the window opens: hidden until then.
      expect(before.text.replace(/<div id="objections-later" hidden>[\s\S]*?<\/section><\/div>/, '')).not.to.contain('id="opening-objections"');
      const res = await object(agent, hall, hallPost, '开标前的异议');
      expect(res.status).to.equal(409);
      expect(fieldErrorIn(res.text, 'text')).to.equal('当前状态下不能进行此操作。');
      expect((await t.req().get(`/api/sections/${s.id}/opening-objections`)).body.objections).to.deep.equal([]);
    });

    it('once opened: a bidder of the section sees the form in zh-CN and English', async () => {
      await openNow();
      const agent = await signIn(t, A.user);
      const zh = await agent.get(hall);
      expect(zh.status).to.equal(200);
      expect(hasForm(zh.text, 'opening-objections')).to.equal(true);
      expect(zh.text).to.contain('<label for="f-text">异议内容').and.to.contain('maxlength="2000"').and.to.contain(`action="${hallPost}"`);
      expect(zh.text).to.contain('id="opening-objections-none"');
      const en = await agent.get(`${hall}?lang=en`);
      expect(en.text).to.contain('<label for="f-text">Your objection').and.to.contain(`action="${hallPost}?lang=en"`).and.to.contain('>Raise the objection</button>');
      await timePage(agent, 'hall with the objection form', hall);
    });

    it('anonymous visitors and other organisations see no form; their posts are refused at the field', async () => {
      const anon = browserAgent(t);
      const seen = await anon.get(hall);
      expect(hasForm(seen.text, 'opening-objections')).to.equal(false);
      expect(seen.text).to.contain('id="opening-objections-login"');
      const anonPost = await object(anon, '/login', hallPost, '匿名异议');
      expect(anonPost.status).to.equal(401);
      expect(fieldErrorIn(anonPost.text, 'text')).to.equal('请先登录。');
      expect(anonPost.text).to.contain('匿名异议'); // the text is kept for after signing in

      const other = await signIn(t, D.user);
      const page2 = await other.get(hall);
      expect(hasForm(page2.text, 'opening-objections')).to.equal(false);
      expect(page2.text).not.to.contain('id="opening-objections-login"');
      const otherPost = await object(other, hall, hallPost, '未投标单位的异议');
      expect(otherPost.status).to.equal(403);
      expect(fieldErrorIn(otherPost.text, 'text')).to.equal('您的账户无权进行此操作。');
      const en = await other.get(`${hall}?lang=en`);
      const enPost = await other
        .post(`${hallPost}?lang=en`)
        .type('form')
        .send({ _csrf: formTokenIn(en.text), text: 'x' });
      expect(fieldErrorIn(enPost.text, 'text')).to.equal('Only bidders of this section may raise objections at its opening.');

      // Staff have no form either: the operator answers objections, does not raise them.
      const op = await signIn(t, t.users.opProc);
      expect(hasForm((await op.get(hall)).text, 'opening-objections')).to.equal(false);
      expect((await t.req().get(`/api/sections/${s.id}/opening-objections`)).body.objections).to.deep.equal([]);
    });

    it('bad input: empty, too long, invisible characters, no token, another site, a body over the limit', async () => {
      const agent = await signIn(t, A.user);
      const empty = await object(agent, hall, hallPost, '  \r\n ');
      expect(empty.status).to.equal(422);
      expect(fieldErrorIn(empty.text, 'text')).to.equal('请填写异议内容。');
      expect(empty.text).to.contain('aria-invalid="true"').and.to.contain('id="error-summary"');
      const long = await object(agent, hall, hallPost, '异'.repeat(2001));
      expect(long.status).to.equal(422);
      expect(fieldErrorIn(long.text, 'text')).to.equal('异议内容最多 2000 字，现为 2001 字。');
      const bidi = await object(agent, hall, hallPost, '价格\u202E有误');
      expect(bidi.status).to.equal(422);
      expect(fieldErrorIn(bidi.text, 'text')).to.contain('不可见的控制字符');

      const noToken = await agent.post(hallPost).type('form').send({ text: '没有令牌的异议' });
      expect(noToken.status).to.equal(403);
      expect(formProblemIn(noToken.text)).to.contain('表单已过期或不是从本平台页面提交的');
      expect(noToken.text).to.contain('没有令牌的异议');

      const token = formTokenIn((await agent.get(hall)).text);
      const crossSite = await agent.post(hallPost).set('Origin', 'https://evil.example').type('form').send({ _csrf: token, text: '跨站异议' });
      expect(crossSite.status).to.equal(403);
      expect(crossSite.text).to.contain('来自其他网站的请求不能在本平台进行任何更改。');

      const huge = await agent
        .post(hallPost)
        .type('form')
        .send({ _csrf: token, text: '异'.repeat(30_000) });
      expect(huge.status).to.equal(413);
      expect(formProblemIn(huge.text)).to.equal('提交的内容太大。');
      expect((await t.req().get(`/api/sections/${s.id}/opening-objections`)).body.objections).to.deep.equal([]);
    });

    it('a bidder raises one (303, then a notice), sees the answer there; others see it as the API shows the public', async () => {
      const agent = await signIn(t, A.user);
      const res = await object(agent, hall, hallPost, '第 2 号投标文件的解密时间\n与开标记录不符。');
      expect(res.status, res.text.slice(0, 300)).to.equal(303);
      expect(res.headers.location).to.equal(`${hall}?objection=raised`);
      const after = await agent.get(res.headers.location);
      expect(after.text).to.contain('id="opening-objections-raised"').and.to.contain('您的异议已提交');
      expect(after.text).to.contain('class="mine"').and.to.contain('本单位提出').and.to.contain('待答复');
      expect(after.text).to.contain('第 2 号投标文件的解密时间\n与开标记录不符。');

      const api = (await t.req().get(`/api/sections/${s.id}/opening-objections`)).body.objections;
      expect(api).to.have.length(1);
      expect(api[0].text).to.equal('第 2 号投标文件的解密时间\n与开标记录不符。');
      ok(await t.req(t.users.opProc).post(`/api/sections/${s.id}/opening-objections/${api[0].id}/answer`).send({ answer: '经核对，解密时间以开标日志为准。' }));

      const answered = await agent.get(hall);
      expect(answered.text).to.contain('经核对，解密时间以开标日志为准。').and.not.to.contain('待答复');
      // Another bidder and the public see what GET …/opening-objections shows them: the text and the answer, never who raised it.
      for (const viewer of [await signIn(t, B.user), browserAgent(t)]) {
        const seen = await viewer.get(hall);
        expect(seen.text).to.contain('第 2 号投标文件的解密时间').and.to.contain('经核对').and.to.contain('投标人提出');
        expect(seen.text).not.to.contain('class="mine"').and.not.to.contain(A.orgId);
      }
      // English: the same objection, the English labels.
      const en = await agent.get(`${hall}?lang=en`);
      expect(en.text).to.contain('Raised by your organisation').and.to.contain('>Answer</strong>');
    });

    it('after the evaluation starts: the list stays, the form goes, a post is refused', async () => {
      ok(await t.req(t.users.opProc).post(`/api/sections/${s.id}/evaluation/start`));
      const agent = await signIn(t, A.user);
      const seen = await agent.get(hall);
      expect(hasForm(seen.text, 'opening-objections')).to.equal(false);
      expect(seen.text).to.contain('经核对，解密时间以开标日志为准。');
      const late = await object(agent, hall, hallPost, '评标开始后的异议');
      expect(late.status).to.equal(409);
      expect(fieldErrorIn(late.text, 'text')).to.equal('当前状态下不能进行此操作。');
    });
  });

  describe('on the section page during the candidate publicity', () => {
    it('no block before the publicity; a post is refused with publicity_over in the page language', async () => {
      const agent = await signIn(t, A.user);
      expect((await agent.get(page)).text).not.to.contain('id="publicity-objections"');
      const early = await object(agent, page, sectionPost, '公示前的异议');
      expect(early.status).to.equal(409);
      expect(fieldErrorIn(early.text, 'text')).to.equal('中标候选人公示期已结束（或尚未开始），不能再对候选人提出异议。');
    });

    it('during the publicity: the form for bidders of the section only; refusals at the field', async () => {
      ok(await t.req(t.users.opProc).post(`/api/sections/${s.id}/evaluation/publicity`));
      const agent = await signIn(t, B.user);
      const seen = await agent.get(page);
      expect(hasForm(seen.text, 'publicity-objections')).to.equal(true);
      expect(seen.text).to.contain('公示期至').and.to.contain(`action="${sectionPost}"`);
      await timePage(agent, 'section page with the objection form', page);

      const anon = browserAgent(t);
      const anonPage = await anon.get(page);
      expect(hasForm(anonPage.text, 'publicity-objections')).to.equal(false);
      expect(anonPage.text).to.contain('id="publicity-objections-login"');
      expect((await object(anon, '/login', sectionPost, 'x')).status).to.equal(401);

      const other = await signIn(t, D.user);
      expect(hasForm((await other.get(page)).text, 'publicity-objections')).to.equal(false);
      const refused = await object(other, page, sectionPost, '未投标单位的质疑');
      expect(refused.status).to.equal(403);
      expect(fieldErrorIn(refused.text, 'text')).to.equal('您的账户无权进行此操作。');

      const empty = await object(agent, page, sectionPost, '');
      expect(empty.status).to.equal(422);
      expect(fieldErrorIn(empty.text, 'text')).to.equal('请填写异议内容。');
      const noToken = await agent.post(sectionPost).type('form').send({ text: 'x' });
      expect(noToken.status).to.equal(403);
      const token = formTokenIn(seen.text);
      expect((await agent.post(sectionPost).set('Origin', 'https://evil.example').type('form').send({ _csrf: token, text: 'x' })).status).to.equal(403);
      expect((await t.req().get(`/api/sections/${s.id}/evaluation`)).body.evaluation.objections).to.deep.equal([]);
    });

    it('a bidder objects to the candidates, and sees the answer on the section page', async () => {
      const agent = await signIn(t, B.user);
      const res = await object(agent, `${page}?lang=en`, `${sectionPost}?lang=en`, '第一名的业绩证明存疑。');
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`${page}?objection=raised&lang=en`);
      const after = await agent.get(res.headers.location);
      expect(after.text).to.contain('id="publicity-objections-raised"').and.to.contain('Raised by your organisation').and.to.contain('第一名的业绩证明存疑。');
      const api = (await t.req().get(`/api/sections/${s.id}/evaluation`)).body.evaluation.objections;
      expect(api.map((o: { text: string }) => o.text)).to.deep.equal(['第一名的业绩证明存疑。']);
      ok(await t.req(t.users.opProc).post(`/api/sections/${s.id}/evaluation/objections/${api[0].id}/answer`).send({ answer: '经核查，业绩证明真实有效。' }));
      expect((await agent.get(page)).text).to.contain('经核查，业绩证明真实有效。');
      const pub = await browserAgent(t).get(page);
      expect(pub.text).to.contain('第一名的业绩证明存疑。').and.to.contain('经核查，业绩证明真实有效。').and.not.to.contain('class="mine"');
    });

    it('after the publicity: no form, the list stays, a post is refused in the page language', async () => {
      t.clock.set(s.deadline + 3 * DAY + 1);
      const agent = await signIn(t, C.user);
      const seen = await agent.get(page);
      expect(hasForm(seen.text, 'publicity-objections')).to.equal(false);
      expect(seen.text).to.contain('经核查，业绩证明真实有效。');
      const late = await object(agent, page, sectionPost, '迟到的质疑');
      expect(late.status).to.equal(409);
      expect(fieldErrorIn(late.text, 'text')).to.equal('中标候选人公示期已结束（或尚未开始），不能再对候选人提出异议。');
      const en = await agent.get(`${page}?lang=en`);
      const lateEn = await agent
        .post(`${sectionPost}?lang=en`)
        .type('form')
        .send({ _csrf: formTokenIn(en.text), text: 'late' });
      expect(fieldErrorIn(lateEn.text, 'text')).to.match(/^Objections to the candidates are filed during the candidate publicity only/);
    });
  });

  /** Three bidders (A, B, C) bid before the deadline; D has none. */
  async function bidBeforeDeadline() {
    for (const [i, [b, amount]] of (
      [
        [A, '900000.00'],
        [B, '850000.00'],
        [C, '950000.00'],
      ] as const
    ).entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      await placeBid(t, s, b, amount);
    }
  }
  /** The deadline passes and the section opens. */
  async function openNow() {
    t.clock.set(s.deadline);
    await t.services.lifecycle.advanceDue();
    expect(await t.services.opening.openDue()).to.deep.include({ id: s.id, outcome: 'opened' });
  }
});
