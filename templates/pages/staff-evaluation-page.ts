// The operator's evaluation page (/staff/sections/:id/evaluation): start the evaluation of an opened
// section; for comprehensive scoring the weights and one score sheet per evaluator (every score and
// every total as the server computed them, shown back after saving); for lowest / highest price the
// ranking; the excluded bids with their reasons; publish the candidates; then the publicity with the
// objections to the candidates and a form to answer each.
import Decimal from 'decimal.js';
import { html, type SafeHtml } from '../html';
import type { EvaluationView } from '../../modules/evaluation/evaluation-schemas';
import { EXCLUDED_BY_COMMITTEE } from '../../modules/evaluation/evaluation-service';
import { yuan } from './format';
import { errorSummary, type FormState, field, fieldId, notice, postForm, textArea } from './forms';
import { type Ctx, href, layout } from './layout';
import { zonedTime } from './format';
import { confirmBox, objectionList, type StaffObjection, type StaffSection, sectionHead, staffPath, wordsOf } from './staff-work-common';
import { fill } from './text';

/** Rows for criteria while no weights are set. */
export const CRITERIA_ROWS = 3;
/** States from which the evaluation result is public and the candidates are out. */
const CONCLUDED = new Set(['publicity', 'awarded', 'contracted', 'archived']);

export interface SheetBid {
  bidId: string;
  seq: number;
  name: string;
  price: string;
}

export interface ExcludedBid {
  seq: number;
  name: string;
  price: string | null;
  status: string;
  validity: 'valid' | 'invalid' | null;
  cause: { code: string; message: string } | null;
}

export interface EvaluationPageData {
  section: StaffSection;
  view: EvaluationView | null;
  responsive: SheetBid[];
  excluded: ExcludedBid[];
  /** The weights in force (null until the first scores carry them). */
  weights: { price: string; criteria: Record<string, string> } | null;
  publicityDays: number;
  forms: { start?: FormState; scores?: FormState; exclude?: FormState; publish?: FormState; answer?: FormState };
  notice: string | null;
}

/** The server's weighted sum (an exact decimal) printed with two decimals, as the totals are. */
const twoDecimals = (x: string | undefined) => (x === undefined ? '—' : new Decimal(x).toFixed(2));

export const scoreField = (bidId: string, criterion: number) => `s-${bidId}-${criterion}`;

type Ranked = NonNullable<NonNullable<EvaluationView['result']>['ranking']>[number];

function excludedTable(c: Ctx, d: EvaluationPageData): SafeHtml {
  const w = c.s.staffWork;
  const words = wordsOf(c, d.section);
  if (!d.excluded.length) return html`<p id="excluded-none">${w.noExcluded}</p>`;
  return html`<table id="excluded" tabindex="0"><caption>${w.excludedTitle}</caption>
<thead><tr><th scope="col">${w.seq}</th><th scope="col">${words.bidder}</th><th scope="col">${w.price}</th><th scope="col">${w.status}</th><th scope="col">${w.reason}</th></tr></thead>
<tbody>${d.excluded.map(
    (b) =>
      html`<tr><td>${b.seq}</td><td>${b.name}</td><td class="num">${yuan(b.price, c.s)}</td><td>${c.s.bidStatus[b.status] ?? b.status}${b.validity ? html` · ${c.s.validityNames[b.validity] ?? b.validity}` : ''}</td><td class="reason">${b.cause ? (b.cause.code === EXCLUDED_BY_COMMITTEE ? fill(w.excludedByCommittee, { reason: b.cause.message }) : (w.causeNames[b.cause.code] ?? b.cause.message)) : '—'}</td></tr>`,
  )}</tbody></table>`;
}

