// Benchmark: "the rate report of a year (and of ten) answers in under a second, exact to the fen,
// with 1,000,000 awarded sections in the database" (issue 12, benchmark 3).
//
// The app (createApp on the test database: SQLite in a temporary file, or MariaDB with
// DATABASE_URL) listens on loopback. BENCH_REPORT_SECTIONS awarded sections (1,000,000 by default)
// are generated in bulk SQL, not through the API: batched multi-row INSERTs in transactions, half
// live awards (awards, award instants at random times of day) and half imported history
// (imported_results), over the ten years 2016–2025 and the four centres, with random amounts of up
// to 10^12 fen. While generating, the benchmark sums every centre and year in BigInt.
//
// Cases, each timed as the best of 3 GET /api/reports/rates over real HTTP (the whole answer read):
// the year 2025 of each centre, the year 2025 of all centres, and the ten years of all centres. Each
// answer's per-centre totals are checked to the fen against the BigInt sums (any difference is an
// error). Floor: a plain SELECT centre_code, COUNT(*), SUM(reference), SUM(final) ... GROUP BY
// centre_code over the same rows (the year's instants, or the whole tables), on both tables, in the
// same run. Ratio = report / floor, for information; the goal is < 1 s absolute, noted under the
// table. Answer sizes and the process's peak RSS are printed too, and the CSV of the year (every
// section, streamed page by page) is timed for information.
import http from 'node:http';
import { localDate } from '../../modules/centres/calendar';
import { CENTRE_CODES } from '../../modules/centres/centre-rules';
import { formatYuan } from '../../modules/core/money';
import { localMidnight } from '../../modules/reports/period';
import { prng } from '../support/prng';
import { createTestApp, listenOnLoopback } from '../support/test-app';
import { usingMysql } from '../support/test-db';
import { fmtMs, isMain, onInterrupt, printResult, progress, failed, fmtMiB, type BenchResult } from './report';

const YEARS = Array.from({ length: 10 }, (_, i) => 2016 + i);
const YEAR = 2025;
const ROUNDS = 3;

function sectionCount(): number {
  const raw = process.env.BENCH_REPORT_SECTIONS;
  if (!raw) return 1_000_000;
  if (!/^\d+$/.test(raw) || Number(raw) < 1000 || Number(raw) > 5_000_000) throw new Error(`BENCH_REPORT_SECTIONS must be a whole number from 1000 to 5000000; got "${raw}"`);
  return Number(raw);
}

function get(url: string): Promise<{ status: number; bytes: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, bytes: body.length, body });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function best<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let bestMs = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    value = await work();
    bestMs = Math.min(bestMs, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: bestMs, value: value as T };
}

type Sums = Map<string, { n: number; ref: bigint; fin: bigint }>;
const key = (centre: string, year: number | 'all') => `${centre}/${year}`;

