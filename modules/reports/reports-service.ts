// The rate reports: savings rate (cost side) and value-added rate (revenue side) per section, per
// centre and combined, for a period of award dates in each centre's time zone, over live awards
// and imported history alike; plus the lifecycle counts of the period.
import type { Clock } from '../core/clock';
import { validationFailed } from '../core/errors';
import { formatYuan } from '../core/money';
import { localDate } from '../centres/calendar';
import { CENTRE_CODES, type CentreCode } from '../centres/centre-rules';
import type { CentreRules, CentresService } from '../centres/centres-service';
import type { AwardsService } from '../awards/awards-service';
import type { SectionFacts } from '../tenders/section-facts';
import type { ImportsService } from './imports-service';
import { addDays, isCalendarDate } from './period';
import { aggregate, headline, percentOf, difference, type Aggregate, type Direction } from './rates';
import type { RateReport } from '../formats/rate-report';

export const MAX_PERIOD_YEARS = 20;
const DAY = 86_400_000;

export interface ReportsDeps {
  clock: Clock;
  centres: Pick<CentresService, 'rules'>;
  awards: Pick<AwardsService, 'listAwarded'>;
  imports: Pick<ImportsService, 'resultsBetween'>;
  sections: Pick<SectionFacts, 'activityBetween'>;
  /** Bids counted at each section's deadline (public after it). */
  opening: { bidCounts(sectionIds: string[]): Promise<Map<string, number>> };
}

export interface ReportQuery {
  from: string;
  to: string;
  centre?: CentreCode;
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

  return {
    async rates(q: ReportQuery): Promise<RateReport> {
      checkPeriod(q);
      const codes: CentreCode[] = q.centre ? [q.centre] : [...CENTRE_CODES];
      const rules = new Map<string, CentreRules>();
      for (const c of CENTRE_CODES) rules.set(c, await centres.rules(c));
      const zoneOf = (centre: string) => rules.get(centre)?.settings.timeZone ?? 'Asia/Shanghai';
      const inPeriod = (centre: string, ms: number | null) => {
        if (ms === null || !codes.includes(centre as CentreCode)) return false;
        const d = localDate(ms, zoneOf(centre));
        return d >= q.from && d <= q.to;
      };
      // Instants are fetched with a margin of two days either side (any zone is within ±14 h of
      // UTC) and then kept by their local date in their own centre's zone.
      const lo = Date.parse(`${q.from}T00:00:00Z`) - 2 * DAY;
      const hi = Date.parse(`${addDays(q.to, 1)}T00:00:00Z`) + 2 * DAY;

      const rows: Row[] = [];
      for (const a of await awards.listAwarded({ from: lo, to: hi })) {
        if (!inPeriod(a.centre, a.awardedAt)) continue;
        rows.push({
          centre: a.centre,
          sectionId: a.sectionId,
          code: a.code,
          title: a.title,
          referenceKind: a.referenceKind,
          referenceFen: a.referencePriceFen,
          finalFen: a.finalAmountFen,
          awardedAt: a.awardedAt,
          awardDate: localDate(a.awardedAt, zoneOf(a.centre)),
          imported: false,
          contracted: a.contracted,
        });
      }
      for (const r of await imports.resultsBetween(lo, hi)) {
        // The imported date as given is the date; its instant is that day's local midnight.
        if (!codes.includes(r.centre as CentreCode) || r.awardDate < q.from || r.awardDate > q.to) continue;
        rows.push({
          centre: r.centre,
          sectionId: null,
          code: r.code,
          title: r.title,
          referenceKind: r.referenceKind,
          referenceFen: r.referencePriceFen,
          finalFen: r.awardAmountFen,
          awardedAt: r.awardedAt,
          awardDate: r.awardDate,
          imported: true,
          contracted: false,
        });
      }
      rows.sort((a, b) => (a.awardDate < b.awardDate ? -1 : a.awardDate > b.awardDate ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

      const counts = new Map<string, Counts>(codes.map((c) => [c, zeroCounts()]));
      for (const s of await sections.activityBetween(lo, hi)) {
        const c = counts.get(s.centre);
        if (!c) continue;
        if (inPeriod(s.centre, s.publishedAt)) c.published++;
        if (inPeriod(s.centre, s.openedAt)) c.opened++;
        if (inPeriod(s.centre, s.failedAt)) c.failed++;
      }
      for (const r of rows) counts.get(r.centre)![r.imported ? 'imported' : 'awarded']++;

      const bidCounts = await opening.bidCounts(rows.flatMap((r) => (r.sectionId ? [r.sectionId] : [])));

      const directionOf = (centre: string): Direction => rules.get(centre)!.settings.direction;
      const metricOf = (centre: string) => rules.get(centre)!.settings.metric;
      const centreReports = codes.map((centre) => {
        const mine = rows.filter((r) => r.centre === centre);
        const agg = aggregate(
          directionOf(centre),
          mine.map((r) => ({ referenceFen: r.referenceFen, finalFen: r.finalFen, referenceKind: r.referenceKind })),
        );
        return { centre, direction: directionOf(centre), metric: metricOf(centre), ...aggregateJson(agg), importedSections: mine.filter((r) => r.imported).length, counts: counts.get(centre)! };
      });

      const side = (direction: Direction) => {
        const sideCentres = CENTRE_CODES.filter((c) => directionOf(c) === direction);
        const mine = rows.filter((r) => directionOf(r.centre) === direction);
        const agg = aggregate(
          direction,
          mine.map((r) => ({ referenceFen: r.referenceFen, finalFen: r.finalFen, referenceKind: r.referenceKind })),
        );
        return { centres: sideCentres.filter((c) => codes.includes(c)), metric: direction === 'cost' ? 'savings' : 'value_added', ...aggregateJson(agg) };
      };
      const cost = side('cost');
      const revenue = side('revenue');
      const lines = headline(cost.rate, revenue.rate);

      const total = zeroCounts();
      for (const c of counts.values()) for (const k of Object.keys(total) as Array<keyof Counts>) total[k] += c[k];

      return {
        period: { from: q.from, to: q.to, by: 'award date in the centre time zone', timeZones: Object.fromEntries(codes.map((c) => [c, zoneOf(c)])) },
        ...(q.centre ? { centre: q.centre } : {}),
        generatedAt: clock.now(),
        headline: lines.en,
        headlineZh: lines.zh,
        combined: { cost, revenue },
        centres: centreReports,
        counts: total,
        sections: rows.map((r) => {
          const direction = directionOf(r.centre);
          const numerator = difference(direction, r.referenceFen, r.finalFen);
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
            metric: metricOf(r.centre),
            rate: { percent: percentOf(numerator, r.referenceFen), numerator: formatYuan(numerator), denominator: formatYuan(r.referenceFen), base: r.referenceKind },
          };
        }),
        notes: {
          amounts: 'Amounts, numerators and denominators are yuan with two decimals, summed exactly in integer fen; percent = numerator ÷ denominator × 100, two decimals, round half up.',
          emptyPeriod: 'With no awarded sections a rate has percent null, numerator "0.00" and denominator "0.00".',
          bidsPerSection: "bids: the number of bids counted at the section's deadline (public once it has passed); null for imported results, which carry no bid count.",
        },
      };
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
export type RatesReport = Awaited<ReturnType<ReportsService['rates']>>;
