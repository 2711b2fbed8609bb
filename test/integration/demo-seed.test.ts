// The demo that `npm start` seeds: accounts for every role printed once, sections in several
// states, a tender with three sealed bids that opens by itself at its deadline, a completed tender
// and a land deal from the recent past, and imported earlier years for the rate reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { seedDemo } from '../../server/demo/seed-demo';
import { DEMO_CUSTODY_CENTRE, demoCustodianKeyFile } from '../../server/demo/seed-demo-custody';
import { prepareDemoPlatformKeys } from '../../server/demo/seed-demo-history';
import { DAY, ManualClock } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { buildServices, createApp, type Services } from '../../server/app';
import { shareReleaseCommand } from '../../server/commands/ceremony';
import { createLogger } from '../../server/logger';
import { loadConfig, type Config } from '../../server/config';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { listenOnLoopback, T0 } from '../support/test-app';

describe('the demo seed', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  let certsDir: string;
  let config: Config;
  let clock: ManualClock;
  let services: Services;
  let printed: string | null;
  before(async () => {
    tdb = await createTestDatabase();
    // A fresh certs directory, as on a first `npm start`: the demo dates its CA back for its history.
    certsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-demo-certs-'));
    config = { ...loadConfig({ DATA_DIR: tdb.dataDir }), certsDir };
    clock = new ManualClock(T0);
    expect(await prepareDemoPlatformKeys(config, tdb.db, clock.now())).to.equal(true);
    services = buildServices({ config, db: tdb.db, clock });
    printed = await seedDemo(services, clock, { db: tdb.db, config, buildServices });
  });
  after(async () => {
    await tdb.cleanup();
    fs.rmSync(certsDir, { recursive: true, force: true });
  });

  it('seeds once, and its sealed-bid tender opens on its own at the deadline with three bids', async () => {
    expect(printed).to.match(/Demo accounts/);
    for (const user of ['admin', 'operator', 'supervisor', 'auditor', 'custodian', 'bidder-a', 'bidder-b', 'bidder-c']) expect(printed).to.match(new RegExp(`^  \\S+ +${user} +\\S{20}$`, 'm'));
    expect(await seedDemo(services, clock, { db: tdb.db, config, buildServices })).to.equal(null);
    // A second start neither remakes nor backdates the CA.
    expect(await prepareDemoPlatformKeys(config, tdb.db, clock.now())).to.equal(false);

    const list = await services.tenders.listSections(SYSTEM_CONTEXT, {});
    const states = new Set(list.map((s) => s.state));
    for (const state of ['bidding', 'cancelled', 'closed', 'contracted']) expect(states, `a demo section in state ${state}`).to.include(state);
    const demo = list.find((s) => s.title === '会议系统设备及安装')!;
    expect(demo.state).to.equal('bidding');
    expect(demo.bidDeadlineAt).to.equal(T0 + config.demoOpeningDelayMs);

    clock.set(demo.bidDeadlineAt!);
    await services.lifecycle.advanceDue();
    await services.opening.openDue();
    const record = await services.opening.record(SYSTEM_CONTEXT, demo.id);
    const bids = (JSON.parse(record.json) as { bids: Array<{ bidder: { name: string }; price: { amount: string } | null; status: string }> }).bids;
    expect(bids.map((b) => b.status)).to.deep.equal(['opened', 'opened', 'opened']);
    expect(bids.map((b) => b.bidder.name)).to.deep.equal(['合肥示范建设工程有限公司', '庐州路桥建设有限公司', '江淮智慧科技有限公司']);
    expect(bids.map((b) => b.price?.amount)).to.deep.equal(['2480000.00', '2350000.00', '2565000.00']);
  });

  it('has a completed procurement tender from the recent past: opening record, evaluation, award, contract', async () => {
    const list = await services.tenders.listSections(SYSTEM_CONTEXT, {});
    const done = list.find((s) => s.title === '电子评标室设备及集成')!;
    expect(done.state).to.equal('contracted');
    expect(printed).to.include(`/api/sections/${done.id}/opening-record.pdf`);

    const record = JSON.parse((await services.opening.record(SYSTEM_CONTEXT, done.id)).json) as { bids: Array<{ status: string; price: { amount: string } | null; receivedAt?: number }> };
    expect(record.bids.map((b) => b.status)).to.deep.equal(['opened', 'opened', 'opened']);
    expect(record.bids.map((b) => b.price?.amount)).to.deep.equal(['3528600.00', '3412000.00', '3655000.00']);

    const { evaluation } = await services.evaluation.view(SYSTEM_CONTEXT, done.id);
    expect(evaluation.method).to.equal('lowest_price');
    expect(evaluation.objections).to.deep.equal([]);
    expect(evaluation.concludedAt).to.equal(T0 - 35 * DAY + 2 * 3600_000);
    expect((evaluation.result as { candidates: Array<{ rank: number; price: string }> }).candidates.map((c) => [c.rank, c.price])).to.deep.equal([
      [1, '3412000.00'],
      [2, '3528600.00'],
      [3, '3655000.00'],
    ]);

    const award = (await services.awards.getAward(done.id))!;
    expect(award).to.include({ bidderName: '庐州路桥建设有限公司', awardedAt: T0 - 31 * DAY, contractSignedAt: T0 - 26 * DAY });

    const land = list.find((s) => s.title === 'SS2026-08 号地块')!;
    expect(land.state).to.equal('contracted');
    expect((await services.awards.getAward(land.id))!).to.include({ bidderName: '江淮智慧科技有限公司' });
  });

  it('reports the live results with the imported years, and the 2007 headline exactly', async () => {
    const report = await services.reports.rates({ from: '2024-01-01', to: '2026-12-01' });
    const live = report.sections.filter((s) => !s.imported);
    expect(live.map((s) => [s.centre, s.code.length > 0, s.rate.percent])).to.deep.equal([
      ['procurement', true, '11.61'],
      ['land', true, '20.69'],
    ]);
    // Bids counted at each live section's deadline; imported results carry none.
    expect(live.map((s) => s.bids)).to.deep.equal([3, 3]);
    expect(report.sections.filter((s) => s.imported).every((s) => s.bids === null)).to.equal(true);
    for (const c of report.centres) {
      expect(c.importedSections, `${c.centre} has imported 2024–2025 results`).to.be.greaterThan(0);
      expect(c.rate.percent, `${c.centre} has a rate`).to.be.a('string');
    }
    expect(report.headline).to.match(/^construction and procurement savings rate \d+\.\d\d%; property rights and land value-added rate \d+\.\d\d%$/);
    expect(printed).to.include('/api/reports/rates?from=2024-01-01&to=2026-12-01');

    const y2007 = await services.reports.rates({ from: '2007-01-01', to: '2007-12-31' });
    expect(y2007.headline).to.equal('construction and procurement savings rate 15.17%; property rights and land value-added rate 20.73%');
    expect(printed).to.include('/api/reports/rates?from=2007-01-01&to=2007-12-31');
  });

  it("has a centre whose custody includes the demo custodian, and a tender that waits for its share; `etender share release` with the demo's key file opens it", async () => {
    const centre = (await services.centres.list()).find((c) => c.code === DEMO_CUSTODY_CENTRE)!;
    expect(centre.settings.custody).to.deep.equal({ threshold: 2, members: ['time-lock', 'user:custodian'] });
    const keyFile = demoCustodianKeyFile(tdb.dataDir);
    expect(fs.statSync(keyFile).mode & 0o777, 'the key file is readable by its owner only').to.equal(0o600);
    expect(printed).to.include(keyFile);

    const custodian = (await services.accounts.actorByUsername('custodian'))!;
    const ctx = { actor: custodian, ip: '127.0.0.1' };
    const list = await services.tenders.listSections(SYSTEM_CONTEXT, { centre: DEMO_CUSTODY_CENTRE });
    const held = list.find((s) => s.title === '监控系统施工')!;
    expect(printed).to.include(`--section ${held.id} --key ${keyFile}`);
    const { share } = await services.custody.myShare(ctx, held.id);
    expect(share).to.include({ custodian: 'user:custodian', releasedAt: null });
    expect((await services.pki.certificateOfUser(custodian.userId, 'encryption', clock.now()))!.fingerprint).to.equal(share.certificateFingerprint);

    // The first test passed the deadline: the time lock's part is in, the opening waits for the custodian.
    expect(held.bidDeadlineAt).to.be.at.most(clock.now());
    await services.lifecycle.advanceDue();
    expect(await services.opening.openDue()).to.deep.include({ id: held.id, outcome: 'waiting' });

    // The custodian releases with the CLI against the running server, with the key file the demo made.
    const { app } = createApp({ config, db: tdb.db, clock, log: createLogger('silent'), sessionSecret: 'demo-seed-test' });
    const server = await listenOnLoopback(app);
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      const { token } = await services.accounts.createTokenForUsername('custodian', 'demo test');
      await shareReleaseCommand.run({ url: server.baseUrl, token, section: held.id, key: keyFile }, []);
    } finally {
      process.stdout.write = write;
      await server.close();
    }
    expect(out.join('')).to.match(/^Released\. 1 of 2 shares are in/);
    expect(await services.opening.openDue()).to.deep.include({ id: held.id, outcome: 'opened' });
    const record = JSON.parse((await services.opening.record(SYSTEM_CONTEXT, held.id)).json) as { bids: Array<{ status: string; price: { amount: string } | null }> };
    expect(record.bids.map((b) => [b.status, b.price?.amount])).to.deep.equal([
      ['opened', '5380000.00'],
      ['opened', '5215000.00'],
      ['opened', '5490000.00'],
    ]);
  });
});
