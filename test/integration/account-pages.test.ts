// The sign-in, sign-out, account, password and registration pages over HTTP, as a browser without
// JavaScript uses them (cookies kept, urlencoded form posts with the form token): the answers, the
// messages in the page's language, the budgets shared with the API, CSRF refusals, open redirects.
import { expect } from 'chai';
import supertest from 'supertest';
import { creditCodeCheckChar } from '../../modules/orgs/credit-code';
import { safeNext } from '../../server/pages/safe-next';
import { publishedSection } from '../support/bidding';
import { browserAgent, fieldErrorIn, formProblemIn, formTokenIn, postForm, printPageTimings, timePage } from '../support/pages';
import { createTestApp, makeCreditCode, type TestApp, type TestUser } from '../support/test-app';

const sidOf = (res: supertest.Response): string | null => {
  const c = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((x) => x.startsWith('etender.sid='));
  return c ? c.split(';')[0]! : null;
};

async function signIn(t: TestApp, user: TestUser, lang = '') {
  const agent = browserAgent(t);
  const res = await postForm(agent, `/login${lang}`, `/login${lang}`, { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 500)).to.equal(303);
  return { agent, res };
}

function registration(overrides: Record<string, string> = {}) {
  const username = `rep-${Math.random().toString(36).slice(2, 8)}`;
  return {
    name: '丁软件有限公司',
    creditCode: makeCreditCode(),
    contactName: '赵六',
    contactPhone: '0551-5550100',
    contactEmail: '',
    address: '',
    displayName: '赵六',
    username,
    password: 'pw-register-0123456789',
    repeatPassword: 'pw-register-0123456789',
    ...overrides,
  };
}

