// PDF layout of the rate report (资金节约率与增值率报告): the headline, the combined and per-centre
// rates with their exact fractions, a chart per centre over time, and every section behind them.
import { yuanGrouped } from '../../modules/core/money';
import type { RecordDocument, ChartBar } from '../../modules/records/pdf';
import type { RatesReport } from '../../modules/reports/reports-service';
import { both, portalCentreName, type RenderContext, zonedTime } from './strings';
import { REFERENCE_KIND_NAMES } from '../code-names';

const L = {
  title: { zh: '资金节约率与增值率报告', en: 'Savings and Value-added Rate Report' },
  period: { zh: '统计期间（按中标/成交日期）', en: 'Period (award date)' },
  generatedAt: { zh: '生成时间', en: 'Generated at' },
  headline: { zh: '结论', en: 'Headline' },
  combined: { zh: '合计', en: 'Combined' },
  costSide: { zh: '资金节约率（建设工程、政府采购）', en: 'Savings rate (construction, procurement)' },
  revenueSide: { zh: '增值率（土地、产权）', en: 'Value-added rate (land, property)' },
  byCentre: { zh: '分中心统计', en: 'By centre' },
  charts: { zh: '各中心资金节约率与增值率走势', en: 'Savings and value-added rates per centre over time' },
  sections: { zh: '标段明细', en: 'Sections' },
  counts: { zh: '数量统计', en: 'Counts' },
  firstSections: {
    zh: '下表为 {total} 个标段中按成交时间排列的一页（{n} 个，limit/cursor 翻页）；全部标段见 CSV 导出（format=csv）。',
    en: 'One page ({n}) of the {total} sections in award order (limit/cursor for the others); the CSV export (format=csv) lists every one.',
  },
  formula: {
    zh: '资金节约率 = Σ(参考价 − 成交价) ÷ Σ(参考价) × 100%；增值率 = Σ(成交价 − 参考价) ÷ Σ(参考价) × 100%。按分精确求和，保留两位小数（四舍五入）。',
    en: 'Savings rate = Σ(reference − final) ÷ Σ(reference) × 100; value-added rate = Σ(final − reference) ÷ Σ(reference) × 100; summed exactly in fen, two decimals, round half up.',
  },
};

const METRIC: Record<string, string> = { savings: '资金节约率 savings rate', value_added: '增值率 value-added rate' };
const METRIC_ZH: Record<string, string> = { savings: '资金节约率', value_added: '增值率' };

const pct = (r: { percent: string | null }) => (r.percent === null ? '—' : `${r.percent}%`);
const fraction = (r: { numerator: string; denominator: string }) => `${yuanGrouped(r.numerator)} / ${yuanGrouped(r.denominator)}`;

/** The centre's rate per bucket (the report's centres[].buckets, summed in SQL). */
export function rateSeries(report: RatesReport, centre: string): ChartBar[] {
  const c = report.centres.find((x) => x.centre === centre);
  return (c?.buckets ?? []).map((b) => ({ label: b.key, value: b.percent === null ? null : Number(b.percent) }));
}

