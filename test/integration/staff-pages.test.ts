// The operator's pages over HTTP, as a browser without JavaScript uses them: the dashboard, a
// project drafted and edited through its forms (yuan and zoned times), a publication refused with
// the broken rule at its field in the page's language, a document uploaded as a multipart form, a
// clarification that must move the deadline (the earliest allowed one proposed), a confirmed
// cancellation, and the organisation queue. Every refusal changes nothing; every form needs its
// token; another centre's section is a 404 page, and so is every staff page for non-operators.
import { expect } from 'chai';
import { DAY } from '../../modules/core/clock';
import { localInputValue } from '../../templates/pages/staff-time';
import { browserAgent, fieldErrorIn, formProblemIn, formTokenIn, postForm, printPageTimings, timePage } from '../support/pages';
import { approvedBidder, placeBid, publishedSection } from '../support/bidding';
import { snapshot } from '../support/test-db';
import { createTestApp, orgRegistration, T0, type TestApp, type TestUser } from '../support/test-app';

const ZONE = 'Asia/Shanghai';
/** Every table but the sessions (reading a page touches the session's expiry). */
const unchanged = (t: TestApp) => snapshot(t.tdb.db, ['sessions']);
const local = (ms: number) => localInputValue(ms, ZONE);

async function signIn(t: TestApp, user: TestUser) {
  const agent = browserAgent(t);
  const res = await postForm(agent, '/login', '/login', { username: user.username, password: user.password });
  expect(res.status, res.text.slice(0, 300)).to.equal(303);
  return agent;
}

const sectionForm = (overrides: Record<string, string> = {}) => ({
  title: '第一包 办公设备',
  procedure: 'open_tender',
  evaluationMethod: 'lowest_price',
  referenceKind: 'budget',
  referencePrice: '1234567.89',
  bidBond: '20000.00',
  bidOpensAt: '',
  clarificationDeadlineAt: '',
  bidDeadlineAt: local(T0 + 10 * DAY),
  ...overrides,
});

