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
import { decryptShare, sealNewOpeningKey } from '../../modules/custody/custody-crypto';
import { createCsr } from '../../modules/pki/client-keys';
import { runCeremony, shareDecryptCommand } from '../../server/commands/ceremony';
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
  const res = await t.req(user).post('/api/projects').send({ centre, title: '办公设备采购', tenderee: '市政务服务管理局', sections: [section] });
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

describe('custody: opening keys held k-of-n', () => {
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

  it('publishing a procurement section fixes a 1-of-1 timer key; its recipient is in the notice and in the audit log', async () => {
    const id = await createSection(t);
    const draft = await t.req(t.users.opProc).get(`/api/sections/${id}`);
    expect(draft.body.section).to.not.have.property('openingKey');

    const published = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(published.status).to.equal(200);
    const key = published.body.section.openingKey;
    expect(key.recipient).to.match(/^age1[a-z0-9]{58}$/);
    expect(key).to.deep.equal({ recipient: key.recipient, threshold: 1, custodians: ['platform-timer'] });

    const publicView = await t.req().get(`/api/sections/${id}`);
    expect(publicView.body.section.openingKey).to.deep.equal(key);
    expect(await t.services.custody.recipientOf(id)).to.equal(key.recipient);

    const shares = await sharesOf(t, id);
    expect(shares).to.have.length(1);
    expect(shares[0]).to.include({ share_index: 1, custodian: 'platform-timer', custodian_label: 'platform-timer', certificate_fingerprint: t.services.platformKeys.timer.fingerprint });
    expect(Buffer.from(shares[0]!.encrypted_share, 'base64')).to.have.length(384); // RSA-3072

    const events = await t.services.audit.list({ action: 'section.opening_key', objectId: id });
    expect(events).to.have.length(1);
    expect(events[0]!.data).to.deep.equal({
      recipient: key.recipient,
      threshold: 1,
      custodians: ['platform-timer'],
      certificateFingerprints: [t.services.platformKeys.timer.fingerprint],
      source: 'server',
    });
    expect(events[0]!.actor).to.include({ id: t.users.opProc.id });
  });

  it('the timer decrypts its share only after the deadline; the rebuilt identity matches the recipient and opens what was sealed to it', async () => {
    const id = await createSection(t);
    const other = await createSection(t);
    const { recipient } = (await t.req(t.users.opProc).post(`/api/sections/${id}/publish`)).body.section.openingKey;
    expect((await t.req(t.users.opProc).post(`/api/sections/${other}/publish`)).status).to.equal(200);
    await expectAppError(t.services.custody.decryptTimerShare(id), 409, 'custody.too_early');
    t.clock.set(T0 + 25 * DAY);
    const share = await t.services.custody.decryptTimerShare(id);
    const identity = await t.services.custody.rebuildSecret(id, [share]);
    expect(await identityToRecipient(identity)).to.equal(recipient);
    expect(await ageRoundTrip(recipient, identity)).to.equal('{"price":"987654.32"}');
    // A share of another section's key does not rebuild that one.
    await expectAppError(t.services.custody.rebuildSecret(other, [share]), 422, 'custody.share_mismatch');
  });

  it('a 2-of-3 custody set set by the admin: three shares, any two rebuild the key, one alone is refused', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    const cus = await custodianWithCertificate(t, t.users.custodian);
    await setCustody(t, { threshold: 2, members: ['platform-timer', 'user:supervisor', 'user:custodian'] });

    const id = await createSection(t);
    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const key = res.body.section.openingKey;
    expect(key).to.deep.include({ threshold: 2, custodians: ['platform-timer', 'user:supervisor', 'user:custodian'] });

    const rows = await sharesOf(t, id);
    expect(rows.map((r) => [r.share_index, r.custodian, r.certificate_fingerprint])).to.deep.equal([
      [1, 'platform-timer', t.services.platformKeys.timer.fingerprint],
      [2, sup.user.id, sup.fingerprint],
      [3, cus.user.id, cus.fingerprint],
    ]);
    t.clock.set(T0 + 25 * DAY);
    const timerShare = await t.services.custody.decryptTimerShare(id);
    const supShare = decryptShare(rows[1]!.encrypted_share, sup.privateKey);
    // The custodian's own tool: `etender share decrypt --key … --share …` prints the share in base64.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-custody-'));
    fs.writeFileSync(path.join(dir, 'custodian.key.pem'), cus.privateKeyPem);
    fs.writeFileSync(path.join(dir, 'share.b64'), `${rows[2]!.encrypted_share}\n`);
    const printed: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      await shareDecryptCommand.run({ key: path.join(dir, 'custodian.key.pem'), share: path.join(dir, 'share.b64') }, []);
    } finally {
      process.stdout.write = write;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const cusShare = new Uint8Array(Buffer.from(printed.join('').trim(), 'base64'));
    expect(Buffer.from(cusShare).equals(Buffer.from(decryptShare(rows[2]!.encrypted_share, cus.privateKey)))).to.equal(true);

    for (const pair of [[timerShare, supShare], [timerShare, cusShare], [supShare, cusShare]]) {
      const identity = await t.services.custody.rebuildSecret(id, pair);
      expect(await identityToRecipient(identity)).to.equal(key.recipient);
    }
    for (const one of [timerShare, supShare, cusShare]) await expectAppError(t.services.custody.rebuildSecret(id, [one]), 422, 'custody.not_enough_shares');
    const flipped = new Uint8Array(supShare);
    flipped[5]! ^= 0x01;
    await expectAppError(t.services.custody.rebuildSecret(id, [timerShare, flipped]), 422, 'custody.share_mismatch');
  });

  it('a custodian without a valid encryption certificate makes publication fail with a clear 422, and nothing is stored', async () => {
    const id = await createSection(t);
    await setCustody(t, { threshold: 2, members: ['platform-timer', 'user:auditor', 'user:nobody-here'] });
    const before = await t.snapshot();
    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('rule_violation');
    expect(res.body.error.details[0].rule).to.equal('custody.certificates');
    expect(res.body.error.message).to.contain('custodian user:auditor has no valid encryption certificate');
    expect(res.body.error.message).to.contain('user:nobody-here is not an active staff account');
    expect(await t.snapshot()).to.equal(before);
    expect((await t.req(t.users.opProc).get(`/api/sections/${id}`)).body.section.state).to.equal('draft');

    // A signing certificate is not an encryption certificate.
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await t.services.pki.issueFromCsr(t.users.auditor.ctx, createCsr(pem, { commonName: 'auditor' }), 'signing');
    await setCustody(t, { threshold: 1, members: ['platform-timer', 'user:auditor'] });
    const again = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(again.status).to.equal(422);
    expect(again.body.error.message).to.contain('custodian user:auditor has no valid encryption certificate');
    expect(await sharesOf(t, id)).to.deep.equal([]);
  });

  it('checks the custody setting: threshold within the members, each member once, "platform-timer" or "user:<name>"', async () => {
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    for (const custody of [
      { threshold: 3, members: ['platform-timer', 'user:supervisor'] },
      { threshold: 1, members: ['platform-timer', 'platform-timer'] },
      { threshold: 0, members: ['platform-timer'] },
      { threshold: 1, members: ['supervisor'] },
    ]) {
      const res = await t.req(t.users.admin).put('/api/centres/procurement/settings').send({ ...centre.settings, custody });
      expect(res.status, JSON.stringify(custody)).to.equal(422);
      expect(res.body.error.details[0].field).to.match(/^custody\./);
    }
  });

  it('a key ceremony run by the CLI uploads only the recipient and encrypted shares; publication uses that key', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    await setCustody(t, { threshold: 1, members: ['platform-timer', 'user:supervisor'] });
    const id = await createSection(t);
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let result;
    try {
      result = await runCeremony({
        url,
        token: t.users.opProc.token,
        sectionId: id,
        threshold: 1,
        custodians: [
          { name: 'platform-timer', certPem: null }, // fetched from GET /api/pki/keys
          { name: 'supervisor', certPem: sup.certPem },
        ],
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(result.custodians).to.deep.equal([
      { custodian: 'platform-timer', certificateFingerprint: t.services.platformKeys.timer.fingerprint },
      { custodian: 'supervisor', certificateFingerprint: sup.fingerprint },
    ]);
    const uploaded = await t.services.audit.list({ action: 'section.opening_key_uploaded', objectId: id });
    expect(uploaded[0]!.data).to.deep.include({ recipient: result.recipient, threshold: 1, custodians: ['platform-timer', 'user:supervisor'] });
    expect(await t.services.custody.recipientOf(id)).to.equal(null); // not fixed until publication

    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.section.openingKey).to.deep.equal({ recipient: result.recipient, threshold: 1, custodians: ['platform-timer', 'user:supervisor'] });
    const fixed = await t.services.audit.list({ action: 'section.opening_key', objectId: id });
    expect(fixed[0]!.data).to.deep.include({ recipient: result.recipient, source: 'ceremony' });
    // Either custodian's share opens it: the supervisor's, and (after the deadline) the timer's.
    const rows = await sharesOf(t, id);
    const identity = await t.services.custody.rebuildSecret(id, [decryptShare(rows[1]!.encrypted_share, sup.privateKey)]);
    expect(await identityToRecipient(identity)).to.equal(result.recipient);
    t.clock.set(T0 + 25 * DAY);
    expect(await t.services.custody.rebuildSecret(id, [await t.services.custody.decryptTimerShare(id)])).to.equal(identity);
  });

  it('refuses a ceremony upload with the wrong custodians, a bad recipient or certificate, for a published section, or from another centre', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    const timer = t.services.platformKeys.timer;
    const id = await createSection(t);
    const upload = async (custodians: Array<{ name: string; label?: string; certPem: string; fingerprint?: string }>, threshold: number) => {
      const sealed = await sealNewOpeningKey(custodians.map((c) => ({ label: c.name, publicKey: new crypto.X509Certificate(c.certPem).publicKey })), threshold);
      return {
        recipient: sealed.recipient,
        threshold,
        shares: sealed.shares.map((s, i) => ({
          custodian: custodians[i]!.name,
          certificateFingerprint: custodians[i]!.fingerprint ?? crypto.createHash('sha256').update(new crypto.X509Certificate(custodians[i]!.certPem).raw).digest('hex'),
          encryptedShare: s.encryptedShare,
        })),
      };
    };
    const custody = t.services.custody;
    const timerOnly = await upload([{ name: 'platform-timer', certPem: timer.certPem }], 1);

    // The centre's set is the timer alone (the default): naming the supervisor too is refused.
    const wrongSet = await upload([{ name: 'platform-timer', certPem: timer.certPem }, { name: 'supervisor', certPem: sup.certPem }], 1);
    const e1 = await expectAppError(custody.uploadCeremonyKey(t.users.opProc.ctx, id, wrongSet), 422, 'rule_violation');
    expect(e1.message).to.contain('1 of {platform-timer}');
    await expectAppError(custody.uploadCeremonyKey(t.users.opProc.ctx, id, { ...timerOnly, threshold: 2 }), 422, 'rule_violation');
    // A recipient that is not an age X25519 recipient, or whose checksum is broken.
    for (const recipient of ['age1pq1notthekind', timerOnly.recipient.slice(0, -1) + (timerOnly.recipient.endsWith('q') ? 'p' : 'q'), 'AGE-SECRET-KEY-1XYZ']) {
      const err = await expectAppError(custody.uploadCeremonyKey(t.users.opProc.ctx, id, { ...timerOnly, recipient }), 422, 'validation_failed');
      expect(err.details![0]!.field).to.equal('recipient');
    }
    // A share encrypted to a certificate other than the custodian's current one.
    const wrongCert = await upload([{ name: 'platform-timer', certPem: sup.certPem }], 1);
    const e2 = await expectAppError(custody.uploadCeremonyKey(t.users.opProc.ctx, id, wrongCert), 422, 'rule_violation');
    expect(e2.details![0]).to.include({ rule: 'custody.certificates', custodian: 'platform-timer' });
    // Another centre's operator cannot even see the draft; a supervisor sees it but may not change it.
    await expectAppError(custody.uploadCeremonyKey(t.users.opLand.ctx, id, timerOnly), 404, 'not_found');
    await expectAppError(custody.uploadCeremonyKey(t.users.supervisor.ctx, id, timerOnly), 403, 'forbidden');
    await expectAppError(custody.uploadCeremonyKey(t.users.bidderA.ctx, id, timerOnly), 404, 'not_found');
    expect(await sharesOf(t, id)).to.deep.equal([]);

    // Accepted over HTTP; a second ceremony replaces the first while the section is a draft.
    const first = await t.req(t.users.opProc).post(`/api/sections/${id}/opening-key`).send(timerOnly);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body.openingKey).to.deep.include({ recipient: timerOnly.recipient, threshold: 1, custodians: ['platform-timer'], source: 'ceremony', publishedAt: null });
    const second = await upload([{ name: 'platform-timer', certPem: timer.certPem }], 1);
    expect((await t.req(t.users.opProc).post(`/api/sections/${id}/opening-key`).send(second)).status).to.equal(201);
    const published = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(published.body.section.openingKey.recipient).to.equal(second.recipient);
    // Once published, the key is fixed.
    const late = await t.req(t.users.opProc).post(`/api/sections/${id}/opening-key`).send(await upload([{ name: 'platform-timer', certPem: timer.certPem }], 1));
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal('invalid_transition');
    expect(await custody.recipientOf(id)).to.equal(second.recipient);
    // Malformed bodies never reach the service.
    const bad = await t.req(t.users.opProc).post(`/api/sections/${id}/opening-key`).send({ ...second, shares: [{ ...second.shares[0], encryptedShare: 'not base64!' }] });
    expect(bad.status).to.equal(422);
  });

  it('no API response, audit entry, log line or table holds an opening secret or a decrypted share before the deadline', async () => {
    const sup = await custodianWithCertificate(t, t.users.supervisor);
    await setCustody(t, { threshold: 2, members: ['platform-timer', 'user:supervisor'] });
    const id = await createSection(t);
    const bodies: string[] = [];
    const keep = (res: { text: string }) => bodies.push(res.text);
    keep(await t.req(t.users.opProc).post(`/api/sections/${id}/publish`));
    keep(await t.req().get(`/api/sections/${id}`));
    keep(await t.req(t.users.opProc).get(`/api/sections/${id}`));
    keep(await t.req().get('/api/sections'));
    keep(await t.req(t.users.auditor).get(`/api/audit/events?objectId=${id}`));
    keep(await t.req(t.users.opProc).post(`/api/sections/${id}/opening-key`).send({ recipient: 'age1x', threshold: 2, shares: [] }));
    // The shares as only their holders could read them, to look for.
    const rows = await sharesOf(t, id);
    const plain = [
      crypto.privateDecrypt({ key: t.services.platformKeys.timer.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(rows[0]!.encrypted_share, 'base64')),
      decryptShare(rows[1]!.encrypted_share, sup.privateKey),
    ].map((s) => Buffer.from(s));
    const identity = await t.services.custody.rebuildSecret(id, plain.map((b) => new Uint8Array(b)));
    const needles = ['AGE-SECRET-KEY', identity.slice(16), ...plain.flatMap((s) => [s.toString('base64'), s.toString('hex'), s.subarray(0, 40).toString('latin1')])];
    const audit = JSON.stringify(await t.services.audit.list({}));
    const dump: string[] = [];
    for (const table of ['opening_keys', 'key_shares', 'audit_log', 'sections']) dump.push(JSON.stringify(await t.tdb.db.knex(table).select('*'), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    const logs = logLines.join('');
    expect(logs).to.contain('"path":"/api/sections/'); // the log is really captured
    for (const [where, text] of [['responses', bodies.join('\n')], ['audit log', audit], ['logs', logs], ['tables', dump.join('\n')]] as const) {
      for (const needle of needles) expect(text.includes(needle), `${where} contain a secret`).to.equal(false);
    }
  });
});
