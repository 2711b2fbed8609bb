// Bad input gets a clear error and changes nothing.
//
// Every case below takes a digest of every table, sends one bad request, checks the status and the
// error shape {"error":{"code","message","details"?}} (with a message a person can act on), and then
// checks that the digest is unchanged.
//
// Visibility rule observed (and asserted): an object the caller cannot see at all answers 404 (a
// draft of another centre, another organisation's record); an object the caller can see but may
// not change answers 403 (a published section of another centre, for an operator or a bidder).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { creditCodeCheckChar } from '../../modules/orgs/credit-code';
import { createTestApp, makeCreditCode, orgRegistration, openTenderSection, T0, type TestApp } from '../support/test-app';
import { detailsOf, expectError, expectInvalidField, expectRule, unchanged } from '../support/api-errors';

const DAY = 86_400_000;

/** Every file (not directory) under dir, relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

const registration = orgRegistration;

describe('Bad input gets a clear error and changes nothing', () => {
  let t: TestApp;
  /** Procurement project of op-proc. */
  let projectId: string;
  let draftId: string;
  /** Published at T0; the bid window opens at once, so its state is "bidding". */
  let publishedId: string;
  let cancelledId: string;
  /** A draft whose deadline is only 10 days after T0: too soon for an open tender. */
  let tooSoonId: string;
  let landProjectId: string;
  let landDraftId: string;

  before(async () => {
    t = await createTestApp();
    const op = t.req(t.users.opProc);
    const created = await op.post('/api/projects').send({
      centre: 'procurement',
      title: '办公设备采购',
      tenderee: '某市财政局',
      sections: [
        openTenderSection({ title: '第一包 (draft)' }),
        openTenderSection({ title: '第二包 (published)' }),
        openTenderSection({ title: '第三包 (cancelled)' }),
        openTenderSection({ title: '第四包 (deadline too soon)', bidDeadlineAt: T0 + 10 * DAY }),
      ],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    projectId = created.body.project.id;
    [draftId, publishedId, cancelledId, tooSoonId] = created.body.sections.map((s: { id: string }) => s.id);

    const published = await op.post(`/api/sections/${publishedId}/publish`);
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    expect(published.body.section.state).to.equal('bidding');

    const cancelled = await op.post(`/api/sections/${cancelledId}/cancel`).send({ reason: '采购需求变更' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).to.equal(200);
    expect(cancelled.body.section.state).to.equal('cancelled');

    const land = await t
      .req(t.users.opLand)
      .post('/api/projects')
      .send({
        centre: 'land',
        title: '地块挂牌出让',
        tenderee: '某市自然资源和规划局',
        sections: [{ title: '地块一', referencePrice: '50000000.00' }],
      });
    expect(land.status, JSON.stringify(land.body)).to.equal(201);
    landProjectId = land.body.project.id;
    landDraftId = land.body.sections[0].id;
  });
  after(async () => t?.close());

  describe('malformed and mistyped bodies', () => {
    it('malformed JSON → 400 malformed_json', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post('/api/projects').set('Content-Type', 'application/json').send('{"title": '));
      const error = expectError(res, 400, 'malformed_json');
      expect(error.message).to.match(/not valid JSON/);
    });

    it('wrong types inside a new project → 422 naming each nested field', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post('/api/projects')
          .send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection({ title: 5, referencePrice: 100 })] }),
      );
      expectInvalidField(res, 'sections.0.referencePrice');
      expectInvalidField(res, 'sections.0.title');
    });

    it('wrong types in a new section → 422 naming referencePrice and title', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/projects/${projectId}/sections`)
          .send(openTenderSection({ title: 5, referencePrice: 100 })),
      );
      expect(expectInvalidField(res, 'referencePrice').message).to.match(/expected string, received number/);
      expect(expectInvalidField(res, 'title').message).to.match(/expected string, received number/);
    });

    it('wrong type in a section edit → 422 naming title', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).patch(`/api/sections/${draftId}`).send({ title: 5 }));
      expectInvalidField(res, 'title');
    });

    it('a missing required field → 422 naming it', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post('/api/projects')
          .send({ centre: 'procurement', title: 'P', sections: [openTenderSection()] }),
      );
      expectInvalidField(res, 'tenderee');
    });

    it('an unknown field in the body → 422 naming "colour"', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post('/api/projects')
          .send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection()], colour: 'red' }),
      );
      expect(expectInvalidField(res, 'colour').message).to.match(/not a known field/);
    });

    it('an unknown field in a section edit → 422 naming "colour"', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).patch(`/api/sections/${draftId}`).send({ title: 'x', colour: 'red' }));
      expectInvalidField(res, 'colour');
    });
  });

  describe('amounts', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['three decimals', '1.234', /more than two decimals/],
      ['negative', '-5.00', /negative/],
      ['beyond BIGINT fen', '99999999999999999999.00', /too large/],
      ['not a number', '1e6', /decimal string/],
      ['empty', '', /decimal string/],
    ];
    for (const [what, amount, reason] of cases) {
      it(`referencePrice ${JSON.stringify(amount)} (${what}) → 422 naming referencePrice`, async () => {
        const res = await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post(`/api/projects/${projectId}/sections`)
            .send(openTenderSection({ referencePrice: amount })),
        );
        expect(expectInvalidField(res, 'referencePrice').message).to.match(reason);
      });
    }

    it('referencePrice "0.00" → 422 naming referencePrice (must be more than zero)', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post(`/api/projects/${projectId}/sections`)
          .send(openTenderSection({ referencePrice: '0.00', bidBond: '0.00' })),
      );
      const detail = expectInvalidField(res, 'referencePrice', { inMessage: false });
      expect(detail.message).to.match(/more than zero/);
      expect(res.body.error.message).to.match(/reference price must be more than zero/);
    });

    it('a bad amount in a section edit → 422 naming referencePrice', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).patch(`/api/sections/${draftId}`).send({ referencePrice: '1.234' }));
      expectInvalidField(res, 'referencePrice');
    });
  });

  describe('unified social credit codes', () => {
    it('a wrong check character → 422 naming creditCode', async () => {
      const code = '91350100M000100Y44';
      expect(creditCodeCheckChar(code.slice(0, 17))).to.not.equal('4');
      const res = await unchanged(t, () =>
        t
          .req()
          .post('/api/orgs')
          .send(registration({ creditCode: code })),
      );
      expect(expectInvalidField(res, 'creditCode').message).to.match(/check character/);
    });

    it('too short → 422 naming creditCode', async () => {
      const res = await unchanged(t, () =>
        t
          .req()
          .post('/api/orgs')
          .send(registration({ creditCode: makeCreditCode().slice(0, 15) })),
      );
      expect(expectInvalidField(res, 'creditCode').message).to.match(/18 characters/);
    });

    it('a forbidden letter "O" (also when typed as lowercase "o") → 422 naming creditCode', async () => {
      for (const letter of ['O', 'o']) {
        const valid = makeCreditCode();
        const code = `${valid.slice(0, 10)}${letter}${valid.slice(11)}`;
        const res = await unchanged(t, () =>
          t
            .req()
            .post('/api/orgs')
            .send(registration({ creditCode: code })),
        );
        expect(expectInvalidField(res, 'creditCode').message).to.include('"O"');
      }
    });

    it('a duplicate credit code → 409 conflict naming creditCode', async () => {
      const orgA = await t.req(t.users.admin).get(`/api/orgs/${t.orgA}`);
      expect(orgA.status).to.equal(200);
      const res = await unchanged(t, () =>
        t
          .req()
          .post('/api/orgs')
          .send(registration({ creditCode: orgA.body.organisation.creditCode })),
      );
      const error = expectError(res, 409, 'conflict');
      expect(error.message).to.match(/credit code/);
      expect(detailsOf(error)[0]!.field).to.equal('creditCode');
    });

    it('a representative username that is taken → 409, and the organisation is not half-registered', async () => {
      const res = await unchanged(t, () =>
        t
          .req()
          .post('/api/orgs')
          .send(registration({ representatives: [{ username: t.users.bidderA.username, displayName: 'x', password: 'pw-0123456789-abc' }] })),
      );
      const error = expectError(res, 409, 'conflict');
      expect(error.message).to.include(t.users.bidderA.username);
      expect(detailsOf(error)[0]!.field).to.equal('username');
    });
  });

  describe("the centre's rules", () => {
    it('a deadline in the past on create → 422 rule deadline_in_future', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post('/api/projects')
          .send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection({ bidDeadlineAt: T0 - 60_000 })] }),
      );
      expect(expectRule(res, 'deadline_in_future').message).to.match(/in the past/);
    });

    it('an open tender published with its deadline 10 days away → 422 rule minPeriods.open_tender.noticeToDeadline', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${tooSoonId}/publish`));
      const detail = expectRule(res, 'minPeriods.open_tender.noticeToDeadline');
      expect(detail.message).to.include('minPeriods.open_tender.noticeToDeadline');
      expect(detail).to.include({ required: 20, unit: 'days', actual: 10 });
      const section = await t.req(t.users.opProc).get(`/api/sections/${tooSoonId}`);
      expect(section.body.section.state).to.equal('draft');
    });

    it('a bid bond above 2% of the reference price → 422 rule maxBidBondPercent', async () => {
      const res = await unchanged(t, () =>
        t
          .req(t.users.opProc)
          .post('/api/projects')
          .send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection({ referencePrice: '1000000.00', bidBond: '20000.01' })] }),
      );
      const detail = expectRule(res, 'maxBidBondPercent');
      expect(detail.message).to.include('20000.00').and.include('20000.01');
    });

    it('raising the bid bond of a draft above 2% → 422 rule maxBidBondPercent', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).patch(`/api/sections/${draftId}`).send({ bidBond: '20000.01' }));
      expectRule(res, 'maxBidBondPercent');
    });
  });

  describe('disallowed transitions → 409', () => {
    it('publishing a section that is already published', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${publishedId}/publish`));
      expect(expectError(res, 409, 'invalid_transition').message).to.match(/Only a draft can be published; this section is bidding/);
    });

    it('editing a published section', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).patch(`/api/sections/${publishedId}`).send({ title: '改名' }));
      expect(expectError(res, 409, 'invalid_transition').message).to.match(/Only a draft can be edited.*clarification/);
    });

    it('cancelling a section that is already cancelled', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${cancelledId}/cancel`).send({ reason: '再次取消一次' }));
      const error = expectError(res, 409, 'invalid_transition');
      expect(error.message).to.match(/cancelled cannot become cancelled/);
      expect(error.details).to.deep.equal([{ from: 'cancelled', to: 'cancelled', message: error.message }]);
    });

    it('publishing a cancelled section', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${cancelledId}/publish`));
      expectError(res, 409, 'invalid_transition');
    });

    it('a clarification on a draft', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${draftId}/clarifications`).send({ title: '澄清', body: '内容', affectsBids: false }));
      expect(expectError(res, 409, 'invalid_transition').message).to.match(/this section is draft/);
    });

    it('attaching a document to a published section', async () => {
      const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${publishedId}/documents?name=a.pdf`).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.4')));
      expectError(res, 409, 'invalid_transition');
    });
  });

  describe('authentication', () => {
    it('no login → 401 on POST /api/projects', async () => {
      const res = await unchanged(t, () =>
        t
          .req()
          .post('/api/projects')
          .send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection()] }),
      );
      expect(expectError(res, 401, 'unauthenticated').message).to.match(/Log in|token/);
    });

    it('no login → 401 on GET /api/me', async () => {
      const res = await unchanged(t, () => t.req().get('/api/me'));
      expectError(res, 401, 'unauthenticated');
    });

    it('no login → 401 on POST /api/tokens', async () => {
      const res = await unchanged(t, () => t.req().post('/api/tokens').send({ name: 'script' }));
      expectError(res, 401, 'unauthenticated');
    });

    it('an unknown bearer token → 401', async () => {
      const res = await unchanged(t, () => t.req().post('/api/tokens').set('Authorization', 'Bearer etk_notarealtoken').send({ name: 'script' }));
      expect(expectError(res, 401, 'unauthenticated').message).to.match(/unknown, revoked or expired/);
    });

    it('a token without the etk_ prefix → 401, even on a public route', async () => {
      const res = await unchanged(t, () => t.req().get('/api/sections').set('Authorization', 'Bearer abc.def.ghi'));
      expectError(res, 401, 'unauthenticated');
    });

    it('an Authorization header that is not "Bearer <token>" → 401 saying so', async () => {
      const res = await unchanged(t, () => t.req().get('/api/me').set('Authorization', 'Basic b3AtcHJvYzpwdw=='));
      expect(expectError(res, 401, 'unauthenticated').message).to.include('Bearer <token>');
    });

    it('a revoked token → 401', async () => {
      const created = await t.req(t.users.auditor).post('/api/tokens').send({ name: 'to revoke' });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const revoked = await t.req(t.users.auditor).delete(`/api/tokens/${created.body.token.id}`);
      expect(revoked.status, JSON.stringify(revoked.body)).to.equal(204);
      const res = await unchanged(t, () => t.req().get('/api/me').set('Authorization', `Bearer ${created.body.token.token}`));
      expectError(res, 401, 'unauthenticated');
    });
  });

  describe("another centre's or another organisation's objects", () => {
    it('op-land cannot see a procurement draft: GET/PATCH/publish/cancel/clarify/upload → 404', async () => {
      const op = t.req(t.users.opLand);
      const sends: Array<() => supertest.Test> = [
        () => op.get(`/api/sections/${draftId}`),
        () => op.patch(`/api/sections/${draftId}`).send({ title: '改名' }),
        () => op.post(`/api/sections/${draftId}/publish`),
        () => op.post(`/api/sections/${draftId}/cancel`).send({ reason: '不是我的中心' }),
        () => op.post(`/api/sections/${draftId}/clarifications`).send({ title: '澄清', body: '内容' }),
        () => op.post(`/api/sections/${draftId}/documents?name=a.pdf`).send(Buffer.from('%PDF-1.4')),
        () => op.get(`/api/projects/${projectId}`),
        () => op.patch(`/api/projects/${projectId}`).send({ title: '改名' }),
        () => op.post(`/api/projects/${projectId}/sections`).send(openTenderSection()),
      ];
      for (const send of sends) {
        const res = await unchanged(t, send);
        expectError(res, 404, 'not_found');
      }
    });

    it('op-land can see a published procurement section but not change it: PATCH/publish/cancel/clarify → 403', async () => {
      const op = t.req(t.users.opLand);
      const seen = await op.get(`/api/sections/${publishedId}`);
      expect(seen.status).to.equal(200);
      const sends: Array<() => supertest.Test> = [
        () => op.patch(`/api/sections/${publishedId}`).send({ title: '改名' }),
        () => op.post(`/api/sections/${publishedId}/publish`),
        () => op.post(`/api/sections/${publishedId}/cancel`).send({ reason: '不是我的中心' }),
        () => op.post(`/api/sections/${publishedId}/clarifications`).send({ title: '澄清', body: '内容', affectsBids: false }),
      ];
      for (const send of sends) {
        const res = await unchanged(t, send);
        expect(expectError(res, 403, 'forbidden').message).to.include('procurement');
      }
    });

    it('op-proc cannot see a land draft → 404', async () => {
      const op = t.req(t.users.opProc);
      for (const send of [() => op.get(`/api/sections/${landDraftId}`), () => op.post(`/api/sections/${landDraftId}/publish`), () => op.get(`/api/projects/${landProjectId}`)]) {
        expectError(await unchanged(t, send), 404, 'not_found');
      }
    });

    it('a bidder: a draft → 404, a published section → 403 (same rule as for staff)', async () => {
      const bidder = t.req(t.users.bidderA);
      expectError(await unchanged(t, () => bidder.post(`/api/sections/${draftId}/publish`)), 404, 'not_found');
      expectError(await unchanged(t, () => bidder.post(`/api/sections/${draftId}/cancel`).send({ reason: '投标人取消' })), 404, 'not_found');
      expectError(await unchanged(t, () => bidder.post(`/api/sections/${publishedId}/publish`)), 403, 'forbidden');
      expectError(await unchanged(t, () => bidder.patch(`/api/sections/${publishedId}`).send({ title: 'x' })), 403, 'forbidden');
      expectError(await unchanged(t, () => bidder.post(`/api/sections/${publishedId}/cancel`).send({ reason: '投标人取消' })), 403, 'forbidden');
    });

    it('anonymous: a draft → 404; a published section → 401 (log in first)', async () => {
      expectError(await unchanged(t, () => t.req().get(`/api/sections/${draftId}`)), 404, 'not_found');
      expectError(await unchanged(t, () => t.req().post(`/api/sections/${publishedId}/publish`)), 401, 'unauthenticated');
    });

    it("bidderB reading bidderA's organisation → 404, as for an id that does not exist", async () => {
      const res = await unchanged(t, () => t.req(t.users.bidderB).get(`/api/orgs/${t.orgA}`));
      const error = expectError(res, 404, 'not_found');
      const missing = await t.req(t.users.bidderB).get('/api/orgs/01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect(missing.body).to.deep.equal({ error });
      const own = await t.req(t.users.bidderB).get(`/api/orgs/${t.orgB}`);
      expect(own.status).to.equal(200);
    });

    it('a bidder approving an organisation or listing users → 403', async () => {
      const bidder = t.req(t.users.bidderB);
      expectError(await unchanged(t, () => bidder.post(`/api/orgs/${t.orgA}/approve`).send({})), 403, 'forbidden');
      expectError(await unchanged(t, () => bidder.get('/api/users')), 403, 'forbidden');
      expectError(await unchanged(t, () => bidder.patch(`/api/users/${t.users.bidderA.id}`).send({ disabled: true })), 403, 'forbidden');
    });
  });

  describe('size limits', () => {
    it(`a JSON body over maxJsonBytes → 413`, async () => {
      const body = { centre: 'procurement', title: 'P', tenderee: 'T', description: 'x'.repeat(t.config.maxJsonBytes), sections: [openTenderSection()] };
      const res = await unchanged(t, () => t.req(t.users.opProc).post('/api/projects').send(body));
      expect(expectError(res, 413, 'payload_too_large').message).to.include(String(t.config.maxJsonBytes));
    });

    it('a chunked JSON body (no Content-Length) over maxJsonBytes → 413', async () => {
      const res = await unchanged(t, async () => {
        const req = t.req(t.users.opProc).patch(`/api/projects/${projectId}`).set('Content-Type', 'application/json');
        req.write(`{"description":"`);
        const chunk = 'y'.repeat(16 * 1024);
        for (let sent = 0; sent <= t.config.maxJsonBytes; sent += chunk.length) req.write(chunk);
        req.write(`"}`);
        return req;
      });
      expectError(res, 413, 'payload_too_large');
    });
  });

  describe('unknown ids, routes and query parameters', () => {
    it('GET /api/sections/<unknown ULID> → 404', async () => {
      for (const user of [undefined, t.users.admin]) {
        const res = await unchanged(t, () => t.req(user).get('/api/sections/01ARZ3NDEKTSV4RRFFQ69G5FAV'));
        expect(expectError(res, 404, 'not_found').message).to.match(/section/);
      }
    });

    it('GET /api/orgs/xyz → 404', async () => {
      const res = await unchanged(t, () => t.req(t.users.admin).get('/api/orgs/xyz'));
      expect(expectError(res, 404, 'not_found').message).to.match(/organisation/);
    });

    it('PATCH /api/users/unknown as admin → 404', async () => {
      const res = await unchanged(t, () => t.req(t.users.admin).patch('/api/users/unknown').send({ displayName: 'Nobody' }));
      expect(expectError(res, 404, 'not_found').message).to.match(/user/);
    });

    it('POST /api/sections/<unknown>/publish and /cancel → 404', async () => {
      const op = t.req(t.users.opProc);
      expectError(await unchanged(t, () => op.post('/api/sections/01ARZ3NDEKTSV4RRFFQ69G5FAV/publish')), 404, 'not_found');
      expectError(await unchanged(t, () => op.post('/api/sections/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel').send({ reason: '不存在的标段' })), 404, 'not_found');
    });

    it('GET /api/sections?colour=red → 422 naming colour', async () => {
      const res = await unchanged(t, () => t.req().get('/api/sections?colour=red'));
      expect(expectInvalidField(res, 'colour').message).to.match(/not a known field of the query/);
    });

    it('GET /api/sections?state=nonsense → 422 naming state', async () => {
      const res = await unchanged(t, () => t.req().get('/api/sections?state=nonsense'));
      expect(expectInvalidField(res, 'state').message).to.include('bidding');
    });

    it('GET /api/sections?limit=0 and ?limit=abc → 422 naming limit', async () => {
      for (const limit of ['0', 'abc', '201']) {
        expectInvalidField(await unchanged(t, () => t.req().get(`/api/sections?limit=${limit}`)), 'limit');
      }
    });

    it('an unknown route under /api → 404 in the same error shape', async () => {
      const get = await unchanged(t, () => t.req().get('/api/no-such-thing?x=1'));
      expect(expectError(get, 404, 'not_found').message).to.equal('GET /api/no-such-thing was not found.');
      const post = await unchanged(t, () => t.req(t.users.admin).post('/api/sections/x/y/z').send({ a: 1 }));
      expect(expectError(post, 404, 'not_found').message).to.equal('POST /api/sections/x/y/z was not found.');
    });
  });

  describe('cross-site request with a session cookie', () => {
    let agent: ReturnType<typeof supertest.agent>;

    before(async () => {
      agent = supertest.agent(t.app);
      const login = await agent.post('/api/auth/login').send({ username: t.users.opProc.username, password: t.users.opProc.password });
      expect(login.status, JSON.stringify(login.body)).to.equal(200);
      expect(String(login.headers['set-cookie'])).to.include('etender.sid=');
      const me = await agent.get('/api/me');
      expect(me.status).to.equal(200);
      expect(me.body.user.username).to.equal(t.users.opProc.username);
    });

    it('POST /api/tokens with Origin: https://evil.example → 403 cross_site_request', async () => {
      const res = await unchanged(t, () => agent.post('/api/tokens').set('Origin', 'https://evil.example').send({ name: 'stolen' }));
      expect(expectError(res, 403, 'cross_site_request').message).to.match(/another site/);
    });

    it('POST /api/projects with Sec-Fetch-Site: cross-site (no Origin) → 403 cross_site_request', async () => {
      const res = await unchanged(t, () =>
        agent
          .post('/api/projects')
          .set('Sec-Fetch-Site', 'cross-site')
          .send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection()] }),
      );
      expectError(res, 403, 'cross_site_request');
    });

    it('an unparsable Origin → 403 cross_site_request', async () => {
      const res = await unchanged(t, () => agent.post('/api/tokens').set('Origin', 'null').send({ name: 'stolen' }));
      expectError(res, 403, 'cross_site_request');
    });

    it('control: the same session from its own origin can create a token', async () => {
      const res = await agent.post('/api/tokens').send({ name: 'from the browser' });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });
  });
});