export async function runReportsScale(): Promise<BenchResult> {
  const total = sectionCount();
  const engine = usingMysql() ? 'MariaDB' : 'SQLite';
  const result: BenchResult = { name: `Rate reports over ${total.toLocaleString('en')} awarded sections (${engine})`, rows: [], notes: [], errors: [] };
  const started = Date.now();
  const t = await createTestApp();
  const forget = onInterrupt(() => t.close());
  const server = await listenOnLoopback(t.app);
  try {
    const knex = t.tdb.db.knex;
    const zones = new Map<string, string>();
    for (const c of CENTRE_CODES) zones.set(c, (await t.services.centres.rules(c)).settings.timeZone);
    const expected: Sums = new Map();
    const add = (centre: string, year: number, ref: bigint, fin: bigint) => {
      for (const k of [key(centre, year), key(centre, 'all')]) {
        const e = expected.get(k) ?? { n: 0, ref: 0n, fin: 0n };
        e.n += 1;
        e.ref += ref;
        e.fin += fin;
        expected.set(k, e);
      }
    };

    // Generation: batched multi-row INSERTs, 20 batches per transaction.
    const random = prng(2025);
    const lo = Date.parse('2016-01-01T00:00:00+08:00');
    const span = Date.parse('2026-01-01T00:00:00+08:00') - lo;
    const batch = usingMysql() ? 1000 : 500;
    const genStart = Date.now();
    for (let done = 0; done < total; ) {
      await knex.transaction(async (trx) => {
        for (let b = 0; b < 20 && done < total; b++) {
          const awards: Record<string, unknown>[] = [];
          const imported: Record<string, unknown>[] = [];
          for (let i = 0; i < batch && done < total; i++, done++) {
            const centre = CENTRE_CODES[done % 4]!;
            const ref = BigInt(1_000_000 + Math.floor(random() * 1e12));
            const fin = ref - BigInt(Math.floor(random() * Number(ref / 4n))) + (centre === 'land' || centre === 'property' ? BigInt(Math.floor(random() * Number(ref / 2n))) : 0n);
            const at = lo + Math.floor(random() * span);
            const date = localDate(at, zones.get(centre)!);
            add(centre, Number(date.slice(0, 4)), ref, fin);
            const id = String(done).padStart(10, '0');
            if (done % 2 === 0) {
              awards.push({
                section_id: `BENCH${id}`.padEnd(26, 'X'),
                centre_code: centre,
                code: `RB-${id}`,
                title: `基准标段 ${id}`,
                reference_kind: done % 8 === 0 ? 'budget' : 'control_price',
                reference_price_fen: ref.toString(),
                org_id: null,
                bidder_name: '基准中标人',
                amount_fen: fin.toString(),
                awarded_at: at,
                created_at: at,
              });
            } else {
              imported.push({
                id: `IMP${id}`.padEnd(26, 'X'),
                centre_code: centre,
                code: `RI-${id}`,
                title: `历史标段 ${id}`,
                reference_kind: centre === 'land' ? 'starting_price' : 'control_price',
                reference_price_fen: ref.toString(),
                award_amount_fen: fin.toString(),
                award_date: date,
                awarded_at: localMidnight(date, zones.get(centre)!),
                import_id: 'BENCHIMPORT'.padEnd(26, 'X'),
                line_no: done,
                imported_by: 'bench',
                imported_at: Date.now(),
              });
            }
          }
          if (awards.length) await trx('awards').insert(awards);
          if (imported.length) await trx('imported_results').insert(imported);
        }
      });
      if (done % 100_000 < batch * 20) progress(`reports: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} sections generated`);
    }
    if (!usingMysql()) await knex.raw('ANALYZE');
    else for (const tbl of ['awards', 'imported_results']) await knex.raw(`ANALYZE TABLE ${tbl}`);
    const genSeconds = (Date.now() - genStart) / 1000;

    const base = `${server.baseUrl}/api/reports/rates`;
    const cases: Array<{ label: string; query: string; year: number | 'all'; centres: string[] }> = [
      ...CENTRE_CODES.map((c) => ({ label: `${YEAR}, ${c}`, query: `from=${YEAR}-01-01&to=${YEAR}-12-31&centre=${c}`, year: YEAR as number | 'all', centres: [c as string] })),
      { label: `${YEAR}, all centres`, query: `from=${YEAR}-01-01&to=${YEAR}-12-31`, year: YEAR, centres: [...CENTRE_CODES] },
      { label: '2016–2025, all centres', query: 'from=2016-01-01&to=2025-12-31', year: 'all', centres: [...CENTRE_CODES] },
    ];

    // Floors: the plain grouped sums over the same rows (SQLite's SUM stays below 2^63 here).
    const yearFrom = localMidnight(`${YEAR}-01-01`, 'Asia/Shanghai');
    const yearTo = localMidnight(`${YEAR + 1}-01-01`, 'Asia/Shanghai');
    const floorOf = (year: number | 'all') => async () => {
      const a = knex('awards').select('centre_code', knex.raw('COUNT(*) AS n'), knex.raw('SUM(reference_price_fen) AS r'), knex.raw('SUM(amount_fen) AS f')).groupBy('centre_code');
      const i = knex('imported_results').select('centre_code', knex.raw('COUNT(*) AS n'), knex.raw('SUM(reference_price_fen) AS r'), knex.raw('SUM(award_amount_fen) AS f')).groupBy('centre_code');
      if (year !== 'all') {
        a.where('awarded_at', '>=', yearFrom).where('awarded_at', '<', yearTo);
        i.where('awarded_at', '>=', yearFrom).where('awarded_at', '<', yearTo);
      }
      return [await a, await i];
    };
    const yearFloor = await best(floorOf(YEAR));
    const allFloor = await best(floorOf('all'));

    const goalMisses: string[] = [];
    for (const c of cases) {
      await get(`${base}?${c.query}`); // warm
      const r = await best(() => get(`${base}?${c.query}`));
      if (r.value.status !== 200) {
        result.errors.push(`${c.label}: HTTP ${r.value.status} ${r.value.body.toString('utf8').slice(0, 200)}`);
        continue;
      }
      const report = JSON.parse(r.value.body.toString('utf8'));
      for (const centre of c.centres) {
        const e = expected.get(key(centre, c.year)) ?? { n: 0, ref: 0n, fin: 0n };
        const got = report.centres.find((x: { centre: string }) => x.centre === centre);
        if (!got || got.sections !== e.n || got.referenceTotal !== formatYuan(e.ref) || got.finalTotal !== formatYuan(e.fin)) {
          result.errors.push(`${c.label}: ${centre} answered ${got?.sections} sections, ${got?.referenceTotal} / ${got?.finalTotal}; BigInt says ${e.n}, ${formatYuan(e.ref)} / ${formatYuan(e.fin)}`);
        }
      }
      const floor = c.year === 'all' ? allFloor.ms : yearFloor.ms;
      if (r.ms >= 1000) goalMisses.push(`${c.label} ${fmtMs(r.ms)}`);
      result.rows.push({
        bench: 'reports-scale',
        metric: `${c.label} (${(r.value.bytes / 1024).toFixed(1)} KiB)`,
        floor: `${fmtMs(floor)} GROUP BY`,
        measured: fmtMs(r.ms),
        ratio: r.ms / floor,
        bound: null,
        boundText: 'goal < 1 s',
      });
    }

    // The CSV of the year: every section, streamed page by page (one round: it is big).
    const t0 = process.hrtime.bigint();
    const csv = await get(`${base}?from=${YEAR}-01-01&to=${YEAR}-12-31&format=csv`);
    const csvMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const csvRows = csv.body
      .toString('utf8')
      .split('\r\n')
      .filter((l) => l.startsWith('section,')).length;
    const yearN = CENTRE_CODES.reduce((n, c) => n + (expected.get(key(c, YEAR))?.n ?? 0), 0);
    if (csv.status !== 200 || csvRows !== yearN) result.errors.push(`the ${YEAR} CSV: HTTP ${csv.status}, ${csvRows} section rows; expected ${yearN}`);

    const rss = process.resourceUsage().maxRSS * 1024;
    result.notes.push(
      `${engine}; ${total.toLocaleString('en')} sections (half live awards, half imported) generated in ${genSeconds.toFixed(0)} s by batched INSERTs of ${batch} rows, 20 per transaction; ${YEAR} holds ${yearN.toLocaleString('en')}.`,
      `Each report: best of ${ROUNDS} GET over loopback HTTP after one warm-up, the whole JSON read; floors: the plain GROUP BY centre_code sums over both tables (best of ${ROUNDS}).`,
      `Exact to the fen against BigInt sums of the generated values: ${result.errors.length ? 'NO (see errors)' : 'every centre of every case'}.`,
      `Goal < 1 s per report: ${goalMisses.length ? `missed by ${goalMisses.join(', ')}` : 'met by every case'}.`,
      `The ${YEAR} CSV (every section, streamed in pages of 1,000): ${csvRows.toLocaleString('en')} rows, ${fmtMiB(csv.bytes)} in ${fmtMs(csvMs)} (information).`,
      `Peak RSS of the whole benchmark process (generation included): ${fmtMiB(rss)}. Took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    );
  } finally {
    await server.close();
    await t.close();
    forget();
  }
  return result;
}

if (await isMain(import.meta.url)) {
  const result = await runReportsScale();
  printResult(result);
  process.exit(failed(result) ? 1 : 0);
}
