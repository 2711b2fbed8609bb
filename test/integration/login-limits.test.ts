// Sign-in hardening: one form of a username, wrong-password budgets per address and per account,
// what a password change ends, who may mint API tokens, logout with a token, the same-origin check.
import { expect } from 'chai';
import supertest from 'supertest';
import { migrateLatest, migrateUpTo } from '../../db/migrate';
import * as store from '../../modules/accounts/accounts-store';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { createTestApp, makeCreditCode, type TestApp } from '../support/test-app';
import { createTestDatabase, usingMysql } from '../support/test-db';

const MINUTE = 60_000;

function sidOf(res: supertest.Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = cookies.find((x) => x.startsWith('etender.sid='));
  if (!c) throw new Error(`no session cookie in ${JSON.stringify(cookies)} (status ${res.status} ${JSON.stringify(res.body)})`);
  return c.split(';')[0]!;
}

describe('login: usernames, limits, password change, tokens, origin', () => {
  let t: TestApp;
  // Addresses from the documentation range, as a trusted proxy would pass them on.
  let next = 1;
  const address = () => `203.0.113.${next++}`;
  const login = (from: string, username: string, password: string) => supertest(t.app).post('/api/auth/login').set('X-Forwarded-For', from).send({ username, password });

  before(async () => {
    t = await createTestApp({ trustProxy: true, loginAttemptsPer15Min: 3, loginFailuresPerAddressPer15Min: 6 });
  });
  after(async () => t.close());

  describe('one form of a username', () => {
    it('signs in "ADMIN", "admin   " and the full-width "ａｄｍｉｎ" as admin, and they share one budget', async () => {
      const from = address();
      for (const variant of ['ADMIN', 'admin   ', 'ａｄｍｉｎ']) {
        const ok = await login(from, variant, t.users.admin.password);
        expect(ok.status, variant).to.equal(200);
        expect(ok.body.user.username).to.equal('admin');
      }
      for (let i = 0; i < 3; i++) expect((await login(from, 'admin', 'wrong-password-here')).status).to.equal(401);
      // Every spelling of the account is now refused from this address, even with the right password.
      for (const variant of ['admin', 'ADMIN', 'admin   ', ' Admin', 'ａｄｍｉｎ']) {
        const res = await login(from, variant, t.users.admin.password);
        expect(res.status, variant).to.equal(429);
      }
    });

    it('stores a new account in the normalised form; variants are taken, inner spaces are refused', async () => {
      const base = { displayName: 'Carol', role: 'auditor', password: 'carols-password-1' };
      const created = await t
        .req(t.users.admin)
        .post('/api/users')
        .send({ ...base, username: 'Carol.X' });
      expect(created.status).to.equal(201);
      expect(created.body.user.username).to.equal('carol.x');
      for (const variant of ['CAROL.X', 'carol.x  ', 'ｃａｒｏｌ.ｘ']) {
        const dup = await t
          .req(t.users.admin)
          .post('/api/users')
          .send({ ...base, username: variant });
        expect(dup.status, variant).to.equal(409);
        expect(dup.body.error.details[0].field).to.equal('username');
      }
      const spaced = await t
        .req(t.users.admin)
        .post('/api/users')
        .send({ ...base, username: 'carol x' });
      expect(spaced.status).to.equal(422);
      expect(spaced.body.error.details[0].field).to.equal('username');
      expect(spaced.body.error.message).to.match(/whitespace|spaces/);
      // A bidder registering through the organisation form meets the same rule.
      const org = await t
        .req()
        .post('/api/orgs')
        .send({
          name: '丙公司',
          creditCode: makeCreditCode(),
          contactName: '王',
          contactPhone: '0551-7654321',
          representatives: [{ username: 'dan\u3000wu', displayName: 'Dan', password: 'dans-password-12' }],
        });
      expect(org.status).to.equal(422);
      expect(org.body.error.details[0].field).to.equal('representatives.0.username');
      expect(await t.tdb.db.knex('users').where({ username: 'carol.x' })).to.have.length(1);
    });

    it('the CLI path (createStaffUser) stores the normalised name and refuses inner spaces', async () => {
      const user = await t.services.accounts.createStaffUser(SYSTEM_CONTEXT, { username: '  Li.Wei ', displayName: '李伟', role: 'auditor', password: 'li-wei-password-1' }, { system: true });
      expect(user.username).to.equal('li.wei');
      let error: unknown = null;
      try {
        await t.services.accounts.createStaffUser(SYSTEM_CONTEXT, { username: 'li wei', displayName: '李伟', role: 'auditor', password: 'li-wei-password-1' }, { system: true });
      } catch (err) {
        error = err;
      }
      expect((error as { status?: number })?.status).to.equal(422);
      expect((error as { details: Array<{ field: string }> }).details[0]!.field).to.equal('username');
      expect((await t.services.accounts.createTokenForUsername('LI.WEI', 'cli')).token).to.match(/^etk_/);
    });

    it('the database itself matches only the stored form (no case-insensitive or PAD SPACE collation)', async () => {
      const knex = t.tdb.db.knex;
      expect(await store.findUser(knex, { username: 'admin' })).to.not.equal(null);
      expect(await store.findUser(knex, { username: 'ADMIN' })).to.equal(null);
      expect(await store.findUser(knex, { username: 'admin ' })).to.equal(null);
      expect(await store.findUser(knex, { username: 'ａｄｍｉｎ' })).to.equal(null);
    });
  });

  describe('wrong-password budgets', () => {
    it('stops password spraying: one try on each of many accounts from one address', async () => {
      const from = address();
      for (let i = 0; i < 6; i++) expect((await login(from, `someone-${i}`, 'a-guessed-password')).status).to.equal(401);
      const limited = await login(from, 'someone-else', 'a-guessed-password');
      expect(limited.status).to.equal(429);
      expect(limited.headers['retry-after']).to.equal(String(15 * 60));
      expect(limited.body.error.code).to.equal('too_many_requests');
      expect(limited.body.error.message).to.match(/from your address; wait 15 minutes/);
      // The real user, from their own address, is not affected.
      expect((await login(address(), t.users.bidderA.username, t.users.bidderA.password)).status).to.equal(200);
      // Later in the window the answer says how much of it is left; after it the address may try again.
      t.clock.advance(5 * MINUTE);
      const later = await login(from, 'someone-else', 'a-guessed-password');
      expect(later.headers['retry-after']).to.equal(String(10 * 60));
      expect(later.body.error.message).to.match(/wait 10 minutes/);
      t.clock.advance(10 * MINUTE);
      expect((await login(from, 'someone-else', 'a-guessed-password')).status).to.equal(401);
    });

    it("an attacker spending an account's budget locks out only their own address", async () => {
      const attacker = address();
      const { bidderB } = t.users;
      for (let i = 0; i < 3; i++) expect((await login(attacker, bidderB.username, 'guess-number-' + i)).status).to.equal(401);
      expect((await login(attacker, bidderB.username, bidderB.password)).status).to.equal(429);
      const real = await login(address(), bidderB.username, bidderB.password);
      expect(real.status).to.equal(200);
    });

    it('a right password from an address gives that address a fresh budget for the account', async () => {
      const from = address();
      const { supervisor } = t.users;
      for (let i = 0; i < 2; i++) expect((await login(from, supervisor.username, 'typo-in-password')).status).to.equal(401);
      expect((await login(from, supervisor.username, supervisor.password)).status).to.equal(200);
      for (let i = 0; i < 3; i++) expect((await login(from, supervisor.username, 'typo-in-password')).status).to.equal(401);
      expect((await login(from, supervisor.username, 'typo-in-password')).status).to.equal(429);
    });

    it('a malformed request costs nothing', async () => {
      const from = address();
      for (let i = 0; i < 8; i++) {
        const res = await supertest(t.app)
          .post('/api/auth/login')
          .set('X-Forwarded-For', from)
          .send({ username: 'x'.repeat(65), password: 'p' });
        expect(res.status).to.equal(422);
      }
      expect((await login(from, t.users.auditor.username, t.users.auditor.password)).status).to.equal(200);
    });
  });

  describe('password change', () => {
    const newUser = async (username: string, password: string) => {
      const res = await t.req(t.users.admin).post('/api/users').send({ username, displayName: username, role: 'auditor', password });
      expect(res.status).to.equal(201);
      return res.body.user.id as string;
    };
    const change = (cookie: string, from: string, body: object) => supertest(t.app).post('/api/me/password').set('Cookie', cookie).set('X-Forwarded-For', from).send(body);

    it('ends the other sessions, keeps this one, and says how many API tokens are still active', async () => {
      const from = address();
      const id = await newUser('pw-change', 'first-password-123');
      const mine = sidOf(await login(from, 'pw-change', 'first-password-123'));
      const other = sidOf(await login(address(), 'pw-change', 'first-password-123'));
      const token = (await t.services.accounts.createTokenForUsername('pw-change', 'script')).token;

      const res = await change(mine, from, { currentPassword: 'first-password-123', newPassword: 'second-password-123' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ sessionsEnded: 1, tokensRevoked: 0, activeTokens: 1 });
      expect(res.body.message)
        .to.match(/1 API token is still active/)
        .and.match(/revokeTokens/);
      expect((await supertest(t.app).get('/api/me').set('Cookie', mine)).status).to.equal(200);
      expect((await supertest(t.app).get('/api/me').set('Cookie', other)).status).to.equal(401);
      expect(await t.tdb.db.knex('sessions').where({ user_id: id })).to.have.length(1);
      expect((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).to.equal(200);

      const again = await change(mine, from, { currentPassword: 'second-password-123', newPassword: 'third-password-1234', revokeTokens: true });
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ sessionsEnded: 0, tokensRevoked: 1, activeTokens: 0 });
      expect((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).to.equal(401);
      expect((await supertest(t.app).get('/api/me').set('Cookie', mine)).status).to.equal(200);
      const audit = await t.services.audit.list({ action: 'user.password_changed', objectId: id });
      expect(audit.map((e) => e.data)).to.deep.include({ sessionsEnded: 1, tokensRevoked: 0, activeTokens: 1 });
    });

    it('made with a bearer token, it ends every session of the account', async () => {
      const id = await newUser('pw-token', 'first-password-123');
      sidOf(await login(address(), 'pw-token', 'first-password-123'));
      const token = (await t.services.accounts.createTokenForUsername('pw-token', 'x')).token;
      const res = await supertest(t.app).post('/api/me/password').set('Authorization', `Bearer ${token}`).send({ currentPassword: 'first-password-123', newPassword: 'second-password-123' });
      expect(res.status).to.equal(200);
      expect(res.body.sessionsEnded).to.equal(1);
      expect(await t.tdb.db.knex('sessions').where({ user_id: id })).to.have.length(0);
    });

    it('wrong current passwords are limited like logins, and share their budget', async () => {
      const from = address();
      await newUser('pw-guess', 'first-password-123');
      const cookie = sidOf(await login(from, 'pw-guess', 'first-password-123'));
      for (let i = 0; i < 3; i++) {
        const wrong = await change(cookie, from, { currentPassword: `guess-${i}`, newPassword: 'second-password-123' });
        expect(wrong.status).to.equal(403);
      }
      const limited = await change(cookie, from, { currentPassword: 'first-password-123', newPassword: 'second-password-123' });
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers['retry-after'])).to.be.within(1, 15 * 60);
      expect((await login(from, 'pw-guess', 'first-password-123')).status).to.equal(429);
      // The password did not change.
      expect((await login(address(), 'pw-guess', 'first-password-123')).status).to.equal(200);
    });
  });

  describe('tokens and logout', () => {
    it('a bidder of an organisation that awaits approval cannot mint API tokens', async () => {
      const reg = await t
        .req()
        .post('/api/orgs')
        .send({
          name: '丁工程有限公司',
          creditCode: makeCreditCode(),
          contactName: '赵',
          contactPhone: '0551-1112222',
          representatives: [{ username: 'pending-rep', displayName: 'Rep', password: 'pending-password-1' }],
        });
      expect(reg.status).to.equal(201);
      const cookie = sidOf(await login(address(), 'pending-rep', 'pending-password-1'));
      const res = await supertest(t.app).post('/api/tokens').set('Cookie', cookie).send({ name: 'script' });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('organisation_not_approved');
      expect(res.body.error.message).to.match(/awaits/);
      let cliError: unknown = null;
      try {
        await t.services.accounts.createTokenForUsername('pending-rep', 'cli');
      } catch (err) {
        cliError = err;
      }
      expect((cliError as { status?: number })?.status).to.equal(403);
      expect(await t.tdb.db.knex('api_tokens').where({ user_id: reg.body.representatives[0].id })).to.have.length(0);
      await t.services.orgs.approve(t.users.opProc.ctx, reg.body.organisation.id);
      expect((await supertest(t.app).post('/api/tokens').set('Cookie', cookie).send({ name: 'script' })).status).to.equal(201);
    });

    it('logout with a bearer token says it is not a session (400), and the token goes on working', async () => {
      const res = await t.req(t.users.auditor).post('/api/auth/logout');
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('not_a_session');
      expect(res.body.error.message).to.match(/DELETE \/api\/tokens/);
      expect((await t.req(t.users.auditor).get('/api/me')).status).to.equal(200);
    });

    it('login with a bearer token attached is refused (400), not a server error', async () => {
      const res = await t.req(t.users.auditor).post('/api/auth/login').send({ username: 'auditor', password: t.users.auditor.password });
      expect(res.status).to.equal(400);
    });
  });

  describe('same-origin check for cookie sessions', () => {
    it('compares scheme, host and port with our own origin', async () => {
      const cookie = sidOf(await login(address(), t.users.bidderA.username, t.users.bidderA.password));
      const post = (host: string, origin: string, extra: Record<string, string> = {}) => {
        let r = supertest(t.app).post('/api/tokens').set('Cookie', cookie).set('Host', host).set('Origin', origin);
        for (const [k, v] of Object.entries(extra)) r = r.set(k, v);
        return r.send({ name: 'x' });
      };
      for (const origin of ['https://etender.local', 'http://etender.local:8080', 'http://evil.example', 'null']) {
        const res = await post('etender.local', origin);
        expect(res.status, origin).to.equal(403);
        expect(res.body.error.code).to.equal('cross_site_request');
      }
      expect((await post('etender.local', 'http://etender.local')).status).to.equal(201);
      expect((await post('etender.local:8080', 'http://etender.local:8080')).status).to.equal(201);
      expect((await post('etender.local:80', 'http://etender.local')).status).to.equal(201);
      // Behind a trusted proxy, our origin is what the proxy says the browser reached.
      const proxied = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'etender.example' };
      expect((await post('127.0.0.1:3000', 'https://etender.example', proxied)).status).to.equal(201);
      expect((await post('127.0.0.1:3000', 'http://etender.example', proxied)).status).to.equal(403);
      // Without an Origin header, a browser's Sec-Fetch-Site still tells another site apart.
      const noOrigin = await supertest(t.app).post('/api/tokens').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-site').send({ name: 'x' });
      expect(noOrigin.status).to.equal(403);
    });

    it('with PUBLIC_URL set, that origin is ours whatever the Host header says', async () => {
      const p = await createTestApp({ publicUrl: 'https://etender.example' });
      try {
        const cookie = sidOf(await supertest(p.app).post('/api/auth/login').send({ username: 'bidder-a', password: p.users.bidderA.password }));
        const post = (origin: string) => supertest(p.app).post('/api/tokens').set('Cookie', cookie).set('Host', '127.0.0.1:3000').set('Origin', origin).send({ name: 'x' });
        expect((await post('https://etender.example')).status).to.equal(201);
        expect((await post('http://127.0.0.1:3000')).status).to.equal(403);
        expect((await post('http://etender.example')).status).to.equal(403);
      } finally {
        await p.close();
      }
    });
  });
});