function rankingTable(c: Ctx, d: EvaluationPageData, rows: Ranked[], id: string, caption: string, scored: boolean): SafeHtml {
  const w = c.s.staffWork;
  const words = wordsOf(c, d.section);
  const declines = new Map((d.view?.declines ?? []).map((x) => [x.rank, x.reason]));
  const candidates = id === 'candidates';
  return html`<table id="${id}" tabindex="0"><caption class="visually-hidden">${caption}</caption>
<thead><tr><th scope="col">${w.rank}</th><th scope="col">${w.seq}</th><th scope="col">${words.bidder}</th><th scope="col">${w.price}</th>${scored ? html`<th scope="col">${w.priceScore}</th><th scope="col">${w.mean}</th><th scope="col">${w.total}</th>` : ''}</tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr data-bid="${r.bidId}"><td>${r.rank}</td><td>${r.seq}</td><td>${r.bidder.name}${candidates && declines.has(r.rank) ? html` <span class="sub">(${fill(w.declinedNote, { reason: declines.get(r.rank) ?? '' })})</span>` : ''}</td><td class="num">${yuan(r.price, c.s)}</td>${
        scored ? html`<td class="num">${r.score?.priceScore ?? '—'}</td><td class="num">${r.score?.evaluatorsMean ?? '—'}</td><td class="num total">${r.score?.total ?? '—'}</td>` : ''
      }</tr>`,
  )}</tbody></table>`;
}

/** Each evaluator's scores per bid and criterion, with the weighted sum the server computed. */
function scoreTables(c: Ctx, d: EvaluationPageData, ranking: Ranked[]): SafeHtml {
  const w = c.s.staffWork;
  const words = wordsOf(c, d.section);
  const criteria = Object.keys(d.weights?.criteria ?? {});
  const evaluators = [...new Set(ranking.flatMap((r) => Object.keys(r.score?.evaluators ?? {})))].sort();
  if (!evaluators.length) return html`<p id="scores-none">${w.noScores}</p>`;
  return html`${evaluators.map(
    (e, i) => html`<table id="scores-${i}" class="score-table" tabindex="0" data-evaluator="${e}"><caption>${e}</caption>
<thead><tr><th scope="col">${words.bidder}</th>${criteria.map((k) => html`<th scope="col">${k} (${d.weights!.criteria[k]})</th>`)}<th scope="col">${fill(w.weighted, { evaluator: e })}</th></tr></thead>
<tbody>${[...ranking]
      .sort((a, b) => a.seq - b.seq)
      .map(
        (r) =>
          html`<tr><td>${r.seq}. ${r.bidder.name}</td>${criteria.map((k) => html`<td class="num">${r.score?.evaluators[e]?.scores[k] ?? '—'}</td>`)}<td class="num weighted">${twoDecimals(r.score?.evaluators[e]?.weighted)}</td></tr>`,
      )}</tbody></table>`,
  )}`;
}

function weightsBlock(c: Ctx, d: EvaluationPageData, form: FormState): SafeHtml {
  const w = c.s.staffWork;
  if (d.weights) {
    return html`<dl class="facts" id="weights"><dt>${w.priceWeight}</dt><dd>${d.weights.price}</dd>${Object.entries(d.weights.criteria).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
  }
  const rows: SafeHtml[] = [];
  for (let i = 0; i < CRITERIA_ROWS; i++) {
    const n = String(i + 1);
    rows.push(html`${field(c, form, { name: `cname${i}`, label: fill(w.criterionName, { n }), help: i === 0 ? undefined : w.criterionHelp, required: i === 0, maxlength: 100 })}
${field(c, form, { name: `cweight${i}`, label: fill(w.criterionWeight, { n }), help: w.weightHelp, required: i === 0, inputmode: 'decimal', maxlength: 6 })}`);
  }
  return html`<fieldset id="weights-fields"><legend>${w.weightsTitle}</legend>
<p class="help">${w.weightsIntro}</p>
${field(c, form, { name: 'price', label: w.priceWeight, help: w.weightHelp, inputmode: 'decimal', maxlength: 6 })}
${rows}
</fieldset>`;
}

/** The labels of the score sheet's fields, for the error summary (in the order of the form). */
export function sheetLabels(c: Ctx, d: Pick<EvaluationPageData, 'weights' | 'responsive'>): Record<string, string> {
  const w = c.s.staffWork;
  const labels: Record<string, string> = {};
  if (!d.weights) {
    labels.price = w.priceWeight;
    for (let i = 0; i < CRITERIA_ROWS; i++) {
      labels[`cname${i}`] = fill(w.criterionName, { n: i + 1 });
      labels[`cweight${i}`] = fill(w.criterionWeight, { n: i + 1 });
    }
    labels.weights = w.weightsTitle;
  }
  labels.evaluator = w.evaluator;
  const criteria = d.weights ? Object.keys(d.weights.criteria) : Array.from({ length: CRITERIA_ROWS }, (_, i) => fill(w.criterion, { n: i + 1 }));
  for (const b of d.responsive) for (const [j, k] of criteria.entries()) labels[scoreField(b.bidId, j)] = `${b.seq}. ${b.name} — ${k}`;
  return labels;
}

