// The demo that `npm start` seeds: accounts for every role printed once, sections in several
// states, and a tender with three sealed bids that opens by itself at its deadline.
import { expect } from 'chai';
import { seedDemo } from '../../db/seed-demo';
import { ManualClock } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import { buildServices } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { testCertsDir, T0 } from '../support/test-app';

describe('the demo seed', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(async () => tdb.cleanup());

  it('seeds once, and its sealed-bid tender opens on its own at the deadline with three bids', async () => {
    const config = { ...loadConfig({ DATA_DIR: tdb.dataDir }), certsDir: testCertsDir() };
    const clock = new ManualClock(T0);
    const services = buildServices({ config, db: tdb.db, clock });
    const printed = await seedDemo(services, clock, { db: tdb.db, config, buildServices });
    expect(printed).to.match(/Demo accounts/);
    for (const user of ['admin', 'operator', 'supervisor', 'auditor', 'custodian', 'bidder-a', 'bidder-b', 'bidder-c']) expect(printed).to.match(new RegExp(`^  \\S+ +${user} +\\S{20}$`, 'm'));
    expect(await seedDemo(services, clock, { db: tdb.db, config, buildServices })).to.equal(null);

    const list = await services.tenders.listSections(SYSTEM_CONTEXT, {});
    const states = new Set(list.map((s) => s.state));
    for (const state of ['bidding', 'cancelled', 'closed']) expect(states, `a demo section in state ${state}`).to.include(state);
    const demo = list.find((s) => s.title === '会议系统设备及安装')!;
    expect(demo.state).to.equal('bidding');
    expect(demo.bidDeadlineAt).to.equal(T0 + config.demoOpeningDelayMs);

    clock.set(demo.bidDeadlineAt!);
    await services.tenders.advanceDue();
    await services.opening.openDue();
    const record = await services.opening.record(SYSTEM_CONTEXT, demo.id);
    const bids = (JSON.parse(record.json) as { bids: Array<{ bidder: { name: string }; price: { amount: string } | null; status: string }> }).bids;
    expect(bids.map((b) => b.status)).to.deep.equal(['opened', 'opened', 'opened']);
    expect(bids.map((b) => b.bidder.name)).to.deep.equal(['合肥示范建设工程有限公司', '庐州路桥建设有限公司', '江淮智慧科技有限公司']);
    expect(bids.map((b) => b.price?.amount)).to.deep.equal(['2480000.00', '2350000.00', '2565000.00']);
  });
});
