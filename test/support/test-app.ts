// The real app on a fresh test database, with a manual clock and one signed-in account per role.
// Requests go through supertest with bearer tokens (no cookies), unless a test wants a session.
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { createApp, type Services } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import { createLogger, type Logger } from '../../server/logger';
import { hashToken } from '../../modules/accounts/accounts-service';
import { insertToken } from '../../modules/accounts/accounts-store';
import { ManualClock } from '../../modules/core/clock';
import { newId } from '../../modules/core/ids';
import { SYSTEM_CONTEXT, type RequestContext, type Role } from '../../modules/core/context';
import { creditCodeCheckChar } from '../../modules/orgs/credit-code';
import type { LocalBlobStore } from '../../modules/storage/blob-store';
import { createTestDatabase, snapshot, type TestDatabase } from './test-db';

/** 2026-12-01 09:00 Beijing time, a Tuesday: a fixed "now" for tests. */
export const T0 = Date.parse('2026-12-01T09:00:00+08:00');

export interface TestUser {
  id: string;
  username: string;
  password: string;
  token: string;
  ctx: RequestContext;
}

export interface TestApp {
  app: ReturnType<typeof createApp>['app'];
  /** The declared routes: their schemas, for tests of what they answer. */
  registry: ReturnType<typeof createApp>['registry'];
  services: Services;
  clock: ManualClock;
  tdb: TestDatabase;
  config: Config;
  users: Record<'admin' | 'opProc' | 'opLand' | 'supervisor' | 'auditor' | 'custodian' | 'bidderA' | 'bidderB', TestUser>;
  orgA: string;
  orgB: string;
  /** supertest with the bearer token of a user; anonymous when no user is given. */
  req(user?: TestUser): {
    get(url: string): supertest.Test;
    post(url: string): supertest.Test;
    put(url: string): supertest.Test;
    patch(url: string): supertest.Test;
    delete(url: string): supertest.Test;
  };
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * Platform keys (CA, receipt, log, timer) are made once per test process and shared by its test
 * apps: RSA key generation is too slow to repeat for every file.
 */
let sharedCertsDir: string | null = null;
export function testCertsDir(): string {
  if (!sharedCertsDir) {
    sharedCertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-test-certs-'));
    const dir = sharedCertsDir;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return sharedCertsDir;
}

/** A valid unified social credit code, different on every call. */
export function makeCreditCode(): string {
  counter += 1;
  const body = `91340100MA${String(Date.now() % 1e4).padStart(4, '0')}${String(counter).padStart(3, '0')}`;
  return body + creditCodeCheckChar(body);
}

export async function createTestApp(overrides: Partial<Config> = {}, options: { log?: Logger; blobs?: (dataDir: string) => LocalBlobStore } = {}): Promise<TestApp> {
  const tdb = await createTestDatabase();
  const config: Config = {
    ...loadConfig({ DATA_DIR: tdb.dataDir }),
    loginAttemptsPer15Min: 1000,
    loginFailuresPerAddressPer15Min: 1000,
    orgRegistrationsPerHour: 1000,
    certsDir: testCertsDir(),
    ...overrides,
    dataDir: tdb.dataDir,
  };
  const clock = new ManualClock(T0);
  const log = options.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const { app, services, registry } = createApp({ config, db: tdb.db, clock, log, sessionSecret: 'test-secret', checkResponses: true, blobs: options.blobs?.(tdb.dataDir) });

  const staff = async (username: string, role: Role, centres?: string[]): Promise<TestUser> => {
    const password = `pw-${username}-0123456789`;
    const user = await services.accounts.createStaffUser(SYSTEM_CONTEXT, { username, displayName: username, role, password, centres }, { system: true });
    const token = await services.accounts.createTokenForUsername(username, 'tests');
    const actor = (await services.accounts.actorById(user.id))!;
    return { id: user.id, username, password, token: token.token, ctx: { actor, ip: '127.0.0.1' } };
  };
  const admin = await staff('admin', 'admin');
  const opProc = await staff('op-proc', 'operator', ['procurement', 'construction']);
  const opLand = await staff('op-land', 'operator', ['land']);
  const supervisor = await staff('supervisor', 'supervisor');
  const auditor = await staff('auditor', 'auditor');
  const custodian = await staff('custodian', 'custodian');

  const bidder = async (username: string, orgName: string) => {
    const password = `pw-${username}-0123456789`;
    const reg = await services.orgs.register(SYSTEM_CONTEXT, {
      name: orgName,
      creditCode: makeCreditCode(),
      contactName: '联系人',
      contactPhone: '0551-1234567',
      representatives: [{ username, displayName: username, password }],
    });
    await services.orgs.approve(opProc.ctx, reg.organisation.id);
    const token = await services.accounts.createTokenForUsername(username, 'tests');
    const actor = (await services.accounts.actorById(reg.representatives[0]!.id))!;
    return { orgId: reg.organisation.id, user: { id: actor.userId, username, password, token: token.token, ctx: { actor, ip: '127.0.0.1' } } };
  };
  const a = await bidder('bidder-a', '甲建设有限公司');
  const b = await bidder('bidder-b', '乙科技有限公司');

  const st = supertest(app);
  const withToken = (t: supertest.Test, user?: TestUser) => (user ? t.set('Authorization', `Bearer ${user.token}`) : t);
  return {
    app,
    services,
    registry,
    clock,
    tdb,
    config,
    users: { admin, opProc, opLand, supervisor, auditor, custodian, bidderA: a.user, bidderB: b.user },
    orgA: a.orgId,
    orgB: b.orgId,
    req: (user?: TestUser) => ({
      get: (url) => withToken(st.get(url), user),
      post: (url) => withToken(st.post(url), user),
      put: (url) => withToken(st.put(url), user),
      patch: (url) => withToken(st.patch(url), user),
      delete: (url) => withToken(st.delete(url), user),
    }),
    snapshot: () => snapshot(tdb.db),
    close: () => tdb.cleanup(),
  };
}

/**
 * An API token written straight into the database, like one minted before tokens needed an approved
 * organisation: for tests of what such a token (of a pending bidder, say) may still do.
 */
export async function insertTokenFor(t: TestApp, username: string): Promise<{ token: string }> {
  const row = await t.tdb.db.knex('users').where({ username }).first('id');
  if (!row) throw new Error(`no user ${username}`);
  const token = `etk_${crypto.randomBytes(32).toString('base64url')}`;
  await insertToken(t.tdb.db.knex, { id: newId(), userId: String(row.id), name: 'tests', tokenHash: hashToken(token), createdAt: t.clock.now(), expiresAt: null, revokedAt: null });
  return { token };
}

/** A section input that satisfies the procurement centre's open-tender rules at T0. */
export function openTenderSection(overrides: Record<string, unknown> = {}) {
  return { title: '第一包', referencePrice: '1000000.00', bidBond: '20000.00', bidDeadlineAt: T0 + 25 * 86_400_000, ...overrides };
}

/** A registration body for POST /api/orgs: a fresh credit code and representative username each time. */
export function orgRegistration(overrides: Record<string, unknown> = {}) {
  return {
    name: '丙咨询有限公司',
    creditCode: makeCreditCode(),
    contactName: '王五',
    contactPhone: '0551-7654321',
    representatives: [{ username: `bidder-${Math.random().toString(36).slice(2, 8)}`, displayName: '王五', password: 'pw-bidder-c-0123456789' }],
    ...overrides,
  };
}

/** The app listening on a free loopback port, for clients that speak real HTTP (the CLI, fetch). */
export async function listenOnLoopback(app: TestApp['app']): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
