import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, makeCreditCode, type TestApp } from '../support/test-app';

describe('organisations: registration and review', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  const registration = (creditCode: string, username: string) => ({
    name: '丙工程咨询有限公司',
    creditCode,
    contactName: '王五',
    contactPhone: '0551-8888888',
    contactEmail: 'wang@example.cn',
    representatives: [{ username, displayName: '王五', password: 'bidder-password-1' }],
  });

  it('registers an organisation as pending with bidder accounts for its representatives', async () => {
    const code = makeCreditCode();
    const res = await supertest(t.app).post('/api/orgs').send(registration(code.toLowerCase(), 'rep-c'));
    expect(res.status).to.equal(201);
    expect(res.body.organisation).to.include({ name: '丙工程咨询有限公司', creditCode: code, status: 'pending' });
    expect(res.body.representatives[0]).to.include({ username: 'rep-c', role: 'bidder', orgId: res.body.organisation.id });
    const events = await t.services.audit.list({ objectType: 'organisation', objectId: res.body.organisation.id });
    expect(events.map((e) => e.action)).to.deep.equal(['org.registered']);
  });

  it('refuses a second registration with the same credit code, and creates no accounts for it', async () => {
    const code = makeCreditCode();
    expect((await supertest(t.app).post('/api/orgs').send(registration(code, 'rep-d'))).status).to.equal(201);
    const again = await supertest(t.app).post('/api/orgs').send(registration(code, 'rep-e'));
    expect(again.status).to.equal(409);
    expect(again.body.error.message).to.match(/already registered/);
    expect(await t.tdb.db.knex('users').where({ username: 'rep-e' })).to.have.length(0);
  });

  it('refuses a taken representative username and keeps nothing of the registration', async () => {
    const code = makeCreditCode();
    const res = await supertest(t.app).post('/api/orgs').send(registration(code, 'bidder-a'));
    expect(res.status).to.equal(409);
    expect(await t.tdb.db.knex('organisations').where({ credit_code: code })).to.have.length(0);
  });

  it('an operator approves a pending organisation once; a bidder cannot', async () => {
    const reg = await supertest(t.app).post('/api/orgs').send(registration(makeCreditCode(), 'rep-f'));
    const id = reg.body.organisation.id as string;
    expect((await t.req(t.users.bidderA).post(`/api/orgs/${id}/approve`).send({})).status).to.equal(403);
    const ok = await t.req(t.users.opLand).post(`/api/orgs/${id}/approve`).send({ note: '资料齐全' });
    expect(ok.status).to.equal(200);
    expect(ok.body.organisation).to.include({ status: 'approved', reviewedBy: t.users.opLand.id, reviewNote: '资料齐全' });
    const twice = await t.req(t.users.opLand).post(`/api/orgs/${id}/approve`).send({});
    expect(twice.status).to.equal(409);
    expect(await t.services.orgFacts.isApproved(id)).to.equal(true);
  });

  it('a rejection needs a reason', async () => {
    const reg = await supertest(t.app).post('/api/orgs').send(registration(makeCreditCode(), 'rep-g'));
    const id = reg.body.organisation.id as string;
    expect((await t.req(t.users.admin).post(`/api/orgs/${id}/reject`).send({})).status).to.equal(422);
    const res = await t.req(t.users.admin).post(`/api/orgs/${id}/reject`).send({ note: '营业执照已过期' });
    expect(res.body.organisation.status).to.equal('rejected');
    expect(await t.services.orgFacts.isApproved(id)).to.equal(false);
  });

  it('a member reads its own organisation; another organisation is not found; staff list them', async () => {
    const own = await t.req(t.users.bidderA).get(`/api/orgs/${t.orgA}`);
    expect(own.status).to.equal(200);
    expect(own.body.representatives.map((u: { username: string }) => u.username)).to.deep.equal(['bidder-a']);
    expect((await t.req(t.users.bidderA).get(`/api/orgs/${t.orgB}`)).status).to.equal(404);
    expect((await supertest(t.app).get(`/api/orgs/${t.orgB}`)).status).to.equal(401);
    expect((await t.req(t.users.bidderA).get('/api/orgs')).status).to.equal(403);
    const pending = await t.req(t.users.supervisor).get('/api/orgs?status=pending');
    expect(pending.status).to.equal(200);
    expect(pending.body.organisations.every((o: { status: string }) => o.status === 'pending')).to.equal(true);
    expect(pending.body.organisations.length).to.be.greaterThan(0);
  });
});