function scoreSheet(c: Ctx, d: EvaluationPageData): SafeHtml {
  const w = c.s.staffWork;
  const form = d.forms.scores ?? { values: {}, errors: {} };
  const criteria = d.weights ? Object.entries(d.weights.criteria) : Array.from({ length: CRITERIA_ROWS }, (_, i) => [fill(w.criterion, { n: i + 1 }), ''] as [string, string]);
  return html`<section aria-labelledby="sheet-title" id="sheet"><h2 id="sheet-title">${w.sheetTitle}</h2>
<p class="sub">${w.sheetIntro}</p>
${errorSummary(c, form, sheetLabels(c, d))}
${postForm(
  c,
  staffPath(d.section.id, 'evaluation/scores'),
  'scores-form',
  html`${weightsBlock(c, d, form)}
${field(c, form, { name: 'evaluator', label: w.evaluator, help: w.evaluatorHelp, maxlength: 100 })}
${d.responsive.map(
  (b) => html`<fieldset class="sheet-bid" data-bid="${b.bidId}"><legend>${b.seq}. ${b.name} · ${yuan(b.price, c.s)}</legend>
${criteria.map(([k, weight], j) =>
  field(c, form, { name: scoreField(b.bidId, j), label: weight ? fill(w.scoreLabel, { criterion: k, weight }) : k, required: d.weights ? true : j === 0, inputmode: 'decimal', maxlength: 6 }),
)}
</fieldset>`,
)}
<p><button type="submit" id="scores-submit">${w.saveScores}</button></p>`,
)}
</section>`;
}

function excludeForm(c: Ctx, d: EvaluationPageData): SafeHtml {
  const w = c.s.staffWork;
  const form = d.forms.exclude ?? { values: {}, errors: {} };
  const bidError = form.errors.bidId;
  return html`<section aria-labelledby="exclude-title" id="exclude"><h2 id="exclude-title">${w.excludeTitle}</h2>
<p class="sub">${w.excludeIntro}</p>
${errorSummary(c, form, { bidId: w.excludeBid, excludeReason: w.excludeReason, confirmExclude: w.confirm })}
${postForm(
  c,
  staffPath(d.section.id, 'evaluation/exclusions'),
  'exclude-form',
  html`<fieldset id="${fieldId('bidId')}"${bidError ? html` aria-describedby="${fieldId('bidId')}-error"` : ''}><legend>${w.excludeBid}</legend>
${bidError ? html`<span class="field-error" id="${fieldId('bidId')}-error">${bidError}</span>` : ''}
${d.responsive.map(
  (b) =>
    html`<div class="field check"><input type="radio" name="bidId" value="${b.bidId}" id="exclude-${b.bidId}"${form.values.bidId === b.bidId ? html` checked` : ''}> <label for="exclude-${b.bidId}">${b.seq}. ${b.name} · ${yuan(b.price, c.s)}</label></div>`,
)}
</fieldset>
${textArea(c, form, { name: 'excludeReason', label: w.excludeReason, help: w.excludeReasonHelp, maxlength: 2000, rows: 3 })}
${confirmBox(c, form, 'confirmExclude')}
<p><button type="submit" id="exclude-submit">${w.excludeButton}</button></p>`,
)}
</section>`;
}

