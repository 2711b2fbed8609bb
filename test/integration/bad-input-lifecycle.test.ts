// Bad input gets a clear error and changes nothing: the lifecycle routes after the foundation
// (opening, custody shares, reserve, evaluation, award, contract, re-tender, reports, PKI, audit
// proofs, sealed bids) and the portal pages.
//
// Every case takes a digest of every table, sends one bad request, checks the status and the error
// shape {"error":{"code","message","details"?}} (with a message a person can act on, naming the
// field where there is one), and then checks that the digest is unchanged. The sections are taken
// through the lifecycle with real sealed bids; the describe blocks follow the clock.
import crypto from 'node:crypto';
import { expect } from 'chai';
import type supertest from 'supertest';
import { DAY, HOUR } from '../../modules/core/clock';
import { createCsr } from '../../modules/pki/client-keys';
import { createTestApp, T0, type TestApp, type TestUser } from '../support/test-app';
import { approvedBidder, placeBid, publishedLandSection, publishedSection, sealReserve, type Bidder, type PublishedSection as Section } from '../support/bidding';
import { detailsOf, expectError, expectInvalidField as expectInvalid, unchanged } from '../support/api-errors';
import { ok } from '../support/http';

/** Here the field is named in details[].field and in the top-level message (services word their details). */
const expectInvalidField = (res: supertest.Response, field: string) => expectInvalid(res, field, { inDetail: false });

