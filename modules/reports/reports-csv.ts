// The rate report as CSV: one row per section, then per centre, then the two combined sides;
// amounts in yuan; UTF-8 with a BOM so that Excel shows the Chinese titles. Written in three
// parts so that the route can stream the sections page by page.
import { csvField } from './csv';
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

const rateCells = (r: Rate) => [csvField(r.percent), csvField(r.numerator), csvField(r.denominator), csvField(baseText(r.base))];
const line = (cells: string[]) => `${cells.join(',')}\r\n`;

/** The BOM and the header row. */
export function ratesCsvHead(): string {
  return `\ufeff${line([...RATES_CSV_COLUMNS])}`;
}

/** One row per section, for a page of them (written as it comes: the export streams). */
export function ratesCsvSections(sections: RatesReport['sections']): string {
  let out = '';
  for (const s of sections) {
    out += line([
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
  return out;
}

/** The rows per centre, then the two combined sides. */
export function ratesCsvTail(report: Pick<RatesReport, 'centres' | 'combined'>): string {
  let out = '';
  for (const c of report.centres) {
    out += line(['centre', c.centre, '', '', '', '', c.referenceTotal, c.finalTotal, '', c.metric, ...rateCells(c.rate), '']);
  }
  for (const [name, side] of [
    ['cost', report.combined.cost],
    ['revenue', report.combined.revenue],
  ] as const) {
    out += line([`combined_${name}`, side.centres.join('+'), '', '', '', '', side.referenceTotal, side.finalTotal, '', side.metric, ...rateCells(side.rate), '']);
  }
  return out;
}
