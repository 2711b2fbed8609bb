// The signed-in user's work pages over HTTP, as a browser without JavaScript uses them: keys and
// certificates (revocation with a confirmation form), my bids (versions, receipts, withdrawal with
// a confirmation form, refused after the deadline in the page's language, the link to the record),
// my custody. Signed-out visitors are sent to sign in; another organisation's bids never show.
import crypto from 'node:crypto';
import { expect } from 'chai';
import { DAY, HOUR } from '../../modules/core/clock';
import { createCsr } from '../../modules/pki/client-keys';
import { approvedBidder, bidAndOpen, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { browserAgent, formProblemIn, formTokenIn, postForm, printPageTimings, timePage } from '../support/pages';
import { createTestApp, T0, type TestApp, type TestUser } from '../support/test-app';

async function signIn(t: TestApp, user: TestUser) {
  const agent = browserAgent(t);
  const res = await postForm(agent, '/login', '/login', { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

describe('work pages: /account/keys, /account/bids, /account/custody', function () {
  this.timeout(60_000);
  let t: TestApp;
  let a: Bidder;
  let b: Bidder;
  let c: Bidder;
  let section: PublishedSection;
  const ids: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    section = await publishedSection(t, { title: '页面包' });
    a = await approvedBidder(t, '甲页面有限公司', 'pages');
    b = await approvedBidder(t, '乙页面有限公司', 'pages');
    c = await approvedBidder(t, '丙页面有限公司', 'pages');
    t.clock.set(T0 + HOUR);
    ids.a1 = (await placeBid(t, section, a, '900000.00')).bid.id;
    t.clock.set(T0 + 2 * HOUR);
    ids.a2 = (await placeBid(t, section, a, '890000.00')).bid.id;
    ids.b1 = (await placeBid(t, section, b, '880000.00')).bid.id;
    await placeBid(t, section, c, '860000.00'); // three bids: the section opens rather than fails
  });
  after(async () => {
    printPageTimings();
    await t.close();
  });

  it('sends a signed-out visitor to sign in, coming back to the page (and keeps the language)', async () => {
    for (const path of ['/account/keys', '/account/bids', '/account/custody', `/account/bids/${ids.a2}/withdraw`, `/account/bids/${ids.a2}/receipt`, '/account/keys/revoke']) {
      const res = await browserAgent(t).get(path);
      expect(res.status, path).to.equal(303);
      expect(res.headers.location, path).to.equal(`/login?${new URLSearchParams({ next: path })}`);
    }
    const en = await browserAgent(t).get('/account/bids?lang=en');
    expect(en.headers.location).to.equal('/login?next=%2Faccount%2Fbids&lang=en');
  });

  it("lists every version of the bidder's own organisation, with times, digests, status and receipt links; never another's", async () => {
    const agent = await signIn(t, a.user);
    const page = await agent.get('/account/bids');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`id="version-${ids.a1}"`).and.to.contain(`id="version-${ids.a2}"`);
    expect(page.text).to.not.contain(ids.b1);
    expect(page.text).to.contain('已被替换').and.to.contain('有效（以此为准）');
    expect(page.text).to.contain('2026-12-01 11:00:00 (UTC+8)'); // the second version, in the centre's time zone
    expect(page.text).to.contain(`/account/bids/${ids.a2}/withdraw`).and.to.not.contain(`/account/bids/${ids.a1}/withdraw`);
    expect(page.text).to.contain(`/sections/${section.id}/bid`); // replace
    const receipt = await agent.get(`/account/bids/${ids.a2}/receipt`);
    expect(receipt.status).to.equal(200);
    expect(receipt.headers['content-disposition']).to.match(/^attachment; filename="?etender-receipt-/);
    expect(JSON.parse(receipt.text).bid.id).to.equal(ids.a2);
    // Another organisation's receipt and withdrawal pages: 404, as the API answers.
    expect((await agent.get(`/account/bids/${ids.b1}/receipt`)).status).to.equal(404);
    expect((await agent.get(`/account/bids/${ids.b1}/withdraw`)).status).to.equal(404);
    const other = await signIn(t, b.user);
    const theirs = await other.get('/account/bids?lang=en');
    expect(theirs.text).to.contain(ids.b1).and.to.not.contain(ids.a2).and.to.not.contain(ids.a1);
    expect(theirs.text).to.contain('current (counts)');
    await timePage(agent, '/account/bids', '/account/bids');
  });

  it('withdraws only with the form token and after a confirmation page; a withdrawn version says so', async () => {
    const agent = await signIn(t, a.user);
    const confirm = await agent.get(`/account/bids/${ids.a2}/withdraw`);
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.contain('id="withdraw-form"').and.to.contain('确定要撤回');
    // Without the token: refused, nothing withdrawn.
    const noToken = await agent.post(`/account/bids/${ids.a2}/withdraw`).type('form').send({});
    expect(noToken.status).to.equal(403);
    expect(formProblemIn(noToken.text)).to.contain('表单已过期');
    expect((await t.req(a.user).get('/api/me/bids')).body.sections[0].versions[1].status).to.equal('current');
    // With the token: done, and the list says so.
    const done = await agent
      .post(`/account/bids/${ids.a2}/withdraw`)
      .type('form')
      .send({ _csrf: formTokenIn(confirm.text) });
    expect(done.status, done.text.slice(0, 300)).to.equal(303);
    expect(done.headers.location).to.equal(`/account/bids?withdrawn=${ids.a2}`);
    const list = await agent.get(done.headers.location);
    expect(list.text).to.contain('role="status"').and.to.contain(`已撤回 ${section.code} 的第 2 版投标。`);
    expect((await t.req(a.user).get('/api/me/bids')).body.sections[0].versions[1].status).to.equal('withdrawn');
    // The same form again: the service refuses, in the page's language.
    const again = await agent
      .post(`/account/bids/${ids.a2}/withdraw`)
      .type('form')
      .send({ _csrf: formTokenIn(confirm.text) });
    expect(again.status).to.equal(409);
    expect(formProblemIn(again.text)).to.equal('该操作与现有记录冲突。');
  });

  it('refuses a withdrawal after the deadline with the server’s answer in the page language, then links to the record', async () => {
    ids.a3 = (await placeBid(t, section, a, '870000.00')).bid.id;
    const agent = await signIn(t, a.user);
    const confirm = await agent.get(`/account/bids/${ids.a3}/withdraw?lang=en`);
    t.clock.set(section.deadline);
    const late = await agent
      .post(`/account/bids/${ids.a3}/withdraw?lang=en`)
      .type('form')
      .send({ _csrf: formTokenIn(confirm.text) });
    expect(late.status).to.equal(409);
    expect(formProblemIn(late.text)).to.match(/^The bid deadline .* has passed by the server's clock/);
    const zh = await agent
      .post(`/account/bids/${ids.a3}/withdraw`)
      .type('form')
      .send({ _csrf: formTokenIn(confirm.text) });
    expect(formProblemIn(zh.text)).to.equal('投标截止时间已过（以平台时钟为准），不能再投标或撤回投标。');
    expect(zh.text).to.not.contain('id="withdraw-form"');
    // The opening: the current version links to its line in the record, whose row carries the bid's id.
    await bidAndOpen(t, section, []);
    const list = await agent.get('/account/bids');
    expect(list.text).to.contain(`/sections/${section.id}#bid-${ids.a3}`).and.to.not.contain('/withdraw"');
    const sectionPage = await browserAgent(t).get(`/sections/${section.id}`);
    expect(sectionPage.text).to.contain(`<tr id="bid-${ids.a3}">`);
  });

  it('keys: the certificates of the signed-in user only, with validity and status; revocation needs a confirmation and the token', async () => {
    const agent = await signIn(t, a.user);
    const page = await agent.get('/account/keys');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`data-fingerprint="${a.key.fingerprint}"`).and.to.not.contain(b.key.fingerprint);
    expect(page.text).to.contain('data-kind="signing"').and.to.contain('src="/portal-static/keys.js"');
    expect(page.text).to.contain('<dd class="cert-status valid">有效');
    // Validity in Beijing time with its offset, as on the other account pages.
    const validity = [...page.text.matchAll(/<dd>(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[^<]*)<\/dd>/g)].map((m) => m[1]!);
    expect(validity).to.have.length.greaterThan(1);
    for (const v of validity) expect(v).to.match(/ \(UTC\+8\)$/);
    // Another user's certificate cannot be reached through the confirmation page.
    expect((await agent.get(`/account/keys/revoke?fingerprint=${b.key.fingerprint}`)).status).to.equal(404);
    const confirm = await agent.get(`/account/keys/revoke?fingerprint=${a.key.fingerprint}&lang=en`);
    expect(confirm.status).to.equal(200);
    const noToken = await agent.post('/account/keys/revoke?lang=en').type('form').send({ fingerprint: a.key.fingerprint, reason: 'lost laptop' });
    expect(noToken.status).to.equal(403);
    const empty = await agent
      .post('/account/keys/revoke?lang=en')
      .type('form')
      .send({ _csrf: formTokenIn(confirm.text), fingerprint: a.key.fingerprint, reason: '  ' });
    expect(empty.status).to.equal(422);
    expect(empty.text).to.contain('Give a reason');
    const done = await agent
      .post('/account/keys/revoke?lang=en')
      .type('form')
      .send({ _csrf: formTokenIn(confirm.text), fingerprint: a.key.fingerprint, reason: 'lost laptop' });
    expect(done.status, done.text.slice(0, 300)).to.equal(303);
    const after = await agent.get(done.headers.location);
    expect(after.text).to.contain('The certificate is revoked.').and.to.contain('<dd class="cert-status revoked">revoked').and.to.contain('lost laptop');
    expect(after.text).to.match(/cert-status revoked">revoked \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(UTC\+8\)/);
    await timePage(agent, '/account/keys', '/account/keys');
  });

  it('custody: the sections whose share I hold, their deadlines, and the release button only once it can be released', async () => {
    t.clock.set(T0 + 2 * DAY);
    for (const user of [t.users.custodian, t.users.supervisor]) {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      await t.services.pki.issueFromCsr(user.ctx, createCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { commonName: user.username }), 'encryption');
    }
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    const put = (settings: object) => t.req(t.users.admin).put('/api/centres/procurement/settings').send(settings);
    expect((await put({ ...centre.settings, custody: { threshold: 2, members: ['time-lock', 'user:custodian', 'user:supervisor'] } })).status).to.equal(200);
    const held = await publishedSection(t, { title: '保管页面包', bidDeadlineAt: T0 + 30 * DAY });
    await put(centre.settings);
    const agent = await signIn(t, t.users.custodian);
    const page = await agent.get('/account/custody');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`id="custody-${held.id}"`).and.to.contain('投标截止后才能提交。').and.to.not.contain('class="release-button"');
    t.clock.set(T0 + 30 * DAY);
    await t.services.lifecycle.advanceDue();
    const after = await agent.get('/account/custody?lang=en');
    expect(after.text).to.contain(`class="release-button" data-section="${held.id}"`).and.to.contain('data-username="custodian"');
    // The page script's error texts, in the page's language.
    expect(after.text).to.contain('Shares are released at the opening, after the bid deadline.');
    const bidder = await signIn(t, a.user);
    expect((await bidder.get('/account/custody')).text).to.contain('id="no-custody"');
    // My bids is a bidder's page: others get the API's refusal as a page in their language.
    const notABidder = await agent.get('/account/bids');
    expect(notABidder.status).to.equal(403);
    expect(notABidder.text).to.contain('您的账户无权进行此操作。');
    await timePage(agent, '/account/custody', '/account/custody');
  });
});