describe('staff pages: /staff, projects and sections, /staff/orgs', function () {
  this.timeout(60_000);
  let t: TestApp;
  let sectionId = '';
  let projectId = '';

  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    printPageTimings();
    await t.close();
  });

  it('sends a signed-out visitor to sign in, and answers 404 to anyone who is not centre staff', async () => {
    for (const path of ['/staff', '/staff/orgs', '/staff/projects/new', '/staff/sections/x', '/staff/sections/x/clarify']) {
      const res = await browserAgent(t).get(path);
      expect(res.status, path).to.equal(303);
      expect(res.headers.location, path).to.equal(`/login?${new URLSearchParams({ next: path })}`);
    }
    for (const user of [t.users.bidderA, t.users.supervisor, t.users.custodian]) {
      const agent = await signIn(t, user);
      for (const path of ['/staff', '/staff/orgs', '/staff/projects/new']) {
        const res = await agent.get(path);
        expect(res.status, `${user.username} ${path}`).to.equal(404);
        expect(res.text).to.contain('未找到');
      }
    }
  });

  it('lets an admin in, for every centre', async () => {
    const agent = await signIn(t, t.users.admin);
    const page = await agent.get('/staff');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('政府采购、建设工程、土地出让、产权交易');
    expect((await agent.get('/staff/projects/new?centre=land')).status).to.equal(200);
  });

  it('asks an operator of two centres which one a new project belongs to, and shows the times in its zone with the offset', async () => {
    const agent = await signIn(t, t.users.opProc);
    const choose = await agent.get('/staff/projects/new');
    expect(choose.status).to.equal(200);
    expect(choose.text).to.contain('/staff/projects/new?centre=procurement').and.contain('/staff/projects/new?centre=construction');
    const form = await agent.get('/staff/projects/new?centre=procurement');
    expect(form.status).to.equal(200);
    expect(form.text).to.contain('Asia/Shanghai').and.contain('UTC+08:00').and.contain('name="bidDeadlineAt" type="text" inputmode="numeric" placeholder="YYYY-MM-DD HH:MM"');
    expect(form.text).to.contain('<option value="open_tender" selected>公开招标</option>');
    // Land is not one of its centres.
    expect((await agent.get('/staff/projects/new?centre=land')).status).to.equal(404);
  });

  it('refuses a project form with bad input at each field, in the page language, and stores nothing', async () => {
    const agent = await signIn(t, t.users.opProc);
    const before = await unchanged(t);
    const bad = {
      centre: 'procurement',
      projectTitle: '',
      tenderee: '市政务服务管理局',
      description: '',
      ...sectionForm({ referencePrice: '12.345', bidBond: '-1', bidDeadlineAt: '2026-13-40 09:00', procedure: 'auction' }),
    };
    const zh = await postForm(agent, '/staff/projects/new?centre=procurement', '/staff/projects/new', bad);
    expect(zh.status).to.equal(422);
    expect(fieldErrorIn(zh.text, 'projectTitle')).to.equal('请填写此项。');
    expect(fieldErrorIn(zh.text, 'referencePrice')).to.contain('最多两位小数');
    expect(fieldErrorIn(zh.text, 'bidBond')).to.contain('最多两位小数');
    expect(fieldErrorIn(zh.text, 'bidDeadlineAt')).to.contain('YYYY-MM-DD HH:MM');
    expect(fieldErrorIn(zh.text, 'procedure')).to.equal('请从列表中选择。');
    expect(zh.text, 'the values come back').to.contain('value="12.345"');
    const en = await postForm(agent, '/staff/projects/new?centre=procurement&lang=en', '/staff/projects/new?lang=en', bad);
    expect(en.status).to.equal(422);
    expect(fieldErrorIn(en.text, 'referencePrice')).to.equal('Write yuan with at most two decimals, e.g. 1000000.00.');
    // A bond over the centre's cap is the service's rule, shown at the bond.
    const cap = await postForm(agent, '/staff/projects/new?centre=procurement', '/staff/projects/new', {
      centre: 'procurement',
      projectTitle: '办公设备采购',
      tenderee: '市政务服务管理局',
      ...sectionForm({ bidBond: '50000.00' }),
    });
    expect(cap.status).to.equal(422);
    expect(fieldErrorIn(cap.text, 'bidBond')).to.equal('投标保证金不得超过参考价的 2%。');
    expect(await unchanged(t)).to.equal(before);
  });

  it('creates a project with its first section from the form (yuan to fen, zoned times to UTC)', async () => {
    const agent = await signIn(t, t.users.opProc);
    const res = await postForm(agent, '/staff/projects/new?centre=procurement', '/staff/projects/new', {
      centre: 'procurement',
      projectTitle: '办公设备采购',
      tenderee: '市政务服务管理局',
      description: '采购台式计算机 200 台。',
      ...sectionForm({ clarificationDeadlineAt: '2026-12-05 17:30' }),
    });
    expect(res.status, res.text.slice(0, 500)).to.equal(303);
    const m = /^\/staff\/sections\/([^?]+)\?created=1$/.exec(res.headers.location);
    expect(m, res.headers.location).to.not.equal(null);
    sectionId = m![1]!;
    const api = await t.req(t.users.opProc).get(`/api/sections/${sectionId}`);
    expect(api.body.section.referencePrice).to.equal('1234567.89');
    expect(api.body.section.bidBond).to.equal('20000.00');
    expect(api.body.section.clarificationDeadlineAt).to.equal(Date.parse('2026-12-05T17:30:00+08:00'));
    expect(api.body.section.bidDeadlineAt).to.equal(T0 + 10 * DAY);
    expect(api.body.project.description).to.equal('采购台式计算机 200 台。');
    projectId = api.body.section.projectId;
    const page = await agent.get(res.headers.location);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('项目已创建。').and.contain('1,234,567.89 元').and.contain('2026-12-05 17:30 (UTC+08:00)');
    expect(page.text).to.contain('id="publish-button"').and.contain('id="upload-form"').and.contain(`/staff/sections/${sectionId}/cancel`);
  });

  it('edits the project and adds a second section', async () => {
    const agent = await signIn(t, t.users.opProc);
    const bad = await postForm(agent, `/staff/projects/${projectId}/edit`, `/staff/projects/${projectId}/edit`, { projectTitle: 'x'.repeat(201), tenderee: '市政务服务管理局', description: '' });
    expect(bad.status).to.equal(422);
    expect(fieldErrorIn(bad.text, 'projectTitle')).to.equal('最多 200 个字符。');
    const ok = await postForm(agent, `/staff/projects/${projectId}/edit`, `/staff/projects/${projectId}/edit`, { projectTitle: '办公设备采购（二期）', tenderee: '市政务服务管理局', description: '' });
    expect(ok.status).to.equal(303);
    expect((await agent.get(ok.headers.location)).text)
      .to.contain('已保存。')
      .and.contain('value="办公设备采购（二期）"');
    const add = await postForm(
      agent,
      `/staff/projects/${projectId}/sections/new`,
      `/staff/projects/${projectId}/sections/new`,
      sectionForm({ title: '第二包 打印机', referencePrice: '300000', bidBond: '6000' }),
    );
    expect(add.status, add.text.match(/field-error[^<]*<|form-problem[^<]*</g)?.join(' ')).to.equal(303);
    const project = await t.req(t.users.opProc).get(`/api/projects/${projectId}`);
    expect(project.body.project.title).to.equal('办公设备采购（二期）');
    expect(project.body.sections.map((s: { title: string; referencePrice: string }) => [s.title, s.referencePrice])).to.deep.equal([
      ['第一包 办公设备', '1234567.89'],
      ['第二包 打印机', '300000.00'],
    ]);
  });

  it('uploads a tender document as a plain multipart form (no script), and refuses one without the form token', async () => {
    const agent = await signIn(t, t.users.opProc);
    const page = await agent.get(`/staff/sections/${sectionId}`);
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\r\n--not-the-boundary\r\n'), Buffer.alloc(200_000, 7), Buffer.from('\r\n--')]);
    const before = await unchanged(t);
    const forged = await agent.post(`/staff/sections/${sectionId}/documents`).field('_csrf', 'forged').attach('file', bytes, { filename: '招标文件.pdf', contentType: 'application/pdf' });
    expect(forged.status).to.equal(403);
    expect(fieldErrorIn(forged.text, 'file')).to.contain('表单已过期');
    const none = await agent.post(`/staff/sections/${sectionId}/documents`).field('_csrf', formTokenIn(page.text)).attach('file', Buffer.alloc(0), { filename: '' });
    expect(none.status).to.equal(422);
    expect(fieldErrorIn(none.text, 'file')).to.equal('请选择要上传的文件。');
    expect(await unchanged(t)).to.equal(before);
    const res = await agent.post(`/staff/sections/${sectionId}/documents`).field('_csrf', formTokenIn(page.text)).attach('file', bytes, { filename: '招标文件.pdf', contentType: 'application/pdf' });
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    const shown = await agent.get(res.headers.location);
    expect(shown.text).to.contain('已上传“招标文件.pdf”。');
    const api = await t.req(t.users.opProc).get(`/api/sections/${sectionId}`);
    expect(api.body.documents).to.have.length(1);
    expect(api.body.documents[0].size).to.equal(bytes.length);
    const download = await t
      .req(t.users.opProc)
      .get(`/api/sections/${sectionId}/documents/${api.body.documents[0].id}`)
      .buffer(true)
      .parse((r, cb) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => cb(null, Buffer.concat(parts)));
      });
    expect(Buffer.compare(download.body as Buffer, bytes)).to.equal(0);
  });

  it('shows a publication refused by the centre rule at the deadline field, in both languages, and changes nothing', async () => {
    const agent = await signIn(t, t.users.opProc);
    const before = await unchanged(t);
    const zh = await postForm(agent, `/staff/sections/${sectionId}`, `/staff/sections/${sectionId}/publish`, {});
    expect(zh.status).to.equal(422);
    expect(fieldErrorIn(zh.text, 'bidDeadlineAt')).to.equal('公开招标自发布至截止不少于20日（当前为10日）。');
    expect(formProblemIn(zh.text)).to.equal('未能发布，原因见下列字段。');
    const en = await postForm(agent, `/staff/sections/${sectionId}?lang=en`, `/staff/sections/${sectionId}/publish?lang=en`, {});
    expect(en.status).to.equal(422);
    expect(fieldErrorIn(en.text, 'bidDeadlineAt')).to.equal('For an open tender: at least 20 days from publication to the bid deadline (this timeline gives 10 days).');
    const forged = await agent.post(`/staff/sections/${sectionId}/publish`).type('form').send({ _csrf: 'forged' });
    expect(forged.status).to.equal(403);
    expect(formProblemIn(forged.text)).to.contain('表单已过期');
    expect(await unchanged(t)).to.equal(before);
  });

  it('publishes once the deadline is fixed on the edit form', async () => {
    const agent = await signIn(t, t.users.opProc);
    const edit = await agent.get(`/staff/sections/${sectionId}/edit`);
    expect(edit.text)
      .to.contain(`value="${local(T0 + 10 * DAY)}"`)
      .and.contain('value="1234567.89"');
    const saved = await postForm(
      agent,
      `/staff/sections/${sectionId}/edit`,
      `/staff/sections/${sectionId}/edit`,
      sectionForm({ bidDeadlineAt: local(T0 + 25 * DAY), clarificationDeadlineAt: '2026-12-05 17:30' }),
    );
    expect(saved.status, saved.text.slice(0, 300)).to.equal(303);
    const pub = await postForm(agent, `/staff/sections/${sectionId}`, `/staff/sections/${sectionId}/publish`, {});
    expect(pub.status, pub.text.slice(0, 500)).to.equal(303);
    expect(pub.headers.location).to.equal(`/staff/sections/${sectionId}?published=1`);
    const page = await agent.get(pub.headers.location);
    expect(page.text).to.contain('公告已发布。').and.contain(`/staff/sections/${sectionId}/clarify`).and.not.contain('id="upload-form"');
    expect((await t.req().get(`/api/sections/${sectionId}`)).body.section.state).to.be.oneOf(['published', 'bidding']);
    // Published: the edit form is no longer offered.
    expect((await agent.get(`/staff/sections/${sectionId}/edit`)).status).to.equal(303);
  });

  it('says whether a clarification must move the deadline, proposes the earliest allowed one, and refuses one that does not move it', async () => {
    const agent = await signIn(t, t.users.opProc);
    const early = await agent.get(`/staff/sections/${sectionId}/clarify`);
    expect(early.text).to.contain('截止时间可以不变');
    t.clock.set(T0 + 15 * DAY); // the deadline (T0 + 25 days) is now 10 days away: under the 15 days
    const late = await agent.get(`/staff/sections/${sectionId}/clarify`);
    const earliest = local(T0 + 30 * DAY);
    expect(late.text)
      .to.contain('须将截止时间顺延')
      .and.contain(`value="${earliest}"`)
      .and.contain(`${earliest.replace('T', ' ')} (UTC+08:00)`);
    const before = await unchanged(t);
    const kept = await postForm(agent, `/staff/sections/${sectionId}/clarify`, `/staff/sections/${sectionId}/clarify`, {
      title: '技术参数修改',
      body: '第三章参数修改如下。',
      affectsBids: ['0', '1'] as unknown as string,
      newBidDeadlineAt: '',
    });
    expect(kept.status).to.equal(422);
    expect(fieldErrorIn(kept.text, 'newBidDeadlineAt')).to.equal('影响投标文件编制的澄清须在投标截止前至少15日发布，否则须顺延截止时间。');
    const tooEarly = await postForm(agent, `/staff/sections/${sectionId}/clarify`, `/staff/sections/${sectionId}/clarify`, {
      title: '技术参数修改',
      body: '第三章参数修改如下。',
      affectsBids: '1',
      newBidDeadlineAt: local(T0 + 29 * DAY),
    });
    expect(tooEarly.status).to.equal(422);
    expect(fieldErrorIn(tooEarly.text, 'newBidDeadlineAt')).to.contain('至少15日');
    const empty = await postForm(agent, `/staff/sections/${sectionId}/clarify`, `/staff/sections/${sectionId}/clarify`, { title: '', body: '', affectsBids: '1', newBidDeadlineAt: 'soon' });
    expect(empty.status).to.equal(422);
    expect(fieldErrorIn(empty.text, 'title')).to.equal('请填写此项。');
    expect(fieldErrorIn(empty.text, 'newBidDeadlineAt')).to.contain('YYYY-MM-DD');
    expect(await unchanged(t)).to.equal(before);
    const ok = await postForm(agent, `/staff/sections/${sectionId}/clarify`, `/staff/sections/${sectionId}/clarify`, {
      title: '技术参数修改',
      body: '第三章参数修改如下。',
      affectsBids: '1',
      newBidDeadlineAt: earliest,
    });
    expect(ok.status, ok.text.slice(0, 300)).to.equal(303);
    const page = await agent.get(ok.headers.location);
    expect(page.text).to.contain('澄清已发布。').and.contain('技术参数修改').and.contain('顺延至');
    expect((await t.req().get(`/api/sections/${sectionId}`)).body.section.bidDeadlineAt).to.equal(T0 + 30 * DAY);
  });

  it("answers another centre's section with the 404 page, for reading and for every form", async () => {
    const agent = await signIn(t, t.users.opLand);
    const before = await unchanged(t);
    for (const path of ['', '/edit', '/clarify', '/cancel']) {
      const res = await agent.get(`/staff/sections/${sectionId}${path}`);
      expect(res.status, path).to.equal(404);
      expect(res.text).to.contain('未找到');
    }
    const staffPage = await agent.get('/staff');
    const token = formTokenIn(staffPage.text);
    for (const path of ['/cancel', '/clarify', '/publish']) {
      const res = await agent.post(`/staff/sections/${sectionId}${path}`).type('form').send({ _csrf: token, reason: '不再需要采购', title: 'x', body: 'y' });
      expect(res.status, path).to.equal(404);
    }
    expect((await agent.get(`/staff/projects/${projectId}/edit`)).status).to.equal(404);
    expect(await unchanged(t)).to.equal(before);
  });

  it('cancels a section only after the confirmation with a reason', async () => {
    const agent = await signIn(t, t.users.opProc);
    const confirm = await agent.get(`/staff/sections/${sectionId}/cancel`);
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.contain('确定取消标段');
    const before = await unchanged(t);
    const short = await postForm(agent, `/staff/sections/${sectionId}/cancel`, `/staff/sections/${sectionId}/cancel`, { reason: '不要' });
    expect(short.status).to.equal(422);
    expect(fieldErrorIn(short.text, 'reason')).to.equal('至少 4 个字符。');
    expect(await unchanged(t)).to.equal(before);
    const ok = await postForm(agent, `/staff/sections/${sectionId}/cancel`, `/staff/sections/${sectionId}/cancel`, { reason: '采购需求发生重大变化' });
    expect(ok.status).to.equal(303);
    const page = await agent.get(ok.headers.location);
    expect(page.text).to.contain('标段已取消。').and.contain('采购需求发生重大变化');
    expect((await t.req().get(`/api/sections/${sectionId}`)).body.section.state).to.equal('cancelled');
  });

  it("lists my centres' sections on the dashboard by state, with what needs me now", async () => {
    const agent = await signIn(t, t.users.opProc);
    const page = await agent.get('/staff');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('政府采购、建设工程');
    expect(page.text).to.match(/id="needs-drafts"[\s\S]*第二包 打印机/);
    expect(page.text).to.contain('data-state="cancelled">1<').and.contain('data-state="draft">1<');
    expect(page.text).to.contain(`href="/staff/sections/${sectionId}"`);
    const land = await signIn(t, t.users.opLand);
    const other = await land.get('/staff');
    expect(other.text).to.contain('土地出让').and.contain('id="no-sections"');
    expect(other.text).to.not.contain(sectionId);
    await timePage(agent, '/staff (operator)', '/staff');
  });

  it('approves and rejects pending organisations from the queue, with the credit-code check shown', async () => {
    const one = await t
      .req()
      .post('/api/orgs')
      .send(orgRegistration({ name: '丁审核有限公司' }));
    const two = await t
      .req()
      .post('/api/orgs')
      .send(orgRegistration({ name: '戊审核有限公司' }));
    expect(one.status).to.equal(201);
    const [a, b] = [one.body.organisation.id as string, two.body.organisation.id as string];
    const agent = await signIn(t, t.users.opProc);
    const queue = await agent.get('/staff/orgs');
    expect(queue.status).to.equal(200);
    expect(queue.text).to.contain('丁审核有限公司').and.contain('戊审核有限公司').and.contain('校验码正确。');
    const before = await unchanged(t);
    const noReason = await postForm(agent, '/staff/orgs', `/staff/orgs/${b}/reject`, { reason: '  ' });
    expect(noReason.status).to.equal(422);
    expect(fieldErrorIn(noReason.text, `reason-${b}`)).to.equal('请填写此项。');
    const forged = await agent.post(`/staff/orgs/${a}/approve`).type('form').send({ _csrf: 'nope' });
    expect(forged.status).to.equal(403);
    expect(await unchanged(t)).to.equal(before);
    const approved = await postForm(agent, '/staff/orgs', `/staff/orgs/${a}/approve`, {});
    expect(approved.status).to.equal(303);
    expect((await agent.get(approved.headers.location)).text).to.contain('已批准“丁审核有限公司”。');
    const rejected = await postForm(agent, '/staff/orgs', `/staff/orgs/${b}/reject`, { reason: '营业执照与登记名称不符' });
    expect(rejected.status).to.equal(303);
    const after = await agent.get(rejected.headers.location);
    expect(after.text).to.contain('已驳回“戊审核有限公司”。').and.not.contain(`id="org-${a}"`).and.not.contain(`id="org-${b}"`);
    expect((await t.req(t.users.opProc).get(`/api/orgs/${a}`)).body.organisation.status).to.equal('approved');
    expect((await t.req(t.users.opProc).get(`/api/orgs/${b}`)).body.organisation.status).to.equal('rejected');
    const again = await postForm(agent, '/staff/orgs', `/staff/orgs/${a}/approve`, {});
    expect(again.status).to.equal(409);
  });
});

