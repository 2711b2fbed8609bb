// A key that can never be rebuilt does not hang the opening: it waits out the release window like
// any opening, then the section fails with cause opening_key_failure (EB 31), naming the operator
// whose ceremony made it, and it can be re-tendered.
import crypto from 'node:crypto';
import { expect } from 'chai';
import { DAY, HOUR } from '../../modules/core/clock';
import { randomScalar } from '../../modules/custody/feldman';
import { dealCeremonyKey, lockScalar } from '../../modules/custody/opening-key';
import { approvedBidder, placeBid, type Bidder, type PublishedSection } from '../support/bidding';
import { createTestApp, openTenderSection, T0, type TestApp } from '../support/test-app';

describe('opening_key_failure: a key that cannot be rebuilt fails the section after the release window', () => {
  let t: TestApp;
  const bidders: Bidder[] = [];
  before(async () => {
    t = await createTestApp();
    for (const name of ['甲公司', '乙公司', '丙公司']) bidders.push(await approvedBidder(t, name, 'keyfail'));
  });
  after(async () => t.close());

  it('a ceremony key whose time lock does not hold its point: waits, then fails naming the ceremony operator; re-tender works', async () => {
    const { centre } = (await t.req().get('/api/centres/procurement')).body;
    expect(
      (
        await t
          .req(t.users.admin)
          .put('/api/centres/procurement/settings')
          .send({ ...centre.settings, custody: { threshold: 2, members: ['time-lock', 'platform-timer'] } })
      ).status,
    ).to.equal(200);
    const created = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '钥匙失败测试', tenderee: '市政务服务管理局', sections: [openTenderSection()] });
    const id = created.body.sections[0].id as string;
    const timer = t.services.platformKeys.timer;
    const dealt = dealCeremonyKey([{ label: 'platform-timer', publicKey: new crypto.X509Certificate(timer.certPem).publicKey }], 1);
    const upload = await t
      .req(t.users.opProc)
      .post(`/api/sections/${id}/opening-key`)
      .send({
        threshold: 2,
        commitments: dealt.commitments,
        shares: [{ custodian: 'platform-timer', certificateFingerprint: timer.fingerprint, encryptedShare: dealt.shares[0]!.encryptedShare }],
      });
    expect(upload.status, JSON.stringify(upload.body)).to.equal(201);
    const published = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    const section: PublishedSection = {
      id,
      code: published.body.section.code,
      recipient: published.body.section.openingKey.recipient,
      deadline: published.body.section.bidDeadlineAt,
    } as PublishedSection;
    for (const [i, b] of bidders.entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      await placeBid(t, section, b, `${700000 + i}.00`);
    }
    // The stored lock is swapped for one of another scalar (a faulty or tampered host): T no longer matches.
    const row = await t.tdb.db.knex('opening_keys').where({ section_id: id }).first();
    const forged = await lockScalar(t.services.beacon, Number(row.time_lock_round), randomScalar());
    await t.tdb.db.knex('opening_keys').where({ section_id: id }).update({ time_lock_ciphertext: forged.ciphertext });

    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    expect(await t.services.opening.openDue()).to.deep.equal([{ id, outcome: 'waiting' }]);
    expect(await t.services.custody.openingKey(id)).to.deep.include({ status: 'broken', ceremonyBy: 'op-proc' });
    t.clock.set(section.deadline + 23 * HOUR);
    expect(await t.services.opening.openDue()).to.deep.equal([{ id, outcome: 'waiting' }]);
    expect((await t.req().get(`/api/sections/${id}`)).body.section.state).to.equal('opening');

    t.clock.set(section.deadline + 24 * HOUR + 1);
    expect(await t.services.opening.openDue()).to.deep.equal([{ id, outcome: 'failed' }]);
    const after = (await t.req().get(`/api/sections/${id}`)).body.section;
    expect(after.state).to.equal('failed');
    expect(after.failureReason).to.contain('opening key cannot be rebuilt');
    expect(await t.tdb.db.knex('opening_results').where({ section_id: id })).to.deep.equal([]);
    const entries = await t.services.audit.list({ objectId: id });
    const failure = entries.find((e) => (e.data as any)?.cause === 'opening_key_failure');
    expect(failure, JSON.stringify(entries.map((e) => e.action))).to.not.equal(undefined);
    expect(failure!.data).to.deep.include({ cause: 'opening_key_failure', ceremonyBy: 'op-proc', rule: 'EB 31' });
    expect((await t.req().get(`/api/sections/${id}/opening-record`)).status).to.equal(409);
    // Nothing runs for it any more, and it can be re-tendered.
    expect(await t.services.opening.openDue()).to.deep.equal([]);
    const again = await t
      .req(t.users.opProc)
      .post(`/api/sections/${id}/retender`)
      .send({ bidDeadlineAt: section.deadline + 40 * DAY });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
  });
});
