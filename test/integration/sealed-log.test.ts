// The log reveals no bid before the deadline (issue: an anonymous poller counted bids from the
// public checkpoints; overseers saw who bid): a submission gets the log's signed promise, its entry
// joins the log at the freeze in order of receipt, and a promise the log never honours is evidence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { verifyReceiptCommand } from '../../server/commands/bidder';
import { checkReceipt } from '../../server/pages/client/receipt-check';
import { leafHash, verifyInclusion } from '../../modules/audit/merkle';
import { CHECKPOINT_INTERVAL_MS } from '../../modules/audit/audit-service';
import { promiseDigest } from '../../modules/audit/promise-signing';
import { HOUR } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { judgeInclusion, verifyReceipt, type PromiseAnswer, type PublishedKeys, type Receipt } from '../../modules/bids/receipt';
import { createTestApp, listenOnLoopback, T0, type TestApp, type TestUser } from '../support/test-app';
import { approvedBidder, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';

const merkle = { leafHash, verifyInclusion };

describe('a log that reveals no bid before the deadline', function () {
  this.timeout(60_000);
  let t: TestApp;
  let keys: PublishedKeys;
  let bidders: Bidder[];
  let section: PublishedSection;

  before(async () => {
    t = await createTestApp();
    keys = (await t.req().get('/api/pki/keys')).body;
    bidders = [await approvedBidder(t, '甲公司'), await approvedBidder(t, '乙公司'), await approvedBidder(t, '丙公司'), await approvedBidder(t, '丁公司')];
  });
  after(async () => t.close());
  beforeEach(async () => {
    t.clock.set(T0);
    section = await publishedSection(t);
    // The scheduler's checkpoint of the current slot, as a running server would have it.
    await t.services.audit.publishScheduled();
  });

  const answerOf = async (receipt: Receipt): Promise<PromiseAnswer> => {
    const res = await t.req().get(`/api/audit/promises/${promiseDigest(receipt.promise!)}`);
    if (res.status === 404) return null;
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const sectionFacts = async () => (await t.req().get(`/api/sections/${section.id}`)).body.section as { bidDeadlineAt: number; cancelledAt: number | null };
  const closeBidding = async () => {
    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    await t.services.opening.openDue();
  };

  /** Every answer an observer of each kind can get that might move with a bid. */
  async function observed(): Promise<string> {
    const anonymous = [
      '/api/audit/checkpoint',
      '/api/audit/checkpoints',
      '/api/audit/proofs/consistency?from=1&to=2',
      '/api/sections',
      `/api/sections/${section.id}`,
      '/',
      `/sections/${section.id}`,
      `/sections/${section.id}/hall`,
    ];
    const overseers: Array<[TestUser, string[]]> = [t.users.auditor, t.users.supervisor, t.users.admin].map((u) => [
      u,
      ['/api/audit/events?limit=1000', '/api/audit/checkpoint', `/api/sections/${section.id}/signals`, `/api/sections/${section.id}/dossier`, `/api/sections/${section.id}/opening-record`],
    ]);
    const seen: unknown[] = [];
    for (const url of anonymous) {
      const res = await t.req().get(url);
      seen.push([url, res.status, res.text]);
    }
    const size = (await t.req().get('/api/audit/checkpoint')).body.size as number;
    for (const [user, urls] of overseers) {
      for (const url of [...urls, `/api/audit/entries?start=0&end=${size}`]) {
        const res = await t.req(user).get(url);
        seen.push([user.username, url, res.status, res.text]);
      }
    }
    return JSON.stringify(seen);
  }

  it('shows an anonymous poller and every overseer the same answers before and after a bid, a new version and a withdrawal', async () => {
    const before = await observed();
    const first = await placeBid(t, section, bidders[0]!, '900000.00');
    expect(await observed()).to.equal(before);
    await placeBid(t, section, bidders[0]!, '880000.00');
    await placeBid(t, section, bidders[1]!, '910000.00');
    const w = await t.req(bidders[1]!.user).post(`/api/bids/${(await t.req(bidders[1]!.user).get(`/api/sections/${section.id}/my-bids`)).body.bids[0].id}/withdraw`);
    expect(w.status).to.equal(200);
    expect(await observed()).to.equal(before);
    // The promises exist, waiting; their digests are the only handle on them.
    expect(await answerOf(first)).to.deep.include({ state: 'waiting', section: section.id });
  });

  it('merges the held-back entries at the freeze, in order of receipt, before the freeze entry; every receipt then proves its inclusion', async () => {
    const receipts: Receipt[] = [];
    for (const [i, [b, price]] of (
      [
        [bidders[0], '900000.00'],
        [bidders[1], '910000.00'],
        [bidders[0], '870000.00'],
        [bidders[2], '905000.00'],
        [bidders[3], '895000.00'],
      ] as const
    ).entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      receipts.push(await placeBid(t, section, b!, price));
    }
    t.clock.set(T0 + 6 * HOUR);
    const withdrawal = (await t.req(bidders[2]!.user).post(`/api/bids/${receipts[3]!.bid.id}/withdraw`)).body.receipt as Receipt;
    expect(verifyReceipt(withdrawal, keys, merkle)).to.deep.equal([]);
    for (const r of receipts) expect(verifyReceipt(r, keys, merkle)).to.deep.equal([]);
    // Not due before the close.
    expect(judgeInclusion(receipts[0]!, await answerOf(receipts[0]!), await sectionFacts(), t.clock.now(), keys, merkle)).to.deep.equal({ verdict: 'not_yet_due', dueAt: section.deadline + HOUR });

    await closeBidding();
    const indexes: number[] = [];
    for (const r of [...receipts, withdrawal]) {
      const verdict = judgeInclusion(r, await answerOf(r), await sectionFacts(), t.clock.now(), keys, merkle);
      expect(verdict.verdict, JSON.stringify(verdict)).to.equal('included');
      indexes.push((verdict as { index: number }).index);
    }
    // In order of receipt, consecutive, and the freeze entry right after them names the counted bids by those indexes.
    expect(indexes).to.deep.equal(indexes.map((_, i) => indexes[0]! + i));
    const [freeze] = await t.services.audit.list({ action: 'section.bids_frozen', objectId: section.id });
    expect(freeze!.idx).to.equal(indexes.at(-1)! + 1);
    expect(freeze!.data.bids).to.deep.equal(
      [1, 2, 4].map((i) => ({ id: receipts[i]!.bid.id, manifestSha256: receipts[i]!.bid.manifestSha256, ciphertextSha256: receipts[i]!.bid.ciphertextSha256, receiptLogIndex: indexes[i] })),
    );
    // The merged entries now name section and bidder; the actor is the bidder who submitted.
    const [entry] = await t.services.audit.list({ objectId: receipts[0]!.bid.id, action: 'bid.submitted' });
    expect(entry!.data).to.include({ section: section.id, bidder: bidders[0]!.orgId, promisedAt: receipts[0]!.receivedAt });
    expect(entry!.actor?.username).to.equal(bidders[0]!.user.username);
    // The opening record's receipt indexes are the merged ones.
    const record = (await t.req().get(`/api/sections/${section.id}/opening-record`)).body;
    expect(
      record.bids.map((b: { receiptLogIndex: number }) => b.receiptLogIndex),
      JSON.stringify(record).slice(0, 300),
    ).to.deep.equal([indexes[1], indexes[2], indexes[4]]);
  });

  it('reports a promise the log never honours as evidence: an entry removed, or changed', async () => {
    const kept = await placeBid(t, section, bidders[0]!, '900000.00');
    const dropped = await placeBid(t, section, bidders[1]!, '910000.00');
    // Whoever runs the database deletes a receipted bid's promise before the freeze.
    await t.tdb.db.knex('log_promises').where({ object_id: dropped.bid.id }).delete();
    await closeBidding();
    const facts = await sectionFacts();
    // Within the merge delay the verifier waits; after it, the signed promise is evidence.
    expect(judgeInclusion(dropped, await answerOf(dropped), facts, section.deadline + HOUR - 1, keys, merkle).verdict).to.equal('not_yet_due');
    const late = judgeInclusion(dropped, await answerOf(dropped), facts, section.deadline + HOUR, keys, merkle);
    expect(late.verdict).to.equal('broken');
    expect((late as { problems: string[] }).problems[0]).to.match(/promised .* denies knowing the promise/);
    // A log that answers with another entry than the promised one is caught too.
    const answer = (await answerOf(kept)) as Extract<PromiseAnswer, { state: 'merged' }>;
    const forged = { ...answer, entry: answer.entry.replace(kept.bid.ciphertextSha256, dropped.bid.ciphertextSha256) };
    const changed = judgeInclusion(kept, forged, facts, t.clock.now(), keys, merkle);
    expect(changed.verdict).to.equal('broken');
    expect((changed as { problems: string[] }).problems.join('\n')).to.match(/inclusion proof does not lead|other data than the promise/);
    expect(judgeInclusion(kept, answer, facts, t.clock.now(), keys, merkle).verdict).to.equal('included');
  });

  it('merges the promises of a section cancelled during bidding (the scheduler), so none is left hanging', async () => {
    const receipt = await placeBid(t, section, bidders[0]!, '900000.00');
    const cancel = await t.req(t.users.opProc).post(`/api/sections/${section.id}/cancel`).send({ reason: '采购需求发生变化' });
    expect(cancel.status, JSON.stringify(cancel.body)).to.equal(200);
    expect(await answerOf(receipt)).to.deep.include({ state: 'waiting' });
    expect(await t.services.bids.mergeClosedSections()).to.deep.equal([{ section: section.id, merged: 1 }]);
    expect(await t.services.bids.mergeClosedSections()).to.deep.equal([]);
    expect(judgeInclusion(receipt, await answerOf(receipt), await sectionFacts(), t.clock.now(), keys, merkle).verdict).to.equal('included');
  });

  it('publishes checkpoints on a fixed schedule, not per request', async () => {
    const published = (await t.req().get('/api/audit/checkpoint')).body;
    await t.services.audit.append(SYSTEM_CONTEXT, { action: 'test.event', objectType: 'test' });
    // The log grew, but the public checkpoint stays until the next slot.
    expect((await t.req().get('/api/audit/checkpoint')).body).to.deep.equal(published);
    expect(await t.services.audit.publishScheduled()).to.equal(null);
    t.clock.set(T0 - (T0 % CHECKPOINT_INTERVAL_MS) + CHECKPOINT_INTERVAL_MS);
    const next = await t.services.audit.publishScheduled();
    const [{ n }] = await t.tdb.db.knex('audit_log').count('* as n');
    expect(next!.size).to.equal(Number(n)).and.to.be.greaterThan(published.size);
    expect((await t.req().get('/api/audit/checkpoint')).body).to.deep.equal(next);
    // Nothing new to sign in the following slot when the log did not grow.
    t.clock.set(t.clock.now() + CHECKPOINT_INTERVAL_MS);
    expect(await t.services.audit.publishScheduled()).to.equal(null);
  });

  describe('etender verify-receipt --url against a listening server', () => {
    let baseUrl: string;
    let close: () => Promise<void>;
    before(async () => {
      ({ baseUrl, close } = await listenOnLoopback(t.app));
    });
    after(async () => close());

    /** Runs the command in this process with the wall clock at `now` (the CLI judges by its own clock). */
    async function verify(receipt: Receipt, now = Date.now()): Promise<{ out: string; exitCode: number }> {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'etender-receipt-')), 'receipt.json');
      fs.writeFileSync(file, JSON.stringify(receipt));
      const chunks: string[] = [];
      const write = process.stdout.write;
      const realNow = Date.now;
      process.stdout.write = ((chunk: string) => (chunks.push(String(chunk)), true)) as typeof process.stdout.write;
      Date.now = () => now;
      try {
        await verifyReceiptCommand.run({ receipt: file, url: baseUrl }, []);
        return { out: chunks.join(''), exitCode: Number(process.exitCode ?? 0) };
      } finally {
        process.stdout.write = write;
        Date.now = realNow;
        process.exitCode = 0;
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    }

    it('says the promise holds before the close, shows the inclusion after it, and reports a dropped bid as evidence (exit 3)', async () => {
      const kept = await placeBid(t, section, bidders[0]!, '900000.00');
      const dropped = await placeBid(t, section, bidders[1]!, '910000.00');
      const early = await verify(kept, section.deadline - HOUR);
      expect(early.exitCode, early.out).to.equal(0);
      expect(early.out).to.match(/signed promise holds\. The entry joins the public log when bidding closes \(by /);
      await t.tdb.db.knex('log_promises').where({ object_id: dropped.bid.id }).delete();
      await closeBidding();
      const included = await verify(kept, section.deadline + 2 * HOUR);
      expect(included.exitCode, included.out).to.equal(0);
      expect(included.out).to.match(/the log honoured its promise: entry \d+, included in the signed tree of size \d+/);
      const evidence = await verify(dropped, section.deadline + 2 * HOUR);
      expect(evidence.exitCode, evidence.out).to.equal(3);
      expect(evidence.out).to.match(/^EVIDENCE: the log broke its signed promise/);
    });
  });

  it("the receipt page's checks (WebCrypto, here in Node) reach the same verdicts: waiting, included, evidence, a forged signature", async () => {
    const api = async (p: string) => {
      const res = await t.req().get(p);
      return { status: res.status, body: res.body };
    };
    const kept = await placeBid(t, section, bidders[0]!, '900000.00');
    const dropped = await placeBid(t, section, bidders[1]!, '910000.00');
    expect(await checkReceipt(kept, api, t.clock.now())).to.deep.equal({ result: 'not_yet_due', dueAt: section.deadline + HOUR });
    await t.tdb.db.knex('log_promises').where({ object_id: dropped.bid.id }).delete();
    await closeBidding();
    const included = await checkReceipt(kept, api, section.deadline + 2 * HOUR);
    expect(included.result, JSON.stringify(included)).to.equal('included');
    const evidence = await checkReceipt(dropped, api, section.deadline + 2 * HOUR);
    expect(evidence.result).to.equal('broken');
    const forged = { ...kept, promise: { ...kept.promise!, entry: { ...kept.promise!.entry, data: { ...kept.promise!.entry.data, size: 1 } } } };
    expect(await checkReceipt(forged, api, t.clock.now())).to.deep.include({ result: 'invalid' });
  });

  it('answers 404 for a promise it never gave and for a malformed digest', async () => {
    for (const digest of ['0'.repeat(64), 'not-a-digest']) {
      const res = await t.req().get(`/api/audit/promises/${digest}`);
      expect(res.status).to.equal(404);
      expect(res.body.error.message).to.match(/no promise/);
    }
  });
});
