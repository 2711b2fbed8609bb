// The rate report at more than one page: sums made in SQL exact to the fen beyond 2^53 (and past
// 2^63, where SQLite's own SUM stops), the sections paged by cursor in award order, the CSV
// streaming every section. Through the HTTP API on a real database (SQLite, or MariaDB with DATABASE_URL).
import { expect } from 'chai';
import { parseCsv } from '../../modules/reports/csv';
import { RATES_CSV_COLUMNS } from '../../modules/reports/reports-csv';
import { MAX_PAGE_SIZE } from '../../modules/reports/reports-service';
import { prng } from '../support/prng';
import { createTestApp, type TestApp } from '../support/test-app';

const HEADER = 'centre,code,title,reference_price,award_amount,award_date,reference_kind';
const CENTRES = ['construction', 'procurement', 'land', 'property'] as const;
const ROWS = 2_500;

const yuan = (fen: bigint) => `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;

describe('reports at more than one page: exact SQL sums, cursor paging, streamed CSV', () => {
  let t: TestApp;
  const expected = new Map<string, { n: number; ref: bigint; fin: bigint }>(CENTRES.map((c) => [c, { n: 0, ref: 0n, fin: 0n }]));
  const codes: string[] = [];

  before(async () => {
    t = await createTestApp();
    const random = prng(12);
    const lines = [HEADER];
    for (let i = 0; i < ROWS; i++) {
      const centre = CENTRES[i % 4]!;
      // Up to about 4·10^16 fen a row (far beyond 2^53 = 9.007·10^15), so that the sums pass 2^63.
      const ref = BigInt(Math.floor(random() * 2 ** 52)) * 8n + BigInt(i);
      const fin = ref - BigInt(Math.floor(random() * 2 ** 40)) + (centre === 'land' || centre === 'property' ? 2n ** 41n : 0n);
      const day = 1 + Math.floor(random() * 365);
      const date = new Date(Date.UTC(2018, 0, day)).toISOString().slice(0, 10);
      const code = `PG-${String(i).padStart(5, '0')}`;
      codes.push(code);
      const e = expected.get(centre)!;
      e.n += 1;
      e.ref += ref;
      e.fin += fin;
      lines.push(`${centre},${code},分页测试${i},${yuan(ref)},${yuan(fin)},${date},`);
    }
    const res = await t.req(t.users.admin).post('/api/reports/imports').set('Content-Type', 'text/csv').send(lines.join('\n'));
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).to.equal(201);
  });
  after(async () => t.close());

  it('sums each centre and each side exactly to the fen, against BigInt sums of the imported values', async () => {
    const r = (await t.req().get('/api/reports/rates?from=2018-01-01&to=2018-12-31')).body;
    let costRef = 0n;
    let costFin = 0n;
    for (const c of CENTRES) {
      const e = expected.get(c)!;
      const got = r.centres.find((x: { centre: string }) => x.centre === c);
      expect(got, c).to.deep.include({ sections: e.n, importedSections: e.n, referenceTotal: yuan(e.ref), finalTotal: yuan(e.fin) });
      expect(e.ref > 2n ** 63n, 'the test sums pass 2^63').to.equal(true);
      // The buckets of the chart add up to the centre.
      expect(got.buckets).to.have.length(12);
      expect(got.buckets.reduce((n: number, b: { sections: number }) => n + b.sections, 0)).to.equal(e.n);
      if (c === 'construction' || c === 'procurement') {
        costRef += e.ref;
        costFin += e.fin;
      }
    }
    expect(r.combined.cost).to.deep.include({ sections: ROWS / 2, referenceTotal: yuan(costRef), finalTotal: yuan(costFin) });
    expect(r.combined.cost.rate.numerator).to.equal(yuan(costRef - costFin));
    expect(r.page).to.deep.equal({ limit: 100, total: ROWS, next: r.page.next });
    expect(r.sections).to.have.length(100);
  });

  it('walks every section once by cursor, in award order, with the same page size limits', async () => {
    const seen: Array<{ code: string; awardedAt: number; awardDate: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/reports/rates?from=2018-01-01&to=2018-12-31&limit=${MAX_PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.req().get(q);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(200);
      expect(res.body.page.total).to.equal(ROWS);
      expect(res.body.sections.length).to.be.at.most(MAX_PAGE_SIZE);
      seen.push(...res.body.sections);
      cursor = res.body.page.next;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).to.equal(Math.ceil(ROWS / MAX_PAGE_SIZE));
    expect(seen.map((s) => s.code).sort()).to.deep.equal([...codes].sort());
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.awardedAt < b.awardedAt || (a.awardedAt === b.awardedAt && a.code < b.code), `${a.code} before ${b.code}`).to.equal(true);
      expect(a.awardDate <= b.awardDate).to.equal(true);
    }
    // One centre pages on its own.
    const land = (await t.req().get('/api/reports/rates?from=2018-01-01&to=2018-12-31&centre=land&limit=7')).body;
    expect(land.sections).to.have.length(7);
    expect(land.page).to.include({ limit: 7, total: ROWS / 4 });
    for (const s of land.sections) expect(s.centre).to.equal('land');
  });

  it('refuses a page size out of range and a cursor it did not give, with 422 naming the field', async () => {
    for (const [q, field] of [
      [`limit=${MAX_PAGE_SIZE + 1}`, 'limit'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['cursor=%E4%B8%AD', 'cursor'],
    ] as const) {
      const res = await t.req().get(`/api/reports/rates?from=2018-01-01&to=2018-12-31&${q}`);
      expect(res.status, q).to.equal(422);
      expect(JSON.stringify(res.body.error.details), q).to.contain(field);
    }
  });

  it('streams every section into the CSV (chunked, page after page), then the exact totals', async () => {
    const res = await t
      .req()
      .get('/api/reports/rates?from=2018-01-01&to=2018-12-31&format=csv')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).to.equal(200);
    expect(res.headers['transfer-encoding']).to.equal('chunked');
    expect(res.headers['content-length']).to.equal(undefined);
    const records = parseCsv((res.body as Buffer).toString('utf8')).map((r) => r.fields);
    expect(records[0]).to.deep.equal([...RATES_CSV_COLUMNS]);
    const rows = records.slice(1).map((f) => Object.fromEntries(RATES_CSV_COLUMNS.map((c, i) => [c, f[i]])));
    const sectionRows = rows.filter((r) => r.row_type === 'section');
    expect(sectionRows).to.have.length(ROWS);
    expect(new Set(sectionRows.map((r) => r.code)).size).to.equal(ROWS);
    for (const c of CENTRES) {
      const e = expected.get(c)!;
      expect(rows.find((r) => r.row_type === 'centre' && r.centre === c)).to.include({ reference_price: yuan(e.ref), final_amount: yuan(e.fin) });
    }
  });
});
