// The admin pages over HTTP, as a browser without JavaScript uses them: accounts (list by role and
// page, create a staff account with the service's refusals at the field, disable — its sessions end —,
// reset a password shown once, revoke an API token), a centre's settings form (every field, per-field
// messages in the page's language, 422 with the values, nothing changed on bad input) and the calendar.
// Only admins: others get the 404 page, signed-out visitors are sent to sign in; every form needs its token.
import { expect } from 'chai';
import type supertest from 'supertest';
import { ACCOUNTS_PAGE_SIZE } from '../../server/pages/admin-routes';
import { settingsValues } from '../../server/pages/admin-centre-form';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { browserAgent, fieldErrorIn, formProblemIn, formTokenIn, postForm, printPageTimings, timePage } from '../support/pages';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app';
import { snapshot } from '../support/test-db';

async function signIn(t: TestApp, user: { username: string; password: string }) {
  const agent = browserAgent(t);
  const res = await postForm(agent, '/login', '/login', { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

/** The database but the session rows (every page read touches its session). */
const state = (t: TestApp) => snapshot(t.tdb.db, ['sessions']);

/** Posts a form of `page` with the page's token. */
async function send(agent: supertest.Agent, page: string, action: string, fields: Record<string, string>) {
  const token = formTokenIn((await agent.get(page)).text);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: token, ...fields });
}

describe('admin pages: accounts, centre settings, calendar', function () {
  this.timeout(120_000);
  let t: TestApp;
  let admin: supertest.Agent;

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t, t.users.admin);
  });
  after(async () => {
    printPageTimings();
    await t.close();
  });

  it('is for admins only: others get the 404 page, signed-out visitors go to sign in, posts without a token change nothing', async () => {
    for (const path of ['/admin/accounts', '/admin/accounts/new', `/admin/accounts/${t.users.opProc.id}`, '/admin/centres', '/admin/centres/land', '/admin/calendar']) {
      const out = await browserAgent(t).get(path);
      expect(out.status, path).to.equal(303);
      expect(out.headers.location, path).to.equal(`/login?${new URLSearchParams({ next: path })}`);
      for (const who of [t.users.opProc, t.users.auditor, t.users.bidderA] as TestUser[]) {
        const agent = await signIn(t, who);
        const res = await agent.get(path);
        expect(res.status, `${who.username} ${path}`).to.equal(404);
        expect(res.text).to.contain('未找到该页面或记录').and.to.not.contain('id="accounts"');
      }
    }
    // An operator posting the admin's form with its own token: 404, nothing made.
    const op = await signIn(t, t.users.opProc);
    const res = await send(op, '/account', '/admin/accounts/new', { displayName: 'X', username: 'sneaky', role: 'admin', password: 'long-enough-password' });
    expect(res.status).to.equal(404);
    // The admin without a form token: refused, nothing made.
    const noToken = await admin.post('/admin/accounts/new').type('form').send({ displayName: 'X', username: 'sneaky', role: 'admin', password: 'long-enough-password' });
    expect(noToken.status).to.equal(403);
    expect(formProblemIn(noToken.text)).to.contain('表单已过期');
    expect((await t.services.accounts.listUsers(t.users.admin.ctx)).some((u) => u.username === 'sneaky')).to.equal(false);
  });

  it('creates an operator for one centre; refusals at the field in the page language; 303 to the account', async () => {
    const before = await state(t);
    // An operator without a centre, a short password, a bad username: each at its field, nothing stored.
    const bad = await send(admin, '/admin/accounts/new', '/admin/accounts/new', { displayName: '新经办人', username: 'x', role: 'operator', password: 'short' });
    expect(bad.status).to.equal(422);
    expect(fieldErrorIn(bad.text, 'username')).to.contain('3–64');
    expect(fieldErrorIn(bad.text, 'password')).to.equal('密码至少需要 12 个字符。');
    expect(bad.text).to.contain('value="新经办人"').and.to.not.contain('value="short"');
    // The service's refusal of an operator without centres, shown at the field (the page left it to the service).
    const noCentre = await send(admin, '/admin/accounts/new?lang=en', '/admin/accounts/new?lang=en', {
      displayName: 'New operator',
      username: 'op-new',
      role: 'operator',
      password: 'operator-password-1',
    });
    expect(noCentre.status).to.equal(422);
    expect(fieldErrorIn(noCentre.text, 'centres')).to.equal('An operator acts for at least one centre.');
    const taken = await send(admin, '/admin/accounts/new', '/admin/accounts/new', { displayName: '重名', username: 'OP-PROC', role: 'auditor', password: 'auditor-password-1' });
    expect(taken.status).to.equal(409);
    expect(fieldErrorIn(taken.text, 'username')).to.equal('用户名"op-proc"已被使用，请换一个。');
    const auditorWithCentre = await send(admin, '/admin/accounts/new', '/admin/accounts/new', {
      displayName: '审计',
      username: 'aud-2',
      role: 'auditor',
      'centres.land': '1',
      password: 'auditor-password-1',
    });
    expect(auditorWithCentre.status).to.equal(422);
    expect(fieldErrorIn(auditorWithCentre.text, 'centres')).to.contain('只有交易中心经办人属于中心');
    expect(await state(t)).to.equal(before);

    const ok = await send(admin, '/admin/accounts/new', '/admin/accounts/new', {
      displayName: '新经办人',
      username: 'Op-New',
      role: 'operator',
      'centres.procurement': '1',
      password: 'operator-password-1',
    });
    expect(ok.status, ok.text.slice(0, 500)).to.equal(303);
    const made = (await t.services.accounts.listUsers(t.users.admin.ctx)).find((u) => u.username === 'op-new')!;
    expect(made).to.deep.include({ role: 'operator', centres: ['procurement'], disabled: false });
    expect(ok.headers.location).to.equal(`/admin/accounts/${made.id}`);
    const page = await admin.get(ok.headers.location!);
    expect(page.text).to.contain('账户已创建。').and.to.contain('政府采购');
    expect((await admin.get(ok.headers.location!)).text).to.not.contain('账户已创建。'); // the note is shown once
    const signedIn = await signIn(t, { username: 'op-new', password: 'operator-password-1' });
    expect((await signedIn.get('/account')).text).to.contain('交易中心经办人');
  });

  it('lists accounts page by page and by role', async () => {
    for (let i = 0; i < ACCOUNTS_PAGE_SIZE; i++) {
      await t.services.accounts.createStaffUser(
        SYSTEM_CONTEXT,
        { username: `sup-${String(i).padStart(2, '0')}`, displayName: `监督${i}`, role: 'supervisor', password: 'supervisor-password' },
        { system: true },
      );
    }
    const all = await t.services.accounts.listUsers(t.users.admin.ctx);
    const first = await admin.get('/admin/accounts');
    expect(first.status).to.equal(200);
    expect(first.text.match(/<tr id="account-/g)).to.have.length(ACCOUNTS_PAGE_SIZE);
    expect(first.text).to.contain(`共 2 页（${all.length} 个账户）`).and.to.contain('href="/admin/accounts?page=2"');
    const second = await admin.get('/admin/accounts?page=2&lang=en');
    expect(second.text.match(/<tr id="account-/g)).to.have.length(all.length - ACCOUNTS_PAGE_SIZE);
    expect(second.text).to.contain(`Page 2 of 2 (${all.length} accounts)`);
    const supervisors = await admin.get('/admin/accounts?role=supervisor');
    expect(supervisors.text.match(/<tr id="account-/g)).to.have.length(ACCOUNTS_PAGE_SIZE);
    expect(supervisors.text)
      .to.contain(`共 2 页（${ACCOUNTS_PAGE_SIZE + 1} 个账户）`)
      .and.to.contain('href="/admin/accounts?role=supervisor&amp;page=2"');
    expect(supervisors.text).to.not.contain('data-username="op-proc"');
    const operators = await admin.get('/admin/accounts?role=operator');
    expect(operators.text).to.contain('data-username="op-proc"').and.to.contain('data-username="op-land"').and.to.not.contain('data-username="auditor"');
    expect((await admin.get('/admin/accounts?page=9')).status).to.equal(404);
    await timePage(admin, '/admin/accounts', '/admin/accounts');
  });

  it('disables an account (its sessions end at once), enables it again; an admin cannot disable themself', async () => {
    const user = t.users.auditor;
    const session = await signIn(t, user);
    expect((await session.get('/account')).status).to.equal(200);
    const res = await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/disable`, {});
    expect(res.status).to.equal(303);
    expect(await t.tdb.db.knex('sessions').where({ user_id: user.id })).to.have.length(0);
    expect((await session.get('/account')).status).to.equal(303); // signed out
    expect((await t.req(user).get('/api/me')).status).to.equal(401); // the token stops working too
    const page = await admin.get(`/admin/accounts/${user.id}`);
    expect(page.text).to.contain('账户已停用，其全部会话已结束。').and.to.contain('data-disabled="1"').and.to.contain('id="enable-form"');
    expect((await postForm(browserAgent(t), '/login', '/login', { username: user.username, password: user.password })).status).to.equal(401);
    expect((await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/enable`, {})).status).to.equal(303);
    expect((await postForm(browserAgent(t), '/login', '/login', { username: user.username, password: user.password })).status).to.equal(303);
    // Their own account: no disable form, and a hand-made post is refused with the service's reason.
    const own = await admin.get(`/admin/accounts/${t.users.admin.id}`);
    expect(own.text).to.contain('id="self-note"').and.to.not.contain('id="disable-form"');
    const self = await send(admin, `/admin/accounts/${t.users.admin.id}`, `/admin/accounts/${t.users.admin.id}/disable?lang=en`, {});
    expect(self.status).to.equal(409);
    expect(formProblemIn(self.text)).to.contain('You cannot disable your own account');
    expect((await admin.get('/admin/accounts')).status).to.equal(200);
  });

  it('resets a password: generated and shown once, or typed by the admin; sessions end; a short one is refused at the field', async () => {
    const user = t.users.supervisor;
    const session = await signIn(t, user);
    const short = await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/password`, { password: 'short' });
    expect(short.status).to.equal(422);
    expect(fieldErrorIn(short.text, 'password')).to.equal('密码至少需要 12 个字符。');
    expect((await session.get('/account')).status).to.equal(200); // nothing changed
    const gen = await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/password`, { password: '' });
    expect(gen.status).to.equal(303);
    const page = await admin.get(`/admin/accounts/${user.id}`);
    const password = /id="generated-password">([^<]+)</.exec(page.text)![1]!;
    expect(password).to.have.length.at.least(16);
    expect(page.text).to.contain('密码已重置，已结束 1 个会话。');
    expect((await admin.get(`/admin/accounts/${user.id}`)).text).to.not.contain(password); // shown once
    expect((await session.get('/account')).status).to.equal(303);
    expect((await postForm(browserAgent(t), '/login', '/login', { username: user.username, password: user.password })).status).to.equal(401);
    await signIn(t, { username: user.username, password });
    const typed = await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/password`, { password: 'chosen-by-admin-1' });
    expect(typed.status).to.equal(303);
    expect((await admin.get(`/admin/accounts/${user.id}`)).text).to.not.contain('id="generated-password"');
    await signIn(t, { username: user.username, password: 'chosen-by-admin-1' });
    // A bidder's password is the bidder's: no form, and a hand-made post is refused.
    const bidder = t.users.bidderA;
    expect((await admin.get(`/admin/accounts/${bidder.id}`)).text).to.contain('投标单位代表的密码由本人修改');
    expect((await send(admin, `/admin/accounts/${bidder.id}`, `/admin/accounts/${bidder.id}/password`, { password: '' })).status).to.equal(409);
    await signIn(t, bidder);
  });

  it("changes an operator's centres: at once for the operator, with an audit entry; none chosen or not an operator is refused at the field", async () => {
    const user = t.users.opLand;
    const session = await signIn(t, user);
    expect((await session.get('/staff')).text)
      .to.contain('土地出让')
      .and.to.not.contain('产权交易');
    const page = await admin.get(`/admin/accounts/${user.id}`);
    expect(page.text)
      .to.contain('id="centres-form"')
      .and.to.match(/name="centres\.land" value="1" checked/)
      .and.to.not.match(/name="centres\.property" value="1" checked/);
    const before = await state(t);
    const none = await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/centres`, {});
    expect(none.status).to.equal(422);
    expect(fieldErrorIn(none.text, 'centres')).to.equal('交易中心经办人须至少属于一个中心。');
    const forged = await admin.post(`/admin/accounts/${user.id}/centres`).type('form').send({ _csrf: 'nope', 'centres.property': '1' });
    expect(forged.status).to.equal(403);
    expect(await state(t)).to.equal(before);
    const done = await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/centres`, { 'centres.land': '1', 'centres.property': '1', 'centres.nowhere': '1' });
    expect(done.status).to.equal(303);
    const after = await admin.get(done.headers.location);
    expect(after.text)
      .to.contain('所属中心已更改为：土地出让、产权交易。')
      .and.to.match(/name="centres\.property" value="1" checked/);
    // The operator's own session sees the new centre at its next page, without signing in again.
    expect((await session.get('/staff')).text).to.contain('土地出让、产权交易');
    const entry = await t.tdb.db.knex('audit_log').where({ action: 'user.updated', object_id: user.id }).orderBy('idx', 'desc').first();
    const data = JSON.parse(entry.entry).data;
    expect(data.before.centres).to.deep.equal(['land']);
    expect(data.after.centres).to.deep.equal(['land', 'property']);
    // Back to one centre for the tests after this one.
    expect((await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/centres`, { 'centres.land': '1' })).status).to.equal(303);
    // An auditor has no centres: no form, and a hand-made post is refused, in the page's language.
    const auditor = t.users.auditor;
    expect((await admin.get(`/admin/accounts/${auditor.id}`)).text).to.not.contain('id="centres-form"');
    const refused = await send(admin, `/admin/accounts/${auditor.id}?lang=en`, `/admin/accounts/${auditor.id}/centres?lang=en`, { 'centres.land': '1' });
    expect(refused.status).to.equal(422);
    expect(formProblemIn(refused.text)).to.be.a('string').and.not.equal('');
    expect((await t.services.accounts.listUsers(t.users.admin.ctx)).find((u) => u.id === auditor.id)!.centres).to.deep.equal([]);
  });

  it("lists an account's API tokens and revokes one", async () => {
    const user = t.users.custodian;
    const extra = await t.services.accounts.createToken(user.ctx, { name: 'CLI 笔记本' });
    const page = await admin.get(`/admin/accounts/${user.id}`);
    expect(page.text).to.contain('CLI 笔记本').and.to.contain(`id="revoke-${extra.id}"`).and.to.not.contain(extra.token);
    const res = await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/tokens/${extra.id}/revoke`, {});
    expect(res.status).to.equal(303);
    expect((await t.req({ ...user, token: extra.token }).get('/api/me')).status).to.equal(401);
    expect((await t.req(user).get('/api/me')).status).to.equal(200); // the other token lives on
    const after = await admin.get(`/admin/accounts/${user.id}`);
    expect(after.text).to.contain('令牌「CLI 笔记本」已撤销。').and.to.not.contain(`id="revoke-${extra.id}"`);
    // Another account's token id under this account: 404, nothing revoked.
    const other = await t.services.accounts.createToken(t.users.opLand.ctx, { name: 'other' });
    expect((await send(admin, `/admin/accounts/${user.id}`, `/admin/accounts/${user.id}/tokens/${other.id}/revoke`, {})).status).to.equal(404);
    expect((await t.req({ ...t.users.opLand, token: other.token }).get('/api/me')).status).to.equal(200);
  });

  it("shows a centre's settings as a form and saves every field; bad input is refused per field and changes nothing", async () => {
    const list = await admin.get('/admin/centres');
    expect(list.text).to.contain('href="/admin/centres/land"').and.to.contain('土地出让');
    const page = await admin.get('/admin/centres/procurement');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('id="f-minBids"').and.to.contain('name="mp-open_tender-noticeToDeadline-value"').and.to.contain('value="ZCF 35"');
    const current = (await t.services.centres.get('procurement')).settings;
    const values = settingsValues(current);
    const before = await state(t);
    const bad = await send(admin, '/admin/centres/procurement', '/admin/centres/procurement', {
      ...values,
      minBids: '0',
      metric: 'value_added',
      maxBidBondPercent: '2.555',
      timeZone: 'Mars/Olympus',
      'procedures.open_tender': '',
      'procedures.invited_tender': '',
      'procedures.competitive_negotiation': '',
      'procedures.competitive_consultation': '',
      'procedures.inquiry': '',
      'procedures.single_source': '',
      'custody-threshold': '3',
      'custody-members': 'time-lock\nuser:custodian',
      'mp-open_tender-noticeToDeadline-value': 'twenty',
    });
    expect(bad.status).to.equal(422);
    expect(fieldErrorIn(bad.text, 'minBids')).to.equal('请填写 1 至 100 之间的整数。');
    expect(fieldErrorIn(bad.text, 'metric')).to.contain('成本方向的中心报告资金节约率');
    expect(fieldErrorIn(bad.text, 'maxBidBondPercent')).to.contain('最多两位小数');
    expect(fieldErrorIn(bad.text, 'timeZone')).to.contain('不是已知的时区名');
    expect(fieldErrorIn(bad.text, 'procedures')).to.equal('请至少选择一项。');
    expect(fieldErrorIn(bad.text, 'custody-threshold')).to.contain('门限为 3，至少需要 3 个保管人');
    expect(fieldErrorIn(bad.text, 'mp-open_tender-noticeToDeadline-value')).to.equal('请填写 0 至 3650 之间的整数。');
    expect(bad.text).to.contain('value="Mars/Olympus"').and.to.contain('href="#f-mp-open_tender-noticeToDeadline-value"');
    const badEn = await send(admin, '/admin/centres/procurement?lang=en', '/admin/centres/procurement?lang=en', { ...values, 'custody-threshold': '2', 'custody-members': 'time-lock\nnobody' });
    expect(badEn.status).to.equal(422);
    expect(fieldErrorIn(badEn.text, 'custody-members')).to.equal('Line 2, "nobody", is not time-lock, platform-timer or user:<username>.');
    expect(await state(t)).to.equal(before);

    const ok = await send(admin, '/admin/centres/procurement', '/admin/centres/procurement', {
      ...values,
      minBids: '5',
      contractWithinDays: '20',
      'custody-threshold': '2',
      'custody-members': 'time-lock\nuser:custodian',
      'mp-open_tender-noticeToDeadline-value': '25',
      'mp-open_tender-source': 'ZCF 35 (local)',
      'mp-single_source-noticeToDeadline-value': '',
      'mp-single_source-source': '',
    });
    expect(ok.status, ok.text.slice(0, 400)).to.equal(303);
    expect(ok.headers.location).to.equal('/admin/centres/procurement');
    const saved = (await t.services.centres.get('procurement')).settings;
    const { single_source: _dropped, ...periods } = current.minPeriods;
    expect(saved).to.deep.equal({
      ...current,
      minBids: 5,
      contractWithinDays: 20,
      custody: { threshold: 2, members: ['time-lock', 'user:custodian'] },
      minPeriods: { ...periods, open_tender: { noticeToDeadline: { unit: 'days', value: 25 }, source: 'ZCF 35 (local)' } },
    });
    const again = await admin.get('/admin/centres/procurement');
    expect(again.text).to.contain('设置已保存。').and.to.contain('value="25"').and.to.contain('user:custodian');
    // Every field round-trips: the saved form posted again as it is changes nothing but nothing fails.
    const same = await send(admin, '/admin/centres/procurement', '/admin/centres/procurement', settingsValues(saved));
    expect(same.status).to.equal(303);
    expect((await t.services.centres.get('procurement')).settings).to.deep.equal(saved);
    expect((await admin.get('/admin/centres/nowhere')).status).to.equal(404);
    await timePage(admin, '/admin/centres/:code', '/admin/centres/land');
  });

  it('records holidays and make-up working days per year, refuses bad days at the field, removes a day', async () => {
    const empty = await admin.get('/admin/calendar?year=2027');
    expect(empty.text).to.contain('2027 年尚未登记任何节假日或调休上班日。');
    const before = await state(t);
    const bad = await send(admin, '/admin/calendar', '/admin/calendar', { date: '2027-02-30', kind: 'holiday', name: '' });
    expect(bad.status).to.equal(422);
    expect(fieldErrorIn(bad.text, 'date')).to.contain('请填写真实存在的日期');
    expect(fieldErrorIn(bad.text, 'name')).to.equal('请填写 100 个字符以内的一行文字。');
    const weekday = await send(admin, '/admin/calendar?lang=en', '/admin/calendar?lang=en', { date: '2027-10-04', kind: 'workday', name: 'make-up' });
    expect(weekday.status).to.equal(422);
    expect(fieldErrorIn(weekday.text, 'date')).to.equal('2027-10-04 is a Monday, a working day anyway; a make-up working day falls on a Saturday or Sunday.');
    expect(await state(t)).to.equal(before);

    const add = await send(admin, '/admin/calendar', '/admin/calendar', { date: '2027-10-01', kind: 'holiday', name: '国庆节' });
    expect(add.status).to.equal(303);
    expect(add.headers.location).to.equal('/admin/calendar?year=2027');
    expect((await send(admin, '/admin/calendar', '/admin/calendar', { date: '2027-10-09', kind: 'workday', name: '国庆节调休' })).status).to.equal(303);
    const page = await admin.get('/admin/calendar?year=2027');
    expect(page.text).to.contain('2027-10-09 已登记为调休上班日。');
    expect(page.text).to.contain('id="day-2027-10-01" data-kind="holiday"').and.to.contain('id="day-2027-10-09" data-kind="workday"').and.to.contain('星期六');
    expect(await t.services.centres.calendarDays(2027)).to.deep.equal([
      { date: '2027-10-01', kind: 'holiday', name: '国庆节' },
      { date: '2027-10-09', kind: 'workday', name: '国庆节调休' },
    ]);
    const rules = await t.services.centres.rules('construction');
    expect(rules.calendar.isWorkingDay('2027-10-09')).to.equal(true);
    expect(rules.calendar.isWorkingDay('2027-10-01')).to.equal(false);
    expect((await admin.get('/admin/calendar?year=2026')).text).to.not.contain('2027-10-01');
    const remove = await send(admin, '/admin/calendar?year=2027', '/admin/calendar/2027-10-01/remove', {});
    expect(remove.status).to.equal(303);
    expect((await t.services.centres.calendarDays(2027)).map((d) => d.date)).to.deep.equal(['2027-10-09']);
    expect((await send(admin, '/admin/calendar?year=2027', '/admin/calendar/2027-10-01/remove', {})).status).to.equal(404);
    expect((await admin.get('/admin/calendar?year=1999')).status).to.equal(404);
    await timePage(admin, '/admin/calendar', '/admin/calendar?year=2027');
  });
});
