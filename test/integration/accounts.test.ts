import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app';

function sidOf(res: supertest.Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = cookies.find((x) => x.startsWith('etender.sid='));
  if (!c) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);
  return c.split(';')[0]!;
}

describe('accounts: sessions, tokens, roles', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  const login = (username: string, password: string, cookie?: string) => {
    const r = supertest(t.app).post('/api/auth/login').send({ username, password });
    return cookie ? r.set('Cookie', cookie) : r;
  };

  it('logs in with a password, stores the session in the database and records the login', async () => {
    const { opProc } = t.users;
    const res = await login(opProc.username, opProc.password);
    expect(res.status).to.equal(200);
    expect(res.body.user).to.include({ username: 'op-proc', role: 'operator' });
    expect(res.body.user.centres).to.deep.equal(['construction', 'procurement']);
    const cookie = sidOf(res);
    const me = await supertest(t.app).get('/api/me').set('Cookie', cookie);
    expect(me.status).to.equal(200);
    expect(me.body.user.username).to.equal('op-proc');
    const rows = await t.tdb.db.knex('sessions').where({ user_id: opProc.id });
    expect(rows).to.have.length(1);
    const events = await t.services.audit.list({ action: 'auth.login', objectId: opProc.id });
    expect(events).to.have.length(1);
    expect(events[0]!.actor).to.include({ id: opProc.id, role: 'operator' });
    expect(events[0]!.ip).to.be.a('string').and.not.empty;
  });

  it('gives a new session id at every login (no session fixation)', async () => {
    const { supervisor } = t.users;
    const first = sidOf(await login(supervisor.username, supervisor.password));
    const second = sidOf(await login(supervisor.username, supervisor.password, first));
    expect(second).to.not.equal(first);
    // The old id no longer authenticates anyone.
    expect((await supertest(t.app).get('/api/me').set('Cookie', first)).status).to.equal(401);
    expect((await supertest(t.app).get('/api/me').set('Cookie', second)).status).to.equal(200);
  });

  it('logout really ends the session: the row is gone and the cookie is useless', async () => {
    const { auditor } = t.users;
    const cookie = sidOf(await login(auditor.username, auditor.password));
    expect(await t.tdb.db.knex('sessions').where({ user_id: auditor.id })).to.have.length(1);
    const out = await supertest(t.app).post('/api/auth/logout').set('Cookie', cookie);
    expect(out.status).to.equal(204);
    expect(await t.tdb.db.knex('sessions').where({ user_id: auditor.id })).to.have.length(0);
    expect((await supertest(t.app).get('/api/me').set('Cookie', cookie)).status).to.equal(401);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrong = await login('op-proc', 'not-the-password-at-all');
    const unknown = await login('nobody-here', 'not-the-password-at-all');
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(wrong.body).to.deep.equal(unknown.body);
    expect(wrong.body.error.code).to.equal('invalid_credentials');
    expect(wrong.headers['set-cookie']).to.equal(undefined);
  });

  it('stores passwords as scrypt hashes and tokens only as SHA-256 digests', async () => {
    const { custodian } = t.users;
    const row = await t.tdb.db.knex('users').where({ id: custodian.id }).first();
    expect(String(row.password_hash)).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(String(row.password_hash)).to.not.contain(custodian.password);
    const tokens = await t.tdb.db.knex('api_tokens').where({ user_id: custodian.id });
    expect(tokens).to.have.length(1);
    expect(String(tokens[0].token_hash)).to.equal(crypto.createHash('sha256').update(custodian.token).digest('hex'));
    const dump = JSON.stringify(await t.tdb.db.knex('api_tokens').select('*'), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    expect(dump).to.not.contain(custodian.token);
  });

  it('creates, lists and revokes API tokens; a revoked token is refused', async () => {
    const { bidderA } = t.users;
    const created = await t.req(bidderA).post('/api/tokens').send({ name: 'script', expiresInDays: 30 });
    expect(created.status).to.equal(201);
    const token = created.body.token.token as string;
    expect(token).to.match(/^etk_/);
    const me = await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`);
    expect(me.body.user.username).to.equal('bidder-a');
    const list = await t.req(bidderA).get('/api/tokens');
    expect(list.body.tokens.map((x: { name: string }) => x.name)).to.include('script');
    expect(JSON.stringify(list.body)).to.not.contain(token);
    expect((await t.req(bidderA).delete(`/api/tokens/${created.body.token.id}`)).status).to.equal(204);
    const after = await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`);
    expect(after.status).to.equal(401);
    expect(after.body.error.message).to.match(/revoked/);
    // Revoking someone else's token is not possible.
    expect((await t.req(t.users.bidderB).delete(`/api/tokens/${created.body.token.id}`)).status).to.equal(404);
  });

  it('an expired token is refused (the clock is injected)', async () => {
    const { bidderB } = t.users;
    const created = await t.req(bidderB).post('/api/tokens').send({ name: 'short', expiresInDays: 1 });
    const token = created.body.token.token as string;
    expect((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).to.equal(200);
    t.clock.advance(86_400_000 + 1);
    expect((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).to.equal(401);
  });

  it('only an admin creates staff accounts; operators need centres', async () => {
    const body = { username: 'new-op', displayName: '新经办人', role: 'operator', password: 'a-long-password-1', centres: ['land'] };
    expect((await t.req(t.users.opProc).post('/api/users').send(body)).status).to.equal(403);
    const ok = await t.req(t.users.admin).post('/api/users').send(body);
    expect(ok.status).to.equal(201);
    expect(ok.body.user).to.include({ role: 'operator', disabled: false });
    expect(ok.body.user).to.not.have.property('passwordHash');
    const dup = await t.req(t.users.admin).post('/api/users').send(body);
    expect(dup.status).to.equal(409);
    const noCentre = await t
      .req(t.users.admin)
      .post('/api/users')
      .send({ ...body, username: 'op-2', centres: [] });
    expect(noCentre.status).to.equal(422);
    expect(noCentre.body.error.details[0].field).to.equal('centres');
    const bidder = await t
      .req(t.users.admin)
      .post('/api/users')
      .send({ ...body, username: 'b-2', role: 'bidder' });
    expect(bidder.status).to.equal(422);
  });

  it('disabling an account ends its sessions at once and stops its tokens', async () => {
    const reg = await t.req(t.users.admin).post('/api/users').send({ username: 'temp', displayName: 'Temp', role: 'auditor', password: 'temporary-password-1' });
    const id = reg.body.user.id as string;
    const cookie = sidOf(await login('temp', 'temporary-password-1'));
    const token = (await t.services.accounts.createTokenForUsername('temp', 'x')).token;
    expect((await supertest(t.app).get('/api/me').set('Cookie', cookie)).status).to.equal(200);
    const res = await t.req(t.users.admin).patch(`/api/users/${id}`).send({ disabled: true });
    expect(res.status).to.equal(200);
    expect(await t.tdb.db.knex('sessions').where({ user_id: id })).to.have.length(0);
    expect((await supertest(t.app).get('/api/me').set('Cookie', cookie)).status).to.equal(401);
    expect((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).to.equal(401);
    expect((await login('temp', 'temporary-password-1')).status).to.equal(401);
    const audit = await t.services.audit.list({ action: 'user.updated', objectId: id });
    expect(audit[0]!.data).to.deep.include({ before: { displayName: 'Temp', disabled: false, centres: [] } });
  });

  it('an admin cannot disable their own account', async () => {
    const res = await t.req(t.users.admin).patch(`/api/users/${t.users.admin.id}`).send({ disabled: true });
    expect(res.status).to.equal(409);
  });

  it('changes a password: the old one stops working', async () => {
    const reg = await t.req(t.users.admin).post('/api/users').send({ username: 'pw-user', displayName: 'P', role: 'custodian', password: 'first-password-123' });
    expect(reg.status).to.equal(201);
    const token = (await t.services.accounts.createTokenForUsername('pw-user', 'x')).token;
    const wrong = await supertest(t.app).post('/api/me/password').set('Authorization', `Bearer ${token}`).send({ currentPassword: 'nope', newPassword: 'second-password-123' });
    expect(wrong.status).to.equal(403);
    const ok = await supertest(t.app).post('/api/me/password').set('Authorization', `Bearer ${token}`).send({ currentPassword: 'first-password-123', newPassword: 'second-password-123' });
    expect(ok.status).to.equal(200);
    expect((await login('pw-user', 'first-password-123')).status).to.equal(401);
    expect((await login('pw-user', 'second-password-123')).status).to.equal(200);
  });

  it('a cookie session from another site cannot change anything; from our own origin it can', async () => {
    const { bidderA } = t.users;
    const cookie = sidOf(await login(bidderA.username, bidderA.password));
    const evil = await supertest(t.app).post('/api/tokens').set('Cookie', cookie).set('Origin', 'https://evil.example').send({ name: 'x' });
    expect(evil.status).to.equal(403);
    expect(evil.body.error.code).to.equal('cross_site_request');
    const own = await supertest(t.app).post('/api/tokens').set('Cookie', cookie).set('Host', 'etender.local').set('Origin', 'http://etender.local').send({ name: 'x' });
    expect(own.status).to.equal(201);
  });
});