function evaluatingBlock(c: Ctx, d: EvaluationPageData): SafeHtml {
  const w = c.s.staffWork;
  const result = d.view?.result ?? null;
  const scoring = d.section.evaluationMethod === 'comprehensive_scoring';
  const ranking = result?.ranking ?? [];
  const publish = d.forms.publish ?? { values: {}, errors: {} };
  return html`<p class="sub" id="preview-note">${w.previewNote}</p>
<section aria-labelledby="ranking-title" id="ranking-block"><h2 id="ranking-title">${w.rankingTitle}</h2>
${result?.pending ? html`<p id="ranking-pending">${fill(w.rankingPending, { why: result.pending })}</p>` : ''}
${ranking.length ? rankingTable(c, d, ranking, 'ranking', w.rankingTitle, scoring) : ''}
${scoring ? html`<h3>${w.scoresTitle}</h3>${scoreTables(c, d, ranking)}` : ''}
${excludedTable(c, d)}
</section>
${scoring ? scoreSheet(c, d) : ''}
${d.responsive.length ? excludeForm(c, d) : ''}
<section aria-labelledby="publish-title" id="publish"><h2 id="publish-title">${w.publishTitle}</h2>
<p>${fill(w.publishIntro, { days: d.publicityDays })}</p>
${errorSummary(c, publish, { confirm: w.confirm })}
${postForm(c, staffPath(d.section.id, 'evaluation/publicity'), 'publish-form', html`${confirmBox(c, publish)}<p><button type="submit" id="publish-submit">${w.publishButton}</button></p>`)}
</section>`;
}

function concludedBlock(c: Ctx, d: EvaluationPageData): SafeHtml {
  const w = c.s.staffWork;
  const v = d.view!;
  const result = v.result;
  const scoring = d.section.evaluationMethod === 'comprehensive_scoring';
  const p = v.publicity;
  const answer = d.forms.answer ?? { values: {}, errors: {} };
  return html`<section aria-labelledby="candidates-title" id="candidates-block"><h2 id="candidates-title">${w.candidatesTitle}</h2>
${p ? html`<p id="publicity-end">${fill(p.over ? w.publicityOver : w.publicityUntil, { at: zonedTime(p.endsAt, d.section.timeZone) })}</p>` : ''}
${result?.candidates?.length ? rankingTable(c, d, result.candidates, 'candidates', w.candidatesTitle, scoring) : ''}
${result?.ranking?.length && scoring ? html`<h3>${w.scoresTitle}</h3>${scoreTables(c, d, result.ranking)}` : ''}
${excludedTable(c, d)}
<p><a href="${href(c, staffPath(d.section.id, 'award'))}" id="to-award">${w.toAward}</a></p>
</section>
<section aria-labelledby="publicity-objections-title" id="publicity-objections"><h2 id="publicity-objections-title">${w.publicityObjectionsTitle}</h2>
<p class="sub">${w.publicityObjectionsIntro}</p>
${errorSummary(c, answer, Object.fromEntries(Object.keys(answer.errors).map((k) => [k, w.answerLabel])))}
${objectionList(c, d.section, v.objections as StaffObjection[], new Map((result?.ranking ?? []).map((r) => [r.bidder.orgId, r.bidder.name])), answer, (oid) => staffPath(d.section.id, `evaluation/objections/${encodeURIComponent(oid)}/answer`), 'publicity-objections')}
</section>`;
}

export function staffEvaluationPage(c: Ctx, d: EvaluationPageData): SafeHtml {
  const w = c.s.staffWork;
  const s = d.section;
  const start = d.forms.start ?? { values: {}, errors: {} };
  let main: SafeHtml;
  if (s.state === 'opened') {
    main = html`<p>${fill(w.startIntro, { method: c.s.evaluationMethodNames[s.evaluationMethod] ?? s.evaluationMethod })}</p>
${excludedTable(c, d)}
${errorSummary(c, start, {})}
${postForm(c, staffPath(s.id, 'evaluation/start'), 'start-form', html`<p><button type="submit" id="start-submit">${w.startButton}</button></p>`)}`;
  } else if (s.state === 'evaluating') main = evaluatingBlock(c, d);
  else if (CONCLUDED.has(s.state) && d.view) main = concludedBlock(c, d);
  else if (s.state === 'failed')
    main = html`<h2 id="failed-title">${w.failedTitle}</h2><p id="failed-reason">${fill(w.failedReason, { reason: s.failureReason ?? '—' })}</p>
<p><a href="${href(c, staffPath(s.id, 'award'))}" id="to-award">${w.toAward}</a></p>`;
  else main = html`<p id="not-yet">${fill(w.notYetOpened, { state: c.s.stateNames[s.state] ?? s.state })}</p>`;
  const body = html`${sectionHead(c, s, fill(w.evaluationTitle, { code: s.code }), 'evaluation')}
${notice(d.notice)}
${main}`;
  return layout(c, fill(w.evaluationTitle, { code: s.code }), body, { path: staffPath(s.id, 'evaluation') });
}
