import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import * as m0001 from '../../db/migrations/20261126_0001_organisations';
import * as m0002 from '../../db/migrations/20261126_0002_accounts';
import * as m0003 from '../../db/migrations/20261126_0003_centres';
import * as m0004 from '../../db/migrations/20261126_0004_tenders';
import * as m0005 from '../../db/migrations/20261126_0005_audit-log';
import * as m0006 from '../../db/migrations/20261126_0006_audit-head-row';
import * as m0007 from '../../db/migrations/20261126_0007_audit-append-only';
import * as m0008 from '../../db/migrations/20261126_0008_default-centres';
import { CHECKPOINT_INTERVAL_MS, createAuditService, verifyCheckpointSignature, type Checkpoint } from '../../modules/audit/audit-service';
import { verifyInstance } from '../../modules/audit/audit-verify';
import { fromHex, leafHash, nodeSourceFromLeaves, rootOf, toHex, verifyConsistency, verifyInclusion } from '../../modules/audit/merkle';
import { ManualClock, MINUTE } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { loadOrCreatePlatformKeys } from '../../modules/pki/platform-keys';
import { createTestDatabase } from '../support/test-db';
import { createTestApp, listenOnLoopback, openTenderSection, testCertsDir, type TestApp } from '../support/test-app';

/** The leaf hashes of the stored entries, recomputed from their exact bytes. */
async function leavesOf(knex: Knex): Promise<Buffer[]> {
  const rows = await knex('audit_log').orderBy('idx').select('idx', 'entry');
  for (const [i, r] of (rows as Array<{ idx: unknown }>).entries()) expect(Number(r.idx)).to.equal(i);
  return rows.map((r: { entry: unknown }) => leafHash(Buffer.from(String(r.entry), 'utf8')));
}

/** The tree the database holds (head row and every node) equals the one recomputed from the entries. */
async function expectTreeMatchesEntries(knex: Knex): Promise<Buffer[]> {
  const leaves = await leavesOf(knex);
  const n = leaves.length;
  const head = await knex('audit_head').where({ id: 1 }).first();
  expect(Number(head.size)).to.equal(n);
  expect(String(head.root)).to.equal(toHex(rootOf(leaves)));
  // Every complete subtree, and nothing else.
  const source = nodeSourceFromLeaves(leaves);
  const expected = new Map<string, string>();
  for (let level = 0; 2 ** level <= n; level++) {
    for (let index = 0; (index + 1) * 2 ** level <= n; index++) expected.set(`${level}:${index}`, toHex(source(level, index)));
  }
  const rows = await knex('audit_nodes').select('level', 'idx', 'hash');
  const stored = new Map<string, string>(rows.map((r: { level: unknown; idx: unknown; hash: unknown }) => [`${Number(r.level)}:${Number(r.idx)}`, String(r.hash)]));
  expect(stored.size).to.equal(expected.size);
  for (const [key, hash] of expected) expect(stored.get(key), `node ${key}`).to.equal(hash);
  // The frontier: the perfect subtrees covering [0, n), leftmost first.
  const frontier: string[] = [];
  let lo = 0;
  for (let level = 52; level >= 0; level--) {
    if (n - lo >= 2 ** level) {
      frontier.push(expected.get(`${level}:${lo / 2 ** level}`)!);
      lo += 2 ** level;
    }
  }
  expect(JSON.parse(String(head.frontier))).to.deep.equal(frontier);
  return leaves;
}

/** The schema of the release before the Merkle tree: migrations 0001–0008 only. */
async function migrateAsPreviousRelease(knex: Knex): Promise<void> {
  const previous: Array<[string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }]> = [
    ['20261126_0001_organisations', m0001],
    ['20261126_0002_accounts', m0002],
    ['20261126_0003_centres', m0003],
    ['20261126_0004_tenders', m0004],
    ['20261126_0005_audit-log', m0005],
    ['20261126_0006_audit-head-row', m0006],
    ['20261126_0007_audit-append-only', m0007],
    ['20261126_0008_default-centres', m0008],
  ];
  await knex.migrate.latest({
    migrationSource: { getMigrations: async () => previous, getMigrationName: ([name]) => name, getMigration: async ([, m]) => m },
  });
}

async function refused(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    return (err as Error).message;
  }
  return 'not refused';
}

