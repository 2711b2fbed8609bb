import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Decrypter, Encrypter, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import { pino } from 'pino';
import { DAY } from '../../modules/core/clock';
import { AppError } from '../../modules/core/errors';
import { decryptShare, encryptShare } from '../../modules/custody/custody-crypto';
import { dealCeremonyKey, dealToHolders, lockScalar, openTimeLock, recipientOfParts } from '../../modules/custody/opening-key';
import { randomScalar } from '../../modules/custody/feldman';
import { roundAtOrAfter, roundTimeMs } from '../../modules/timelock/beacon';
import { openingIdentity } from '../support/bidding';
import { createCsr } from '../../modules/pki/client-keys';
import { confirmMyShare, runCeremony, shareDecryptCommand } from '../../server/commands/ceremony';
import { createTestApp, openTenderSection, T0, type TestApp, type TestUser } from '../support/test-app';

interface Custodian {
  user: TestUser;
  privateKey: crypto.KeyObject;
  privateKeyPem: string;
  certPem: string;
  fingerprint: string;
}

const issuedTo = new Map<string, Custodian>();

/**
 * A key pair made "on the custodian's machine" and an encryption certificate issued by the platform,
 * once per user of the test app (with the manual clock, a second one would be issued at the same instant).
 */
async function custodianWithCertificate(t: TestApp, user: TestUser): Promise<Custodian> {
  const known = issuedTo.get(user.id);
  if (known) return known;
  const custodian = await makeCustodian(t, user);
  issuedTo.set(user.id, custodian);
  return custodian;
}

async function makeCustodian(t: TestApp, user: TestUser): Promise<Custodian> {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const issued = await t.services.pki.issueFromCsr(user.ctx, createCsr(privateKeyPem, { commonName: user.username }), 'encryption');
  return { user, privateKey, privateKeyPem, certPem: issued.pem, fingerprint: issued.fingerprint };
}

async function createSection(t: TestApp, user = t.users.opProc, centre = 'procurement', section: Record<string, unknown> = openTenderSection()): Promise<string> {
  const res = await t
    .req(user)
    .post('/api/projects')
    .send({ centre, title: '办公设备采购', tenderee: '市政务服务管理局', sections: [section] });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.sections[0].id as string;
}

async function setCustody(t: TestApp, custody: { threshold: number; members: string[] } | undefined, centre = 'procurement') {
  const { centre: current } = (await t.req().get(`/api/centres/${centre}`)).body;
  const settings = { ...current.settings, custody };
  if (custody === undefined) delete settings.custody;
  const res = await t.req(t.users.admin).put(`/api/centres/${centre}/settings`).send(settings);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
}

async function sharesOf(t: TestApp, sectionId: string): Promise<Array<{ share_index: number; custodian: string; custodian_label: string; certificate_fingerprint: string; encrypted_share: string }>> {
  return (await t.tdb.db.knex('key_shares').where({ section_id: sectionId }).orderBy('share_index')).map((r: any) => ({ ...r, share_index: Number(r.share_index) }));
}

async function expectAppError(p: Promise<unknown>, status: number, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect([err.status, err.code], err.message).to.deep.equal([status, code]);
    return err;
  }
  throw new Error(`expected ${status} ${code}`);
}

async function ageRoundTrip(recipient: string, identity: string): Promise<string> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  const sealed = await e.encrypt('{"price":"987654.32"}');
  const d = new Decrypter();
  d.addIdentity(identity);
  return d.decrypt(sealed, 'text');
}

const DEADLINE = T0 + 25 * DAY; // openTenderSection()'s deadline

async function listen(t: TestApp): Promise<{ url: string; close(): Promise<void> }> {
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve(undefined))) };
}

const fingerprintOf = (pem: string) => crypto.createHash('sha256').update(new crypto.X509Certificate(pem).raw).digest('hex');

