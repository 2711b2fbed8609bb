// The rate report page (/reports): for any period (the from/to form), the headline, one chart per
// centre drawn on the server (rate-chart.ts; a centre without results says "no data"), and the
// table of rates, which is also the charts' text alternative. Savings rate (资金节约率) for
// procurement and construction, value-added rate (增值率) for land and property.
import type { RateReport } from '../../modules/formats/rate-report';
import { html, type SafeHtml } from '../html';
import { yuan } from './format';
import { type Ctx, layout } from './layout';
import { type CentreView, centreName } from './portal-views';
import { chartDescription, rateChart } from './rate-chart';
import { fill } from './text';

/** One chart per centre of the report, or its "no data" line. */
function charts(c: Ctx, centres: CentreView[], r: RatesView): SafeHtml {
  const p = c.s.portal;
  const metric = (m: string) => (m === 'value_added' ? c.s.value_added : c.s.savings);
  const first = r.period.buckets;
  const bucket = first === 'year' ? p.bucketYear : p.bucketMonth;
  return html`<section id="rate-charts"><h2>${p.charts}</h2>
<p class="sub">${fill(p.chartIntro, { bucket })}</p>
<div class="charts">
${r.centres.map((x) => {
  const name = centreName(c, centres, x.centre);
  const id = `chart-${x.centre}`;
  const title = fill(p.chartTitle, { centre: name, metric: c.lang === 'en' ? metric(x.metric).toLowerCase() : metric(x.metric), bucket });
  if (x.sections === 0) return html`<figure class="chart" data-centre="${x.centre}"><figcaption><h3>${title}</h3></figcaption><p class="no-data" id="${id}-none">${p.noData}</p></figure>`;
  const kind = r.period.buckets;
  const buckets = x.buckets;
  return html`<figure class="chart" data-centre="${x.centre}"><figcaption><h3>${title}</h3></figcaption>
${rateChart(c, { id, title, desc: chartDescription(c, r.period.from, r.period.to, buckets), kind, buckets })}
<details><summary>${fill(p.monthTable, { bucket })}</summary>
<table class="buckets"><thead><tr><th scope="col">${p.period}</th><th scope="col">${metric(x.metric)}</th><th scope="col">${p.sectionsCount}</th></tr></thead>
<tbody>${buckets.map((b) => html`<tr><td>${b.key}</td><td class="num">${b.percent === null ? '—' : `${b.percent}%`}</td><td class="num">${b.sections}</td></tr>`)}</tbody></table>
</details></figure>`;
})}
</div>
</section>`;
}

/** The rate report (formats/rate-report.ts): the parts the page prints. */
export type RatesView = Pick<RateReport, 'period' | 'headline' | 'headlineZh' | 'combined' | 'centres'>;

export function reportsPage(c: Ctx, d: { centres: CentreView[]; from: string; to: string; report: RatesView | null; error: string | null }): SafeHtml {
  const q = { from: d.from, to: d.to };
  const api = (format: string) => `/api/reports/rates?${new URLSearchParams({ ...q, format })}`;
  const pct = (p: string | null) => (p === null ? (c.lang === 'en' ? 'n/a' : '无数据') : `${p}%`);
  const metric = (m: string) => (m === 'value_added' ? c.s.value_added : c.s.savings);
  const r = d.report;
  const body = html`<h1>${c.s.rateReport}</h1>
<form method="get" action="/reports" class="period">
${c.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<label>${c.s.from} <input type="date" name="from" value="${d.from}" required></label>
<label>${c.s.to} <input type="date" name="to" value="${d.to}" required></label>
<button type="submit">${c.s.show}</button>
</form>
${d.error ? html`<p class="error" id="report-error">${d.error}</p>` : ''}
${
  r
    ? html`<p class="sub">${c.s.period}: ${r.period.from} — ${r.period.to}</p>
<p class="headline" id="headline">${c.lang === 'en' ? r.headline : r.headlineZh}</p>
${charts(c, d.centres, r)}
<section class="rate-table"><h2 id="rates-heading">${c.s.portal.rateTable}</h2>
<div class="table-wrap" role="region" tabindex="0" aria-labelledby="rates-heading">
<table id="rates">
<thead><tr><th>${c.s.centre}</th><th>${c.s.metric}</th><th>${c.s.sections}</th><th>${c.s.referenceTotal}</th><th>${c.s.finalTotal}</th><th>${c.s.rate}</th><th>${c.s.countsLabel}</th></tr></thead>
<tbody>
${r.centres.map(
  (
    x,
  ) => html`<tr><td>${centreName(c, d.centres, x.centre)}</td><td>${metric(x.metric)}</td><td class="num">${x.sections}</td><td class="num">${yuan(x.referenceTotal, c.s)}</td><td class="num">${yuan(x.finalTotal, c.s)}</td><td class="num">${pct(x.rate.percent)}</td><td>${x.counts.published}/${x.counts.opened}/${x.counts.failed}/${x.counts.awarded}/${x.counts.imported}</td></tr>
`,
)}${(['cost', 'revenue'] as const).map(
  (
    k,
  ) => html`<tr class="total"><td>${c.s.combined}</td><td>${metric(r.combined[k].metric)}</td><td class="num">${r.combined[k].sections}</td><td class="num">${yuan(r.combined[k].referenceTotal, c.s)}</td><td class="num">${yuan(r.combined[k].finalTotal, c.s)}</td><td class="num">${pct(r.combined[k].rate.percent)}</td><td></td></tr>
`,
)}</tbody>
</table>
</div>
</section>
<p class="links"><a id="csv-link" href="${api('csv')}">${c.s.csv}</a> · <a id="pdf-link" href="${api('pdf')}">${c.s.pdf}</a> · <a href="${api('json')}">JSON</a></p>`
    : ''
}`;
  return layout(c, c.s.rateReport, body, { path: '/reports', query: q });
}
