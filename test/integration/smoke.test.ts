import { expect } from 'chai';
import { createTestApp, type TestApp, openTenderSection } from '../support/test-app';

describe('smoke', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('creates and publishes a section', async () => {
    const res = await t.req(t.users.opProc).post('/api/projects').send({ centre: 'procurement', title: 'P', tenderee: 'T', sections: [openTenderSection()] });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const id = res.body.sections[0].id;
    const pub = await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect(pub.status, JSON.stringify(pub.body)).to.equal(200);
    expect(pub.body.section.state).to.equal('bidding');
  });
});