describe('migration 20261201_0022: usernames of existing accounts', () => {
  const user = (id: string, username: string) => ({
    id,
    username,
    display_name: username,
    role: 'auditor',
    password_hash: 'scrypt$x',
    disabled: false,
    created_at: 1,
    updated_at: 1,
  });

  it('normalises existing usernames (and on MySQL makes the column compare exactly)', async () => {
    const tdb = await createTestDatabase({ migrate: false });
    try {
      const knex = tdb.db.knex;
      await migrateUpTo(knex, '20261201_0020_share-confirmations');
      await knex('users').insert([user('01AAAAAAAAAAAAAAAAAAAAAAAA', 'Erin.Y'), user('01BBBBBBBBBBBBBBBBBBBBBBBB', 'ＦＲＡＮＫ'), user('01CCCCCCCCCCCCCCCCCCCCCCCC', 'gina')]);
      await migrateLatest(knex);
      const names = (await knex('users').orderBy('id').select('username')).map((r: { username: string }) => r.username);
      expect(names).to.deep.equal(['erin.y', 'frank', 'gina']);
      if (usingMysql()) {
        const [rows] = await knex.raw("SELECT COLLATION_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'username'");
        expect(rows[0].c).to.equal('utf8mb4_nopad_bin');
      }
    } finally {
      await tdb.cleanup();
    }
  });

  it('stops with a clear message, changing nothing, when two accounts would become one', async () => {
    const tdb = await createTestDatabase({ migrate: false });
    try {
      const knex = tdb.db.knex;
      await migrateUpTo(knex, '20261201_0020_share-confirmations');
      await knex('users').insert(user('01DDDDDDDDDDDDDDDDDDDDDDDD', 'Dave'));
      let insertError: unknown = null;
      try {
        await knex('users').insert(user('01EEEEEEEEEEEEEEEEEEEEEEEE', 'dave'));
      } catch (err) {
        insertError = err;
      }
      if (usingMysql()) {
        // The earlier case-insensitive column already kept such pairs out: nothing can clash there.
        expect((insertError as { code?: string })?.code).to.equal('ER_DUP_ENTRY');
        await migrateLatest(knex);
        expect((await knex('users').select('username')).map((r: { username: string }) => r.username)).to.deep.equal(['dave']);
        return;
      }
      expect(insertError).to.equal(null);
      let error: Error | null = null;
      try {
        await migrateLatest(knex);
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message)
        .to.match(/would become the same account/)
        .and.contain('"Dave"')
        .and.contain('"dave"')
        .and.match(/Nothing was changed/);
      expect((await knex('users').orderBy('id').select('username')).map((r: { username: string }) => r.username)).to.deep.equal(['Dave', 'dave']);
      const ran = (await knex('knex_migrations').select('name')).map((r: { name: string }) => r.name);
      expect(ran).to.not.include('20261201_0022_a_usernames-normalised');
    } finally {
      await tdb.cleanup();
    }
  });
});