describe('staff dashboard: evaluations, candidate publicity and contracts due', function () {
  this.timeout(120_000);
  let t: TestApp;
  after(async () => t?.close());

  it('lists the evaluation in progress, the publicity with its end, and the contract with its due date in the centre’s zone', async () => {
    t = await createTestApp();
    const bidders = [await approvedBidder(t, '甲看板有限公司', 'dash'), await approvedBidder(t, '乙看板有限公司', 'dash'), await approvedBidder(t, '丙看板有限公司', 'dash')];
    const evaluating = await publishedSection(t, { title: '评标中的包' });
    const awarded = await publishedSection(t, { title: '已定标的包' });
    // Both open at the same deadline: every bid is in before it.
    for (const s of [evaluating, awarded]) for (const [i, b] of bidders.entries()) await placeBid(t, s, b, `${900000 + i * 10000}.00`);
    t.clock.set(evaluating.deadline);
    await t.services.lifecycle.advanceDue();
    expect((await t.services.opening.openDue()).map((o) => o.outcome)).to.deep.equal(['opened', 'opened']);
    const op = t.req(t.users.opProc);
    for (const s of [evaluating, awarded]) expect((await op.post(`/api/sections/${s.id}/evaluation/start`)).status).to.equal(200);
    expect((await op.post(`/api/sections/${awarded.id}/evaluation/publicity`)).status).to.equal(200);
    const agent = await signIn(t, t.users.opProc);
    const during = await agent.get('/staff');
    expect(during.text).to.match(/id="needs-evaluations"[\s\S]*评标中的包/);
    // The publicity ends 3 days after the opening (2026-12-26 09:00 Beijing time).
    const publicity = /id="needs-publicityEnding">([\s\S]*?)<\/ul>/.exec(during.text)?.[1] ?? '';
    expect(publicity).to.contain('已定标的包 <span class="sub">· 公示截止 2026-12-29 09:00 (UTC+08:00)</span>');
    t.clock.set(awarded.deadline + 3 * DAY);
    expect((await op.post(`/api/sections/${awarded.id}/evaluation/award`)).status).to.equal(200);
    const after = await agent.get('/staff');
    expect(after.text).to.contain('合同签订期限 2027-01-28（定标后 30 日内）');
    t.clock.set(awarded.deadline + 40 * DAY);
    expect((await agent.get('/staff')).text).to.contain('已超过合同签订期限 2027-01-28');
  });
});
