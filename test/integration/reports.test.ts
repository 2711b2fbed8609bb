// Awards, contracts, the historical import and the rate reports, through the HTTP API on a real
// database (SQLite, or MariaDB with DATABASE_URL), in whatever TZ the process runs.
import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { DAY } from '../../modules/core/clock';
import { parseCsv } from '../../modules/reports/csv';
import { RATES_CSV_COLUMNS } from '../../modules/reports/reports-csv';
import { createTestApp, openTenderSection, T0, type TestApp, type TestUser } from '../support/test-app';
import { unchanged } from '../support/api-errors';

const HEADER = 'centre,code,title,reference_price,award_amount,award_date,reference_kind';

/** The model centre's 2007: savings 15170.00 of 100000.00, value added 20730.00 of 100000.00. */
const YEAR_2007 = [
  HEADER,
  'construction,HF-2007-C-001,体育中心工程,60000.00,50000.00,2007-03-15,',
  'procurement,HF-2007-P-001,"办公设备采购, 第一包",40000.00,34830.00,2007-12-31,',
  'land,HF-2007-L-001,滨湖新区地块,50000.00,62000.00,2007-01-01,',
  'property,HF-2007-R-001,市属企业股权,50000.00,58730.00,2007-06-30,listing_price',
].join('\r\n');

function importCsv(t: TestApp, user: TestUser | undefined, body: string) {
  return t.req(user).post('/api/reports/imports').set('Content-Type', 'text/csv').send(body);
}

function rates(t: TestApp, query: string) {
  return t.req().get(`/api/reports/rates?${query}`);
}

