// The signed-in user's overviews across sections: GET /api/me/bids (a bidder organisation's bid
// versions with their status and receipt links, never another organisation's) and GET /api/me/custody
// (the sections whose opening key a custodian holds a share of, and when it may be released).
// Both answers are checked against the response schema the route declares.
import crypto from 'node:crypto';
import { expect } from 'chai';
import type { z } from 'zod';
import { DAY, HOUR } from '../../modules/core/clock';
import { decryptShare } from '../../modules/custody/custody-crypto';
import { createCsr } from '../../modules/pki/client-keys';
import { approvedBidder, placeBid, publishedSection, sealedBid, submit, type Bidder, type PublishedSection } from '../support/bidding';
import { createTestApp, T0, type TestApp, type TestUser } from '../support/test-app';

describe('my overviews: GET /api/me/bids and GET /api/me/custody', function () {
  this.timeout(60_000);
  let t: TestApp;

  function conforms(path: string, res: { status: number; body: unknown; text: string }): void {
    expect(res.status, res.text).to.equal(200);
    const spec = t.registry.specs.find((s) => s.method === 'get' && s.path === path);
    expect(spec?.response, `${path} declares its response schema`).to.not.equal(undefined);
    const parsed = (spec!.response as z.ZodType).safeParse(res.body);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).to.equal(true);
  }

  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  describe('GET /api/me/bids', () => {
    let first: PublishedSection;
    let second: PublishedSection;
    let a: Bidder;
    let b: Bidder;
    const receipts: Record<string, string> = {};

    before(async () => {
      first = await publishedSection(t, { title: '第一包' });
      second = await publishedSection(t, { title: '第二包', bidDeadlineAt: T0 + 30 * DAY });
      a = await approvedBidder(t, '甲建设有限公司', 'mine');
      b = await approvedBidder(t, '乙科技有限公司', 'mine');
      t.clock.set(T0 + HOUR);
      receipts.a1 = (await placeBid(t, first, a, '900000.00')).bid.id;
      t.clock.set(T0 + 2 * HOUR);
      receipts.a2 = (await placeBid(t, first, a, '890000.00')).bid.id; // replaces a1
      receipts.a3 = (await placeBid(t, second, a, '700000.00')).bid.id;
      const withdrawn = await t.req(a.user).post(`/api/bids/${receipts.a3}/withdraw`);
      expect(withdrawn.status, withdrawn.text).to.equal(200);
      receipts.b1 = (await placeBid(t, first, b, '880000.00')).bid.id;
    });

    it("lists every version of the bidder's own organisation per section, with status, digests and receipt URLs", async () => {
      const res = await t.req(a.user).get('/api/me/bids');
      conforms('/api/me/bids', res);
      const sections = res.body.sections as Array<{ section: { id: string; code: string; title: string; state: string; bidDeadlineAt: number }; versions: any[] }>;
      // The later deadline first.
      expect(sections.map((s) => s.section)).to.deep.equal([
        { id: second.id, code: second.code, title: '第二包', state: 'bidding', bidDeadlineAt: T0 + 30 * DAY },
        { id: first.id, code: first.code, title: '第一包', state: 'bidding', bidDeadlineAt: first.deadline },
      ]);
      const [inSecond, inFirst] = sections;
      expect(inFirst!.versions.map((v) => [v.id, v.version, v.status, v.supersedes])).to.deep.equal([
        [receipts.a1, 1, 'replaced', null],
        [receipts.a2, 2, 'current', receipts.a1],
      ]);
      expect(inSecond!.versions.map((v) => [v.id, v.status, v.withdrawnAt])).to.deep.equal([[receipts.a3, 'withdrawn', T0 + 2 * HOUR]]);
      // The digests and the receipt URL are those of the signed receipt.
      for (const v of [...inFirst!.versions, ...inSecond!.versions]) {
        const receipt = await t.req(a.user).get(v.receiptUrl);
        expect(receipt.status, receipt.text).to.equal(200);
        expect(receipt.body.receipt.bid).to.deep.include({ id: v.id, version: v.version, ciphertextSha256: v.ciphertextSha256, manifestSha256: v.manifestSha256, size: v.size });
        expect(receipt.body.receipt.receivedAt).to.equal(v.receivedAt);
      }
    });

    it("never shows another organisation's bids, and its receipt URLs answer 404 to others", async () => {
      const res = await t.req(b.user).get('/api/me/bids');
      conforms('/api/me/bids', res);
      expect(res.body.sections).to.have.length(1);
      expect(res.body.sections[0].versions.map((v: { id: string }) => v.id)).to.deep.equal([receipts.b1]);
      expect((await t.req(b.user).get(`/api/bids/${receipts.a2}/receipt`)).status).to.equal(404);
      const fresh = await approvedBidder(t, '丙工程有限公司', 'mine');
      const none = await t.req(fresh.user).get('/api/me/bids');
      conforms('/api/me/bids', none);
      expect(none.body).to.deep.equal({ sections: [] });
    });

    it('is for bidders only: 403 for other roles, 401 without signing in', async () => {
      for (const user of [t.users.custodian, t.users.opProc, t.users.admin, t.users.supervisor]) {
        const res = await t.req(user).get('/api/me/bids');
        expect(res.status, user.username).to.equal(403);
        expect(res.body.error.code).to.equal('forbidden');
      }
      expect((await t.req().get('/api/me/bids')).status).to.equal(401);
    });

    it('shows the state after the deadline, and a bid made in a closed section is not added', async () => {
      t.clock.set(first.deadline);
      await t.services.lifecycle.advanceDue();
      const late = await submit(t, a.user, first.id, await sealedBid(first, a.orgId, a.key, { price: '800000.00' }));
      expect(late.status).to.be.oneOf([409, 422]);
      const res = await t.req(a.user).get('/api/me/bids');
      conforms('/api/me/bids', res);
      const inFirst = res.body.sections.find((s: { section: { id: string } }) => s.section.id === first.id);
      expect(inFirst.section.state).to.equal('closed');
      expect(inFirst.versions).to.have.length(2);
      t.clock.set(T0);
    });
  });

  describe('GET /api/me/custody', () => {
    const keys = new Map<string, crypto.KeyObject>();

    async function encryptionCertificate(user: TestUser): Promise<void> {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      await t.services.pki.issueFromCsr(user.ctx, createCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { commonName: user.username }), 'encryption');
      keys.set(user.id, privateKey);
    }

    async function setCustody(custody: { threshold: number; members: string[] } | undefined) {
      const { centre } = (await t.req().get('/api/centres/procurement')).body;
      const settings = { ...centre.settings, custody };
      if (custody === undefined) delete settings.custody;
      const res = await t.req(t.users.admin).put('/api/centres/procurement/settings').send(settings);
      expect(res.status, res.text).to.equal(200);
    }

    let held: PublishedSection;
    let notHeld: PublishedSection;
    const DEADLINE = T0 + 40 * DAY;

    before(async () => {
      t.clock.set(T0);
      await encryptionCertificate(t.users.custodian);
      await encryptionCertificate(t.users.supervisor);
      await setCustody({ threshold: 2, members: ['time-lock', 'user:custodian', 'user:supervisor'] });
      held = await publishedSection(t, { title: '托管包', bidDeadlineAt: DEADLINE });
      await setCustody(undefined);
      notHeld = await publishedSection(t, { title: '仅时间锁', bidDeadlineAt: DEADLINE });
    });

    const entryOf = async (user: TestUser, sectionId: string) => {
      const res = await t.req(user).get('/api/me/custody');
      conforms('/api/me/custody', res);
      return (res.body.sections as Array<{ section: { id: string; state: string } } & Record<string, any>>).find((s) => s.section.id === sectionId);
    };

    it('lists the sections whose key I hold a share of, with the index; no release before the deadline', async () => {
      const res = await t.req(t.users.custodian).get('/api/me/custody');
      conforms('/api/me/custody', res);
      const ids = res.body.sections.map((s: { section: { id: string } }) => s.section.id);
      expect(ids).to.contain(held.id);
      expect(ids).to.not.contain(notHeld.id);
      const entry = await entryOf(t.users.custodian, held.id);
      expect(entry).to.deep.include({ threshold: 2, canReleaseNow: false });
      expect(entry!.section).to.deep.include({ code: held.code, title: '托管包', state: 'bidding', bidDeadlineAt: DEADLINE });
      expect(entry!.share).to.deep.include({ index: 1, released: false, releasedAt: null, confirmation: null });
      expect((await entryOf(t.users.supervisor, held.id))!.share.index).to.equal(2);
      // The answer carries no share, not even encrypted.
      expect(JSON.stringify(res.body)).to.not.contain('encryptedShare');
    });

    it('is empty for someone who holds no share, and 401 without signing in', async () => {
      for (const user of [t.users.auditor, t.users.bidderA]) {
        const res = await t.req(user).get('/api/me/custody');
        conforms('/api/me/custody', res);
        expect(res.body).to.deep.equal({ sections: [] });
      }
      expect((await t.req().get('/api/me/custody')).status).to.equal(401);
    });

    it('after the deadline a release is possible until it is made, and not once the opening has finished', async () => {
      t.clock.set(DEADLINE - 1);
      expect((await entryOf(t.users.custodian, held.id))!.canReleaseNow).to.equal(false);
      t.clock.set(DEADLINE);
      await t.services.lifecycle.advanceDue();
      const due = await entryOf(t.users.custodian, held.id);
      expect(due).to.deep.include({ canReleaseNow: true });
      expect(due!.section.state).to.equal('closed');

      const { share } = (await t.req(t.users.custodian).get(`/api/sections/${held.id}/shares/mine`)).body;
      const plain = decryptShare(share.encryptedShare, keys.get(t.users.custodian.id)!);
      const released = await t
        .req(t.users.custodian)
        .post(`/api/sections/${held.id}/shares`)
        .send({ share: Buffer.from(plain).toString('base64') });
      expect(released.status, released.text).to.equal(200);
      const after = await entryOf(t.users.custodian, held.id);
      expect(after).to.deep.include({ canReleaseNow: false });
      expect(after!.share).to.deep.include({ released: true, releasedAt: DEADLINE });
      // The other custodian could still release while the section waits to be opened …
      expect((await entryOf(t.users.supervisor, held.id))!.canReleaseNow).to.equal(true);
      // … but not once the opening has finished (here it fails: nobody bid).
      const opened = await t.services.opening.openDue();
      expect(opened.find((o) => o.id === held.id)?.outcome).to.equal('failed');
      const late = await entryOf(t.users.supervisor, held.id);
      expect(late!.section.state).to.not.be.oneOf(['closed', 'opening']);
      expect(late).to.deep.include({ canReleaseNow: false });
      expect(late!.share.released).to.equal(false);
    });
  });
});
