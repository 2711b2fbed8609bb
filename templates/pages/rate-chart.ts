// The rate charts of /reports, drawn on the server as SVG (no script): one bar chart per centre,
// one bar per month of the period (per year when it is longer than two years), each bar the
// weighted rate Σ(difference) ÷ Σ(reference) of the sections awarded in it (the report's
// centres[].buckets, summed in SQL by modules/reports/reports-service.ts). The
// SVG is an image with a title and a description; the table under it gives the same figures.
import { html, type SafeHtml } from '../html';
import type { RateReport } from '../../modules/formats/rate-report';
import type { Ctx } from './layout';
import { fill } from './text';

/** YYYY-MM or YYYY, the sections in it and their weighted rate (two decimals, null without sections). */
export type Bucket = RateReport['centres'][number]['buckets'][number];

export type BucketKind = RateReport['period']['buckets'];

/** A step of 1, 2 or 5 × 10^k that makes about four gridlines over `span` percent. */
function niceStep(span: number): number {
  const raw = span / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

const W = 640;
const H = 260;
const LEFT = 52;
const RIGHT = 12;
const TOP = 16;
const BOTTOM = 40;

/**
 * One centre's chart. The axis always holds zero and goes the right way up: bars above the line
 * for positive rates, below it for negative ones (a loss on an imported result). Positions are
 * layout only (floats are fine there); the figures printed are the decimal strings.
 */
export function rateChart(c: Ctx, d: { id: string; title: string; desc: string; kind: BucketKind; buckets: Bucket[] }): SafeHtml {
  const values = d.buckets.filter((b) => b.percent !== null).map((b) => Number(b.percent));
  const hi = Math.max(0, ...values);
  const lo = Math.min(0, ...values);
  const step = niceStep(hi - lo || 10);
  const top = Math.max(step, Math.ceil(hi / step) * step);
  const bottom = Math.floor(lo / step) * step;
  const plotH = H - TOP - BOTTOM;
  const y = (v: number) => TOP + ((top - v) / (top - bottom)) * plotH;
  const plotW = W - LEFT - RIGHT;
  const slot = plotW / d.buckets.length;
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const every = Math.ceil(d.buckets.length / 12);
  const ticks: number[] = [];
  for (let v = bottom; v <= top + step / 1000; v += step) ticks.push(Number(v.toFixed(6)));
  const label = (key: string) => (d.kind === 'year' ? key : d.buckets.length > 12 ? key.slice(2) : key.slice(5));
  const f = (n: number) => n.toFixed(1);
  return html`<svg class="rate-chart" id="${d.id}" role="img" aria-labelledby="${d.id}-title ${d.id}-desc" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">
<title id="${d.id}-title">${d.title}</title>
<desc id="${d.id}-desc">${d.desc}</desc>
${ticks.map((v) => html`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="${v === 0 ? '#1d2733' : '#d8dde3'}" stroke-width="${v === 0 ? 1.5 : 1}"/><text x="${LEFT - 6}" y="${f(y(v) + 4)}" text-anchor="end" font-size="12" fill="#1d2733">${Number.isInteger(v) ? v : v.toFixed(1)}%</text>`)}
${d.buckets.map((b, i) => {
  const cx = LEFT + slot * i + slot / 2;
  const bar =
    b.percent === null
      ? ''
      : html`<rect class="bar" data-key="${b.key}" data-percent="${b.percent}" x="${f(cx - barW / 2)}" y="${f(Math.min(y(Number(b.percent)), y(0)))}" width="${f(barW)}" height="${f(Math.max(1, Math.abs(y(Number(b.percent)) - y(0))))}" fill="${Number(b.percent) < 0 ? '#8a1c15' : '#b3261e'}"/>`;
  const value =
    b.percent === null || d.buckets.length > 12
      ? ''
      : html`<text x="${f(cx)}" y="${f(Number(b.percent) < 0 ? y(Number(b.percent)) + 13 : y(Number(b.percent)) - 4)}" text-anchor="middle" font-size="11" fill="#1d2733">${b.percent}%</text>`;
  const text = i % every === 0 ? html`<text x="${f(cx)}" y="${H - BOTTOM + 16}" text-anchor="middle" font-size="12" fill="#1d2733">${label(b.key)}</text>` : '';
  return html`${bar}${value}${text}`;
})}
<text x="${LEFT + plotW / 2}" y="${H - 6}" text-anchor="middle" font-size="12" fill="#4a5562">${d.kind === 'year' ? c.s.portal.bucketYear : c.s.portal.bucketMonth}</text>
</svg>`;
}

/** The description of a chart in words: every bucket with a rate. */
export function chartDescription(c: Ctx, from: string, to: string, buckets: Bucket[]): string {
  const p = c.s.portal;
  const points = buckets
    .filter((b) => b.percent !== null)
    .map((b) => fill(p.chartPoint, { label: b.key, rate: `${b.percent}%`, n: b.sections }))
    .join(c.lang === 'en' ? '; ' : '；');
  return fill(p.chartDesc, { from, to, points: points || p.noDataShort });
}