describe('Bad input on the lifecycle routes gets a clear error and changes nothing', function () {
  this.timeout(180_000);
  let t: TestApp;
  let A: Bidder;
  let B: Bidder;
  let C: Bidder;
  let D: Bidder;
  /** Lowest price, bids by A, B, C, D: opened → evaluating → publicity → awarded. */
  let P: Section;
  /** Comprehensive scoring, bids by A, B, C: opened → evaluating. */
  let Q: Section;
  /** Land, highest price, no bids: fails at the opening. */
  let L: Section;
  /** Published with a 2-of-3 custody set (timer, supervisor, custodian), bids by A, B, C: waits for a share. */
  let K: Section;
  const bidIds = new Map<string, string>();

  async function bid(section: Section, b: Bidder, amount: string) {
    const receipt = await placeBid(t, section, b, amount);
    bidIds.set(`${section.id}:${b.orgId}`, receipt.bid.id);
  }

  async function encryptionCertificate(user: TestUser) {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await t.services.pki.issueFromCsr(user.ctx, createCsr(pem, { commonName: user.username }), 'encryption');
  }

  async function stateOf(id: string): Promise<string> {
    return (await t.req().get(`/api/sections/${id}`)).body.section.state;
  }

  before(async () => {
    t = await createTestApp();
    A = await approvedBidder(t, '甲建设有限公司', 'badlife');
    B = await approvedBidder(t, '乙科技有限公司', 'badlife');
    C = await approvedBidder(t, '丙工程有限公司', 'badlife');
    D = await approvedBidder(t, '丁贸易有限公司', 'badlife');
    P = await publishedSection(t);
    Q = await publishedSection(t, { evaluationMethod: 'comprehensive_scoring' });
    L = await publishedLandSection(t);
    // The custody set applies to sections published from now on.
    await encryptionCertificate(t.users.supervisor);
    await encryptionCertificate(t.users.custodian);
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    ok(
      await t
        .req(t.users.admin)
        .put('/api/centres/procurement/settings')
        .send({ ...centre.settings, custody: { threshold: 2, members: ['platform-timer', 'user:supervisor', 'user:custodian'] } }),
    );
    K = await publishedSection(t);
    let hour = 1;
    for (const [s, bids] of [
      [
        P,
        [
          [A, '900000.00'],
          [B, '850000.00'],
          [C, '1200000.00'],
          [D, '950000.00'],
        ],
      ],
      [
        Q,
        [
          [A, '800000.00'],
          [B, '900000.00'],
          [C, '950000.00'],
        ],
      ],
      [
        K,
        [
          [A, '700000.00'],
          [B, '710000.00'],
          [C, '720000.00'],
        ],
      ],
    ] as Array<[Section, Array<[Bidder, string]>]>) {
      for (const [b, amount] of bids) {
        t.clock.set(T0 + hour++ * HOUR);
        await bid(s, b, amount);
      }
    }
    expect([P, Q, L, K].map((s) => s.deadline)).to.deep.equal([P.deadline, P.deadline, P.deadline, P.deadline]);
  });
  after(async () => t?.close());

  describe('while the sections take bids', () => {
    it('opening officials with an unknown field → 422 naming it', async () => {
      const res = await unchanged(t, () =>
        t.req(t.users.opProc).put(`/api/sections/${P.id}/opening-officials`).send({ presiding: '王主持', recording: '李记录', supervising: '赵监督', witness: '钱见证' }),
      );
      expect(expectInvalidField(res, 'witness').message).to.match(/not a known field/);
    });

    it('opening officials with wrong types and a blank name → 422 naming each field', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .put(`/api/sections/${P.id}/opening-officials`)
          .send({ presiding: 5, recording: ['李记录'], supervising: '   ' }),
      );
      expect(expectInvalidField(res, 'presiding').message).to.match(/expected string, received number/);
      expect(expectInvalidField(res, 'recording').message).to.match(/expected string, received array/);
      expectInvalidField(res, 'supervising');
    });

    it('opening officials without a body → 422 naming the missing fields', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).put(`/api/sections/${P.id}/opening-officials`).send({}));
      for (const f of ['presiding', 'recording', 'supervising']) expectInvalidField(res, f);
    });

    it('a share released before the deadline → 409 custody.too_early', async () => {
      const res = await unchanged(t, () => t.req(t.users.custodian).post(`/api/sections/${K.id}/shares`).send({ share: 'AAAAAAAAAAAA' }));
      expect(expectError(res, 409, 'custody.too_early').message).to.match(/after the bid deadline/);
    });

    it('a share released by a non-custodian → 403 naming the section', async () => {
      for (const user of [t.users.opProc, A.user]) {
        const res = await unchanged(t, () => t.req(user).post(`/api/sections/${K.id}/shares`).send({ share: 'AAAAAAAAAAAA' }));
        expect(expectError(res, 403, 'forbidden').message).to.contain(K.code);
      }
    });

    it('a reserve that is not an age file → 422 naming sealed', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opLand)
          .post(`/api/sections/${L.id}/reserve`)
          .send({ sealed: Buffer.from('6000000.00 in the clear, not sealed').toString('base64') }),
      );
      expect(expectInvalidField(res, 'sealed').message).to.match(/age/);
    });

    it('a reserve that is not base64, or not a string → 422 naming sealed', async () => {
      expectInvalidField(await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${L.id}/reserve`).send({ sealed: '6000000.00 yuan, in the clear!' })), 'sealed');
      expectInvalidField(await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${L.id}/reserve`).send({ sealed: 6000000 })), 'sealed');
      expectInvalidField(await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${L.id}/reserve`).send({ amount: '6000000.00' })), 'amount');
    });

    it('a reserve that is too large → 422 naming sealed (over the schema limit and over the 4 KiB file limit)', async () => {
      const huge = await unchanged(t, () =>
        t
          .req(t.users.opLand)
          .post(`/api/sections/${L.id}/reserve`)
          .send({ sealed: 'A'.repeat(9000) }),
      );
      expect(expectInvalidField(huge, 'sealed').message).to.match(/8192/);
      // A real age file sealed to the section, but 5 KB: under the schema's 8192 characters of base64, over 4 KiB.
      const big = await sealReserve(L.recipient, `6000000.00${' '.repeat(5000)}`);
      expect(big.length).to.be.below(8192);
      expect(expectInvalidField(await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${L.id}/reserve`).send({ sealed: big })), 'sealed').message).to.match(/4 KiB/);
    });

    it('a reserve on a cost-side section → 409 naming the section', async () => {
      const sealed = await sealReserve(P.recipient, '900000.00');
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/reserve`).send({ sealed }));
      expect(expectError(res, 409, 'conflict').message)
        .to.contain(P.code)
        .and.to.match(/cost side/);
    });

    it('starting the evaluation of a section still taking bids → 409 invalid_transition', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/start`));
      const error = expectError(res, 409, 'invalid_transition');
      expect(error.message).to.match(/is bidding, not opened/);
    });

    it('an objection at the opening before the opening → 409 invalid_transition', async () => {
      const res = await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/opening-objections`).send({ text: '开标时间有误' }));
      expect(expectError(res, 409, 'invalid_transition').message).to.match(/bidding/);
    });

    it('scores before the evaluation → 409 evaluation_not_started', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${Q.id}/evaluation/scores`)
          .send({ weights: { price: '30', criteria: { 技术: '70' } }, scores: [{ evaluator: '专家一', bidId: '0'.repeat(26), criterion: '技术', score: '60' }] }),
      );
      expectError(res, 409, 'evaluation_not_started');
    });

    it('the award before any evaluation → 409 evaluation_not_started', async () => {
      expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/award`)), 409, 'evaluation_not_started');
    });

    it('a contract for a section without an award → 409 naming the section', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/contract`).send({ signedAt: T0, amount: '900000.00' }));
      expect(expectError(res, 409, 'conflict').message)
        .to.contain(P.code)
        .and.to.match(/no award/);
    });

    it('re-tendering a section that is taking bids → 409 invalid_transition', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/retender`).send({}));
      expect(expectError(res, 409, 'invalid_transition').message).to.match(/Only a failed section.*bidding/);
    });

    it('a bid with a garbage Etender-Manifest header → 422 manifest_invalid', async () => {
      const res = await unchanged(t, () =>
        t
          .req(A.user)
          .post(`/api/sections/${P.id}/bids`)
          .set('Content-Type', 'application/octet-stream')
          .set('Etender-Manifest', '%%% not base64 %%%')
          .set('Etender-Signature', 'AAAA')
          .send(crypto.randomBytes(100)),
      );
      expect(expectError(res, 422, 'manifest_invalid').message).to.match(/Etender-Manifest/);
    });

    it('a bid whose manifest is JSON of the wrong shape → 422 manifest_invalid naming the fields', async () => {
      const res = await unchanged(t, () =>
        t
          .req(A.user)
          .post(`/api/sections/${P.id}/bids`)
          .set('Content-Type', 'application/octet-stream')
          .set('Etender-Manifest', Buffer.from(JSON.stringify({ format: 'etender-manifest/1', section: 5 })).toString('base64'))
          .set('Etender-Signature', 'AAAA')
          .send(crypto.randomBytes(100)),
      );
      const error = expectError(res, 422, 'manifest_invalid');
      expect(detailsOf(error).every((d) => d.field?.startsWith('manifest.'))).to.equal(true);
    });

    it('a bid without the headers → 422 manifest_missing', async () => {
      const res = await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/bids`).set('Content-Type', 'application/octet-stream').send(crypto.randomBytes(100)));
      expect(expectError(res, 422, 'manifest_missing').message).to.match(/Etender-Manifest/);
    });
  });

  describe('at the opening', () => {
    before(async () => {
      t.clock.set(P.deadline);
      await t.services.lifecycle.advanceDue();
      const outcomes = await t.services.opening.openDue();
      expect(outcomes).to.deep.include.members([
        { id: P.id, outcome: 'opened' },
        { id: Q.id, outcome: 'opened' },
        { id: K.id, outcome: 'waiting' },
      ]);
      expect(await stateOf(L.id)).to.equal('failed');
      expect(await stateOf(K.id)).to.equal('opening');
    });

    it('a share that is not base64 → 422 naming share', async () => {
      const res = await unchanged(t, () => t.req(t.users.custodian).post(`/api/sections/${K.id}/shares`).send({ share: '!!!! not base64 !!!!' }));
      expect(expectInvalidField(res, 'share').message).to.match(/base64/);
    });

    it('an empty share → 422 naming share', async () => {
      expectInvalidField(await unchanged(t, () => t.req(t.users.custodian).post(`/api/sections/${K.id}/shares`).send({ share: '' })), 'share');
      expectInvalidField(await unchanged(t, () => t.req(t.users.custodian).post(`/api/sections/${K.id}/shares`).send({ share: '    ' })), 'share');
      expectInvalidField(await unchanged(t, () => t.req(t.users.custodian).post(`/api/sections/${K.id}/shares`).send({})), 'share');
    });

    it('a base64 share that is not a share of this key → 422 custody.share_invalid (Feldman check)', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.custodian)
          .post(`/api/sections/${K.id}/shares`)
          .send({ share: crypto.randomBytes(6).toString('base64') }),
      );
      expectError(res, 422, 'custody.share_invalid');
    });

    it('a share by a non-custodian after the deadline → 403', async () => {
      expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${K.id}/shares`).send({ share: 'AAAAAAAAAAAA' })), 403, 'forbidden');
    });

    it('opening officials once the record is published → 409 invalid_transition', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).put(`/api/sections/${P.id}/opening-officials`).send({ presiding: '王主持', recording: '李记录', supervising: '赵监督' }));
      expect(expectError(res, 409, 'invalid_transition').message).to.match(/opened/);
    });

    it('an empty objection at the opening → 422 naming text', async () => {
      expectInvalidField(await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/opening-objections`).send({ text: '' })), 'text');
      expectInvalidField(await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/opening-objections`).send({ text: ' \n ' })), 'text');
      expectInvalidField(await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/opening-objections`).send({})), 'text');
    });

    it('a 100 KB objection at the opening → 422 naming text and its limit', async () => {
      const res = await unchanged(t, () =>
        t
          .req(A.user)
          .post(`/api/sections/${P.id}/opening-objections`)
          .send({ text: '质'.repeat((100 * 1024) / 3) + 'x'.repeat(100) }),
      );
      expect(expectInvalidField(res, 'text').message).to.match(/2000/);
    });

    it('an objection at the opening with an unknown field → 422 naming it', async () => {
      expectInvalidField(await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/opening-objections`).send({ text: '签章不清', bidId: 'x' })), 'bidId');
    });

    it('an objection at the opening by a bidder who did not bid → 403', async () => {
      // bidder-a's organisation is approved but did not bid on P: visible section, not its objection to make.
      const res = await unchanged(t, () => t.req(t.users.bidderA).post(`/api/sections/${P.id}/opening-objections`).send({ text: '签章不清' }));
      expect(expectError(res, 403, 'forbidden').message).to.match(/Only bidders of this section/);
    });

    it('an objection at the opening by an operator → 403', async () => {
      expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/opening-objections`).send({ text: '签章不清' })), 403, 'forbidden');
    });

    it('a reserve after the deadline → 409 reserve_closed', async () => {
      const sealed = await sealReserve(L.recipient, '6000000.00');
      const res = await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${L.id}/reserve`).send({ sealed }));
      expect(expectError(res, 409, 'reserve_closed').message)
        .to.contain(L.code)
        .and.to.match(/before the bid deadline/);
    });

    it('starting the evaluation of a section waiting for shares, or of a failed one → 409 invalid_transition', async () => {
      expect(expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${K.id}/evaluation/start`)), 409, 'invalid_transition').message).to.match(/opening, not opened/);
      expect(expectError(await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${L.id}/evaluation/start`)), 409, 'invalid_transition').message).to.match(/failed, not opened/);
    });

    it('re-tendering a failed section with an unknown field or a bad date → 422 naming it', async () => {
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(t.users.opLand)
            .post(`/api/sections/${L.id}/retender`)
            .send({ deadline: P.deadline + 30 * DAY }),
        ),
        'deadline',
      );
      expectInvalidField(await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${L.id}/retender`).send({ bidDeadlineAt: 'next month' })), 'bidDeadlineAt');
    });

    it('re-tendering an opened section → 409 invalid_transition', async () => {
      expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/retender`).send({})), 409, 'invalid_transition');
    });
  });

  describe('during the evaluation', () => {
    let a: string;
    let b: string;
    let c: string;
    const weights = { price: '30', criteria: { 技术: '50', 商务: '20' } };
    before(async () => {
      ok(await t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/start`));
      ok(await t.req(t.users.opProc).post(`/api/sections/${Q.id}/evaluation/start`));
      a = bidIds.get(`${Q.id}:${A.orgId}`)!;
      b = bidIds.get(`${Q.id}:${B.orgId}`)!;
      c = bidIds.get(`${Q.id}:${C.orgId}`)!;
      expect([a, b, c].every((x) => typeof x === 'string' && x.length === 26)).to.equal(true);
    });

    it('starting the evaluation again → 409 invalid_transition', async () => {
      expect(expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/start`)), 409, 'invalid_transition').message).to.match(/evaluating, not opened/);
    });

    it('weights that do not add up to 100 → 422 naming weights and the sum', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${Q.id}/evaluation/scores`)
          .send({ weights: { price: '30', criteria: { 技术: '50', 商务: '30' } }, scores: [{ evaluator: '专家一', bidId: a, criterion: '技术', score: '60' }] }),
      );
      expect(expectInvalidField(res, 'weights')).to.be.an('object');
      expect(res.body.error.message).to.match(/add up to 110/);
    });

    it('the first scores without weights → 422 naming weights', async () => {
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post(`/api/sections/${Q.id}/evaluation/scores`)
            .send({ scores: [{ evaluator: '专家一', bidId: a, criterion: '技术', score: '60' }] }),
        ),
        'weights',
      );
    });

    it('negative scores, scores over 100 and numbers for scores → 422 naming each score', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${Q.id}/evaluation/scores`)
          .send({
            weights,
            scores: [
              { evaluator: '专家一', bidId: a, criterion: '技术', score: '-5' },
              { evaluator: '专家一', bidId: a, criterion: '商务', score: '100.5' },
              { evaluator: '专家一', bidId: b, criterion: '技术', score: 60 },
              { evaluator: '专家一', bidId: b, criterion: '商务', score: '101' },
            ],
          }),
      );
      for (const f of ['scores.0.score', 'scores.1.score', 'scores.2.score', 'scores.3.score']) expectInvalidField(res, f);
    });

    it('a weight over 100 or negative → 422 naming it', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${Q.id}/evaluation/scores`)
          .send({ weights: { price: '-30', criteria: { 技术: '100.50' } }, scores: [{ evaluator: '专家一', bidId: a, criterion: '技术', score: '60' }] }),
      );
      expectInvalidField(res, 'weights.price');
      expectInvalidField(res, 'weights.criteria.技术');
    });

    it('an unknown bid id → 422 naming scores.N.bidId', async () => {
      const unknown = '01ZZZZZZZZZZZZZZZZZZZZZZZZ';
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${Q.id}/evaluation/scores`)
          .send({
            weights,
            scores: [
              { evaluator: '专家一', bidId: a, criterion: '技术', score: '60' },
              { evaluator: '专家一', bidId: unknown, criterion: '技术', score: '60' },
            ],
          }),
      );
      expect(expectInvalidField(res, 'scores.1.bidId').message).to.contain(unknown);
      // A bid of another section is not a bid of this one either.
      const other = bidIds.get(`${P.id}:${A.orgId}`)!;
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post(`/api/sections/${Q.id}/evaluation/scores`)
            .send({ weights, scores: [{ evaluator: '专家一', bidId: other, criterion: '技术', score: '60' }] }),
        ),
        'scores.0.bidId',
      );
    });

    it('a criterion without a weight → 422 naming scores.N.criterion', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${Q.id}/evaluation/scores`)
          .send({ weights, scores: [{ evaluator: '专家一', bidId: a, criterion: '服务', score: '60' }] }),
      );
      expect(expectInvalidField(res, 'scores.0.criterion').message).to.match(/技术, 商务/);
    });

    it('unknown fields in the scores → 422 naming each', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${Q.id}/evaluation/scores`)
          .send({ weights: { ...weights, bonus: '5' }, scores: [{ evaluator: '专家一', bidId: a, criterion: '技术', score: '60', comment: '好' }], final: true }),
      );
      for (const f of ['weights.bonus', 'scores.0.comment', 'final']) expectInvalidField(res, f);
    });

    it('no scores at all → 422 naming scores', async () => {
      expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${Q.id}/evaluation/scores`).send({ weights, scores: [] })), 'scores');
    });

    it('scores for a lowest-price section → 409 naming its method', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${P.id}/evaluation/scores`)
          .send({ weights, scores: [{ evaluator: '专家一', bidId: bidIds.get(`${P.id}:${A.orgId}`)!, criterion: '技术', score: '60' }] }),
      );
      expect(expectError(res, 409, 'conflict').message).to.match(/lowest_price/);
    });

    it('an objection to the candidates before the publicity → 409 publicity_over', async () => {
      const res = await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/evaluation/objections`).send({ text: '第一名的业绩证明存疑。' }));
      expect(expectError(res, 409, 'publicity_over').message).to.match(/during the candidate publicity only.*evaluating/);
    });

    it('the award while evaluating → 409 not_in_publicity', async () => {
      expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/award`)), 409, 'not_in_publicity');
    });
  });

  describe('during the candidate publicity', () => {
    before(async () => {
      ok(await t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/publicity`));
      expect(await stateOf(P.id)).to.equal('publicity');
    });

    it('the award before the publicity ends → 409 publicity_not_over naming the rule', async () => {
      t.clock.set(P.deadline + 2 * DAY);
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/award`));
      const error = expectError(res, 409, 'publicity_not_over');
      expect(error.message).to.match(/candidatePublicityDays/);
      expect(detailsOf(error)[0]!.rule).to.equal('candidatePublicityDays');
    });

    it('an objection to the candidates with an empty or unknown body → 422 naming text', async () => {
      expectInvalidField(await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/evaluation/objections`).send({ text: '' })), 'text');
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(A.user)
            .post(`/api/sections/${P.id}/evaluation/objections`)
            .send({ text: 'x'.repeat(2001) }),
        ),
        'text',
      );
      expectInvalidField(await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/evaluation/objections`).send({ objection: '存疑' })), 'objection');
    });

    it('an objection to the candidates by a bidder who did not bid → 403 naming the section', async () => {
      const res = await unchanged(t, () => t.req(t.users.bidderA).post(`/api/sections/${P.id}/evaluation/objections`).send({ text: '第一名的业绩证明存疑。' }));
      expect(expectError(res, 403, 'forbidden').message).to.contain(P.code);
    });

    it('a decline of rank 4 or of a rank sent as a string → 422 naming rank', async () => {
      expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/decline`).send({ rank: '1', reason: '放弃' })), 'rank');
      expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/decline`).send({ rank: 4, reason: '放弃' })), 'rank');
    });
  });

  describe('after the publicity', () => {
    let awardedAt: number;
    before(async () => {
      t.clock.set(P.deadline + 3 * DAY);
      const awarded = await t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/award`);
      ok(awarded);
      awardedAt = awarded.body.award.awardedAt;
      expect(awardedAt).to.equal(P.deadline + 3 * DAY);
      t.clock.set(awardedAt + 2 * DAY);
    });

    it('an objection to the candidates after the publicity → 409 publicity_over with the end', async () => {
      const res = await unchanged(t, () => t.req(A.user).post(`/api/sections/${P.id}/evaluation/objections`).send({ text: '迟到的质疑' }));
      expect(expectError(res, 409, 'publicity_over').message).to.contain(new Date(P.deadline + 3 * DAY).toISOString());
    });

    it('a second award → 409', async () => {
      expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/evaluation/award`)), 409, 'not_in_publicity');
    });

    it('a contract signed before the award → 422 naming signedAt and the award date', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${P.id}/contract`)
          .send({ signedAt: awardedAt - DAY, amount: '850000.00' }),
      );
      expect(expectInvalidField(res, 'signedAt').message).to.contain(new Date(awardedAt).toISOString());
    });

    it('a contract signed in the future → 422 naming signedAt', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/sections/${P.id}/contract`)
          .send({ signedAt: new Date(t.clock.now() + DAY).toISOString(), amount: '850000.00' }),
      );
      expect(expectInvalidField(res, 'signedAt').message).to.match(/future/);
    });

    it('a contract amount with three decimals, as a number, or zero → 422 naming amount', async () => {
      expect(expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/contract`).send({ signedAt: awardedAt, amount: '850000.001' })), 'amount').message).to.match(
        /decimal/,
      );
      expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/contract`).send({ signedAt: awardedAt, amount: 850000 })), 'amount');
      expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/contract`).send({ signedAt: awardedAt, amount: '0.00' })), 'amount');
    });

    it('a contract with a bad date, an unknown field or nothing → 422 naming them', async () => {
      expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/contract`).send({ signedAt: '2026-12-29', amount: '850000.00' })), 'signedAt');
      expectInvalidField(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/contract`).send({ signedAt: awardedAt, amount: '850000.00', party: '乙' })), 'party');
      const none = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/contract`).send({}));
      expectInvalidField(none, 'signedAt');
      expectInvalidField(none, 'amount');
    });

    it('re-tendering an awarded section → 409 invalid_transition', async () => {
      expect(expectError(await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${P.id}/retender`).send({})), 409, 'invalid_transition').message).to.match(/awarded/);
    });
  });

  describe('reports, certificates, audit proofs', () => {
    it('a CSV import with bad lines → 422 listing each line; nothing stored', async () => {
      const csv = [
        'centre,code,title,reference_price,award_amount,award_date',
        'procurement,HIST-2025-001,复印纸采购,1000000.00,880000.00,2025-03-01',
        'procurement,HIST-2025-002,办公桌椅,1000000.00,88万,2025-03-02',
        'procurement,HIST-2025-003,打印机,500000.00,450000.00,2025-02-30',
        'procurement,HIST-2025-004,投影仪,300000.00,280000.00,2025-03-04',
      ].join('\n');
      const res = await unchanged(t, () => t.req(t.users.opProc).post('/api/reports/imports').set('Content-Type', 'text/csv').send(csv));
      const error = expectError(res, 422, 'validation_failed');
      expect(error.message)
        .to.match(/nothing was imported/)
        .and.to.contain('line 3');
      const details = detailsOf(error);
      expect(details.map((d) => [d.line, d.field])).to.deep.equal([
        [3, 'award_amount'],
        [4, 'award_date'],
      ]);
      expect(details[0]!.message).to.match(/^line 3: award_amount "88万"/);
      expect(details[1]!.message).to.match(/^line 4: award_date "2025-02-30"/);
    });

    it('a CSV import with a broken quote → 422 naming the line', async () => {
      const csv = 'centre,code,title,reference_price,award_amount,award_date\nprocurement,HIST-1,"复印纸,1000000.00,880000.00,2025-03-01\n';
      const error = expectError(await unchanged(t, () => t.req(t.users.opProc).post('/api/reports/imports').set('Content-Type', 'text/csv').send(csv)), 422, 'validation_failed');
      expect(detailsOf(error)[0]!.line).to.be.a('number');
    });

    it('a CSV import sent as JSON → 415', async () => {
      expectError(await unchanged(t, () => t.req(t.users.opProc).post('/api/reports/imports').send({ csv: 'x' })), 415, 'unsupported_media_type');
    });

    it('rates with from after to → 422 naming from', async () => {
      const res = await unchanged(t, () => t.req().get('/api/reports/rates?from=2026-12-31&to=2026-01-01'));
      expect(expectInvalidField(res, 'from').message).to.match(/after/);
    });

    it('rates with dates that are not dates → 422 naming them', async () => {
      expectInvalidField(await unchanged(t, () => t.req().get('/api/reports/rates?from=yesterday&to=2026-12-31')), 'from');
      expectInvalidField(await unchanged(t, () => t.req().get('/api/reports/rates?from=2026-01-01&to=2026-02-30')), 'to');
      expectInvalidField(await unchanged(t, () => t.req().get('/api/reports/rates?from=2026-01-01')), 'to');
      expectInvalidField(await unchanged(t, () => t.req().get('/api/reports/rates?from=2026-01-01&to=2026-12-31&format=xls')), 'format');
    });

    it('a certificate request that is garbage → 422 csr_invalid', async () => {
      const res = await unchanged(t, () => t.req(A.user).post('/api/pki/certificates').send({ csr: 'this is not a certificate request', usage: 'signing' }));
      expect(expectError(res, 422, 'csr_invalid').message).to.match(/etender csr/);
      const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${crypto.randomBytes(300).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      expectError(await unchanged(t, () => t.req(A.user).post('/api/pki/certificates').send({ csr: pem, usage: 'signing' })), 422, 'csr_invalid');
    });

    it('a certificate request with an empty CSR or an unknown usage → 422 naming them', async () => {
      const res = await unchanged(t, () => t.req(A.user).post('/api/pki/certificates').send({ csr: '', usage: 'everything' }));
      expectInvalidField(res, 'csr');
      expectInvalidField(res, 'usage');
    });

    it('an inclusion proof with index ≥ size → 422 naming index', async () => {
      const res = await unchanged(t, () => t.req().get('/api/audit/proofs/inclusion?index=5&size=5'));
      expect(expectInvalidField(res, 'index').message).to.match(/below size/);
      expectInvalidField(await unchanged(t, () => t.req().get('/api/audit/proofs/inclusion?index=-1&size=5')), 'index');
      expectInvalidField(await unchanged(t, () => t.req().get('/api/audit/proofs/inclusion?index=0&size=0')), 'size');
    });

    it('an inclusion proof for a tree larger than the log → 404 naming size', async () => {
      const res = await unchanged(t, () => t.req().get('/api/audit/proofs/inclusion?index=0&size=999999999'));
      const error = expectError(res, 404, 'not_found');
      expect(detailsOf(error)[0]!.field).to.equal('size');
    });
  });

  describe('the portal pages', () => {
    it('an unknown section → 404 HTML page, not JSON', async () => {
      const res = await unchanged(t, () => t.req().get('/sections/unknown-id'));
      expect(res.status).to.equal(404);
      expect(res.headers['content-type']).to.match(/^text\/html/);
      // In the page's language: zh-CN by default, the API's own words on the English page.
      expect(res.text).to.match(/<html/i).and.to.contain('未找到该页面或记录。').and.not.to.contain('was not found');
      expect((await t.req().get('/sections/unknown-id?lang=en')).text).to.contain('was not found');
    });

    it('the reports page with a bad date → a page with the error, not a 500', async () => {
      const res = await unchanged(t, () => t.req().get('/reports?from=x'));
      expect(res.status).to.equal(422);
      expect(res.headers['content-type']).to.match(/^text\/html/);
      expect(res.text).to.match(/<html/i).and.to.contain('起始日期和截止日期须写作 YYYY-MM-DD');
      expect((await t.req().get('/reports?from=x&lang=en')).text).to.contain('is not a date written YYYY-MM-DD');
    });

    it('the reports page with from after to, or repeated parameters → a page with the error', async () => {
      const res = await unchanged(t, () => t.req().get('/reports?from=2026-12-31&to=2026-01-01'));
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('起始日期不能晚于截止日期');
      expect((await t.req().get('/reports?from=2026-12-31&to=2026-01-01&lang=en')).text).to.contain('after it ends');
      const twice = await unchanged(t, () => t.req().get('/reports?from=2026-01-01&from=2026-02-01&to=2026-12-31'));
      expect(twice.status).to.be.below(500);
      expect(twice.headers['content-type']).to.match(/^text\/html/);
    });
  });
});
