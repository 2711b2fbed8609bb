// The rate reports: savings rate (cost side) and value-added rate (revenue side) per section, per
// centre and combined, for a period of award dates in each centre's time zone, over live awards
// and imported history alike; plus the lifecycle counts of the period.
//
// The sums are made in SQL (count, Σ reference fen, Σ final fen per centre, chart bucket and
// reference kind; exact integers), each an index range: a centre's period is converted to the UTC
// instants of its local midnights, so that an award belongs to the date it has in its centre's
// zone, and imported results are filtered on the date they were imported with. What one anonymous
// request costs is bounded: at most 20 years, a few grouped queries per centre, and a page of at
// most MAX_PAGE_SIZE sections in (award instant, code) order; the CSV export walks every page.
import type { Clock } from '../core/clock';
import { validationFailed } from '../core/errors';
import { formatYuan } from '../core/money';
import { localDate } from '../centres/calendar';
import { CENTRE_CODES, type CentreCode } from '../centres/centre-rules';
import type { CentreRules, CentresService } from '../centres/centres-service';
import type { AwardsService } from '../awards/awards-service';
import type { SectionFacts } from '../tenders/section-facts';
import type { ImportsService } from './imports-service';
import { addDays, isCalendarDate, localMidnight, periodBuckets } from './period';
import { aggregateOfSums, headline, percentOf, difference, type Aggregate, type Direction } from './rates';
import type { RateReport } from '../formats/rate-report';

export const MAX_PERIOD_YEARS = 20;
/** Sections per page of the JSON report unless ?limit= asks for fewer or more (up to the max). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
const DAY = 86_400_000;

export interface ReportsDeps {
  clock: Clock;
  centres: Pick<CentresService, 'rules'>;
  awards: Pick<AwardsService, 'awardTotals' | 'awardedPage'>;
  imports: Pick<ImportsService, 'importTotals' | 'importedPage'>;
  sections: Pick<SectionFacts, 'lifecycleCounts'>;
  /** Bids counted at each section's deadline (public after it). */
  opening: { bidCounts(sectionIds: string[]): Promise<Map<string, number>> };
}

export interface ReportQuery {
  from: string;
  to: string;
  centre?: CentreCode;
  /** Sections per page, 1..MAX_PAGE_SIZE (DEFAULT_PAGE_SIZE). */
  limit?: number;
  /** page.next of the previous page; none for the first. */
  cursor?: string;
}

interface Row {
  centre: string;
  sectionId: string | null;
  code: string;
  title: string;
  referenceKind: string;
  referenceFen: bigint;
  finalFen: bigint;
  awardedAt: number;
  awardDate: string;
  imported: boolean;
  contracted: boolean;
}

/** Where the next page starts: after the row (awardedAt, code, imported) last sent. */
interface Cursor {
  awardedAt: number;
  code: string;
  imported: boolean;
}

// A cursor is opaque to clients: base64url of "awardedAt.imported.code".
function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.awardedAt}.${c.imported ? 1 : 0}.${c.code}`, 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const m = /^(-?\d{1,16})\.([01])\.(.{1,48})$/su.exec(/^[A-Za-z0-9_-]{1,200}$/.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : '');
  if (!m) throw validationFailed('cursor: not a cursor this report gave (use page.next of the previous page).', [{ field: 'cursor', message: '"cursor" must be page.next of a previous page' }]);
  return { awardedAt: Number(m[1]), imported: m[2] === '1', code: m[3]! };
}

/** 422 naming the field for a page size out of range. */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw validationFailed(`limit: a page holds 1 to ${MAX_PAGE_SIZE} sections.`, [{ field: 'limit', message: `"limit" must be a whole number from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return limit;
}

interface Sum {
  count: number;
  referenceFen: bigint;
  finalFen: bigint;
}
const zeroSum = (): Sum => ({ count: 0, referenceFen: 0n, finalFen: 0n });
function addTo(s: Sum, x: Sum): void {
  s.count += x.count;
  s.referenceFen += x.referenceFen;
  s.finalFen += x.finalFen;
}

export interface Counts {
  published: number;
  opened: number;
  failed: number;
  awarded: number;
  imported: number;
}

const zeroCounts = (): Counts => ({ published: 0, opened: 0, failed: 0, awarded: 0, imported: 0 });

function aggregateJson(a: Aggregate) {
  return { sections: a.count, referenceTotal: formatYuan(a.referenceTotalFen), finalTotal: formatYuan(a.finalTotalFen), rate: a.rate };
}

