// PDF layout of the evaluation report (评标报告): the section and method, the ranking with prices
// (and, for comprehensive scoring, the weights, the price-score formula and every evaluator's score
// per criterion), excluded bids with reasons, the candidates, the reserve price once opened, the
// candidate publicity with objections and answers, declines, and the opening record inside it.
import type { Block, RecordDocument } from '../../modules/records/pdf';
import type { EvaluationReport, EvaluationResult } from '../../modules/formats/evaluation-report';
import { openingBidsTable } from './opening-record';
import { centreWords, tradeKindOf } from '../../modules/centres/centre-words';

const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
import { both, cell, partyWords, portalCentreName, type RenderContext, rmb, zoneOf, zonedTime } from './strings';
import { bilingualName, EVALUATION_METHOD_NAMES, REFERENCE_KIND_NAMES } from '../code-names';

export { EVALUATION_REPORT_FORMAT } from '../../modules/formats/evaluation-report';

type RankedJson = NonNullable<EvaluationResultJson['ranking']>[number];
type ScoreDetail = NonNullable<RankedJson['score']>;

/** The evaluation module's stored result as this layout reads it (modules/formats/evaluation-report.ts). */
export type EvaluationResultJson = EvaluationResult;

/** The report JSON (GET /api/sections/:id/evaluation-report) that the PDF renders. */
export type EvaluationReportJson = EvaluationReport;

const L = {
  title: { zh: '评标报告', en: 'Evaluation Report' },
  section: { zh: '项目与标段', en: 'Project and section' },
  outcome: { zh: '评审结论', en: 'Outcome' },
  ranking: { zh: '有效投标排序', en: 'Ranking of the responsive bids' },
  weights: { zh: '评分权重及价格分公式', en: 'Weights and the price-score formula' },
  scores: { zh: '评委逐项评分', en: 'Scores per evaluator and criterion' },
  excluded: { zh: '无效或未进入评审的投标及原因', en: 'Bids excluded, with reasons' },
  candidates: { zh: '中标（成交）候选人', en: 'Candidates' },
  reserve: { zh: '底价（开标后揭示）', en: 'Reserve price (revealed after the opening)' },
  publicity: { zh: '候选人公示、异议及答复', en: 'Candidate publicity, objections and answers' },
  declines: { zh: '候选人放弃', en: 'Declines' },
  opening: { zh: '开标记录', en: 'Opening record' },
};

const method = (m: string | undefined) => bilingualName(EVALUATION_METHOD_NAMES, m);
const yuan = (a: string | null | undefined) => rmb(a);

/** The evaluators named by the scores (comprehensive scoring); the other methods name none in the JSON. */
export function committeeOf(r: EvaluationResultJson): string[] {
  return [...new Set((r.scores ?? []).map((s) => s.evaluator))].sort();
}

function formula(direction: string | undefined, priceWeight: string): string {
  const cost = direction !== 'revenue';
  return [
    cost
      ? `价格分 = 评标基准价 ÷ 投标报价 × ${priceWeight}，评标基准价为最低有效投标报价（保留两位小数）。Price score = benchmark ÷ price × ${priceWeight}; benchmark = the lowest responsive price (two decimals).`
      : `价格分 = 投标报价 ÷ 最高有效报价 × ${priceWeight}（保留两位小数）。Price score = price ÷ the highest responsive price × ${priceWeight} (two decimals).`,
    '评委加权分 = Σ 评分 × 权重 ÷ 100；总分 = 价格分 + 各评委加权分的平均值（保留两位小数）；总分相同时报价低者优先，再按递交先后。',
    'Evaluator\u2019s weighted score = Σ score × weight ÷ 100; total = price score + the mean of the evaluators\u2019 weighted scores (two decimals); ties to the lower price, then the earlier bid.',
  ].join('\n');
}

function scoreBlocks(r: EvaluationResultJson): Block[] {
  if (r.method !== 'comprehensive_scoring' || !r.weights) return [];
  const w = r.weights;
  const criteria = Object.keys(w.criteria);
  const ranking = r.ranking ?? [];
  const evaluators = [...new Set((r.scores ?? []).map((s) => s.evaluator))].sort();
  const rows: string[][] = [];
  for (const b of ranking) {
    for (const e of evaluators) {
      const d = b.score?.evaluators[e];
      rows.push([String(b.rank), b.bidder.name, e, ...criteria.map((c) => d?.scores[c] ?? '—'), d?.weighted ?? '—']);
    }
  }
  return [
    { kind: 'heading', text: both(L.weights) },
    { kind: 'keyValue', rows: [['价格 Price', w.price], ...criteria.map((c): [string, string] => [c, w.criteria[c]!])] },
    { kind: 'paragraph', size: 8.5, text: formula(r.direction, w.price) },
    { kind: 'heading', text: both(L.scores) },
    {
      kind: 'table',
      size: 7.5,
      columns: [
        { header: '排名 Rank', weight: 0.6, align: 'right' },
        { header: '投标人 Bidder', weight: 2.4 },
        { header: '评委 Evaluator', weight: 1.2 },
        ...criteria.map((c) => ({ header: `${c} (${w.criteria[c]})`, weight: 0.9, align: 'right' as const })),
        { header: '加权分 Weighted', weight: 0.9, align: 'right' },
      ],
      rows,
    },
  ];
}

