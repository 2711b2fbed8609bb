// Smaller hardening of what the API accepts and what it writes to its logs: invisible characters in
// names, instants out of range, impossible calendar dates, registrations in bulk from one address,
// portal file paths that climb out, and request logs that would count the bids of a section.
import { expect } from 'chai';
import { createLogger } from '../../server/logger';
import { expectError, expectInvalidField, unchanged } from '../support/api-errors';
import { createTestApp, orgRegistration, openTenderSection, type TestApp } from '../support/test-app';

const registration = orgRegistration;

function project(overrides: Record<string, unknown> = {}, section: Record<string, unknown> = {}) {
  return { centre: 'procurement', title: '办公设备采购', tenderee: '市政务服务管理局', sections: [openTenderSection(section)], ...overrides };
}

describe('hardening: input and logs', () => {
  let t: TestApp;
  const lines: string[] = [];

  before(async () => {
    t = await createTestApp({}, { log: createLogger('info', { write: (s: string) => void lines.push(s) }) });
  });
  after(() => t.close());

  describe('names and titles', () => {
    const invisible: Array<[string, string]> = [
      ['U+202E (right-to-left override)', '\u202E'],
      ['U+2066 (left-to-right isolate)', '\u2066'],
      ['U+200F (right-to-left mark)', '\u200F'],
      ['U+061C (Arabic letter mark)', '\u061C'],
      ['U+200B (zero-width space)', '\u200B'],
      ['U+2060 (word joiner)', '\u2060'],
      ['U+FEFF inside the text', '\uFEFF'],
      ['NUL', '\u0000'],
      ['a line feed', '\n'],
      ['U+0085 (a C1 control)', '\u0085'],
      ['DEL', '\u007F'],
    ];
    for (const [what, ch] of invisible) {
      it(`refuses a project title with ${what}, naming the field`, async () => {
        const res = await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post('/api/projects')
            .send(project({ title: `办公${ch}设备采购` })),
        );
        const detail = expectInvalidField(res, 'title');
        expect(detail.message).to.include(`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
      });
    }

    it('refuses a section title, a tenderee and a clarification title with a bidi override', async () => {
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post('/api/projects')
            .send(project({}, { title: '第\u202E一包' })),
        ),
        'sections.0.title',
      );
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post('/api/projects')
            .send(project({ tenderee: '市政务\u200D服务管理局' })),
        ),
        'tenderee',
      );
    });

    it('refuses organisation, contact and representative names with invisible characters', async () => {
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req()
            .post('/api/orgs')
            .send(registration({ name: '丙咨询\u202E有限公司' })),
        ),
        'name',
      );
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req()
            .post('/api/orgs')
            .send(registration({ contactName: '王\u0000五' })),
        ),
        'contactName',
      );
      const reps = [{ username: 'bidder-rlo', displayName: '王\u2067五', password: 'pw-bidder-c-0123456789' }];
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req()
            .post('/api/orgs')
            .send(registration({ representatives: reps })),
        ),
        'representatives.0.displayName',
      );
    });

    it('refuses a calendar day name with a control character', async () => {
      expectInvalidField(await unchanged(t, () => t.req(t.users.admin).put('/api/calendar/2026-10-01').send({ kind: 'holiday', name: '国庆\u0007节' })), 'name');
    });

    it('a multi-line text keeps line feeds and tabs but refuses other controls and bidi overrides', async () => {
      const ok = await t
        .req(t.users.opProc)
        .post('/api/projects')
        .send(project({ description: '第一行\r\n\t第二行\n' }));
      expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
      expect(ok.body.project.description).to.equal('第一行\n\t第二行\n');
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post('/api/projects')
            .send(project({ description: 'a\u0008b' })),
        ),
        'description',
      );
      expectInvalidField(
        await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post('/api/projects')
            .send(project({ description: 'a\u202Db' })),
        ),
        'description',
      );
    });

    it('refuses an imported title with a bidi override, naming its line and field', async () => {
      const csv = ['centre,code,title,reference_price,award_amount,award_date', 'procurement,OLD-1,"办公\u202E设备",100.00,90.00,2008-01-01'].join('\n');
      const res = await unchanged(t, () => t.req(t.users.admin).post('/api/reports/imports').set('Content-Type', 'text/csv').send(csv));
      const error = expectError(res, 422, 'validation_failed');
      // Each detail also carries its rule and values (for the page's language): the line, field and message are what this test is about.
      const details = (error.details as Array<Record<string, unknown>>).map(({ line, field, message }) => ({ line, field, message }));
      expect(details).to.deep.include({
        line: 2,
        field: 'title',
        message: 'line 2: title must not contain control characters other than line feed and tab, bidi controls or zero-width characters (found U+202E at position 3)',
      });
    });

    it('plain Chinese and Latin names with spaces and punctuation are accepted', async () => {
      const res = await t
        .req()
        .post('/api/orgs')
        .send(registration({ name: 'Anhui Jianye (安徽) Co., Ltd.', contactName: 'Li Na · 李娜' }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });
  });

  describe('instants', () => {
    const bad: Array<[string, unknown]> = [
      ['epoch 0', 0],
      ['year 0', '0000-01-01T00:00:00Z'],
      ['1999-12-31T23:59:59.999Z', Date.UTC(1999, 11, 31, 23, 59, 59, 999)],
      ['2200-01-01T00:00:00Z', '2200-01-01T00:00:00Z'],
      ['year 9999', Date.UTC(9999, 0, 1)],
    ];
    for (const [what, value] of bad) {
      it(`refuses a deadline at ${what}, naming the field`, async () => {
        const res = await unchanged(t, () =>
          t
            .req(t.users.opProc)
            .post('/api/projects')
            .send(project({}, { bidDeadlineAt: value })),
        );
        const detail = expectInvalidField(res, 'sections.0.bidDeadlineAt');
        expect(detail.message).to.include('2000-01-01').and.to.include('2200-01-01');
      });
    }

    it('refuses a draft edit that moves the bid window to year 0', async () => {
      const created = await t.req(t.users.opProc).post('/api/projects').send(project());
      expect(created.status).to.equal(201);
      const id = created.body.sections[0].id as string;
      const res = await unchanged(t, () => t.req(t.users.opProc).patch(`/api/sections/${id}`).send({ bidOpensAt: '0000-06-01T00:00:00+08:00' }));
      expectInvalidField(res, 'bidOpensAt');
    });
  });

  describe('calendar dates', () => {
    for (const date of ['2026-02-30', '2025-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-1']) {
      it(`PUT /api/calendar/${date} is refused with 422 naming the date`, async () => {
        const res = await unchanged(t, () => t.req(t.users.admin).put(`/api/calendar/${date}`).send({ kind: 'holiday', name: '假日' }));
        const detail = expectInvalidField(res, 'date', { inMessage: false });
        expect(detail.message).to.include(date);
      });
    }

    it('a leap day is a real date', async () => {
      const res = await t.req(t.users.admin).put('/api/calendar/2028-02-29').send({ kind: 'holiday', name: '假日' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    });

    it('DELETE of an impossible date is refused the same way', async () => {
      expectInvalidField(await unchanged(t, () => t.req(t.users.admin).delete('/api/calendar/2026-02-30')), 'date', { inMessage: false });
    });
  });

  describe('portal files', () => {
    for (const p of ['/portal-static/..%2f..%2fpackage.json', '/portal-static/%2e%2e/%2e%2e/package.json', '/portal-static/%2e%2e/x', '/portal-static/no-such.css', '/portal-static/%E0%A4%A']) {
      it(`GET ${p} answers 404 without an internal error`, async () => {
        const before = lines.length;
        const res = await t.req().get(p);
        expect(res.status).to.equal(404);
        expect(res.text).to.not.include('"name"').and.to.not.include('etender');
        const logged = lines.slice(before).map((l) => JSON.parse(l) as { level: number; msg: string });
        expect(
          logged.filter((l) => l.level >= 50),
          JSON.stringify(logged),
        ).to.deep.equal([]);
      });
    }

    it('an existing portal file is still served', async () => {
      const res = await t.req().get('/portal-static/portal.css');
      expect(res.status).to.equal(200);
    });
  });

  describe('request logs', () => {
    it('name no section or bid id on bid routes', async () => {
      const created = await t.req(t.users.opProc).post('/api/projects').send(project());
      const sectionId = created.body.sections[0].id as string;
      const bidId = '01JDZZZZZZZZZZZZZZZZZZZZZZ';
      const before = lines.length;
      await t.req(t.users.bidderA).post(`/api/sections/${sectionId}/bids`).set('Content-Type', 'application/octet-stream').send(Buffer.from('x'));
      await t.req(t.users.bidderA).get(`/api/sections/${sectionId}/my-bids`);
      await t.req(t.users.bidderA).post(`/api/bids/${bidId}/withdraw`);
      await t.req(t.users.bidderA).get(`/api/bids/${bidId}/receipt`);
      await t.req(t.users.bidderA).get(`/api/bids/${bidId}/ciphertext`);
      await t.req(t.users.bidderA).get(`/sections/${sectionId}/bid`);
      const logged = lines.slice(before).join('');
      expect(logged).to.not.include(sectionId);
      expect(logged).to.not.include(bidId);
      const paths = lines
        .slice(before)
        .map((l) => (JSON.parse(l) as { path?: string }).path)
        .filter(Boolean);
      expect(paths).to.include.members(['/api/sections/:id/bids', '/api/sections/:id/my-bids', '/api/bids/:id/withdraw', '/api/bids/:id/receipt', '/api/bids/:id/ciphertext', '/sections/:id/bid']);
    });

    it('keep other paths as they are', async () => {
      const before = lines.length;
      await t.req().get('/api/centres/procurement');
      const paths = lines.slice(before).map((l) => (JSON.parse(l) as { path?: string }).path);
      expect(paths).to.include('/api/centres/procurement');
    });
  });
});

describe('hardening: organisation registration is rate limited per address', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ orgRegistrationsPerHour: 2 });
  });
  after(() => t.close());

  it('the third registration within the hour answers 429 with Retry-After, and stores nothing', async () => {
    expect((await t.req().post('/api/orgs').send(registration())).status).to.equal(201);
    expect((await t.req().post('/api/orgs').send(registration())).status).to.equal(201);
    const res = await unchanged(t, () => t.req().post('/api/orgs').send(registration()));
    const error = expectError(res, 429, 'too_many_requests');
    expect(error.message).to.match(/registrations from your address.*try again in \d+ minutes?/);
    expect(Number(res.headers['retry-after'])).to.be.greaterThan(0).and.at.most(3600);
  });

  it('other routes are not counted', async () => {
    expect((await t.req().get('/api/centres')).status).to.equal(200);
  });
});