describe('custody: time-locked opening keys and verifiable shares', () => {
  let t: TestApp;
  const logLines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({}, { log: pino({ level: 'debug' }, sink) });
  });
  after(async () => t.close());
  afterEach(async () => {
    t.clock.set(T0);
    await setCustody(t, undefined);
  });

  it('by default the key is time-locked to the beacon round at the deadline: no share anywhere, the lock public only after the deadline', async () => {
    const id = await createSection(t);
    const published = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    const key = published.body.section.openingKey;
    const info = t.services.beacon.info;
    const round = roundAtOrAfter(info, DEADLINE);
    expect(key).to.deep.equal({
      recipient: key.recipient,
      threshold: 1,
      custodians: ['time-lock'],
      scheme: 'feldman-ed25519',
      commitments: [],
      timeLock: { round, chainHash: info.hash, point: key.timeLock.point, opensAt: roundTimeMs(info, round), beacon: 'local' },
    });
    expect(roundTimeMs(info, round)).to.be.within(DEADLINE, DEADLINE + info.period * 1000 - 1);
    expect(recipientOfParts([], key.timeLock.point)).to.equal(key.recipient);
    expect(await sharesOf(t, id)).to.deep.equal([]);
    const [entry] = await t.services.audit.list({ action: 'section.opening_key', objectId: id });
    expect(entry!.data).to.deep.include({ recipient: key.recipient, custodians: ['time-lock'], source: 'server', scheme: 'feldman-ed25519' });
    expect((entry!.data as any).timeLock).to.have.keys(['round', 'chainHash', 'point', 'ciphertextSha256', 'beacon']);

    await expectAppError(t.services.custody.openingKey(id), 409, 'custody.too_early');
    t.clock.set(DEADLINE - 1);
    await expectAppError(t.services.custody.openingKey(id), 409, 'custody.too_early');
    expect((await t.req().get(`/api/sections/${id}`)).body.section.openingKey.timeLock).to.not.have.property('ciphertext');
    t.clock.set(DEADLINE);
    const identity = await openingIdentity(t, id);
    expect(await identityToRecipient(identity)).to.equal(key.recipient);
    expect(await ageRoundTrip(key.recipient, identity)).to.equal('{"price":"987654.32"}');
    expect((await t.req().get(`/api/sections/${id}`)).body.section.openingKey.timeLock.ciphertext).to.match(/^-----BEGIN AGE ENCRYPTED FILE-----/);
  });

  it('checks the custody setting: the time lock counts as one and is always required; members once; known kinds', async () => {
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    for (const custody of [
      { threshold: 3, members: ['platform-timer', 'user:supervisor'] },
      { threshold: 1, members: ['platform-timer', 'platform-timer'] },
      { threshold: 0, members: ['platform-timer'] },
      { threshold: 1, members: ['supervisor'] },
      { threshold: 2, members: ['time-lock'] },
      { threshold: 1, members: ['time-lock', 'user:supervisor'] },
      { threshold: 4, members: ['time-lock', 'user:supervisor', 'user:custodian'] },
    ]) {
      const res = await t
        .req(t.users.admin)
        .put('/api/centres/procurement/settings')
        .send({ ...centre.settings, custody });
      expect(res.status, JSON.stringify(custody)).to.equal(422);
      expect(res.body.error.details[0].field).to.match(/^custody\./);
    }
    const ok = await t
      .req(t.users.admin)
      .put('/api/centres/procurement/settings')
      .send({ ...centre.settings, custody: { threshold: 2, members: ['time-lock', 'user:supervisor', 'user:custodian'] } });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
  });

  it('the time lock and 1 of 2 custodians: both parts needed; a released share that does not verify is refused, naming its custodian', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    const cus = await custodianWithCertificate(t, t.users.custodian);
    await setCustody(t, { threshold: 2, members: ['time-lock', 'user:supervisor', 'user:custodian'] });
    const id = await createSection(t);
    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const key = res.body.section.openingKey;
    expect(key).to.deep.include({ threshold: 2, custodians: ['time-lock', 'user:supervisor', 'user:custodian'] });
    expect(key.commitments).to.have.length(1);
    const rows = await sharesOf(t, id);
    expect(rows.map((r) => [r.share_index, r.custodian, r.certificate_fingerprint])).to.deep.equal([
      [1, sup.user.id, sup.fingerprint],
      [2, cus.user.id, cus.fingerprint],
    ]);
    // Both custodians together still do not hold the key: their part lacks the time lock's.
    const supShare = decryptShare(rows[0]!.encrypted_share, sup.privateKey);
    expect(recipientOfParts(key.commitments, null)).to.not.equal(key.recipient);

    t.clock.set(DEADLINE);
    await t.services.lifecycle.advanceDue();
    expect(await t.services.custody.openingKey(id)).to.deep.include({ status: 'waiting', waitingFor: 'shares', sharesIn: 0, sharesNeeded: 1 });
    const flipped = Buffer.from(supShare);
    flipped[3]! ^= 1;
    const before = await t.snapshot();
    const bad = await t
      .req(t.users.supervisor)
      .post(`/api/sections/${id}/shares`)
      .send({ share: flipped.toString('base64') });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.code).to.equal('custody.share_invalid');
    expect(bad.body.error.details[0]).to.include({ custodian: 'user:supervisor', rule: 'custody.vss' });
    expect(await t.snapshot()).to.equal(before);
    const good = await t
      .req(t.users.supervisor)
      .post(`/api/sections/${id}/shares`)
      .send({ share: Buffer.from(supShare).toString('base64') });
    expect(good.status, JSON.stringify(good.body)).to.equal(200);
    expect(good.body).to.deep.equal({ released: 1, threshold: 2, ready: true });
    const identity = await openingIdentity(t, id);
    expect(await identityToRecipient(identity)).to.equal(key.recipient);
  });

  it('a custodian without a valid encryption certificate makes publication fail with a clear 422, and nothing is stored', async () => {
    const id = await createSection(t);
    await setCustody(t, { threshold: 2, members: ['time-lock', 'user:auditor', 'user:nobody-here'] });
    const before = await t.snapshot();
    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(res.status).to.equal(422);
    expect(res.body.error.details[0].rule).to.equal('custody.certificates');
    expect(res.body.error.message).to.contain('custodian user:auditor has no valid encryption certificate');
    expect(res.body.error.message).to.contain('user:nobody-here is not an active staff account');
    expect(await t.snapshot()).to.equal(before);
  });

  it('a ceremony run by the CLI: commitments and encrypted shares only; publication waits for the custodians to confirm, then adds the time lock', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    await setCustody(t, { threshold: 2, members: ['time-lock', 'platform-timer', 'user:supervisor'] });
    const id = await createSection(t);
    const server = await listen(t);
    try {
      const result = await runCeremony({
        url: server.url,
        token: t.users.opProc.token,
        sectionId: id,
        threshold: 2,
        custodians: [
          { name: 'time-lock', certPem: null },
          { name: 'platform-timer', certPem: null }, // fetched from GET /api/pki/keys
          { name: 'supervisor', certPem: sup.certPem },
        ],
      });
      expect(result.custodians).to.deep.equal([
        { custodian: 'platform-timer', certificateFingerprint: t.services.platformKeys.timer.fingerprint },
        { custodian: 'supervisor', certificateFingerprint: sup.fingerprint },
      ]);
      const [uploaded] = await t.services.audit.list({ action: 'section.opening_key_uploaded', objectId: id });
      expect(uploaded!.data).to.deep.include({ threshold: 2, custodians: ['time-lock', 'platform-timer', 'user:supervisor'], commitmentsSha256: result.commitmentsSha256 });
      expect(await t.services.custody.recipientOf(id)).to.equal(null);

      // Not before the supervisor has checked its share.
      const before = await t.snapshot();
      const early = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
      expect(early.status).to.equal(422);
      expect(early.body.error.code).to.equal('custody.unconfirmed');
      expect(early.body.error.message).to.contain('user:supervisor');
      expect(await t.snapshot()).to.equal(before);
      const stale = await t
        .req(t.users.supervisor)
        .post(`/api/sections/${id}/shares/mine/confirmation`)
        .send({ result: 'verified', commitmentsSha256: '0'.repeat(64) });
      expect(stale.status).to.equal(409);
      // The wrong private key is the custodian's mistake: refused on its machine, and nothing is sent.
      const wrongKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const beforeWrongKey = await t.snapshot();
      let refused: Error | null = null;
      await confirmMyShare({ url: server.url, token: t.users.supervisor.token, sectionId: id, privateKey: wrongKey }).catch((err: Error) => (refused = err));
      expect(String(refused)).to.contain('cannot be decrypted with this --key');
      expect(await t.snapshot()).to.equal(beforeWrongKey);
      const confirmed = await confirmMyShare({ url: server.url, token: t.users.supervisor.token, sectionId: id, privateKey: sup.privateKey });
      expect(confirmed).to.deep.equal({ result: 'verified', shareIndex: 2, commitmentsSha256: result.commitmentsSha256 });
      expect((await t.req(t.users.supervisor).post(`/api/sections/${id}/shares/mine/confirmation`).send({ result: 'verified', commitmentsSha256: result.commitmentsSha256 })).status).to.equal(409);

      const res = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const key = res.body.section.openingKey;
      expect(key).to.deep.include({ threshold: 2, custodians: ['time-lock', 'platform-timer', 'user:supervisor'] });
      // The published recipient is u(T + C_0): the operator's part alone (result.recipient) is not it.
      expect(key.recipient).to.not.equal(result.recipient);
      expect(key.recipient).to.equal(recipientOfParts(key.commitments, key.timeLock.point));
      const [fixed] = await t.services.audit.list({ action: 'section.opening_key', objectId: id });
      expect(fixed!.data).to.deep.include({ recipient: key.recipient, source: 'ceremony', ceremonyBy: 'op-proc' });
      // At the deadline the time lock and the timer's share suffice (2 = the lock and 1 of 2).
      t.clock.set(DEADLINE);
      expect(await identityToRecipient(await openingIdentity(t, id))).to.equal(key.recipient);
    } finally {
      await server.close();
    }
  });

  it('a planted ceremony is refused: a timer share of another secret (422 naming platform-timer), commitments that are not points, the old unverifiable shape; a disputed share stops publication', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    const timer = t.services.platformKeys.timer;
    await setCustody(t, { threshold: 2, members: ['time-lock', 'platform-timer', 'user:supervisor'] });
    const id = await createSection(t);
    const holders = [
      { label: 'platform-timer', publicKey: new crypto.X509Certificate(timer.certPem).publicKey },
      { label: 'supervisor', publicKey: new crypto.X509Certificate(sup.certPem).publicKey },
    ];
    const upload = (dealt: { commitments: string[]; shares: Array<{ encryptedShare: string }> }) => ({
      threshold: 2,
      commitments: dealt.commitments,
      shares: [
        { custodian: 'platform-timer', certificateFingerprint: timer.fingerprint, encryptedShare: dealt.shares[0]!.encryptedShare },
        { custodian: 'supervisor', certificateFingerprint: sup.fingerprint, encryptedShare: dealt.shares[1]!.encryptedShare },
      ],
    });
    const honest = dealCeremonyKey(holders, 1);
    const other = dealToHolders(randomScalar(), holders, 1);
    const before = await t.snapshot();
    // The operator keeps the secret of `honest` and hands the timer a share of another one.
    const planted = upload({ commitments: honest.commitments, shares: [other.shares[0]!, honest.shares[1]!] });
    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/opening-key`).send(planted);
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('custody.share_invalid');
    expect(res.body.error.details[0].custodian).to.equal('platform-timer');
    expect(res.body.error.message).to.contain('platform-timer');
    // Commitments: not a point, the identity, the wrong count; the earlier shape without commitments.
    for (const [commitments, field] of [
      [['ff'.repeat(32)], 'commitments.0'],
      [['01' + '00'.repeat(31)], 'commitments.0'],
      [[...honest.commitments, honest.commitments[0]!], 'commitments'],
    ] as const) {
      const r = await t
        .req(t.users.opProc)
        .post(`/api/sections/${id}/opening-key`)
        .send({ ...upload(honest), commitments });
      expect(r.status, JSON.stringify(commitments)).to.equal(422);
      expect(r.body.error.details[0].field).to.equal(field);
    }
    const legacy = await t
      .req(t.users.opProc)
      .post(`/api/sections/${id}/opening-key`)
      .send({ recipient: honest.recipient, threshold: 2, shares: upload(honest).shares });
    expect(legacy.status).to.equal(422);
    expect(await t.snapshot()).to.equal(before);

    // A share of a user custodian cannot be checked by the server: its holder checks it and disputes it.
    const plantedForSupervisor = upload({ commitments: honest.commitments, shares: [honest.shares[0]!, other.shares[1]!] });
    expect((await t.req(t.users.opProc).post(`/api/sections/${id}/opening-key`).send(plantedForSupervisor)).status).to.equal(201);
    const server = await listen(t);
    try {
      const word = await confirmMyShare({ url: server.url, token: t.users.supervisor.token, sectionId: id, privateKey: sup.privateKey });
      expect(word.result).to.equal('failed');
    } finally {
      await server.close();
    }
    const publish = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(publish.status).to.equal(422);
    expect(publish.body.error.code).to.equal('custody.share_disputed');
    expect(publish.body.error.message).to.contain('user:supervisor');
    expect((await t.services.audit.list({ action: 'custody.share_disputed', objectId: id })).length).to.equal(1);
    // Access: another centre's operator does not see the draft; a supervisor may not change it.
    expect((await t.req(t.users.opLand).post(`/api/sections/${id}/opening-key`).send(upload(honest))).status).to.equal(404);
    expect((await t.req(t.users.supervisor).post(`/api/sections/${id}/opening-key`).send(upload(honest))).status).to.equal(403);
  });

  it('a deadline changed between the plan and the publish transaction is refused (409), never locked to the old round', async () => {
    const id = await createSection(t);
    const plan = await t.services.custody.planOpeningKey({ id, centre: 'procurement', code: 'HF-TEST', bidDeadlineAt: DEADLINE });
    const before = await t.snapshot();
    const store = (deadline: number) => t.services.inTransaction((tx) => tx.custody.storeOpeningKey(t.users.opProc.ctx, id, plan, deadline));
    await expectAppError(store(DEADLINE + DAY), 409, 'conflict');
    expect(await t.snapshot()).to.equal(before);
  });

  it('a later deadline wraps the time lock again: at the earlier round it stays shut, at the new one it opens', async () => {
    const id = await createSection(t);
    const key = (await t.req(t.users.opProc).post(`/api/sections/${id}/publish`)).body.section.openingKey;
    const newDeadline = DEADLINE + 5 * DAY;
    t.clock.set(T0 + DAY);
    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/clarifications`).send({ title: '延期', body: '截止时间顺延', affectsBids: true, newBidDeadlineAt: newDeadline });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const info = t.services.beacon.info;
    const [moved] = await t.services.audit.list({ action: 'section.time_lock_moved', objectId: id });
    expect(moved!.data).to.deep.include({ fromRound: key.timeLock.round, toRound: roundAtOrAfter(info, newDeadline) });
    const row = await t.tdb.db.knex('opening_keys').where({ section_id: id }).first();
    const lock = { round: Number(row.time_lock_round), chainHash: row.time_lock_chain, point: row.time_lock_point, ciphertext: row.time_lock_ciphertext };
    expect(lock.point).to.equal(key.timeLock.point);
    expect((await t.req().get(`/api/sections/${id}`)).body.section.openingKey.recipient).to.equal(key.recipient);
    t.clock.set(DEADLINE + 60_000);
    expect((await openTimeLock(t.services.beacon, lock)).status).to.equal('too_early');
    t.clock.set(newDeadline);
    expect((await openTimeLock(t.services.beacon, lock)).status).to.equal('opened');
    expect(await identityToRecipient(await openingIdentity(t, id))).to.equal(key.recipient);
  });

  it('no API response, audit entry, log line or table holds the opening secret or a decrypted share before the deadline', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    await setCustody(t, { threshold: 2, members: ['time-lock', 'user:supervisor'] });
    const id = await createSection(t);
    const bodies: string[] = [];
    const keep = (res: { text: string }) => bodies.push(res.text);
    keep(await t.req(t.users.opProc).post(`/api/sections/${id}/publish`));
    keep(await t.req().get(`/api/sections/${id}`));
    keep(await t.req(t.users.opProc).get(`/api/sections/${id}`));
    keep(await t.req().get('/api/sections'));
    keep(await t.req(t.users.supervisor).get(`/api/sections/${id}/shares/mine`));
    keep(await t.req(t.users.auditor).get(`/api/audit/events?objectId=${id}`));
    const audit = JSON.stringify(await t.services.audit.list({}));
    const dump: string[] = [];
    for (const table of ['opening_keys', 'key_shares', 'audit_log', 'sections'])
      dump.push(JSON.stringify(await t.tdb.db.knex(table).select('*'), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    const logs = logLines.join('');
    // What only the deadline brings: the identity, and the supervisor's share as only it can read it.
    t.clock.set(DEADLINE);
    await t.services.lifecycle.advanceDue();
    const share = Buffer.from(decryptShare((await sharesOf(t, id))[0]!.encrypted_share, sup.privateKey));
    expect(
      (
        await t
          .req(t.users.supervisor)
          .post(`/api/sections/${id}/shares`)
          .send({ share: share.toString('base64') })
      ).status,
    ).to.equal(200);
    const identity = await openingIdentity(t, id);
    const needles = ['AGE-SECRET-KEY', identity.slice(16), share.toString('base64'), share.toString('hex')];
    expect(logs).to.contain('"path":"/api/sections/');
    for (const [where, text] of [
      ['responses', bodies.join('\n')],
      ['audit log', audit],
      ['logs', logs],
      ['tables', dump.join('\n')],
    ] as const) {
      for (const needle of needles) expect(text.includes(needle), `${where} contain a secret`).to.equal(false);
    }
  });
});