describe('audit log: Merkle tree, checkpoints, proofs, verification', function () {
  this.timeout(60_000);
  let t: TestApp;
  let publicKeyPem: string;

  before(async () => {
    t = await createTestApp();
    publicKeyPem = loadOrCreatePlatformKeys(t.config.certsDir).log.publicKeyPem;
    // Normal API actions, each leaving entries in the log.
    for (let i = 0; i < 5; i++) {
      const res = await t
        .req(t.users.opProc)
        .post('/api/projects')
        .send({ centre: 'procurement', title: `项目 ${i}`, tenderee: '市政务服务管理局', sections: [openTenderSection()] });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    expect((await t.req(t.users.auditor).post('/api/tokens').send({ name: 'audit' })).status).to.equal(201);
  });
  after(async () => t.close());

  it('keeps the head, the frontier and every complete subtree equal to the tree recomputed from the entries', async () => {
    const leaves = await expectTreeMatchesEntries(t.tdb.db.knex);
    expect(leaves.length).to.be.greaterThan(10);
  });

  it('answers inclusion proofs that verify for every index, at the current and at earlier sizes', async () => {
    const leaves = await leavesOf(t.tdb.db.knex);
    const n = leaves.length;
    for (const size of [1, 2, 3, 7, 8, 9, n - 1, n]) {
      const root = rootOf(leaves.slice(0, size));
      for (let index = 0; index < size; index++) {
        const res = await t.req().get(`/api/audit/proofs/inclusion?index=${index}&size=${size}`);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.include({ index, size, leafHash: toHex(leaves[index]!), root: toHex(root) });
        const proof = (res.body.proof as string[]).map(fromHex);
        expect(verifyInclusion(leaves[index]!, index, size, proof, root), `index ${index} size ${size}`).to.equal(true);
        if (index > 0) expect(verifyInclusion(leaves[index - 1]!, index, size, proof, root)).to.equal(false);
      }
    }
  });

  it('answers consistency proofs that verify between sizes', async () => {
    const leaves = await leavesOf(t.tdb.db.knex);
    const n = leaves.length;
    const sizes = [...new Set([0, 1, 2, 3, 4, 5, 7, 8, 9, 12, n - 1, n])].filter((s) => s <= n);
    for (const to of sizes) {
      for (const from of sizes.filter((s) => s <= to)) {
        const res = await t.req().get(`/api/audit/proofs/consistency?from=${from}&to=${to}`);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        const fromRoot = rootOf(leaves.slice(0, from));
        const toRoot = rootOf(leaves.slice(0, to));
        expect(res.body).to.include({ from, to, fromRoot: toHex(fromRoot), toRoot: toHex(toRoot) });
        const proof = (res.body.proof as string[]).map(fromHex);
        expect(verifyConsistency(from, to, proof, fromRoot, toRoot), `${from} → ${to}`).to.equal(true);
        if (from > 0 && from < to) expect(verifyConsistency(from, to, proof, toRoot, fromRoot)).to.equal(false);
      }
    }
  });

  it('signs checkpoints once per size, on the schedule, and the signature fails when one byte of the root changes', async () => {
    const first = await t.req().get('/api/audit/checkpoint');
    expect(first.status).to.equal(200);
    const cp = first.body as Checkpoint;
    const leaves = await leavesOf(t.tdb.db.knex);
    expect(Object.keys(cp).sort()).to.deep.equal(['at', 'keyId', 'log', 'root', 'signature', 'size', 'v']);
    expect(cp).to.include({ v: 1, log: 'etender-audit', size: leaves.length, root: toHex(rootOf(leaves)), at: t.clock.now(), keyId: loadOrCreatePlatformKeys(t.config.certsDir).log.keyId });
    expect(verifyCheckpointSignature(cp, publicKeyPem)).to.equal(true);
    const root = Buffer.from(cp.root, 'hex');
    root[5]! ^= 0x01;
    expect(verifyCheckpointSignature({ ...cp, root: root.toString('hex') }, publicKeyPem)).to.equal(false);
    expect(verifyCheckpointSignature({ ...cp, size: cp.size + 1 }, publicKeyPem)).to.equal(false);
    expect(verifyCheckpointSignature({ ...cp, extra: 1 }, publicKeyPem)).to.equal(false);

    // Nothing appended: the same checkpoint, even later.
    t.clock.advance(MINUTE);
    expect((await t.req().get('/api/audit/checkpoint')).body).to.deep.equal(cp);

    await t.services.audit.append(SYSTEM_CONTEXT, { action: 'test.checkpoint', objectType: 'test' });
    // Not per request: the public checkpoint moves with the schedule only.
    expect((await t.req().get('/api/audit/checkpoint')).body).to.deep.equal(cp);
    t.clock.advance(CHECKPOINT_INTERVAL_MS);
    await t.services.audit.publishScheduled();
    const second = (await t.req().get('/api/audit/checkpoint')).body as Checkpoint;
    expect(second.size).to.equal(cp.size + 1);
    expect(second.at).to.equal(t.clock.now());
    expect(verifyCheckpointSignature(second, publicKeyPem)).to.equal(true);

    const list = await t.req().get('/api/audit/checkpoints?from=0');
    expect(list.status).to.equal(200);
    expect(list.body.checkpoints).to.deep.equal([cp, second]);
    expect((await t.req().get(`/api/audit/checkpoints?from=${cp.size + 1}&limit=1`)).body.checkpoints).to.deep.equal([second]);
  });

  it('concurrent checkpoint requests from two connections agree on one stored checkpoint', async () => {
    const second = await openDatabase({ url: t.tdb.url, dataDir: t.tdb.dataDir });
    try {
      const other = createAuditService({ knex: second.knex, clock: t.clock, logSigner: loadOrCreatePlatformKeys(t.config.certsDir).log });
      await t.services.audit.append(SYSTEM_CONTEXT, { action: 'test.race', objectType: 'test' });
      t.clock.advance(MINUTE);
      const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? other : t.services.audit).checkpoint()));
      for (const r of results) expect(r).to.deep.equal(results[0]);
      const size = results[0]!.size;
      expect(
        await t.tdb.db
          .knex('audit_checkpoints')
          .where({ size })
          .count({ n: '*' })
          .first()
          .then((r) => Number(r!.n)),
      ).to.equal(1);
    } finally {
      await second.close();
    }
  });

  it('keeps nodes and frontier right under concurrent appends from two connections', async () => {
    const second = await openDatabase({ url: t.tdb.url, dataDir: t.tdb.dataDir });
    try {
      const other = createAuditService({ knex: second.knex, clock: t.clock, logSigner: loadOrCreatePlatformKeys(t.config.certsDir).log });
      const before = Number((await t.tdb.db.knex('audit_head').first('size')).size);
      const appends = [];
      for (let i = 0; i < 40; i++) {
        const svc = i % 2 ? other : t.services.audit;
        appends.push(svc.append(SYSTEM_CONTEXT, { action: 'test.concurrent', objectType: 'test', data: { i } }));
      }
      const entries = await Promise.all(appends);
      expect(new Set(entries.map((e) => e.idx)).size).to.equal(40);
      const leaves = await expectTreeMatchesEntries(t.tdb.db.knex);
      expect(leaves.length).to.equal(before + 40);
    } finally {
      await second.close();
    }
  });

  it('the database refuses UPDATE and DELETE of nodes and checkpoints', async () => {
    const knex = t.tdb.db.knex;
    await t.services.audit.checkpoint();
    const nodesBefore = await knex('audit_nodes').orderBy(['level', 'idx']).select('*');
    const checkpointsBefore = await knex('audit_checkpoints').orderBy('size').select('*');
    expect(nodesBefore.length).to.be.greaterThan(0);
    expect(checkpointsBefore.length).to.be.greaterThan(0);
    expect(
      await refused(
        knex('audit_nodes')
          .where({ level: 0, idx: 0 })
          .update({ hash: '0'.repeat(64) }),
      ),
    ).to.match(/append-only/);
    expect(await refused(knex('audit_nodes').where({ level: 0, idx: 0 }).delete())).to.match(/append-only/);
    expect(await refused(knex('audit_checkpoints').update({ root: '0'.repeat(64) }))).to.match(/append-only/);
    expect(await refused(knex('audit_checkpoints').delete())).to.match(/append-only/);
    expect(await knex('audit_nodes').orderBy(['level', 'idx']).select('*')).to.deep.equal(nodesBefore);
    expect(await knex('audit_checkpoints').orderBy('size').select('*')).to.deep.equal(checkpointsBefore);
  });

  it('hands out the exact entries only to supervisors, auditors and admins, at most 1000 per call', async () => {
    const anonymous = await t.req().get('/api/audit/entries?start=0&end=2');
    expect(anonymous.status).to.equal(401);
    const bidder = await t.req(t.users.bidderA).get('/api/audit/entries?start=0&end=2');
    expect(bidder.status).to.equal(403);
    expect(bidder.body.error.code).to.equal('forbidden');
    expect((await t.req(t.users.opProc).get('/api/audit/entries?start=0&end=2')).status).to.equal(403);
    const rows = await t.tdb.db.knex('audit_log').where('idx', '<', 3).orderBy('idx').select('idx', 'entry');
    for (const user of [t.users.auditor, t.users.supervisor, t.users.admin]) {
      const res = await t.req(user).get('/api/audit/entries?start=0&end=3');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ start: 0, end: 3, entries: rows.map((r: { idx: unknown; entry: unknown }) => ({ index: Number(r.idx), entry: String(r.entry) })) });
    }
    expect((await t.req(t.users.auditor).get('/api/audit/entries?start=2&end=2')).body.entries).to.deep.equal([]);
  });

  it('answers bad ranges with 422 naming the field, and ranges beyond the tree with 404', async () => {
    const size = Number((await t.tdb.db.knex('audit_head').first('size')).size);
    const cases: Array<[string, number, string]> = [
      [`/api/audit/entries?start=5&end=4`, 422, 'end'],
      [`/api/audit/entries?start=0&end=1001`, 422, 'end'],
      [`/api/audit/entries?start=-1&end=4`, 422, 'start'],
      [`/api/audit/entries?start=x&end=4`, 422, 'start'],
      [`/api/audit/entries?start=0`, 422, 'end'],
      [`/api/audit/entries?start=0&end=${size + 1}`, 404, 'end'],
      [`/api/audit/proofs/inclusion?index=3&size=3`, 422, 'index'],
      [`/api/audit/proofs/inclusion?index=0&size=0`, 422, 'size'],
      [`/api/audit/proofs/inclusion?index=1.5&size=3`, 422, 'index'],
      [`/api/audit/proofs/inclusion?index=0&size=${size + 1}`, 404, 'size'],
      [`/api/audit/proofs/inclusion?index=0&size=99999999999999999999`, 422, 'size'],
      [`/api/audit/proofs/consistency?from=4&to=3`, 422, 'from'],
      [`/api/audit/proofs/consistency?from=0&to=${size + 1}`, 404, 'to'],
      [`/api/audit/proofs/consistency?from=1`, 422, 'to'],
      [`/api/audit/checkpoints?limit=1001`, 422, 'limit'],
    ];
    for (const [url, status, field] of cases) {
      const res = await t.req(t.users.auditor).get(url);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(status);
      expect(
        res.body.error.details.map((d: { field: string }) => d.field),
        url,
      ).to.include(field);
    }
    const beyond = await t.req().get(`/api/audit/proofs/inclusion?index=0&size=${size + 1}`);
    expect(beyond.body.error.message).to.contain(`has ${size} entries`);
  });

  it('describes the audit routes in the OpenAPI document, the proofs and checkpoints as public', async () => {
    const doc = (await t.req().get('/api/openapi.json')).body;
    for (const path of ['/api/audit/checkpoint', '/api/audit/checkpoints', '/api/audit/proofs/inclusion', '/api/audit/proofs/consistency']) {
      expect(doc.paths[path]?.get?.description, path).to.equal('Access: anyone.');
    }
    expect(doc.paths['/api/audit/entries'].get.parameters.map((p: { name: string }) => p.name)).to.deep.equal(['start', 'end']);
  });

  describe('etender audit verify against a listening server', () => {
    let baseUrl: string;
    let close: () => Promise<void>;
    before(async () => {
      ({ baseUrl, close } = await listenOnLoopback(t.app));
    });
    after(async () => close());

    it('passes on an untouched log, over several checkpoints and pages', async () => {
      // More than one page of entries (1000), with checkpoints in between.
      for (let batch = 0; batch < 3; batch++) {
        await t.services.inTransaction(async (tx) => {
          for (let i = 0; i < 400; i++) await tx.audit.append(SYSTEM_CONTEXT, { action: 'test.bulk', objectType: 'test', data: { batch, i, text: '招标 🏗️' } });
        });
        t.clock.advance(MINUTE);
        await t.services.audit.checkpoint();
      }
      const report = await verifyInstance({ baseUrl, token: t.users.auditor.token, publicKeyPem });
      expect(report.problems).to.deep.equal([]);
      expect(report.ok).to.equal(true);
      const size = Number((await t.tdb.db.knex('audit_head').first('size')).size);
      expect(report.entries).to.equal(size);
      expect(size).to.be.greaterThan(1200);
      const stored = await t.tdb.db.knex('audit_checkpoints').count({ n: '*' }).first();
      expect(report.checkpoints).to.equal(Number(stored!.n));
      expect(report.checkpoints).to.be.greaterThan(4);
    });

    it('without a public key given, checks against the log key the platform publishes at /api/pki/keys', async () => {
      const keys = await t.req().get('/api/pki/keys');
      expect(keys.status).to.equal(200);
      expect(keys.body.log.publicKeyPem).to.equal(publicKeyPem);
      const report = await verifyInstance({ baseUrl, token: t.users.auditor.token });
      expect(report.problems).to.deep.equal([]);
      expect(report.ok).to.equal(true);
    });

    it('reports a wrong public key and a missing token', async () => {
      const { publicKey } = crypto.generateKeyPairSync('ed25519');
      const wrongKey = await verifyInstance({ baseUrl, token: t.users.auditor.token, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
      expect(wrongKey.ok).to.equal(false);
      expect(wrongKey.problems.join('\n')).to.match(/signature does not verify/);
      const noToken = await verifyInstance({ baseUrl, publicKeyPem });
      expect(noToken.ok).to.equal(false);
      expect(noToken.problems.join('\n')).to.match(/401/);
    });

    it('reports a problem when an entry is altered underneath (trigger dropped by someone with DDL rights)', async () => {
      const knex = t.tdb.db.knex;
      const victim = await knex('audit_log').where({ idx: 3 }).first('entry');
      const forged = String(victim.entry).replace(/"action":"[^"]*"/, '"action":"forged.action"');
      expect(forged).to.not.equal(String(victim.entry));
      await knex.raw('DROP TRIGGER audit_log_no_update');
      await knex('audit_log').where({ idx: 3 }).update({ entry: forged });
      const report = await verifyInstance({ baseUrl, token: t.users.auditor.token, publicKeyPem });
      expect(report.ok).to.equal(false);
      expect(report.problems.join('\n')).to.match(/root [0-9a-f]{64} does not match the entries/);
    });
  });
});

