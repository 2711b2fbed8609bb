// What the workspace's endpoints answer — accounts, organisations, certificates, centres and the
// calendar, projects and sections, bid versions, the opening's officials and objections, the
// evaluation, the award and contract, the files (PDF, CSV, PEM, age, documents) and the 204s —
// through one real tender, against what each route documents (test/support/response-check.ts).
// The test app also checks every JSON answer of every test against its route's schema (route.ts).
import { expect } from 'chai';
import { DAY, HOUR } from '../../modules/core/clock';
import { approvedBidder, placeBid, publishedLandSection, publishedSection, sealReserve, type Bidder, type PublishedSection } from '../support/bidding';
import { answersNoContent, conforms as conformsTo, servesFile } from '../support/response-check';
import { createTestApp, openTenderSection, orgRegistration, T0, type TestApp } from '../support/test-app';

describe('response schemas of the workspace: real answers against the documented ones', function () {
  this.timeout(120_000);
  let t: TestApp;
  let section: PublishedSection;
  let bidders: Bidder[];
  const bidIds: string[] = [];
  const conforms = (method: string, path: string, res: Parameters<typeof conformsTo>[3], status = 200) => conformsTo(t, method, path, res, status);

  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('accounts: sign-in, me, users, password change, tokens (and a revoked token answers 204 with no body)', async () => {
    const { admin, bidderB } = t.users;
    conforms('post', '/api/auth/login', await t.req().post('/api/auth/login').send({ username: admin.username, password: admin.password }));
    conforms('get', '/api/me', await t.req(t.users.bidderA).get('/api/me'));
    conforms('get', '/api/users', await t.req(admin).get('/api/users'));
    const created = await t.req(admin).post('/api/users').send({ username: 'schema-auditor', displayName: '审计员', role: 'auditor', password: 'pw-schema-auditor-0123' });
    conforms('post', '/api/users', created, 201);
    conforms('patch', '/api/users/:id', await t.req(admin).patch(`/api/users/${created.body.user.id}`).send({ displayName: '审计员二' }));
    conforms('post', '/api/me/password', await t.req(bidderB).post('/api/me/password').send({ currentPassword: bidderB.password, newPassword: 'pw-bidder-b-changed-0123' }));
    const token = await t.req(admin).post('/api/tokens').send({ name: 'schemas', expiresInDays: 30 });
    conforms('post', '/api/tokens', token, 201);
    conforms('get', '/api/tokens', await t.req(admin).get('/api/tokens'));
    answersNoContent(t, 'delete', '/api/tokens/:id', await t.req(admin).delete(`/api/tokens/${token.body.token.id}`));
  });

  it('organisations: registration, list, one, approval, rejection', async () => {
    const op = t.users.opProc;
    const first = await t.req().post('/api/orgs').send(orgRegistration());
    conforms('post', '/api/orgs', first, 201);
    const id = first.body.organisation.id as string;
    conforms('get', '/api/orgs', await t.req(op).get('/api/orgs?status=pending'));
    conforms('get', '/api/orgs/:id', await t.req(op).get(`/api/orgs/${id}`));
    conforms('post', '/api/orgs/:id/approve', await t.req(op).post(`/api/orgs/${id}/approve`).send({ note: '资料齐全' }));
    const second = await t
      .req()
      .post('/api/orgs')
      .send(orgRegistration({ name: '丁咨询有限公司' }));
    conforms('post', '/api/orgs/:id/reject', await t.req(op).post(`/api/orgs/${second.body.organisation.id}/reject`).send({ note: '营业执照不清' }));
  });

  it('centres and the calendar, including a removed day answering 204', async () => {
    const { admin } = t.users;
    conforms('get', '/api/centres', await t.req().get('/api/centres'));
    const centre = await t.req().get('/api/centres/procurement');
    conforms('get', '/api/centres/:code', centre);
    conforms('put', '/api/centres/:code/settings', await t.req(admin).put('/api/centres/procurement/settings').send(centre.body.centre.settings));
    conforms('put', '/api/calendar/:date', await t.req(admin).put('/api/calendar/2027-10-08').send({ kind: 'holiday', name: '国庆节' }));
    conforms('get', '/api/calendar', await t.req().get('/api/calendar?year=2027'));
    answersNoContent(t, 'delete', '/api/calendar/:date', await t.req(admin).delete('/api/calendar/2027-10-08'));
    servesFile(t, 'get', '/api/pki/ca.pem', await t.req().get('/api/pki/ca.pem'));
  });

  it('projects and sections: create, list, read, edit, add, attach and fetch a document, cancel, publish, clarify', async () => {
    const op = t.users.opProc;
    const project = await t
      .req(op)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '办公家具采购', tenderee: '市机关事务管理局', sections: [openTenderSection()] });
    conforms('post', '/api/projects', project, 201);
    const projectId = project.body.project.id as string;
    conforms('get', '/api/projects', await t.req(op).get('/api/projects?centre=procurement'));
    conforms('get', '/api/projects/:id', await t.req(op).get(`/api/projects/${projectId}`));
    conforms('patch', '/api/projects/:id', await t.req(op).patch(`/api/projects/${projectId}`).send({ title: '办公家具采购（二期）' }));
    const added = await t
      .req(op)
      .post(`/api/projects/${projectId}/sections`)
      .send(openTenderSection({ title: '第二包' }));
    conforms('post', '/api/projects/:id/sections', added, 201);
    const draft = added.body.section.id as string;
    conforms('patch', '/api/sections/:id', await t.req(op).patch(`/api/sections/${draft}`).send({ title: '第二包（桌椅）' }));
    const doc = await t.req(op).post(`/api/sections/${draft}/documents?name=spec.bin`).set('Content-Type', 'application/octet-stream').send(Buffer.from('招标文件'));
    conforms('post', '/api/sections/:id/documents', doc, 201);
    servesFile(t, 'get', '/api/sections/:id/documents/:documentId', await t.req(op).get(`/api/sections/${draft}/documents/${doc.body.document.id}`));
    conforms('post', '/api/sections/:id/cancel', await t.req(op).post(`/api/sections/${draft}/cancel`).send({ reason: '预算调整，取消本包' }));
    const first = project.body.sections[0].id as string;
    conforms('post', '/api/sections/:id/publish', await t.req(op).post(`/api/sections/${first}/publish`));
    conforms(
      'post',
      '/api/sections/:id/clarifications',
      await t.req(op).post(`/api/sections/${first}/clarifications`).send({ title: '答疑一', body: '交货地点为市政务中心。', affectsBids: false }),
      201,
    );
  });

  it('a sealed reserve, bid versions, the officials, then after the opening signals, the ciphertext and the objections', async () => {
    const land = await publishedLandSection(t);
    conforms(
      'post',
      '/api/sections/:id/reserve',
      await t
        .req(t.users.opLand)
        .post(`/api/sections/${land.id}/reserve`)
        .send({ sealed: await sealReserve(land.recipient, '6000000.00') }),
    );

    section = await publishedSection(t);
    bidders = [];
    for (const name of ['甲建设有限公司', '乙科技有限公司', '丙工程有限公司']) bidders.push(await approvedBidder(t, name, 'workspace'));
    for (const [i, b] of bidders.entries()) {
      t.clock.set(T0 + (i + 1) * HOUR);
      bidIds.push((await placeBid(t, section, b, `${900000 + i * 10000}.00`)).bid.id);
    }
    conforms('get', '/api/sections/:id/my-bids', await t.req(bidders[0]!.user).get(`/api/sections/${section.id}/my-bids`));
    const officials = { presiding: '张主持', recording: '李记录', supervising: '王监督' };
    conforms('put', '/api/sections/:id/opening-officials', await t.req(t.users.opProc).put(`/api/sections/${section.id}/opening-officials`).send(officials));
    conforms('get', '/api/sections/:id/opening-officials', await t.req().get(`/api/sections/${section.id}/opening-officials`));

    t.clock.set(section.deadline);
    await t.services.lifecycle.advanceDue();
    expect((await t.services.opening.openDue()).filter((o) => o.id === section.id)).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
    conforms('get', '/api/sections/:id/signals', await t.req(t.users.supervisor).get(`/api/sections/${section.id}/signals`));
    servesFile(t, 'get', '/api/bids/:id/ciphertext', await t.req().get(`/api/bids/${bidIds[0]}/ciphertext`));
    servesFile(t, 'get', '/api/sections/:id/opening-record.pdf', await t.req().get(`/api/sections/${section.id}/opening-record.pdf`));
    conforms('get', '/api/sections/:id/record-downloads', await t.req(t.users.supervisor).get(`/api/sections/${section.id}/record-downloads`));

    const raised = await t.req(bidders[1]!.user).post(`/api/sections/${section.id}/opening-objections`).send({ text: '唱标价格与投标文件不符' });
    conforms('post', '/api/sections/:id/opening-objections', raised, 201);
    const answer = await t.req(t.users.opProc).post(`/api/sections/${section.id}/opening-objections/${raised.body.objection.id}/answer`).send({ answer: '已核对，价格无误。' });
    conforms('post', '/api/sections/:id/opening-objections/:oid/answer', answer);
    conforms('get', '/api/sections/:id/opening-objections', await t.req().get(`/api/sections/${section.id}/opening-objections`));
    conforms('get', '/api/audit/events', await t.req(t.users.auditor).get(`/api/audit/events?objectType=section&objectId=${section.id}`));
  });

  it('the evaluation: start, view, publicity, an objection and its answer, a decline, the award, the contract', async () => {
    const ev = `/api/sections/${section.id}/evaluation`;
    const op = t.users.opProc;
    conforms('post', '/api/sections/:id/evaluation/start', await t.req(op).post(`${ev}/start`));
    conforms('get', '/api/sections/:id/evaluation', await t.req(op).get(ev));
    conforms('post', '/api/sections/:id/evaluation/publicity', await t.req(op).post(`${ev}/publicity`));
    const objection = await t.req(bidders[2]!.user).post(`${ev}/objections`).send({ text: '第一名的资质存疑' });
    conforms('post', '/api/sections/:id/evaluation/objections', objection, 201);
    conforms('post', '/api/sections/:id/evaluation/objections/:oid/answer', await t.req(op).post(`${ev}/objections/${objection.body.objection.id}/answer`).send({ answer: '经复核，资质有效。' }));
    conforms('post', '/api/sections/:id/evaluation/decline', await t.req(op).post(`${ev}/decline`).send({ rank: 2, reason: '第二名放弃' }));
    t.clock.set(section.deadline + 10 * DAY);
    conforms('post', '/api/sections/:id/evaluation/award', await t.req(op).post(`${ev}/award`));
    conforms('post', '/api/sections/:id/contract', await t.req(op).post(`/api/sections/${section.id}/contract`).send({ signedAt: t.clock.now(), amount: '900000.00' }));
  });

  it('the record PDFs, the rates as CSV and PDF, and a historical import', async () => {
    servesFile(t, 'get', '/api/sections/:id/evaluation-report.pdf', await t.req().get(`/api/sections/${section.id}/evaluation-report.pdf`));
    servesFile(t, 'get', '/api/sections/:id/award-notice.pdf', await t.req().get(`/api/sections/${section.id}/award-notice.pdf`));
    servesFile(t, 'get', '/api/sections/:id/dossier.pdf', await t.req(t.users.auditor).get(`/api/sections/${section.id}/dossier.pdf`));
    servesFile(t, 'get', '/api/reports/rates', await t.req().get('/api/reports/rates?from=2026-01-01&to=2027-12-31&format=csv'));
    servesFile(t, 'get', '/api/reports/rates', await t.req().get('/api/reports/rates?from=2026-01-01&to=2027-12-31&format=pdf'));
    const csv = ['centre,code,title,reference_price,award_amount,award_date', 'procurement,HIST-2020-P-001,历史采购项目,1000000.00,950000.00,2020-06-30'].join('\n');
    conforms('post', '/api/reports/imports', await t.req(t.users.admin).post('/api/reports/imports').set('Content-Type', 'text/csv').send(csv), 201);
  });

  it('certificates: a challenge, the list, a revocation', async () => {
    const bidder = bidders[0]!;
    conforms('post', '/api/pki/challenges', await t.req(bidder.user).post('/api/pki/challenges'), 201);
    conforms('get', '/api/pki/certificates', await t.req(bidder.user).get('/api/pki/certificates'));
    conforms('get', '/api/pki/certificates', await t.req(t.users.auditor).get('/api/pki/certificates'));
    conforms('post', '/api/pki/certificates/:fingerprint/revoke', await t.req(bidder.user).post(`/api/pki/certificates/${bidder.key.fingerprint}/revoke`).send({ reason: '密钥遗失' }));
  });
});