/** 422 naming the field for a bad period. */
export function checkPeriod(q: { from: string; to: string }): void {
  for (const field of ['from', 'to'] as const) {
    if (!isCalendarDate(q[field])) {
      throw validationFailed(`${field}: "${q[field]}" is not a date written YYYY-MM-DD.`, [{ field, message: `"${field}" must be a date written YYYY-MM-DD` }]);
    }
  }
  if (q.from > q.to) throw validationFailed(`from: the period starts (${q.from}) after it ends (${q.to}).`, [{ field: 'from', message: '"from" must not be after "to"' }]);
  const [y, m, d] = q.from.split('-');
  const limit = `${String(Number(y) + MAX_PERIOD_YEARS).padStart(4, '0')}-${m}-${d}`;
  if (q.to >= limit) {
    throw validationFailed(`to: a report covers at most ${MAX_PERIOD_YEARS} years; ${q.from} to ${q.to} is longer.`, [
      { field: 'to', message: `"to" must be less than ${MAX_PERIOD_YEARS} years after "from"` },
    ]);
  }
}

export function createReportsService(deps: ReportsDeps) {
  const { clock, centres, awards, imports, sections, opening } = deps;

  /** What every part of one report needs: the centres asked for, their rules and their ranges. */
  async function plan(q: ReportQuery) {
    checkPeriod(q);
    const codes: CentreCode[] = q.centre ? [q.centre] : [...CENTRE_CODES];
    const rules = new Map<string, CentreRules>();
    for (const c of CENTRE_CODES) rules.set(c, await centres.rules(c));
    const zoneOf = (centre: string) => rules.get(centre)?.settings.timeZone ?? 'Asia/Shanghai';
    const directionOf = (centre: string): Direction => rules.get(centre)!.settings.direction;
    const metricOf = (centre: string) => rules.get(centre)!.settings.metric;
    const buckets = periodBuckets(q.from, q.to);
    const end = addDays(q.to, 1);
    // Bucket i of a centre holds the instants from the local midnight of its first date up to the
    // next bucket's (the last one up to the midnight after `to`): the date they have in its zone.
    const bounds = new Map(codes.map((c) => [c, [...buckets.starts, end].map((d) => localMidnight(d, zoneOf(c)))]));
    const ranges = codes.map((centre) => {
      const b = bounds.get(centre)!;
      return { centre, from: b[0]!, to: b[b.length - 1]! };
    });
    // Imported instants are the local midnights of their dates: any zone is within ±14 h of UTC.
    const lo = Date.parse(`${q.from}T00:00:00Z`) - 2 * DAY;
    const hi = Date.parse(`${end}T00:00:00Z`) + 2 * DAY;
    return { q, codes, rules, zoneOf, directionOf, metricOf, buckets, bounds, ranges, lo, hi };
  }
  type Plan = Awaited<ReturnType<typeof plan>>;

  /** One page of sections from `after` on, in (awardedAt, code, imported) order, and where the next starts. */
  async function page(p: Plan, after: Cursor | null, limit: number) {
    const [live, old] = await Promise.all([
      awards.awardedPage(p.ranges, after ? { awardedAt: after.awardedAt, code: after.code, inclusive: false } : null, limit + 1),
      imports.importedPage(
        { centres: p.codes, from: p.q.from, to: p.q.to, lo: p.lo, hi: p.hi },
        after ? { awardedAt: after.awardedAt, code: after.code, inclusive: !after.imported } : null,
        limit + 1,
      ),
    ]);
    const rows: Row[] = [
      ...live.map((a) => ({
        centre: a.centre,
        sectionId: a.sectionId,
        code: a.code,
        title: a.title,
        referenceKind: a.referenceKind,
        referenceFen: a.referencePriceFen,
        finalFen: a.finalAmountFen,
        awardedAt: a.awardedAt,
        awardDate: localDate(a.awardedAt, p.zoneOf(a.centre)),
        imported: false,
        contracted: a.contracted,
      })),
      ...old.map((r) => ({
        centre: r.centre,
        sectionId: null,
        code: r.code,
        title: r.title,
        referenceKind: r.referenceKind,
        referenceFen: r.referencePriceFen,
        finalFen: r.awardAmountFen,
        awardedAt: r.awardedAt,
        // The imported date as given is the date; its instant is that day's local midnight.
        awardDate: r.awardDate,
        imported: true,
        contracted: false,
      })),
    ];
    rows.sort((a, b) => a.awardedAt - b.awardedAt || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || Number(a.imported) - Number(b.imported));
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    const next = rows.length > limit && last ? encodeCursor(last) : null;
    const bidCounts = await opening.bidCounts(shown.flatMap((r) => (r.sectionId ? [r.sectionId] : [])));
    return {
      next,
      sections: shown.map((r) => {
        const numerator = difference(p.directionOf(r.centre), r.referenceFen, r.finalFen);
        return {
          centre: r.centre,
          sectionId: r.sectionId,
          code: r.code,
          title: r.title,
          referenceKind: r.referenceKind,
          referencePrice: formatYuan(r.referenceFen),
          finalAmount: formatYuan(r.finalFen),
          awardDate: r.awardDate,
          awardedAt: r.awardedAt,
          imported: r.imported,
          contracted: r.contracted,
          bids: r.sectionId ? (bidCounts.get(r.sectionId) ?? null) : null,
          metric: p.metricOf(r.centre),
          rate: { percent: percentOf(numerator, r.referenceFen), numerator: formatYuan(numerator), denominator: formatYuan(r.referenceFen), base: r.referenceKind },
        };
      }),
    };
  }

  return {
    async rates(q: ReportQuery): Promise<RateReport> {
      const limit = checkLimit(q.limit);
      const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
      const p = await plan(q);
      const { codes, directionOf, metricOf, buckets } = p;

      // Per centre: the whole period, each bucket, the imported part and the reference kinds.
      const perCentre = new Map<string, { all: Sum; imported: Sum; buckets: Sum[]; kinds: Set<string> }>();
      for (const centre of codes) {
        const [live, old] = await Promise.all([awards.awardTotals(centre, p.bounds.get(centre)!), imports.importTotals(centre, buckets.starts, q.to)]);
        const mine = { all: zeroSum(), imported: zeroSum(), buckets: buckets.keys.map(zeroSum), kinds: new Set<string>([...live.kinds, ...old.kinds]) };
        live.buckets.forEach((b, i) => {
          addTo(mine.all, b);
          addTo(mine.buckets[i]!, b);
        });
        old.buckets.forEach((b, i) => {
          addTo(mine.all, b);
          addTo(mine.imported, b);
          addTo(mine.buckets[i]!, b);
        });
        perCentre.set(centre, mine);
      }

      // The lifecycle counts, by the date each instant has in its centre's zone: counted in SQL over
      // the UTC instants of the centre's local midnights, the same range as its awards.
      const counts = new Map<string, Counts>();
      for (const r of p.ranges) counts.set(r.centre, { ...zeroCounts(), ...(await sections.lifecycleCounts(r.centre, r.from, r.to)) });
      for (const [centre, mine] of perCentre) {
        const c = counts.get(centre)!;
        c.imported = mine.imported.count;
        c.awarded = mine.all.count - mine.imported.count;
      }

      const sumsOf = (direction: Direction, s: Sum, kinds: Iterable<string>) => aggregateOfSums(direction, { count: s.count, referenceTotalFen: s.referenceFen, finalTotalFen: s.finalFen, kinds });
      const centreReports = codes.map((centre) => {
        const mine = perCentre.get(centre)!;
        const direction = directionOf(centre);
        return {
          centre,
          direction,
          metric: metricOf(centre),
          ...aggregateJson(sumsOf(direction, mine.all, mine.kinds)),
          importedSections: mine.imported.count,
          counts: counts.get(centre)!,
          buckets: buckets.keys.map((key, i) => {
            const b = mine.buckets[i]!;
            return { key, sections: b.count, percent: percentOf(difference(direction, b.referenceFen, b.finalFen), b.referenceFen) };
          }),
        };
      });

      const side = (direction: Direction) => {
        const mine = codes.filter((c) => directionOf(c) === direction);
        const total = zeroSum();
        const kinds = new Set<string>();
        for (const c of mine) {
          addTo(total, perCentre.get(c)!.all);
          for (const k of perCentre.get(c)!.kinds) kinds.add(k);
        }
        return { centres: mine, metric: direction === 'cost' ? 'savings' : 'value_added', ...aggregateJson(sumsOf(direction, total, kinds)) };
      };
      const cost = side('cost');
      const revenue = side('revenue');
      const lines = headline(cost.rate, revenue.rate);

      const total = zeroCounts();
      for (const c of counts.values()) for (const k of Object.keys(total) as Array<keyof Counts>) total[k] += c[k];

      const first = await page(p, after, limit);
      return {
        period: { from: q.from, to: q.to, by: 'award date in the centre time zone', timeZones: Object.fromEntries(codes.map((c) => [c, p.zoneOf(c)])), buckets: buckets.kind },
        ...(q.centre ? { centre: q.centre } : {}),
        generatedAt: clock.now(),
        headline: lines.en,
        headlineZh: lines.zh,
        combined: { cost, revenue },
        centres: centreReports,
        counts: total,
        sections: first.sections,
        page: { limit, total: total.awarded + total.imported, next: first.next },
        notes: {
          amounts: 'Amounts, numerators and denominators are yuan with two decimals, summed exactly in integer fen; percent = numerator ÷ denominator × 100, two decimals, round half up.',
          emptyPeriod: 'With no awarded sections a rate has percent null, numerator "0.00" and denominator "0.00".',
          bidsPerSection: "bids: the number of bids counted at the section's deadline (public once it has passed); null for imported results, which carry no bid count.",
          paging: `sections: one page of at most ${MAX_PAGE_SIZE} (limit, default ${DEFAULT_PAGE_SIZE}), in order of award instant then code; page.next is the cursor of the next page (null on the last); format=csv lists every section.`,
          buckets: "centres[].buckets: the centre's weighted rate per month of the period (per year when it spans more than 24 months).",
        },
      };
    },

    /** The sections after `cursor` (page.next of a report with the same from, to and centre). */
    async sectionsPage(q: ReportQuery, cursor: string, limit: number) {
      return page(await plan(q), decodeCursor(cursor), checkLimit(limit));
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
export type RatesReport = Awaited<ReturnType<ReportsService['rates']>>;