describe('audit log: backfill of a database from the previous release', function () {
  this.timeout(60_000);

  it('hashes the entries already there, and later appends continue the same tree', async () => {
    const tdb = await createTestDatabase({ migrate: false });
    try {
      const knex = tdb.db.knex;
      await migrateAsPreviousRelease(knex);
      // What the previous release's appendRow wrote: entries and the head's size, nothing else.
      const n = 37;
      for (let idx = 0; idx < n; idx++) {
        const entry = JSON.stringify({
          action: 'old.event',
          at: 1,
          data: { n: idx, text: '旧' },
          id: `01OLD${String(idx).padStart(21, '0')}`,
          idx,
          ip: null,
          object: { id: null, type: 'test' },
          v: 1,
          actor: null,
        });
        await knex('audit_head').where({ id: 1 }).increment('size', 1);
        await knex('audit_log').insert({ idx, id: `01OLD${String(idx).padStart(21, '0')}`, at: 1, action: 'old.event', object_type: 'test', entry });
      }
      const ran = await migrateLatest(knex);
      expect(ran).to.include.members(['20261126_0009_audit-merkle', '20261126_0010_audit-merkle-backfill']);
      await expectTreeMatchesEntries(knex);

      const audit = createAuditService({ knex, clock: new ManualClock(5), logSigner: loadOrCreatePlatformKeys(testCertsDir()).log });
      for (let i = 0; i < 12; i++) await audit.append(SYSTEM_CONTEXT, { action: 'new.event', objectType: 'test' });
      const leaves = await expectTreeMatchesEntries(knex);
      expect(leaves.length).to.equal(n + 12);
      const cp = await audit.checkpoint();
      expect(cp.root).to.equal(toHex(rootOf(leaves)));
    } finally {
      await tdb.cleanup();
    }
  });

  it('refuses to backfill a log with a gap', async () => {
    const tdb = await createTestDatabase({ migrate: false });
    try {
      const knex = tdb.db.knex;
      await migrateAsPreviousRelease(knex);
      await knex('audit_head').where({ id: 1 }).update({ size: 2 });
      for (const idx of [0, 2]) await knex('audit_log').insert({ idx, id: `01GAP${idx}`, at: 1, action: 'old.event', object_type: 'test', entry: `{"idx":${idx}}` });
      expect(await refused(migrateLatest(knex))).to.match(/no entry at index 1/);
    } finally {
      await tdb.cleanup();
    }
  });
});