describe('account pages: sign in, sign out, password, registration', () => {
  let t: TestApp;

  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    printPageTimings();
    await t.close();
  });

  describe('sign in', () => {
    it('GET /login: a form with labels and a token, in zh-CN, and in English with ?lang=en', async () => {
      const agent = browserAgent(t);
      const zh = await agent.get('/login');
      expect(zh.status).to.equal(200);
      expect(zh.headers['content-type']).to.match(/^text\/html/);
      expect(zh.headers['content-security-policy']).to.contain("script-src 'self'");
      expect(zh.text).to.contain('<html lang="zh-CN">').and.to.contain('<label for="f-username">用户名').and.to.contain('<label for="f-password">密码');
      expect(formTokenIn(zh.text)).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(([] as string[]).concat(zh.headers['set-cookie'] ?? []).some((c) => /^etender\.csrf=.*HttpOnly.*SameSite=Lax/i.test(c))).to.equal(true);
      const en = await agent.get('/login?lang=en');
      expect(en.text).to.contain('<html lang="en">').and.to.contain('>Sign in</button>').and.to.contain('action="/login?lang=en"');
    });

    it('the right password → 303 to /account with a new session; the header then shows who is signed in', async () => {
      const { agent, res } = await signIn(t, t.users.bidderA);
      expect(res.headers.location).to.equal('/account');
      expect(sidOf(res)).to.be.a('string');
      const page = await agent.get('/');
      expect(page.text).to.contain('id="who-name">bidder-a<').and.to.contain('id="who-org">甲建设有限公司<').and.to.contain('id="who-role">投标单位代表<');
      expect(page.text).to.contain('href="/account/bids"').and.to.contain('href="/account/keys"').and.to.contain('id="logout-button"');
      // The public content is still what the public sees: no bidder-only data on the home page.
      expect(page.text).to.contain('id="open-sections"');
    });

    it('the section page in bidding: a bidder of an approved organisation gets the way to the sealing page, a visitor a sign-in link, staff nothing', async () => {
      const section = await publishedSection(t, { title: '投标入口测试' });
      const bidPath = `/sections/${section.id}/bid`;
      const { agent } = await signIn(t, t.users.bidderA);
      const bidder = await agent.get(`/sections/${section.id}`);
      expect(bidder.status).to.equal(200);
      expect(bidder.text).to.contain(`<a class="button" id="section-bid-link" href="${bidPath}">投标</a>`);
      const en = await agent.get(`/sections/${section.id}?lang=en`);
      expect(en.text).to.contain(`id="section-bid-link" href="${bidPath}?lang=en">Submit a bid</a>`);
      const visitor = await supertest(t.app).get(`/sections/${section.id}`);
      expect(visitor.text).to.contain(`id="section-bid-link" href="/login?next=${encodeURIComponent(bidPath)}">登录后投标</a>`);
      const visitorEn = await supertest(t.app).get(`/sections/${section.id}?lang=en`);
      expect(visitorEn.text).to.contain(`id="section-bid-link" href="/login?next=${encodeURIComponent(bidPath)}&amp;lang=en">Sign in to bid</a>`);
      const { agent: staff } = await signIn(t, t.users.opProc);
      expect((await staff.get(`/sections/${section.id}`)).text)
        .to.contain('id="who-role"')
        .and.not.to.contain('id="section-bid-link"');
    });

    it('a signed-in bidder seals on /bid with their session: no token field, the form says so; anonymous visitors still give a token', async () => {
      const { agent } = await signIn(t, t.users.bidderA);
      const mine = await agent.get('/bid');
      expect(mine.status).to.equal(200);
      expect(mine.text)
        .to.match(/<form id="bid-form"[^>]* data-session="1"/)
        .and.not.to.contain('id="token"');
      const anonymous = await supertest(t.app).get('/bid');
      expect(anonymous.text).to.contain('id="token"').and.not.to.contain('data-session="1"');
      // Staff signed in are not bidders: the token field stays.
      const { agent: staff } = await signIn(t, t.users.opProc);
      expect((await staff.get('/bid')).text).to.contain('id="token"');
    });

    it('signing in again gives another session id, and the old one is gone', async () => {
      const { agent, res } = await signIn(t, t.users.bidderB);
      const first = sidOf(res)!;
      const again = await postForm(agent, '/account', '/login', { username: t.users.bidderB.username, password: t.users.bidderB.password });
      expect(again.status).to.equal(303);
      const second = sidOf(again)!;
      expect(second).to.not.equal(first);
      const old = await supertest(t.app).get('/account').set('Cookie', first);
      expect(old.status).to.equal(303);
      expect(old.headers.location).to.equal('/login?next=%2Faccount');
    });

    it('a wrong password and an unknown user get the same answer (401, one message, nothing to tell them apart)', async () => {
      const wrong = await postForm(browserAgent(t), '/login', '/login', { username: t.users.bidderA.username, password: 'not-the-password-123' });
      const unknown = await postForm(browserAgent(t), '/login', '/login', { username: 'no-such-user-here', password: 'not-the-password-123' });
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(formProblemIn(wrong.text)).to.equal('用户名或密码不正确，或该账户已停用。');
      expect(formProblemIn(unknown.text)).to.equal(formProblemIn(wrong.text));
      // The summary takes the focus for keyboard and screen-reader users; the username is kept, the password never.
      expect(wrong.text).to.contain('role="alert" tabindex="-1" autofocus');
      expect(wrong.text).to.contain(`value="${t.users.bidderA.username}"`).and.not.to.contain('not-the-password-123');
      const en = await postForm(browserAgent(t), '/login?lang=en', '/login?lang=en', { username: 'no-such-user-here', password: 'x' });
      expect(formProblemIn(en.text)).to.equal('The username or password is wrong, or the account is disabled.');
    });

    it('empty fields → 400 with the problem at each field', async () => {
      const res = await postForm(browserAgent(t), '/login', '/login', { username: '', password: '' });
      expect(res.status).to.equal(400);
      expect(fieldErrorIn(res.text, 'username')).to.equal('请填写此项。');
      expect(fieldErrorIn(res.text, 'password')).to.equal('请填写此项。');
      expect(res.text).to.contain('aria-invalid="true"').and.to.contain('aria-describedby="f-username-error"');
    });

    it('goes on to a local `next`, and never to another site (no open redirect)', async () => {
      const agent = browserAgent(t);
      const ok = await postForm(agent, '/login?next=%2Freports', '/login', { username: t.users.auditor.username, password: t.users.auditor.password, next: '/reports?from=2026-01-01' });
      expect(ok.headers.location).to.equal('/reports?from=2026-01-01');
      for (const next of [
        '//evil.example/',
        'https://evil.example/',
        '/\\evil.example',
        '\\\\evil.example',
        'javascript:alert(1)',
        '/\r\nSet-Cookie:x=1',
        '/\t/evil.example',
        'evil.example',
        '/login',
      ]) {
        const res = await postForm(browserAgent(t), '/login', '/login', { username: t.users.auditor.username, password: t.users.auditor.password, next });
        expect(res.status, next).to.equal(303);
        expect(res.headers.location, next).to.equal('/account');
      }
      expect(safeNext('/sections/abc?lang=en#x')).to.equal('/sections/abc?lang=en#x');
      expect(safeNext('/%2F%2Fevil.example')).to.equal('/%2F%2Fevil.example');
      expect(safeNext('/\u0000')).to.equal(null);
    });

    it('a signed-in visitor opening /login goes on to the account page', async () => {
      const { agent } = await signIn(t, t.users.custodian);
      const res = await agent.get('/login');
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/account');
      const home = await agent.get('/');
      expect(home.text).to.contain('href="/account/custody"').and.to.contain('id="who-role">开标密钥保管人<').and.not.to.contain('href="/account/bids"');
    });
  });

  describe('budgets shared with the API: wrong passwords and registrations', () => {
    let limited: TestApp;
    before(async () => {
      limited = await createTestApp({ loginAttemptsPer15Min: 2, loginFailuresPerAddressPer15Min: 100, orgRegistrationsPerHour: 2 });
    });
    after(async () => limited.close());

    it('after the budget, the page says how long to wait, in its language, even for the right password', async () => {
      const user = limited.users.bidderA;
      // One wrong try through the API and one through the page: the same budget.
      expect((await supertest(limited.app).post('/api/auth/login').send({ username: user.username, password: 'wrong-password-1' })).status).to.equal(401);
      expect((await postForm(browserAgent(limited), '/login', '/login', { username: user.username, password: 'wrong-password-2' })).status).to.equal(401);
      const zh = await postForm(browserAgent(limited), '/login', '/login', { username: user.username, password: user.password });
      expect(zh.status).to.equal(429);
      expect(formProblemIn(zh.text)).to.equal('密码错误次数过多，请15 分钟后再试。');
      expect(zh.text).to.contain(`value="${user.username}"`);
      const en = await postForm(browserAgent(limited), '/login?lang=en', '/login?lang=en', { username: user.username, password: user.password });
      expect(formProblemIn(en.text)).to.equal('Too many wrong passwords; wait 15 minutes and try again.');
      limited.clock.advance(15 * 60_000 + 1000);
      expect((await postForm(browserAgent(limited), '/login', '/login', { username: user.username, password: user.password })).status).to.equal(303);
    });

    it('registrations: the limit of the address shows as a readable message with the wait', async () => {
      const agent = browserAgent(limited);
      expect((await postForm(agent, '/register', '/register', registration())).status).to.equal(303);
      expect((await supertest(limited.app).post('/api/orgs').send({ name: 'x' })).status).to.equal(422);
      const res = await postForm(browserAgent(limited), '/register', '/register', registration());
      expect(res.status).to.equal(429);
      expect(formProblemIn(res.text)).to.match(/^来自您所在网络地址的单位注册过多，请\d+ 分钟后再试，或联系交易中心。$/);
      expect(res.text).to.contain('value="丁软件有限公司"');
    });
  });

  describe('CSRF: a form post needs the token and our origin', () => {
    it('a cross-site post carrying the session cookie is refused (Origin of another site), and the session lives on', async () => {
      const { agent } = await signIn(t, t.users.supervisor);
      const token = formTokenIn((await agent.get('/account')).text);
      const res = await agent.post('/logout').set('Origin', 'https://evil.example').type('form').send({ _csrf: token });
      expect(res.status).to.equal(403);
      expect(res.headers['content-type']).to.match(/^text\/html/);
      expect(res.text).to.contain('来自其他网站的请求不能在本平台进行任何更改。');
      expect((await agent.get('/account')).status).to.equal(200);
    });

    it('a post with no Origin and no token, a wrong token, or the token of another session is refused', async () => {
      const { agent } = await signIn(t, t.users.supervisor);
      const other = await signIn(t, t.users.auditor);
      const othersToken = formTokenIn((await other.agent.get('/account')).text);
      for (const body of [{}, { _csrf: 'x'.repeat(43) }, { _csrf: othersToken }]) {
        const res = await agent.post('/logout').type('form').send(body);
        expect(res.status, JSON.stringify(body)).to.equal(403);
        expect(res.text).to.contain('表单已过期或不是从本平台页面提交的');
      }
      const pw = await agent.post('/account/password').type('form').send({ currentPassword: t.users.supervisor.password, newPassword: 'a-new-password-123', repeatPassword: 'a-new-password-123' });
      expect(pw.status).to.equal(403);
      expect((await agent.get('/account')).status).to.equal(200);
      // A token rendered before signing in is worthless after it (the token is bound to the session).
      const anon = browserAgent(t);
      const before = formTokenIn((await anon.get('/login')).text);
      await postForm(anon, '/login', '/login', { username: t.users.auditor.username, password: t.users.auditor.password });
      expect((await anon.post('/logout').type('form').send({ _csrf: before })).status).to.equal(403);
    });

    it('a cross-site sign-in form (login CSRF) is refused too', async () => {
      const res = await supertest(t.app).post('/login').set('Origin', 'https://evil.example').type('form').send({ username: t.users.auditor.username, password: t.users.auditor.password });
      expect(res.status).to.equal(403);
      expect(sidOf(res)).to.equal(null);
      const noToken = await supertest(t.app).post('/login').type('form').send({ username: t.users.auditor.username, password: t.users.auditor.password });
      expect(noToken.status).to.equal(403);
      expect(sidOf(noToken)).to.equal(null);
    });
  });

  describe('sign out', () => {
    it('GET /logout asks to confirm; POST /logout ends the server session', async () => {
      const { agent, res } = await signIn(t, t.users.opProc);
      const sid = sidOf(res)!;
      const confirm = await agent.get('/logout');
      expect(confirm.text).to.contain('id="logout-confirm"');
      const out = await agent
        .post('/logout')
        .type('form')
        .send({ _csrf: formTokenIn(confirm.text) });
      expect(out.status).to.equal(303);
      expect(out.headers.location).to.equal('/login?out=1');
      expect((await agent.get('/login?out=1')).text).to.contain('您已退出登录。');
      // The old cookie replayed: the session is gone on the server, not just forgotten by the browser.
      expect((await supertest(t.app).get('/account').set('Cookie', sid)).status).to.equal(303);
      expect((await supertest(t.app).get('/api/me').set('Cookie', sid)).status).to.equal(401);
      expect((await browserAgent(t).get('/logout')).text).to.contain('您尚未登录。');
    });
  });

  describe('account and password', () => {
    it('/account without a session → 303 to sign in, and back afterwards (language kept)', async () => {
      const res = await browserAgent(t).get('/account/password?lang=en');
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/login?next=%2Faccount%2Fpassword&lang=en');
    });

    it('change password: mismatch, too short and wrong current password each say so at the field; then it works', async () => {
      const user = t.users.bidderB;
      const { agent } = await signIn(t, user);
      const other = await signIn(t, user);
      const mismatch = await postForm(agent, '/account/password', '/account/password', { currentPassword: user.password, newPassword: 'new-password-0001', repeatPassword: 'new-password-0002' });
      expect(mismatch.status).to.equal(422);
      expect(fieldErrorIn(mismatch.text, 'repeatPassword')).to.equal('两次输入的密码不一致。');
      const short = await postForm(agent, '/account/password?lang=en', '/account/password?lang=en', { currentPassword: user.password, newPassword: 'short', repeatPassword: 'short' });
      expect(fieldErrorIn(short.text, 'newPassword')).to.equal('The password needs at least 12 characters (at most 200).');
      const wrong = await postForm(agent, '/account/password', '/account/password', { currentPassword: 'not-my-password-1', newPassword: 'new-password-0001', repeatPassword: 'new-password-0001' });
      expect(wrong.status).to.equal(403);
      expect(fieldErrorIn(wrong.text, 'currentPassword')).to.equal('当前密码不正确。');
      const done = await postForm(agent, '/account/password', '/account/password', { currentPassword: user.password, newPassword: 'new-password-0001', repeatPassword: 'new-password-0001' });
      expect(done.status).to.equal(303);
      expect(done.headers.location).to.equal('/account');
      const account = await agent.get('/account');
      expect(account.text, /id="password-changed"[^<]*/.exec(account.text)?.[0]).to.match(
        /id="password-changed" role="status">密码已修改。 其他 [1-9]\d* 个会话已退出登录。 您仍有 1 个有效的 API 令牌/,
      );
      expect((await agent.get('/account')).text).to.not.contain('id="password-changed"');
      expect((await other.agent.get('/account')).status).to.equal(303);
      expect((await postForm(browserAgent(t), '/login', '/login', { username: user.username, password: user.password })).status).to.equal(401);
      expect((await postForm(browserAgent(t), '/login', '/login', { username: user.username, password: 'new-password-0001' })).status).to.equal(303);
      user.password = 'new-password-0001';
    });
  });

  describe('register an organisation', () => {
    it('GET /register: the form with its fieldsets, the script, and the credit-code words for it', async () => {
      const res = await browserAgent(t).get('/register');
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('<legend>单位信息</legend>').and.to.contain('src="/portal-static/register.js"').and.to.contain('data-credit-check="1"');
      const script = await supertest(t.app).get('/portal-static/register.js');
      expect(script.status).to.equal(200);
      expect(script.headers['content-type']).to.match(/javascript/);
    });

    it('registers, signs the representative in, and /account says "pending approval" until the API approves', async () => {
      const agent = browserAgent(t);
      const form = registration({ contactEmail: 'zhao@example.cn', address: '合肥市蜀山区' });
      const res = await postForm(agent, '/register', '/register', form);
      expect(res.status, res.text.slice(0, 800)).to.equal(303);
      expect(res.headers.location).to.equal('/account?registered=1');
      const pending = await agent.get('/account?registered=1');
      expect(pending.text).to.contain('注册已提交。').and.to.contain('data-status="pending">待审核<').and.to.contain('正在等待交易中心审核');
      expect(pending.text).to.contain('id="who-org">丁软件有限公司<');
      const orgs = await t.req(t.users.opProc).get('/api/orgs?status=pending');
      const org = orgs.body.organisations.find((o: { creditCode: string }) => o.creditCode === form.creditCode);
      expect(org.contactEmail).to.equal('zhao@example.cn');
      expect((await t.req(t.users.opProc).post(`/api/orgs/${org.id}/approve`).send({})).status).to.equal(200);
      const approved = await agent.get('/account?lang=en');
      expect(approved.text).to.contain('data-status="approved">approved<').and.to.contain('Your organisation is approved');
    });

    it('a duplicate credit code → 409 with the message at the field', async () => {
      const first = registration();
      expect((await postForm(browserAgent(t), '/register', '/register', first)).status).to.equal(303);
      const again = await postForm(browserAgent(t), '/register', '/register', registration({ creditCode: first.creditCode }));
      expect(again.status).to.equal(409);
      expect(fieldErrorIn(again.text, 'creditCode')).to.equal('该统一社会信用代码已经注册过。如需找回账户，请联系交易中心。');
      const taken = await postForm(browserAgent(t), '/register', '/register', registration({ username: first.username }));
      expect(taken.status).to.equal(409);
      expect(fieldErrorIn(taken.text, 'username')).to.equal(`用户名“${first.username}”已被使用，请换一个。`);
    });

    it('a wrong check character → 422 naming the expected character and why, in both languages', async () => {
      const good = makeCreditCode();
      const expected = good[17]!;
      const wrong = good.slice(0, 17) + (expected === '0' ? '1' : '0');
      const zh = await postForm(browserAgent(t), '/register', '/register', registration({ creditCode: wrong }));
      expect(zh.status).to.equal(422);
      expect(fieldErrorIn(zh.text, 'creditCode')).to.equal(
        `校验码不对：第 18 位是按 GB 32100-2015 由前 17 位加权求和（模 31）算出的校验码，按您填写的前 17 位应为“${expected}”，而不是“${wrong[17]}”。请检查是否有输错的字符。`,
      );
      expect(creditCodeCheckChar(wrong.slice(0, 17))).to.equal(expected);
      const en = await postForm(browserAgent(t), '/register?lang=en', '/register?lang=en', registration({ creditCode: wrong }));
      expect(fieldErrorIn(en.text, 'creditCode')).to.contain(`it must be "${expected}", not "${wrong[17]}"`);
      // The API says the same.
      const api = await supertest(t.app)
        .post('/api/orgs')
        .send({ name: '某公司', creditCode: wrong, contactName: 'x', contactPhone: '0551-1234567', representatives: [{ username: 'rep-api-x', displayName: 'x', password: 'pw-0123456789ab' }] });
      expect(api.status).to.equal(422);
      expect(JSON.stringify(api.body)).to.contain(`give \\"${expected}\\" as the 18th`);
    });

    it('every other bad field is named at its field; nothing is registered', async () => {
      const before = (await t.req(t.users.opProc).get('/api/orgs')).body.organisations.length;
      const res = await postForm(
        browserAgent(t),
        '/register',
        '/register',
        registration({ name: 'x', creditCode: '9134', contactName: '', contactPhone: 'call me', contactEmail: 'not-an-email', username: 'a b', password: 'short', repeatPassword: 'other' }),
      );
      expect(res.status).to.equal(422);
      expect(fieldErrorIn(res.text, 'name')).to.equal('请填写单位名称（2–200 个字符，单行）。');
      expect(fieldErrorIn(res.text, 'creditCode')).to.equal('统一社会信用代码须为 18 位，现在是 4 位。');
      expect(fieldErrorIn(res.text, 'contactName')).to.equal('请填写联系人姓名（1–100 个字符）。');
      expect(fieldErrorIn(res.text, 'contactPhone')).to.contain('电话号码');
      expect(fieldErrorIn(res.text, 'contactEmail')).to.contain('电子邮箱');
      expect(fieldErrorIn(res.text, 'username')).to.contain('3–64');
      expect(fieldErrorIn(res.text, 'password')).to.contain('12 个字符');
      expect(fieldErrorIn(res.text, 'repeatPassword')).to.equal('两次输入的密码不一致。');
      expect(res.text).to.contain('<a href="#f-creditCode">统一社会信用代码：');
      expect(res.text).to.not.contain('pw-register').and.not.contain('value="short"');
      expect((await t.req(t.users.opProc).get('/api/orgs')).body.organisations.length).to.equal(before);
    });
  });

  describe('the public pages keep their content, with names instead of codes and errors in the page language', () => {
    it('a section page names its procedure and method; an unknown section is a 404 page in zh and en', async () => {
      const section = await publishedSection(t);
      const page = await browserAgent(t).get(`/sections/${section.id}`);
      expect(page.text).to.contain('<dd>公开招标</dd>').and.to.contain('<dd>最低评标价法</dd>').and.not.to.contain('open_tender');
      expect(page.text).to.contain('id="login-link"');
      const missing = await browserAgent(t).get('/sections/NO-SUCH');
      expect(missing.status).to.equal(404);
      expect(missing.text).to.contain('未找到该页面或记录。').and.not.to.contain('was not found');
      expect((await browserAgent(t).get('/sections/NO-SUCH?lang=en')).text).to.contain('was not found');
    });
  });

  describe('server time per page (reported, not asserted)', () => {
    it('measures the account pages and the public pages, signed in and not', async () => {
      const anon = browserAgent(t);
      await timePage(anon, 'GET /login', '/login');
      await timePage(anon, 'GET /register', '/register');
      await timePage(anon, 'GET / (anonymous)', '/');
      const { agent } = await signIn(t, t.users.bidderA);
      await timePage(agent, 'GET /account (bidder)', '/account');
      await timePage(agent, 'GET /account/password', '/account/password');
      await timePage(agent, 'GET / (signed in)', '/');
      await timePage(agent, 'GET /logout', '/logout');
    });
  });
});
