import { expect } from 'chai';
import { DAY } from '../../modules/core/clock';
import { createTestApp, openTenderSection, T0, type TestApp } from '../support/test-app';

describe('re-tendering a failed section as a new round of the same project', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  async function failedSection() {
    const res = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '复印纸采购', tenderee: '市机关事务管理局', sections: [openTenderSection()] });
    const id = res.body.sections[0].id as string;
    await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    t.clock.set(T0 + 25 * DAY);
    await t.services.lifecycle.advanceDue();
    await t.services.opening.openDue();
    const s = await t.req().get(`/api/sections/${id}`);
    expect(s.body.section.state).to.equal('failed');
    expect(s.body.section.failureReason).to.be.a('string').and.not.empty;
    return { id, code: s.body.section.code as string };
  }

  it('creates round 2 as a draft linked to the failed one, publishable with a new timeline', async () => {
    const failed = await failedSection();
    const deadline = T0 + 50 * DAY;
    const res = await t.req(t.users.opProc).post(`/api/sections/${failed.id}/retender`).send({ bidDeadlineAt: deadline });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.section).to.include({ state: 'draft', round: 2, previousSectionId: failed.id, code: `${failed.code}-R2`, referencePrice: '1000000.00', bidDeadlineAt: deadline });
    const pub = await t.req(t.users.opProc).post(`/api/sections/${res.body.section.id}/publish`);
    expect(pub.status, JSON.stringify(pub.body)).to.equal(200);
    expect(pub.body.section.state).to.equal('bidding');
    const events = await t.services.audit.list({ objectType: 'section', objectId: failed.id, action: 'section.retendered' });
    expect(events[0]!.data).to.include({ newSectionId: res.body.section.id, round: 2 });
    // One next round only.
    const again = await t.req(t.users.opProc).post(`/api/sections/${failed.id}/retender`).send({ bidDeadlineAt: deadline });
    expect(again.status).to.equal(409);
  });

  it('refuses to re-tender a section that has not failed, and refuses other centres and bidders', async () => {
    t.clock.set(T0);
    const res = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '办公桌椅', tenderee: '市机关事务管理局', sections: [openTenderSection()] });
    const id = res.body.sections[0].id as string;
    await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    const live = await t.req(t.users.opProc).post(`/api/sections/${id}/retender`).send({});
    expect(live.status).to.equal(409);
    const failed = await failedSection();
    expect((await t.req(t.users.opLand).post(`/api/sections/${failed.id}/retender`).send({})).status).to.equal(403);
    expect((await t.req(t.users.bidderA).post(`/api/sections/${failed.id}/retender`).send({})).status).to.equal(403);
  });
});
