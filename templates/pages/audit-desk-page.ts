// The auditor's and supervisor's desk (/audit): every section, page by page, with links to each of
// its records as JSON and PDF (the dossier always; the opening record, evaluation report and award
// once they exist) and, after the bid deadline, the supervision signals about its bids.
import { html, type SafeHtml } from '../html';
import { centreName, type CentreView } from './pages';
import { zonedTime } from './format';
import { type Ctx, href, layout } from './layout';
import { fill } from './text';

/** A section as the desk lists it. */
export interface DeskSection {
  id: string;
  code: string;
  title: string;
  centre: string;
  state: string;
  bidDeadlineAt: number | null;
  projectTitle?: string;
}

/** Identical ciphertexts, with the organisations' names where the platform knows them. */
export interface DeskSignal {
  ciphertextSha256: string;
  orgs: string[];
}

export interface DeskRow {
  section: DeskSection;
  /** Null before the bid deadline (nobody may count bids then). */
  signals: DeskSignal[] | null;
}

export interface DeskData {
  rows: DeskRow[];
  centres: CentreView[];
  states: readonly string[];
  filter: { centre: string; state: string };
  page: number;
  hasNext: boolean;
}

const OPENED = new Set(['opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived']);
const EVALUATED = new Set(['publicity', 'awarded', 'contracted', 'archived']);
const AWARDED = new Set(['awarded', 'contracted', 'archived']);

const api = (id: string, tail: string) => `/api/sections/${encodeURIComponent(id)}/${tail}`;

function recordLinks(c: Ctx, x: DeskSection): SafeHtml {
  const a = c.s.audit;
  const item = (name: string, kind: string, json: string | null, pdf: string | null) =>
    html`<li class="record ${kind}"><span class="record-name">${name}</span>${
      json ? html` <a href="${json}" class="json-link" data-kind="${kind}">${a.json}<span class="visually-hidden"> ${name} ${x.code}</span></a>` : ''
    }${pdf ? html` <a href="${pdf}" class="pdf-link" data-kind="${kind}" download>${a.pdf}<span class="visually-hidden"> ${name} ${x.code}</span></a>` : ''}</li>`;
  const items: SafeHtml[] = [item(a.dossier, 'dossier', api(x.id, 'dossier'), api(x.id, 'dossier.pdf'))];
  if (OPENED.has(x.state)) items.push(item(a.openingRecord, 'opening-record', api(x.id, 'opening-record'), api(x.id, 'opening-record.pdf')));
  if (EVALUATED.has(x.state)) items.push(item(a.evaluationReport, 'evaluation-report', api(x.id, 'evaluation-report'), api(x.id, 'evaluation-report.pdf')));
  if (AWARDED.has(x.state)) items.push(item(a.awardNotice, 'award', api(x.id, 'award'), api(x.id, 'award-notice.pdf')));
  if (OPENED.has(x.state)) items.push(item(a.downloads, 'record-downloads', api(x.id, 'record-downloads'), null));
  return html`<ul class="records">${items}</ul>`;
}

function signalsBlock(c: Ctx, signals: DeskSignal[] | null): SafeHtml {
  const a = c.s.audit;
  if (signals === null) return html`<p class="signals-later">${a.signalsBeforeDeadline}</p>`;
  if (!signals.length) return html`<p class="signals-none">${a.signalsNone}</p>`;
  return html`<ul class="signals">${signals.map(
    (s) => html`<li class="signal duplicate-ciphertext" role="note">${fill(a.duplicateCiphertext, { orgs: s.orgs.join('、'), digest: s.ciphertextSha256.slice(0, 16) })}</li>`,
  )}</ul>`;
}

function sectionCard(c: Ctx, d: DeskData, row: DeskRow): SafeHtml {
  const a = c.s.audit;
  const x = row.section;
  const zone = d.centres.find((y) => y.code === x.centre)?.settings.timeZone;
  const flagged = row.signals !== null && row.signals.length > 0;
  return html`<li class="card desk-section${flagged ? ' flagged' : ''}" id="section-${x.id}" data-section="${x.id}">
<h2>${x.state === 'draft' ? x.code : html`<a href="${href(c, `/sections/${encodeURIComponent(x.id)}`)}">${x.code}</a>`} ${x.title}</h2>
<dl class="facts">
${x.projectTitle ? html`<dt>${c.s.project}</dt><dd>${x.projectTitle}</dd>` : ''}
<dt>${c.s.centre}</dt><dd>${centreName(c, d.centres, x.centre)}</dd>
<dt>${c.s.state}</dt><dd class="state">${c.s.stateNames[x.state] ?? x.state}</dd>
<dt>${c.s.deadline}</dt><dd>${x.bidDeadlineAt === null ? '—' : zonedTime(x.bidDeadlineAt, zone)}</dd>
<dt>${a.records}</dt><dd>${recordLinks(c, x)}</dd>
<dt>${a.signals}</dt><dd class="signals-cell">${signalsBlock(c, row.signals)}</dd>
</dl>
</li>`;
}

function filterForm(c: Ctx, d: DeskData): SafeHtml {
  const a = c.s.audit;
  return html`<form method="get" action="/audit" class="filter" id="desk-filter">
${c.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<div class="field"><label for="f-centre">${c.s.centre}</label><select id="f-centre" name="centre"><option value="">${a.allCentres}</option>${d.centres.map(
    (x) => html`<option value="${x.code}"${d.filter.centre === x.code ? html` selected` : ''}>${c.lang === 'en' ? x.nameEn : x.nameZh}</option>`,
  )}</select></div>
<div class="field"><label for="f-state">${c.s.state}</label><select id="f-state" name="state"><option value="">${a.allStates}</option>${d.states.map(
    (s) => html`<option value="${s}"${d.filter.state === s ? html` selected` : ''}>${c.s.stateNames[s] ?? s}</option>`,
  )}</select></div>
<button type="submit" id="filter-button">${a.show}</button>
</form>`;
}

/** Previous / next links keeping the other query parameters (and the language). */
export function pager(c: Ctx, path: string, query: Record<string, string>, page: number, hasNext: boolean): SafeHtml {
  const a = c.s.audit;
  const to = (p: number) => href(c, path, { ...query, ...(p > 1 ? { page: String(p) } : {}) });
  if (page <= 1 && !hasNext) return html``;
  return html`<nav class="pager" aria-label="${a.pages}">${page > 1 ? html`<a href="${to(page - 1)}" rel="prev" id="prev-page">${a.previous}</a> ` : ''}<span aria-current="page">${fill(a.page, { n: page })}</span>${
    hasNext ? html` <a href="${to(page + 1)}" rel="next" id="next-page">${a.next}</a>` : ''
  }</nav>`;
}

export function auditDeskPage(c: Ctx, d: DeskData): SafeHtml {
  const a = c.s.audit;
  const query: Record<string, string> = {};
  if (d.filter.centre) query.centre = d.filter.centre;
  if (d.filter.state) query.state = d.filter.state;
  const body = html`<h1>${a.deskTitle}</h1>
<p>${a.deskIntro}</p>
<p class="sub">${a.signalsNote}</p>
${filterForm(c, d)}
${d.rows.length ? html`<ol class="cards" id="desk-sections">${d.rows.map((r) => sectionCard(c, d, r))}</ol>` : html`<p id="no-sections">${a.noSections}</p>`}
${pager(c, '/audit', query, d.page, d.hasNext)}`;
  return layout(c, a.deskTitle, body, { path: '/audit', query: { ...query, ...(d.page > 1 ? { page: String(d.page) } : {}) } });
}
