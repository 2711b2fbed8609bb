// The rate report as CSV: one row per section, then per centre, then the two combined sides;
// amounts in yuan; UTF-8 with a BOM so that Excel shows the Chinese titles.
import { csvField, toCsv } from './csv';
import type { RatesReport } from './reports-service';
import type { Rate } from './rates';

export const RATES_CSV_COLUMNS = [
  'row_type',
  'centre',
  'code',
  'title',
  'imported',
  'reference_kind',
  'reference_price',
  'final_amount',
  'award_date',
  'metric',
  'rate_percent',
  'numerator',
  'denominator',
  'base',
  'bids',
] as const;

const baseText = (base: Rate['base']) => (base === null ? '' : Array.isArray(base) ? base.join('+') : base);

export function ratesCsv(report: RatesReport): string {
  const rows: string[][] = [[...RATES_CSV_COLUMNS]];
  const rateCells = (r: Rate) => [csvField(r.percent), csvField(r.numerator), csvField(r.denominator), csvField(baseText(r.base))];
  for (const s of report.sections) {
    rows.push([
      'section',
      s.centre,
      csvField(s.code, { text: true }),
      csvField(s.title, { text: true }),
      s.imported ? 'yes' : 'no',
      s.referenceKind,
      s.referencePrice,
      s.finalAmount,
      s.awardDate,
      s.metric,
      ...rateCells(s.rate),
      s.bids === null ? '' : String(s.bids),
    ]);
  }
  for (const c of report.centres) {
    rows.push(['centre', c.centre, '', '', '', '', c.referenceTotal, c.finalTotal, '', c.metric, ...rateCells(c.rate), '']);
  }
  for (const [name, side] of [
    ['cost', report.combined.cost],
    ['revenue', report.combined.revenue],
  ] as const) {
    rows.push([`combined_${name}`, side.centres.join('+'), '', '', '', '', side.referenceTotal, side.finalTotal, '', side.metric, ...rateCells(side.rate), '']);
  }
  return toCsv(rows);
}
