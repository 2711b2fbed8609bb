// The bidder pages' finishing pieces over HTTP: the opening key's fingerprint printed the same on
// the section page, the sealing page and the opening-record PDF's source (one function); a withdrawn
// version's withdrawal receipt on /account/bids (the download and the API's copy are the receipt the
// withdrawal answered with, signed and checkable); the hall's objection form rendered hidden for a
// bidder of the section before the window opens, and the live state telling the viewer's window;
// the opening record's table marked up for the stacked narrow layout.
import crypto from 'node:crypto';
import { expect } from 'chai';
import { HOUR } from '../../modules/core/clock';
import { recipientFingerprint } from '../../modules/formats/recipient-fingerprint';
import { receiptSignatureValid } from '../../modules/bids/receipt';
import { approvedBidder, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { browserAgent, postForm } from '../support/pages';
import { createTestApp, T0, type TestApp, type TestUser } from '../support/test-app';

async function signIn(t: TestApp, user: TestUser) {
  const agent = browserAgent(t);
  const res = await postForm(agent, '/login', '/login', { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

const textOf = (html: string, id: string): string | null => {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  return m ? m[1]! : null;
};

describe('bidder pages: fingerprint, withdrawal receipt, live hall form, narrow record', function () {
  this.timeout(60_000);
  let t: TestApp;
  let a: Bidder;
  let b: Bidder;
  let c: Bidder;
  let section: PublishedSection;
  const ids: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    section = await publishedSection(t, { title: '收尾包' });
    a = await approvedBidder(t, '甲收尾有限公司', 'details');
    b = await approvedBidder(t, '乙收尾有限公司', 'details');
    c = await approvedBidder(t, '丙收尾有限公司', 'details');
    t.clock.set(T0 + HOUR);
    ids.a1 = (await placeBid(t, section, a, '900000.00')).bid.id;
    await placeBid(t, section, b, '880000.00');
    await placeBid(t, section, c, '860000.00');
  });
  after(() => t.close());

  it('defines the fingerprint as SHA-256 of the recipient string, 16 groups of 4 hex digits', () => {
    const want = crypto.createHash('sha256').update(section.recipient, 'utf8').digest('hex');
    const fp = recipientFingerprint(section.recipient);
    expect(fp).to.match(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(fp.replace(/ /g, '')).to.equal(want);
    expect(recipientFingerprint(`${section.recipient}x`)).to.not.equal(fp);
  });

  it('prints the same recipient and fingerprint on the section page and the sealing page (both ways in, both languages)', async () => {
    const fp = recipientFingerprint(section.recipient);
    const agent = await signIn(t, a.user);
    for (const q of ['', '?lang=en']) {
      const notice = await agent.get(`/sections/${section.id}${q}`);
      expect(notice.status).to.equal(200);
      expect(textOf(notice.text, 'recipient')).to.equal(section.recipient);
      expect(textOf(notice.text, 'recipient-fingerprint')).to.equal(fp);

      const sealing = await agent.get(`/sections/${section.id}/bid${q}`);
      expect(sealing.status).to.equal(200);
      expect(textOf(sealing.text, 'bid-recipient')).to.equal(section.recipient);
      expect(textOf(sealing.text, 'bid-recipient-fingerprint')).to.equal(fp);
      expect(sealing.text).to.contain(`data-recipient="${section.recipient}" data-fingerprint="${fp}"`);
      expect(sealing.text).to.match(/data-msg-recipient-mismatch="[^"]+"/);
    }
    // /bid without a section: the key of each open section travels with its option, none printed yet.
    const plain = await agent.get('/bid');
    expect(plain.text).to.contain(`data-fingerprint="${fp}"`);
    expect(textOf(plain.text, 'bid-recipient')).to.equal('');
    expect(plain.text).to.match(/id="seal-to-key" hidden/);
  });

  it('offers a withdrawn version its withdrawal receipt: the one the withdrawal answered with, signed, and only to its organisation', async () => {
    t.clock.set(T0 + 2 * HOUR);
    const w = await t.req(a.user).post(`/api/bids/${ids.a1}/withdraw`);
    expect(w.status, JSON.stringify(w.body)).to.equal(200);
    const answered = w.body.receipt;
    expect(answered.kind).to.equal('withdrawal');

    const agent = await signIn(t, a.user);
    const page = await agent.get('/account/bids');
    expect(page.status).to.equal(200);
    const card = page.text.slice(page.text.indexOf(`id="version-${ids.a1}"`));
    const item = card.slice(0, card.indexOf('</li>'));
    expect(item).to.contain(`href="/account/bids/${ids.a1}/withdrawal-receipt"`);
    expect(item).to.contain(`data-receipt="/api/bids/${ids.a1}/withdrawal-receipt"`);
    expect(item).to.contain(`aria-controls="verdict-withdrawal-${ids.a1}"`);

    const file = await agent.get(`/account/bids/${ids.a1}/withdrawal-receipt`);
    expect(file.status).to.equal(200);
    expect(file.headers['content-disposition']).to.contain(`etender-withdrawal-receipt-${ids.a1}.json`);
    expect(JSON.parse(file.text)).to.deep.equal(answered);
    const api = await t.req(a.user).get(`/api/bids/${ids.a1}/withdrawal-receipt`);
    expect(api.status).to.equal(200);
    expect(api.body.receipt).to.deep.equal(answered);
    const keys = (await t.req().get('/api/pki/keys')).body;
    expect(receiptSignatureValid(api.body.receipt, keys.receipt.publicKeyPem)).to.equal(true);

    // Another organisation's, or a version never withdrawn: not found, and no link on the page.
    expect((await t.req(b.user).get(`/api/bids/${ids.a1}/withdrawal-receipt`)).status).to.equal(404);
    expect((await (await signIn(t, b.user)).get(`/account/bids/${ids.a1}/withdrawal-receipt`)).status).to.equal(404);
    const bBid = (await t.req(b.user).get('/api/me/bids')).body.sections[0].versions[0].id as string;
    expect((await t.req(b.user).get(`/api/bids/${bBid}/withdrawal-receipt`)).status).to.equal(404);
    const bPage = await (await signIn(t, b.user)).get('/account/bids');
    expect(bPage.text).to.not.contain('withdrawal-receipt');
  });

  it('renders the hall objection form hidden, with its token, for a bidder before the window; that form posts once the window opens', async () => {
    // (a1 was withdrawn above: a bids again so that three bids count and the section opens)
    t.clock.set(T0 + 3 * HOUR);
    await placeBid(t, section, a, '870000.00');
    expect((await browserAgent(t).get(`/sections/${section.id}/hall`)).text).to.not.contain('objections-later');
    const other = await signIn(t, t.users.opProc);
    expect((await other.get(`/sections/${section.id}/hall`)).text).to.not.contain('objections-later');

    const agent = await signIn(t, a.user);
    const before = await agent.get(`/sections/${section.id}/hall`);
    expect(before.text).to.match(/<div id="objections-later" hidden>[\s\S]*id="opening-objections-form"/);
    const token = /name="_csrf" value="([^"]+)"/.exec(before.text.slice(before.text.indexOf('objections-later')))![1]!;
    // Before the window the service still refuses (at the field, in the page's language), nothing stored.
    const early = await agent.post(`/sections/${section.id}/hall/objections`).type('form').send({ _csrf: token, text: '太早的异议' });
    expect(early.status).to.be.within(400, 499);
    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    expect(await t.services.opening.openDue()).to.deep.include({ id: section.id, outcome: 'opened' });
    const res = await agent.post(`/sections/${section.id}/hall/objections`).type('form').send({ _csrf: token, text: '开标时间有误。' });
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    const listed = (await t.req().get(`/api/sections/${section.id}/opening-objections`)).body.objections as Array<{ text: string }>;
    expect(listed.map((o) => o.text)).to.deep.equal(['开标时间有误。']);
    // Once open, the form is the ordinary server-rendered one; no hidden copy.
    const after = await agent.get(`/sections/${section.id}/hall`);
    expect(after.text).to.contain('id="opening-objections-form"');
    expect(after.text).to.not.contain('objections-later');
  });

  it('marks up the opening record for the stacked narrow layout: a table with column heads, each cell labelled', async () => {
    for (const path of [`/sections/${section.id}`, `/sections/${section.id}/hall`]) {
      const page = await browserAgent(t).get(path);
      expect(page.text).to.contain('<table id="record-table" class="stacked">');
      expect(page.text).to.contain('<th scope="col">投标人</th>');
      expect(page.text).to.match(/<td class="bidder" data-label="投标人">[^<]+<\/td>/);
      expect(page.text).to.match(/<td class="num price" data-label="[^"]+">/);
    }
    const en = await browserAgent(t).get(`/sections/${section.id}?lang=en`);
    expect(en.text).to.match(/<td class="bidder" data-label="Bidder">/);
  });
});