function rankingTable(list: RankedJson[], scoring: boolean, zone: string, bidder: string): Block {
  return {
    kind: 'table',
    size: 8,
    columns: [
      { header: '排名 Rank', weight: 0.6, align: 'right' },
      { header: bidder, weight: 2.6 },
      { header: '递交时间 Received', weight: 1.4 },
      { header: '报价 Price (yuan)', weight: 1.3, align: 'right' },
      ...(scoring
        ? [
            { header: '价格分 Price score', weight: 0.9, align: 'right' as const },
            { header: '评委均分 Evaluators\u2019 mean', weight: 1, align: 'right' as const },
            { header: '总分 Total', weight: 0.8, align: 'right' as const },
          ]
        : []),
    ],
    rows: list.map((b) => [
      String(b.rank),
      b.bidder.name,
      zonedTime(b.receivedAt, zone, true),
      yuan(b.price),
      ...(scoring ? [b.score?.priceScore ?? '—', b.score?.evaluatorsMean ?? '—', b.score?.total ?? '—'] : []),
    ]),
  };
}

export function evaluationReportDocument(d: EvaluationReportJson, source: string, ctx?: RenderContext): RecordDocument {
  const s = d.section;
  const e = d.evaluation;
  const r = e.result;
  const zone = zoneOf(s.centre, ctx);
  const w = centreWords(s.centre, d.openingRecord.section.procedure);
  const bidderHead = `${w.bidder.zh} ${cap(w.bidder.en)}`;
  const sale = tradeKindOf(s.centre) === 'sale';
  const t = (ms: unknown) => zonedTime(ms, zone, true);
  const committee = committeeOf(r);
  const scoring = r.method === 'comprehensive_scoring';
  const rec = d.openingRecord;
  const none: Block = { kind: 'paragraph', text: '无 None' };
  return {
    title: both(L.title),
    subtitle: `${s.code ?? s.id} ${s.projectTitle ?? ''} ${s.title}`.replace(/\s+/g, ' ').trim(),
    subject: `Evaluation report of section ${s.code ?? s.id}`,
    keywords: ['etender', 'evaluation report', s.id, ...(s.code ? [s.code] : [])],
    json: d,
    source,
    blocks: [
      { kind: 'heading', text: both(L.section) },
      {
        kind: 'keyValue',
        rows: [
          ['标段编号 Section code', s.code ?? '—'],
          ['项目 Project', s.projectTitle ?? '—'],
          ['标段名称 Section', s.title],
          [both(partyWords(s.centre).owner), s.tenderee ?? '—'],
          ['交易中心 Centre', portalCentreName(s.centre, ctx)],
          ['状态 State', s.state],
          ['评标办法 Method', method(e.method)],
          ['参考价 Reference price', r.referencePrice ? `${yuan(r.referencePrice)} (${bilingualName(REFERENCE_KIND_NAMES, r.referenceKind)})` : '—'],
          ['评审开始 Started', e.startedAt ? zonedTime(e.startedAt, zone) : '—'],
          ['评审结束 Concluded', e.concludedAt ? zonedTime(e.concludedAt, zone) : '—'],
          [`有效${w.bid.zh}数 Responsive ${w.bid.en}s`, cell(r.responsiveCount)],
          ['评标委员会 Evaluation committee', committee.length ? committee.join('、') : '成员名单及签字见文末 members sign below'],
        ],
      },
      { kind: 'heading', text: both(L.outcome) },
      {
        kind: 'paragraph',
        text:
          r.outcome === 'failed'
            ? `未产生候选人（废标 / 未成交） No candidates: ${r.rule ?? ''}\n${r.reason ?? ''}`
            : `产生 ${(r.candidates ?? []).length} 名候选人 ${(r.candidates ?? []).length} candidate(s).`,
      },
      { kind: 'heading', text: sale ? '有效竞买排序 Ranking of the responsive offers' : both(L.ranking) },
      (r.ranking ?? []).length ? rankingTable(r.ranking ?? [], scoring, zone, bidderHead) : none,
      ...scoreBlocks(r),
      { kind: 'heading', text: sale ? '无效竞买及原因 Offers excluded, with reasons' : both(L.excluded) },
      (r.excluded ?? []).length
        ? {
            kind: 'table',
            size: 8,
            columns: [
              { header: '序号 No.', weight: 0.5, align: 'right' },
              { header: bidderHead, weight: 2.4 },
              { header: '报价 Price', weight: 1.2, align: 'right' },
              { header: '状态 Status', weight: 1 },
              { header: '原因 Reason', weight: 3.2 },
            ],
            rows: (r.excluded ?? []).map((x) => [
              cell(x.seq),
              x.bidder?.name ?? x.bidder?.orgId ?? x.bidId,
              yuan(x.price),
              [x.status, x.validity].filter(Boolean).join(' / '),
              x.cause ? `${x.cause.code}: ${x.cause.message.replace(/\b\d{4,}\.\d{2}\b/g, (m) => rmb(m))}` : '—',
            ]),
          }
        : none,
      { kind: 'heading', text: sale ? '竞得候选人 Candidates' : both(L.candidates) },
      (r.candidates ?? []).length ? rankingTable(r.candidates ?? [], scoring, zone, bidderHead) : none,
      { kind: 'heading', text: both(L.reserve) },
      r.reserve
        ? {
            kind: 'keyValue',
            rows: [
              ['底价 Reserve', yuan(r.reserve.amount)],
              ['密封时间 Sealed at', zonedTime(r.reserve.setAt, zone)],
              ['密文摘要 Sealed SHA-256', r.reserve.sealedSha256],
            ],
          }
        : none,
      { kind: 'heading', text: both(L.publicity) },
      {
        kind: 'keyValue',
        rows: [
          ['公示开始 From', e.publicity?.from ? zonedTime(e.publicity.from, zone) : '—'],
          ['公示结束 Ends', e.publicity ? zonedTime(e.publicity.endsAt, zone) : '—'],
        ],
      },
      e.objections.length
        ? {
            kind: 'table',
            size: 8,
            columns: [
              { header: '提出时间 Raised', weight: 1.2 },
              { header: '异议 Objection', weight: 3 },
              { header: '答复 Answer', weight: 3 },
            ],
            rows: e.objections.map((o) => [t(o.raisedAt), o.text, `${o.answer ?? '未答复 not answered'}${o.answeredAt ? `\n${t(o.answeredAt)}` : ''}`]),
          }
        : { kind: 'paragraph', text: '无异议 No objections' },
      { kind: 'heading', text: both(L.declines) },
      e.declines.length
        ? {
            kind: 'table',
            size: 8,
            columns: [
              { header: '排名 Rank', weight: 0.6, align: 'right' },
              { header: '候选人 Candidate', weight: 2.4 },
              { header: '原因 Reason', weight: 3 },
              { header: '时间 At', weight: 1.3 },
            ],
            rows: e.declines.map((x) => [String(x.rank), (r.candidates ?? []).find((c) => c.rank === x.rank)?.bidder.name ?? '', x.reason, t(x.at)]),
          }
        : none,
      { kind: 'heading', text: both(L.opening) },
      {
        kind: 'keyValue',
        rows: [
          ['开标时间 Opening time', rec.openingTime ? zonedTime(rec.openingTime, zone) : '—'],
          ['开标人（主持人）Presiding', rec.officials?.presiding ?? '—'],
          ['记录人 Recording', rec.officials?.recording ?? '—'],
          ['监标人 Supervising', rec.officials?.supervising ?? '—'],
          ['投标数 Bids', String(rec.bids.length)],
        ],
      },
      openingBidsTable(rec, ctx),
      {
        kind: 'paragraph',
        size: 8,
        text: `完整开标记录（含开标密钥与检查点）见本报告 JSON 的 openingRecord 字段及 GET /api/sections/${s.id}/opening-record。\nThe whole opening record (with the opening key and the checkpoints) is the openingRecord field of this report\u2019s JSON, and GET /api/sections/${s.id}/opening-record.`,
      },
      { kind: 'heading', text: both({ zh: '评标委员会签字', en: 'Signatures of the evaluation committee' }) },
      {
        kind: 'paragraph',
        size: 8.5,
        text: '评标委员会成员对本报告的评审结论签字确认；对结论持有异议的成员可以书面方式阐述其不同意见和理由（《招标投标法实施条例》第五十三条）。\nThe members of the committee sign the conclusions of this report; a member who disagrees states the reasons in writing (TBLS 53).',
      },
      {
        kind: 'signatures',
        lines: [
          '评标委员会负责人 Chair of the committee',
          ...(committee.length ? committee.map((m) => `评委 Member: ${m}`) : ['评委 Member 1', '评委 Member 2', '评委 Member 3', '评委 Member 4', '评委 Member 5']),
        ],
        columns: 2,
      },
    ],
  };
}