describe('reports: awards, contracts, historical import and rates', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('an empty period answers zeros and null rates, not an error', async () => {
    const res = await rates(t, 'from=1999-01-01&to=1999-12-31');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.sections).to.deep.equal([]);
    expect(res.body.counts).to.deep.equal({ published: 0, opened: 0, failed: 0, awarded: 0, imported: 0 });
    expect(res.body.combined.cost).to.deep.include({ sections: 0, referenceTotal: '0.00', finalTotal: '0.00' });
    expect(res.body.combined.cost.rate).to.deep.equal({ percent: null, numerator: '0.00', denominator: '0.00', base: null });
    expect(res.body.centres).to.have.length(4);
    expect(res.body.headline).to.equal('construction and procurement savings rate n/a; property rights and land value-added rate n/a');
  });

  it('refuses bad periods with 422 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['from=2007-13-01&to=2007-12-31', 'from'],
      ['from=2007-01-01&to=2007-02-30', 'to'],
      ['from=2008-01-01&to=2007-12-31', 'from'],
      ['from=2000-01-01&to=2020-01-01', 'to'],
      ['from=2007-01-01', 'to'],
      ['from=2007-01-01&to=2007-12-31&centre=water', 'centre'],
    ];
    for (const [q, field] of cases) {
      const res = await rates(t, q);
      expect(res.status, q).to.equal(422);
      expect(
        res.body.error.details.map((d: { field: string }) => d.field),
        q,
      ).to.include(field);
    }
    expect((await rates(t, 'from=2000-01-01&to=2019-12-31')).status).to.equal(200);
  });

  it("imports a year and prints the model centre's headline exactly: 15.17 % and 20.73 %", async () => {
    const res = await importCsv(t, t.users.admin, YEAR_2007);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const sha256 = crypto.createHash('sha256').update(YEAR_2007).digest('hex');
    expect(res.body.import).to.deep.include({ rows: 4, sha256 });

    const events = await t.services.audit.list({ action: 'reports.history_imported' });
    expect(events).to.have.length(1);
    expect(events[0]!.data).to.deep.include({ rows: 4, sha256, importer: 'admin' });
    expect(events[0]!.actor).to.include({ id: t.users.admin.id });

    const report = (await rates(t, 'from=2007-01-01&to=2007-12-31')).body;
    expect(report.headline).to.equal('construction and procurement savings rate 15.17%; property rights and land value-added rate 20.73%');
    expect(report.headlineZh).to.equal('建设工程和政府采购资金节约率 15.17%；产权交易和土地出让增值率 20.73%');
    expect(report.combined.cost.rate).to.deep.equal({ percent: '15.17', numerator: '15170.00', denominator: '100000.00', base: ['budget', 'control_price'] });
    expect(report.combined.revenue.rate).to.deep.equal({ percent: '20.73', numerator: '20730.00', denominator: '100000.00', base: ['listing_price', 'starting_price'] });
    expect(report.combined.cost.centres).to.deep.equal(['procurement', 'construction']);
    expect(report.sections.map((s: { code: string }) => s.code)).to.deep.equal(['HF-2007-L-001', 'HF-2007-C-001', 'HF-2007-R-001', 'HF-2007-P-001']);
    for (const s of report.sections) expect(s).to.include({ imported: true, sectionId: null });
    const construction = report.centres.find((c: { centre: string }) => c.centre === 'construction');
    expect(construction).to.deep.include({ sections: 1, importedSections: 1, referenceTotal: '60000.00', finalTotal: '50000.00' });
    expect(construction.rate).to.deep.equal({ percent: '16.67', numerator: '10000.00', denominator: '60000.00', base: 'control_price' });
    expect(report.counts).to.deep.include({ imported: 4, awarded: 0 });
    expect(report.sections.find((s: { code: string }) => s.code === 'HF-2007-P-001').title).to.equal('办公设备采购, 第一包');
    // The first and last days of the period are inside it; one centre alone.
    const land = (await rates(t, 'from=2007-01-01&to=2007-01-01&centre=land')).body;
    expect(land.sections).to.have.length(1);
    expect(land.combined.revenue.rate.percent).to.equal('24.00');
    expect(land.combined.cost.rate.percent).to.equal(null);
  });

  it('the CSV report (BOM, header row, yuan) parses back to the same numbers', async () => {
    const json = (await rates(t, 'from=2007-01-01&to=2007-12-31')).body;
    const res = await rates(t, 'from=2007-01-01&to=2007-12-31&format=csv')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/csv; charset=utf-8/);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const records = parseCsv(bytes.toString('utf8')).map((r) => r.fields);
    expect(records[0]).to.deep.equal([...RATES_CSV_COLUMNS]);
    const rows = records.slice(1).map((f) => Object.fromEntries(RATES_CSV_COLUMNS.map((c, i) => [c, f[i]])));
    const sectionRows = rows.filter((r) => r.row_type === 'section');
    expect(sectionRows).to.have.length(json.sections.length);
    for (const [i, s] of json.sections.entries()) {
      expect(sectionRows[i]).to.include({
        code: s.code,
        title: s.title,
        reference_price: s.referencePrice,
        final_amount: s.finalAmount,
        award_date: s.awardDate,
        rate_percent: s.rate.percent,
        imported: 'yes',
      });
    }
    const cost = rows.find((r) => r.row_type === 'combined_cost')!;
    expect(cost).to.include({ rate_percent: '15.17', numerator: '15170.00', denominator: '100000.00', base: 'budget+control_price' });
    expect(rows.find((r) => r.row_type === 'combined_revenue')).to.include({ rate_percent: '20.73', numerator: '20730.00' });
  });

  it('reproduces the checked Hefei figures from imported amounts in 亿元', async () => {
    const csv = [
      HEADER,
      'construction,HF-2011-WORKS,合肥2011年建设工程,34383000000.00,22715000000.00,2011-06-30,',
      'land,HF-2011-LAND,合肥2011年土地出让,14704000000.00,17516000000.00,2011-06-30,',
      'land,HF-2021-LAND,合肥2021年土地出让,73958000000.00,85023000000.00,2021-06-30,',
    ].join('\n');
    expect((await importCsv(t, t.users.admin, csv)).status).to.equal(201);
    const y2011 = (await rates(t, 'from=2011-01-01&to=2011-12-31')).body;
    expect(y2011.combined.cost.rate).to.deep.equal({ percent: '33.94', numerator: '11668000000.00', denominator: '34383000000.00', base: 'control_price' });
    expect(y2011.combined.revenue.rate).to.deep.equal({ percent: '19.12', numerator: '2812000000.00', denominator: '14704000000.00', base: 'starting_price' });
    const y2021 = (await rates(t, 'from=2021-01-01&to=2021-12-31')).body;
    expect(y2021.combined.revenue.rate).to.deep.include({ percent: '14.96', numerator: '11065000000.00', denominator: '73958000000.00' });
  });

  it('keeps amounts beyond 2^53 fen exact through the database and the sums', async () => {
    const csv = [
      HEADER,
      'procurement,BIG-1,超大金额一,90071992547409.93,90071992547409.92,2016-05-01,',
      'property,BIG-2,超大金额二,50000000000000000.00,50000000000000000.01,2016-05-01,',
      'property,BIG-3,超大金额三,50000000000000000.00,50000000000000000.01,2016-05-02,',
    ].join('\n');
    expect((await importCsv(t, t.users.admin, csv)).status).to.equal(201);
    const r = (await rates(t, 'from=2016-01-01&to=2016-12-31')).body;
    expect(r.sections[0]).to.include({ code: 'BIG-1', referencePrice: '90071992547409.93', finalAmount: '90071992547409.92' });
    expect(r.combined.cost.rate).to.deep.equal({ percent: '0.00', numerator: '0.01', denominator: '90071992547409.93', base: 'budget' });
    expect(r.combined.revenue.rate).to.deep.equal({ percent: '0.00', numerator: '0.02', denominator: '100000000000000000.00', base: 'listing_price' });
    expect(r.combined.revenue.finalTotal).to.equal('100000000000000000.02');
  });

  it('refuses a file with bad rows: every error with its line, nothing stored', async () => {
    const csv = [
      HEADER, // line 1
      'construction,OK-1,"两行\n标题",100.00,90.00,2008-01-01,', // lines 2–3
      'water,BAD-1,标题,100.00,90.00,2008-01-01,', // line 4
      'procurement,BAD-2,标题,100.001,90.00,2008-01-01,', // line 5
      'procurement,BAD-3,标题,100.00,90.00,2023-02-30,', // line 6
      'procurement,OK-1,标题,100.00,90.00,2008-01-01,', // line 7: duplicate code
      'land,BAD-4,标题,100.00,90.00,2008-01-01,budget', // line 8
      'procurement,HF-2007-C-001,标题,100.00,90.00,2008-01-01,', // line 9: imported before
      'procurement,BAD-5,标题,100.00', // line 10
    ].join('\n');
    const res = await unchanged(t, () => importCsv(t, t.users.admin, csv));
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.error.code).to.equal('validation_failed');
    const details = res.body.error.details as Array<{ line: number; field: string; message: string }>;
    expect(details.map((d) => [d.line, d.field])).to.deep.equal([
      [4, 'centre'],
      [5, 'reference_price'],
      [6, 'award_date'],
      [7, 'code'],
      [8, 'reference_kind'],
      [9, 'code'],
      [10, '(row)'],
    ]);
    for (const d of details) expect(d.message).to.match(new RegExp(`^line ${d.line}: `));
    expect(details[1]!.message).to.contain('more than two decimals');
    expect(details[3]!.message).to.contain('also on line 2');
    expect(res.body.error.message).to.contain('nothing was imported');
  });

  it('refuses a header without the required columns, an empty file and a non-CSV body', async () => {
    const noColumn = await unchanged(t, () => importCsv(t, t.users.admin, 'centre,code,title,reference_price,award_amount\nland,X,标题,1.00,2.00'));
    expect(noColumn.status).to.equal(422);
    expect(noColumn.body.error.details[0]).to.include({ line: 1, field: 'header' });
    expect(noColumn.body.error.details[0].message).to.contain('award_date');
    expect((await unchanged(t, () => importCsv(t, t.users.admin, HEADER))).status).to.equal(422);
    const json = await unchanged(t, () => t.req(t.users.admin).post('/api/reports/imports').send({ csv: 'x' }));
    expect(json.status).to.equal(415);
  });

  it("refuses a code that is already a section's code", async () => {
    const p = await t
      .req(t.users.opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: '代码冲突', tenderee: '市局', sections: [openTenderSection()] });
    const code = p.body.sections[0].code as string;
    const res = await unchanged(t, () => importCsv(t, t.users.opProc, `${HEADER}\nprocurement,${code},标题,100.00,90.00,2008-01-01,`));
    expect(res.status).to.equal(422);
    expect(res.body.error.details[0]).to.include({ line: 2, field: 'code' });
  });

  it("another centre's operator gets 403, a bidder 403, no login 401; nothing stored", async () => {
    const mixed = `${HEADER}\nland,L-2009-1,地块,100.00,120.00,2009-01-01,\nconstruction,C-2009-1,工程,100.00,90.00,2009-01-01,`;
    const op = await unchanged(t, () => importCsv(t, t.users.opLand, mixed));
    expect(op.status).to.equal(403);
    expect(op.body.error.message).to.contain('lines 3');
    expect((await unchanged(t, () => importCsv(t, t.users.bidderA, mixed))).status).to.equal(403);
    expect((await unchanged(t, () => importCsv(t, undefined, mixed))).status).to.equal(401);
    // The land operator may import its own centre's rows.
    const own = await importCsv(t, t.users.opLand, `${HEADER}\nland,L-2009-1,地块,100.00,120.00,2009-01-01,`);
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    expect((await importCsv(t, t.users.opLand, `${HEADER}\nland,L-2009-1,地块,100.00,120.00,2009-01-01,`)).status).to.equal(422);
  });

  describe('live awards', () => {
    let sections: Array<{ id: string; code: string }>;
    before(async () => {
      t.clock.set(T0);
      const p = await t
        .req(t.users.opProc)
        .post('/api/projects')
        .send({
          centre: 'construction',
          title: '学校新建工程',
          tenderee: '市教育局',
          sections: [
            openTenderSection({ title: '一标段', referencePrice: '1000000.00', bidBond: '0.00' }),
            openTenderSection({ title: '二标段', referencePrice: '2000000.00', bidBond: '0.00' }),
            openTenderSection({ title: '三标段', referencePrice: '500000.00', bidBond: '0.00' }),
          ],
        });
      expect(p.status, JSON.stringify(p.body)).to.equal(201);
      sections = p.body.sections;
      for (const s of sections) expect((await t.req(t.users.opProc).post(`/api/sections/${s.id}/publish`)).status).to.equal(200);
    });

    async function award(sectionId: string, amountFen: bigint, awardedAt: number) {
      return t.services.inTransaction((tx) => tx.awards.recordAward(t.users.opProc.ctx, { sectionId, orgId: t.orgA, bidderName: '甲建设有限公司', amountFen, awardedAt }));
    }

    it('appear next to imported rows, flagged as live; the award date is taken in Beijing time', async () => {
      await award(sections[0]!.id, 90_000_000n, T0); // 900000.00 of 1000000.00
      // 2026-12-31 23:59:59 Beijing time: still 2026.
      await award(sections[1]!.id, 180_000_000n, Date.parse('2026-12-31T15:59:59Z'));
      // 2027-01-01 00:30 Beijing time (still 31 December in UTC): the new year.
      await award(sections[2]!.id, 40_000_000n, Date.parse('2026-12-31T16:30:00Z'));
      const old = await importCsv(t, t.users.opProc, `${HEADER}\nconstruction,HF-2026-OLD-1,旧工程,100000.00,95000.00,2026-11-15,`);
      expect(old.status, JSON.stringify(old.body)).to.equal(201);
      // A date after today (in Beijing) cannot be a historical result.
      const future = await importCsv(t, t.users.opProc, `${HEADER}\nconstruction,HF-2026-OLD-2,旧工程,100000.00,95000.00,2026-12-02,`);
      expect(future.status).to.equal(422);
      expect(future.body.error.details[0]).to.include({ line: 2, field: 'award_date' });

      const y2026 = (await rates(t, 'from=2026-01-01&to=2026-12-31')).body;
      const codes = y2026.sections.map((s: { code: string; imported: boolean; sectionId: string | null }) => [s.code, s.imported, s.sectionId]);
      expect(codes).to.deep.equal([
        ['HF-2026-OLD-1', true, null],
        [sections[0]!.code, false, sections[0]!.id],
        [sections[1]!.code, false, sections[1]!.id],
      ]);
      expect(y2026.sections[2].awardDate).to.equal('2026-12-31');
      // (1000000 − 900000) + (2000000 − 1800000) + (100000 − 95000) = 305000 of 3100000
      expect(y2026.combined.cost.rate).to.deep.equal({ percent: '9.84', numerator: '305000.00', denominator: '3100000.00', base: 'control_price' });
      expect(y2026.counts).to.deep.include({ awarded: 2, imported: 1 });
      // Published at T0 through the API: the three sections (the draft of another test is not counted).
      expect(y2026.counts).to.deep.include({ published: 3, opened: 0, failed: 0 });
      expect(y2026.centres.find((c: { centre: string }) => c.centre === 'construction').counts).to.deep.equal({ published: 3, opened: 0, failed: 0, awarded: 2, imported: 1 });

      const y2027 = (await rates(t, 'from=2027-01-01&to=2027-12-31')).body;
      expect(y2027.sections).to.have.length(1);
      expect(y2027.sections[0]).to.include({ code: sections[2]!.code, awardDate: '2027-01-01', imported: false, finalAmount: '400000.00' });
      expect(y2027.sections[0].rate).to.deep.equal({ percent: '20.00', numerator: '100000.00', denominator: '500000.00', base: 'control_price' });
    });

    it('a section is awarded once', async () => {
      let error: unknown;
      try {
        await award(sections[0]!.id, 1n, T0);
      } catch (err) {
        error = err;
      }
      expect((error as { status?: number }).status).to.equal(409);
    });

    it('a contract replaces the award amount in the reports', async () => {
      t.clock.set(T0 + 10 * DAY);
      const res = await t
        .req(t.users.opProc)
        .post(`/api/sections/${sections[0]!.id}/contract`)
        .send({ signedAt: T0 + 10 * DAY, amount: '880000.00' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.award).to.include({ contractAmount: '880000.00', amount: '900000.00', contractSignedAt: T0 + 10 * DAY });
      const row = (await rates(t, 'from=2026-12-01&to=2026-12-01')).body.sections[0];
      expect(row).to.include({ code: sections[0]!.code, finalAmount: '880000.00', contracted: true });
      const events = await t.services.audit.list({ objectType: 'section', objectId: sections[0]!.id, action: 'award.contract_recorded' });
      expect(events).to.have.length(1);
      expect(
        (
          await t
            .req(t.users.opProc)
            .post(`/api/sections/${sections[0]!.id}/contract`)
            .send({ signedAt: T0 + 10 * DAY, amount: '1.00' })
        ).status,
      ).to.equal(409);
    });

    it('refuses a contract later than 30 days after the award (TBL 46), without an award, or by others', async () => {
      t.clock.set(Date.parse('2027-02-05T09:00:00+08:00'));
      const late = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${sections[1]!.id}/contract`).send({ signedAt: '2027-02-01T09:00:00+08:00', amount: '1800000.00' }));
      expect(late.status).to.equal(422);
      expect(late.body.error.details[0]).to.include({ rule: 'contractWithinDays', required: 30, actual: 32 });
      expect(late.body.error.message).to.contain('TBL 46');
      // 30 days after 31 December is still in time.
      const inTime = await t.req(t.users.opProc).post(`/api/sections/${sections[1]!.id}/contract`).send({ signedAt: '2027-01-30T09:00:00+08:00', amount: '1800000.00' });
      expect(inTime.status, JSON.stringify(inTime.body)).to.equal(200);

      const p = await t
        .req(t.users.opProc)
        .post('/api/projects')
        .send({ centre: 'construction', title: '未定标', tenderee: '市局', sections: [openTenderSection({ bidDeadlineAt: Date.parse('2027-03-10T09:00:00+08:00') })] });
      const unawarded = p.body.sections[0].id as string;
      expect((await t.req(t.users.opProc).post(`/api/sections/${unawarded}/publish`)).status).to.equal(200);
      const body = { signedAt: '2027-02-01T09:00:00+08:00', amount: '1.00' };
      expect((await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${unawarded}/contract`).send(body))).status).to.equal(409);
      expect((await unchanged(t, () => t.req(t.users.opLand).post(`/api/sections/${sections[2]!.id}/contract`).send(body))).status).to.equal(403);
      expect((await unchanged(t, () => t.req(t.users.bidderA).post(`/api/sections/${sections[2]!.id}/contract`).send(body))).status).to.equal(403);
      expect((await unchanged(t, () => t.req().post(`/api/sections/${sections[2]!.id}/contract`).send(body))).status).to.equal(401);
      const bad = await unchanged(t, () => t.req(t.users.opProc).post(`/api/sections/${sections[2]!.id}/contract`).send({ signedAt: '2027-01-02T09:00:00+08:00', amount: '1.001' }));
      expect(bad.status).to.equal(422);
      expect(bad.body.error.details[0].field).to.equal('amount');
    });
  });
});
