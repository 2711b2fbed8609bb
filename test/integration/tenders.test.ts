import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { DAY } from '../../modules/core/clock';
import { createTestApp, openTenderSection, T0, type TestApp } from '../support/test-app';

describe('tenders: projects, sections, publication, clarifications, documents', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  async function createProject(sections: Array<Record<string, unknown>> = [openTenderSection()], centre = 'procurement', user = t.users.opProc) {
    const res = await t.req(user).post('/api/projects').send({ centre, title: '办公设备采购', tenderee: '市政务服务管理局', sections });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { project: { id: string; code: string }; sections: Array<{ id: string; code: string; state: string }> };
  }

  it('creates a project with sections as drafts, with human codes and the centre defaults', async () => {
    const p = await createProject([openTenderSection(), openTenderSection({ title: '第二包', referencePrice: '500000.00', bidBond: '0.00' })]);
    expect(p.project.code).to.equal('HF-PROCUREMENT-2026-0001');
    expect(p.sections.map((s) => s.code)).to.deep.equal(['HF-PROCUREMENT-2026-0001-01', 'HF-PROCUREMENT-2026-0001-02']);
    expect(p.sections[0]).to.include({ state: 'draft', procedure: 'open_tender', evaluationMethod: 'lowest_price', referenceKind: 'budget', referencePrice: '1000000.00', bidBond: '20000.00' });
    const second = await createProject();
    expect(second.project.code).to.equal('HF-PROCUREMENT-2026-0002');
    const events = await t.services.audit.list({ objectType: 'section', objectId: p.sections[0]!.id });
    expect(events.map((e) => e.action)).to.deep.equal(['section.created']);
    expect(events[0]!.actor).to.include({ id: t.users.opProc.id, role: 'operator' });
  });

  it('numbers projects by the year in Beijing time (an instant on 31 Dec UTC is already next year)', async () => {
    t.clock.set(Date.parse('2026-12-31T16:30:00Z')); // 2027-01-01 00:30 in Shanghai
    const p = await createProject([openTenderSection({ bidDeadlineAt: Date.parse('2027-02-01T09:00:00+08:00') })]);
    expect(p.project.code).to.equal('HF-PROCUREMENT-2027-0001');
  });

  it('publishes a draft: timeline fixed, audit entry with before/after, bid window open at once', async () => {
    const p = await createProject();
    const res = await t.req(t.users.opProc).post(`/api/sections/${p.sections[0]!.id}/publish`);
    expect(res.status).to.equal(200);
    expect(res.body.section).to.include({ state: 'bidding', publishedAt: T0, bidOpensAt: T0, bidDeadlineAt: T0 + 25 * DAY, openingAt: T0 + 25 * DAY });
    const events = await t.services.audit.list({ objectType: 'section', objectId: p.sections[0]!.id });
    expect(events.map((e) => e.action)).to.deep.equal(['section.created', 'section.published', 'section.opening_key', 'section.bidding']);
    expect(events[1]!.data).to.deep.include({ before: { state: 'draft' }, after: { state: 'published' } });
    expect(events[1]!.ip).to.be.a('string');
    expect(events[3]!.actor).to.equal(null); // the scheduler's move
  });

  it('a later bid window keeps the section published until it opens', async () => {
    const p = await createProject([openTenderSection({ bidOpensAt: T0 + 2 * DAY })]);
    const res = await t.req(t.users.opProc).post(`/api/sections/${p.sections[0]!.id}/publish`);
    expect(res.body.section.state).to.equal('published');
    t.clock.set(T0 + 2 * DAY);
    await t.services.lifecycle.advanceDue();
    expect((await t.req().get(`/api/sections/${p.sections[0]!.id}`)).body.section.state).to.equal('bidding');
  });

  it('refuses to publish a deadline too soon for the procedure, naming the rule; a working-day rule counts holidays', async () => {
    const p = await createProject([openTenderSection({ bidDeadlineAt: T0 + 19 * DAY })]);
    const res = await t.req(t.users.opProc).post(`/api/sections/${p.sections[0]!.id}/publish`);
    expect(res.status).to.equal(422);
    expect(res.body.error.details[0]).to.include({ rule: 'minPeriods.open_tender.noticeToDeadline', required: 20, actual: 19 });
    expect(res.body.error.message).to.contain('20 days');

    // Inquiry: 3 working days. T0 is Tuesday 2026-12-01; Friday 12-04 is the 3rd working day…
    const inquiry = await createProject([openTenderSection({ procedure: 'inquiry', bidDeadlineAt: Date.parse('2026-12-04T09:00:00+08:00') })]);
    // …unless Thursday is a holiday.
    expect((await t.req(t.users.admin).put('/api/calendar/2026-12-03').send({ kind: 'holiday', name: '测试假日' })).status).to.equal(200);
    const refused = await t.req(t.users.opProc).post(`/api/sections/${inquiry.sections[0]!.id}/publish`);
    expect(refused.status).to.equal(422);
    expect(refused.body.error.details[0]).to.include({ rule: 'minPeriods.inquiry.noticeToDeadline', unit: 'working_days', actual: 2 });
    // A make-up working day on Saturday 12-05 does not help a Friday deadline; moving it to Monday does.
    await t
      .req(t.users.opProc)
      .patch(`/api/sections/${inquiry.sections[0]!.id}`)
      .send({ bidDeadlineAt: Date.parse('2026-12-07T09:00:00+08:00') });
    expect((await t.req(t.users.opProc).post(`/api/sections/${inquiry.sections[0]!.id}/publish`)).status).to.equal(200);
  });

  it('checks the land listing: notice ≥ 20 days before the bid window, window ≥ 10 working days', async () => {
    const base = { title: '地块', procedure: 'listing', referencePrice: '100000000.00', bidBond: '0.00' };
    const tooEarly = await createProject([{ ...base, bidOpensAt: T0 + 15 * DAY, bidDeadlineAt: T0 + 40 * DAY }], 'land', t.users.opLand);
    const r1 = await t.req(t.users.opLand).post(`/api/sections/${tooEarly.sections[0]!.id}/publish`);
    expect(r1.body.error.details[0].rule).to.equal('minPeriods.listing.noticeToBidStart');
    const shortWindow = await createProject([{ ...base, bidOpensAt: T0 + 20 * DAY, bidDeadlineAt: T0 + 27 * DAY }], 'land', t.users.opLand);
    const r2 = await t.req(t.users.opLand).post(`/api/sections/${shortWindow.sections[0]!.id}/publish`);
    expect(r2.body.error.details[0].rule).to.equal('minPeriods.listing.bidWindow');
    const ok = await createProject([{ ...base, bidOpensAt: T0 + 20 * DAY, bidDeadlineAt: T0 + 35 * DAY }], 'land', t.users.opLand);
    const r3 = await t.req(t.users.opLand).post(`/api/sections/${ok.sections[0]!.id}/publish`);
    expect(r3.status).to.equal(200);
    expect(r3.body.section.state).to.equal('published');
  });

  it('edits a draft only; the audit entry keeps before and after', async () => {
    const p = await createProject();
    const id = p.sections[0]!.id;
    const res = await t.req(t.users.opProc).patch(`/api/sections/${id}`).send({ title: '第一包（修订）', referencePrice: '1200000.00' });
    expect(res.status).to.equal(200);
    expect(res.body.section).to.include({ title: '第一包（修订）', referencePrice: '1200000.00', version: 2 });
    const events = await t.services.audit.list({ action: 'section.updated', objectId: id });
    expect((events[0]!.data.before as { referencePrice: string }).referencePrice).to.equal('1000000.00');
    expect((events[0]!.data.after as { referencePrice: string }).referencePrice).to.equal('1200000.00');
    await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    const late = await t.req(t.users.opProc).patch(`/api/sections/${id}`).send({ title: 'x' });
    expect(late.status).to.equal(409);
  });

  it('a clarification affecting bids less than 15 days before the deadline must move it', async () => {
    const p = await createProject();
    const id = p.sections[0]!.id;
    await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    // 25 days before the deadline: no need to move it.
    const early = await t.req(t.users.opProc).post(`/api/sections/${id}/clarifications`).send({ title: '澄清一', body: '技术参数修改' });
    expect(early.status).to.equal(201);
    expect(early.body.clarification).to.include({ seq: 1, affectsBids: true, newDeadlineAt: null });
    // 14 days before: refused unless the deadline moves.
    t.clock.set(T0 + 11 * DAY);
    const late = await t.req(t.users.opProc).post(`/api/sections/${id}/clarifications`).send({ title: '澄清二', body: '数量调整' });
    expect(late.status).to.equal(422);
    expect(late.body.error.details[0]).to.include({ rule: 'clarificationMinDays', required: 15, actual: 14 });
    const tooLittle = await t
      .req(t.users.opProc)
      .post(`/api/sections/${id}/clarifications`)
      .send({ title: '澄清二', body: '数量调整', newBidDeadlineAt: T0 + 25 * DAY + 1 });
    expect(tooLittle.status).to.equal(422);
    const moved = await t
      .req(t.users.opProc)
      .post(`/api/sections/${id}/clarifications`)
      .send({ title: '澄清二', body: '数量调整', newBidDeadlineAt: T0 + 26 * DAY });
    expect(moved.status).to.equal(201);
    expect(moved.body.section.bidDeadlineAt).to.equal(T0 + 26 * DAY);
    expect(moved.body.clarification).to.include({ seq: 2, previousDeadlineAt: T0 + 25 * DAY, newDeadlineAt: T0 + 26 * DAY });
    // An answer that does not affect bids needs no move.
    const answer = await t.req(t.users.opProc).post(`/api/sections/${id}/clarifications`).send({ title: '答疑', body: '付款方式见合同条款', affectsBids: false });
    expect(answer.status).to.equal(201);
    const detail = await t.req().get(`/api/sections/${id}`);
    expect(detail.body.clarifications.map((c: { seq: number }) => c.seq)).to.deep.equal([1, 2, 3]);
    // The scheduler honours the moved deadline.
    t.clock.set(T0 + 25 * DAY + 1);
    expect(await t.services.lifecycle.advanceDue()).to.deep.equal([]);
    t.clock.set(T0 + 26 * DAY);
    expect((await t.services.lifecycle.advanceDue()).map((m) => m.to)).to.deep.equal(['closed']);
  });

  it('cancels with a reason before award; the reason is public', async () => {
    const p = await createProject();
    const id = p.sections[0]!.id;
    await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect((await t.req(t.users.opProc).post(`/api/sections/${id}/cancel`).send({ reason: '' })).status).to.equal(422);
    const res = await t.req(t.users.opProc).post(`/api/sections/${id}/cancel`).send({ reason: '项目预算调整，终止招标' });
    expect(res.status).to.equal(200);
    const pub = await t.req().get(`/api/sections/${id}`);
    expect(pub.body.section).to.include({ state: 'cancelled', cancelReason: '项目预算调整，终止招标', cancelledAt: T0 });
    expect((await t.req(t.users.opProc).post(`/api/sections/${id}/cancel`).send({ reason: '再次取消' })).status).to.equal(409);
  });

  it('lists published sections for the public, drafts only for the staff of their centre', async () => {
    const a = await createProject();
    const b = await createProject();
    await t.req(t.users.opProc).post(`/api/sections/${a.sections[0]!.id}/publish`);
    const pub = await t.req().get('/api/sections');
    expect(pub.body.sections.map((s: { id: string }) => s.id)).to.deep.equal([a.sections[0]!.id]);
    const item = pub.body.sections[0];
    expect(item).to.include({ projectTitle: '办公设备采购', tenderee: '市政务服务管理局', centre: 'procurement' });
    for (const leak of ['bids', 'bidCount', 'bidders', 'downloads', 'createdBy', 'leaseOwner']) expect(item).to.not.have.property(leak);
    const staff = await t.req(t.users.opProc).get('/api/sections?state=draft');
    expect(staff.body.sections.map((s: { id: string }) => s.id)).to.deep.equal([b.sections[0]!.id]);
    expect((await t.req(t.users.opLand).get('/api/sections?state=draft')).body.sections).to.deep.equal([]);
    expect((await t.req(t.users.auditor).get('/api/sections?state=draft')).body.sections).to.have.length(1);
    expect((await t.req().get('/api/sections?centre=land')).body.sections).to.deep.equal([]);
    expect((await t.req().get('/api/sections?centre=procurement&state=bidding')).body.sections).to.have.length(1);
    expect((await t.req().get(`/api/sections/${b.sections[0]!.id}`)).status).to.equal(404);
    expect((await t.req(t.users.bidderA).get(`/api/sections/${b.sections[0]!.id}`)).status).to.equal(404);
  });

  it('operators act only for their centres; supervisors read but do not change', async () => {
    const p = await createProject();
    const id = p.sections[0]!.id;
    expect(
      (
        await t
          .req(t.users.opLand)
          .post('/api/projects')
          .send({ centre: 'procurement', title: 'x', tenderee: 'y', sections: [openTenderSection()] })
      ).status,
    ).to.equal(403);
    expect((await t.req(t.users.opLand).post(`/api/sections/${id}/publish`)).status).to.equal(404);
    expect((await t.req(t.users.supervisor).get(`/api/projects/${p.project.id}`)).status).to.equal(200);
    expect((await t.req(t.users.supervisor).post(`/api/sections/${id}/publish`)).status).to.equal(403);
    await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    expect((await t.req(t.users.opLand).post(`/api/sections/${id}/cancel`).send({ reason: '越权取消' })).status).to.equal(403);
    expect((await t.req(t.users.bidderA).post(`/api/sections/${id}/cancel`).send({ reason: '越权取消' })).status).to.equal(403);
    expect((await t.req(t.users.admin).post(`/api/sections/${id}/cancel`).send({ reason: '管理员取消' })).status).to.equal(200);
  });

  it('streams a tender document, keeps its SHA-256, and serves it to anyone once published', async () => {
    const p = await createProject();
    const id = p.sections[0]!.id;
    const bytes = crypto.randomBytes(300_000);
    const up = await t
      .req(t.users.opProc)
      .post(`/api/sections/${id}/documents?name=${encodeURIComponent('招标文件.pdf')}`)
      .set('Content-Type', 'application/pdf')
      .send(bytes);
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    expect(up.body.document).to.include({ name: '招标文件.pdf', size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), mediaType: 'application/pdf' });
    // Not public while a draft.
    expect((await t.req().get(`/api/sections/${id}/documents/${up.body.document.id}`)).status).to.equal(404);
    await t.req(t.users.opProc).post(`/api/sections/${id}/publish`);
    const down = await supertest(t.app)
      .get(`/api/sections/${id}/documents/${up.body.document.id}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(down.status).to.equal(200);
    expect(Buffer.compare(down.body as Buffer, bytes)).to.equal(0);
    expect(down.headers['x-content-sha256']).to.equal(up.body.document.sha256);
    // Downloads leave no trace of who downloaded (EB 21).
    const events = await t.services.audit.list({ objectId: id });
    expect(events.map((e) => e.action)).to.not.include('section.document_downloaded');
    // After publication, documents change only through clarifications.
    const late = await t.req(t.users.opProc).post(`/api/sections/${id}/documents?name=b.pdf`).send(Buffer.from('x'));
    expect(late.status).to.equal(409);
  });

  it('an admin changes a centre rule and publication follows it', async () => {
    const centre = (await t.req().get('/api/centres/procurement')).body.centre;
    const settings = { ...centre.settings, minPeriods: { ...centre.settings.minPeriods, open_tender: { noticeToDeadline: { unit: 'days', value: 30 } } } };
    expect((await t.req(t.users.opProc).put('/api/centres/procurement/settings').send(settings)).status).to.equal(403);
    const bad = await t
      .req(t.users.admin)
      .put('/api/centres/procurement/settings')
      .send({ ...settings, metric: 'value_added' });
    expect(bad.status).to.equal(422);
    expect((await t.req(t.users.admin).put('/api/centres/procurement/settings').send(settings)).status).to.equal(200);
    const p = await createProject();
    const res = await t.req(t.users.opProc).post(`/api/sections/${p.sections[0]!.id}/publish`);
    expect(res.status).to.equal(422);
    expect(res.body.error.details[0]).to.include({ required: 30, actual: 25 });
  });
});
