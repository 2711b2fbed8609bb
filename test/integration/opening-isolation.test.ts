// One section whose opening throws does not hold back the others: the pass reports the fault for
// that section and opens the rest; the faulty one is tried again at the next pass.
import { expect } from 'chai';
import { HOUR } from '../../modules/core/clock';
import type { Logger } from '../../server/logger';
import { Scheduler } from '../../server/scheduler';
import { approvedBidder, placeBid, publishedSection, type Bidder } from '../support/bidding';
import { createTestApp, T0, type TestApp } from '../support/test-app';

describe('the opening pass isolates a failing section', function () {
  this.timeout(120_000);
  let t: TestApp;
  const bidders: Bidder[] = [];
  before(async () => {
    t = await createTestApp();
    for (const name of ['甲公司', '乙公司', '丙公司']) bidders.push(await approvedBidder(t, name, 'isolate'));
  });
  after(async () => t.close());

  it('a corrupted opening row of the first due section: the next due section still opens in the same pass', async () => {
    const one = await publishedSection(t);
    const two = await publishedSection(t);
    // The pass walks sections in id order: the broken one must come first to prove the point.
    const [broken, good] = one.id < two.id ? [one, two] : [two, one];
    expect(broken.deadline).to.equal(good.deadline);
    for (const [i, b] of bidders.entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      await placeBid(t, good, b, `${800000 + i}.00`);
    }
    t.clock.set(good.deadline);
    await t.services.lifecycle.advanceDue();
    // A frozen bid set that no longer parses (a damaged row, a bad manual edit).
    await t.tdb.db.knex('opening_runs').insert({ section_id: broken.id, frozen_at: good.deadline, freeze_idx: 1, bids: '[{"id": truncated' });

    const outcomes = await t.services.opening.openDue();
    expect(outcomes.find((o) => o.id === good.id)).to.deep.equal({ id: good.id, outcome: 'opened' });
    const fault = outcomes.find((o) => o.id === broken.id);
    expect(fault).to.include({ id: broken.id, outcome: 'error' });
    expect(fault && 'error' in fault ? fault.error : '').to.match(/JSON/);
    expect((await t.req().get(`/api/sections/${good.id}/opening-record`)).status).to.equal(200);
    expect((await t.req().get(`/api/sections/${broken.id}`)).body.section.state).to.equal('closed');
    // The fault stays flagged at every pass until someone repairs the row; the lease is not left behind.
    expect(await t.services.opening.openDue()).to.deep.equal([fault]);
    // The scheduler logs it as an error: someone must repair the row.
    const logged: Array<[string, unknown, string]> = [];
    const log = { info: (o: unknown, m: string) => logged.push(['info', o, m]), error: (o: unknown, m: string) => logged.push(['error', o, m]) } as unknown as Logger;
    await new Scheduler(t.services, log, 1000).tick();
    expect(logged.filter(([level]) => level === 'error')).to.deep.equal([['error', fault, 'opening step failed for this section; the others went on, it is tried again at the next pass']]);
  });
});