describe('Bad input gets a clear error and changes nothing: oversized documents', () => {
  let t: TestApp;
  let draftId: string;
  let blobsDir: string;

  before(async () => {
    t = await createTestApp({ maxDocumentBytes: 1024 });
    blobsDir = path.join(t.config.dataDir, 'blobs');
    const created = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection()] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    draftId = created.body.sections[0].id;
  });
  after(async () => t?.close());

  function expectNoBlobs(): void {
    expect(fs.readdirSync(blobsDir)).to.deep.equal(['tmp']);
    expect(fs.readdirSync(path.join(blobsDir, 'tmp'))).to.deep.equal([]);
  }

  it('a 4 KiB document with Content-Length → 413, no file kept, no DB change', async () => {
    const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${draftId}/documents?name=a.pdf`).set('Content-Type', 'application/pdf').send(Buffer.alloc(4096, 0x41)));
    expect(expectError(res, 413, 'payload_too_large').message).to.include('1024');
    expectNoBlobs();
  });

  it('a 4 KiB document sent chunked (no Content-Length) → 413, no file kept, no DB change', async () => {
    const res = await unchanged(t, async () => {
      const req = t.req(t.users.opProc).post(`/api/sections/${draftId}/documents?name=a.pdf`).set('Content-Type', 'application/pdf');
      for (let i = 0; i < 4; i++) req.write(Buffer.alloc(1024, 0x42 + i));
      return req;
    });
    // The request really went without a Content-Length (chunked transfer encoding).
    expect((res as unknown as { req: { getHeader(name: string): unknown } }).req.getHeader('content-length')).to.equal(undefined);
    expect(expectError(res, 413, 'payload_too_large').message).to.include('1024');
    expectNoBlobs();
  });

  it('a document without a name → 422 naming name, no file kept', async () => {
    const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${draftId}/documents`).send(Buffer.from('%PDF-1.4')));
    expectInvalidField(res, 'name');
    expectNoBlobs();
  });

  it('a document name with a slash → 422 naming name', async () => {
    const res = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${draftId}/documents?name=..%2Fa.pdf`).send(Buffer.from('%PDF-1.4')));
    expectInvalidField(res, 'name');
    expectNoBlobs();
  });

  it('control: a document of exactly the limit is stored', async () => {
    const res = await t.req(t.users.opProc).post(`/api/sections/${draftId}/documents?name=ok.pdf`).set('Content-Type', 'application/pdf').send(Buffer.alloc(1024, 0x43));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.document.size).to.equal(1024);
    expect(filesUnder(blobsDir)).to.deep.equal([path.join(res.body.document.sha256.slice(0, 2), res.body.document.sha256.slice(2, 4), res.body.document.sha256)]);
  });
});

describe('Bad input gets a clear error and changes nothing: login rate limit', () => {
  let t: TestApp;

  before(async () => {
    t = await createTestApp({ loginAttemptsPer15Min: 3 });
  });
  after(async () => t?.close());

  it('3 wrong passwords → 401 each, the 4th → 429; failed logins store nothing', async () => {
    const before = await t.snapshot();
    const login = (password: string) => t.req().post('/api/auth/login').send({ username: t.users.opProc.username, password });
    for (let i = 0; i < 3; i++) {
      const res = await login(`wrong-password-${i}`);
      expect(expectError(res, 401, 'invalid_credentials').message).to.match(/username or password is wrong/);
      expect(await t.snapshot()).to.equal(before);
    }
    const limited = await login('wrong-password-3');
    expect(expectError(limited, 429, 'too_many_requests').message).to.match(/wait 15 minutes/);
    expect(await t.snapshot()).to.equal(before);
    // Once limited, even the right password is refused for this account from this address.
    const right = await login(t.users.opProc.password);
    expectError(right, 429, 'too_many_requests');
    expect(right.headers['set-cookie']).to.equal(undefined);
    expect(await t.snapshot()).to.equal(before);
  });

  it('an unknown username is answered like a wrong password', async () => {
    const res = await unchanged(t, () => t.req().post('/api/auth/login').send({ username: 'nobody-here', password: 'whatever-123456' }));
    expect(expectError(res, 401, 'invalid_credentials').message).to.match(/username or password is wrong/);
  });

  it('a malformed login body → 422, not counted as a login', async () => {
    const res = await unchanged(t, () => t.req().post('/api/auth/login').send({ username: t.users.opLand.username }));
    expectInvalidField(res, 'password');
  });
});