export function rateReportDocument(report: RatesReport, source: string, ctx?: RenderContext): RecordDocument {
  const { cost, revenue } = report.combined;
  const centreName = (code: string) => portalCentreName(code, ctx);
  const metricOf = new Map(report.centres.map((c) => [c.centre, c.metric]));
  return {
    title: both(L.title),
    subtitle: `${report.period.from} — ${report.period.to}${'centre' in report && report.centre ? ` · ${centreName(report.centre)}` : ''}`,
    subject: 'Savings and value-added rates by centre',
    keywords: ['etender', 'rate report', report.period.from, report.period.to],
    json: report,
    source,
    blocks: [
      {
        kind: 'keyValue',
        rows: [
          [both(L.period), `${report.period.from} — ${report.period.to}`],
          [both(L.generatedAt), zonedTime(report.generatedAt)],
          [both(L.headline), `${report.headlineZh}\n${report.headline}`],
          [both(L.costSide), `${pct(cost.rate)}  (${fraction(cost.rate)})  ${cost.sections} 个标段 sections`],
          [both(L.revenueSide), `${pct(revenue.rate)}  (${fraction(revenue.rate)})  ${revenue.sections} 个标段 sections`],
        ],
      },
      { kind: 'paragraph', text: `${L.formula.zh}\n${L.formula.en}`, size: 8 },
      { kind: 'heading', text: both(L.byCentre) },
      {
        kind: 'table',
        columns: [
          { header: '中心 Centre', weight: 2.2 },
          { header: '指标 Metric', weight: 1.4 },
          { header: '标段 Sections (*导入 imported)', weight: 1.1, align: 'right' },
          { header: '参考价合计 Reference total', weight: 1.8, align: 'right' },
          { header: '成交价合计 Final total', weight: 1.8, align: 'right' },
          { header: '差额 Numerator', weight: 1.6, align: 'right' },
          { header: '节约率/增值率 Rate', weight: 1.2, align: 'right' },
          { header: '基准 Base', weight: 1.2 },
        ],
        rows: report.centres.map((c) => [
          centreName(c.centre),
          METRIC[c.metric] ?? c.metric,
          `${c.sections}${c.importedSections ? ` (${c.importedSections}*)` : ''}`,
          yuanGrouped(c.referenceTotal),
          yuanGrouped(c.finalTotal),
          yuanGrouped(c.rate.numerator),
          pct(c.rate),
          (Array.isArray(c.rate.base) ? c.rate.base : [c.rate.base]).map((b) => (b ? (REFERENCE_KIND_NAMES[b]?.zh ?? b) : '—')).join('、'),
        ]),
      },
      { kind: 'heading', text: both(L.counts) },
      {
        kind: 'table',
        columns: [
          { header: '中心 Centre', weight: 2.2 },
          { header: '发布 Published', align: 'right' },
          { header: '开标 Opened', align: 'right' },
          { header: '流标 Failed', align: 'right' },
          { header: '中标 Awarded', align: 'right' },
          { header: '导入 Imported', align: 'right' },
        ],
        rows: [
          ...report.centres.map((c) => [centreName(c.centre), String(c.counts.published), String(c.counts.opened), String(c.counts.failed), String(c.counts.awarded), String(c.counts.imported)]),
          [both(L.combined), String(report.counts.published), String(report.counts.opened), String(report.counts.failed), String(report.counts.awarded), String(report.counts.imported)],
        ],
      },
      { kind: 'heading', text: both(L.charts) },
      ...report.centres.map((c) => ({
        kind: 'barChart' as const,
        title: `${centreName(c.centre)} — ${METRIC[c.metric] ?? c.metric} (%)`,
        unit: '%',
        bars: rateSeries(report, c.centre),
      })),
      { kind: 'heading', text: both(L.sections) },
      ...(report.page.next === null
        ? []
        : [
            {
              kind: 'paragraph' as const,
              text: `${L.firstSections.zh.replace('{n}', String(report.sections.length)).replace('{total}', String(report.page.total))}\n${L.firstSections.en.replace('{n}', String(report.sections.length)).replace('{total}', String(report.page.total))}`,
              size: 8,
            },
          ]),
      {
        kind: 'table',
        size: 7.5,
        columns: [
          { header: '编号 Code', weight: 2 },
          { header: '名称 Title', weight: 2.4 },
          { header: '中心 Centre', weight: 1.4 },
          { header: '中标/成交日期 Award date', weight: 1.3 },
          { header: '参考价 Reference', weight: 1.5, align: 'right' },
          { header: '成交价 Final', weight: 1.5, align: 'right' },
          { header: '节约率/增值率 Rate', weight: 1.1, align: 'right' },
        ],
        rows: report.sections.map((s) => [
          s.code + (s.imported ? ' (导入 imported)' : ''),
          s.title,
          centreName(s.centre).split(' ')[0]!,
          s.awardDate,
          `${yuanGrouped(s.referencePrice)}\n${REFERENCE_KIND_NAMES[s.referenceKind]?.zh ?? s.referenceKind}`,
          yuanGrouped(s.finalAmount),
          `${METRIC_ZH[metricOf.get(s.centre) ?? ''] ?? ''} ${pct(s.rate)}`.trim(),
        ]),
      },
    ],
  };
}
