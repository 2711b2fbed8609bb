// The operator's reading pages: the dashboard of their centres' sections (what needs them now, and
// every section by state), a section's staff overview with the actions its state allows, and the
// queue of organisations waiting for review with the credit-code check shown.
import { html, type SafeHtml } from '../html';
import type { Organisation } from '../../modules/orgs/orgs-store';
import { checkCreditCode } from '../../modules/orgs/credit-code';
import { centreWords } from '../../modules/centres/centre-words';
import { yuan } from './format';
import { errorSummary, fieldId, type FormState, notice, postForm } from './forms';
import { type Ctx, formTokenInput, href, layout } from './layout';
import { zonedTime } from './staff-time';
import { fill } from './text';

export interface DashboardRow {
  id: string;
  code: string;
  title: string;
  state: string;
  centre: string;
  /** What the row is about: a deadline, a due date (already worded). */
  note: string;
}

export interface Dashboard {
  centres: string[];
  today: string;
  /** Each list's first rows and how many it has in all (the rest on the list's own page). */
  needs: Array<{ key: NeedKey; rows: DashboardRow[]; total: number }>;
  /** The states with sections: the count (from the database) and the newest few. */
  byState: Array<{ state: string; count: number; rows: DashboardRow[] }>;
}

export type NeedKey = 'drafts' | 'clarificationDeadlines' | 'openingsToday' | 'evaluations' | 'publicityEnding' | 'contractsDue';

/** The page of all the sections of one dashboard list (a "needs me now" list or a state). */
export const staffListHref = (c: Ctx, query: { need?: string; state?: string; page?: number }) => {
  const q: Record<string, string> = {};
  if (query.need) q.need = query.need;
  if (query.state) q.state = query.state;
  if (query.page && query.page > 1) q.page = String(query.page);
  return href(c, '/staff/sections', q);
};

/** "More…" under a list that shows only its first rows. */
const moreLink = (c: Ctx, shown: number, total: number, query: { need?: string; state?: string }, id: string) =>
  total > shown ? html`<p class="more"><a href="${staffListHref(c, query)}" id="${id}">${fill(c.s.staff.moreOf, { n: total })}</a></p>` : '';

const sectionHref = (c: Ctx, id: string, tail = '') => href(c, `/staff/sections/${encodeURIComponent(id)}${tail}`);

function rowList(c: Ctx, rows: DashboardRow[], id: string): SafeHtml {
  return html`<ul class="staff-rows" id="${id}">${rows.map(
    (r) => html`<li data-section="${r.id}"><a href="${sectionHref(c, r.id)}">${r.code}</a> ${r.title}${r.note ? html` <span class="sub">· ${r.note}</span>` : ''}</li>`,
  )}</ul>`;
}

export function dashboardPage(c: Ctx, d: Dashboard): SafeHtml {
  const t = c.s.staff;
  const titles = needTitles(c, d.today);
  const needs = d.needs.filter((n) => n.rows.length);
  const total = d.byState.reduce((n, s) => n + s.count, 0);
  const body = html`<h1>${t.dashboardTitle}</h1>
<p>${fill(t.dashboardIntro, { centres: d.centres.join(c.lang === 'en' ? ', ' : '、') })} <a href="${href(c, '/staff/projects/new')}" class="button" id="new-project-link">${t.newProject}</a></p>
<section aria-labelledby="needs-title" id="needs">
<h2 id="needs-title">${t.needsMe}</h2>
${
  needs.length
    ? needs.map((n) => html`<h3 id="needs-${n.key}-title">${titles[n.key]}</h3>${rowList(c, n.rows, `needs-${n.key}`)}${moreLink(c, n.rows.length, n.total, { need: n.key }, `more-${n.key}`)}`)
    : html`<p id="nothing-now">${t.nothingNow}</p>`
}
</section>
<section aria-labelledby="by-state-title" id="by-state">
<h2 id="by-state-title">${t.byState}</h2>
${
  total
    ? html`<table id="state-counts"><thead><tr><th scope="col">${t.state}</th><th scope="col" class="num">${t.count}</th></tr></thead><tbody>${d.byState.map(
        (s) => html`<tr><td><a href="#state-${s.state}">${c.s.stateNames[s.state] ?? s.state}</a></td><td class="num" data-state="${s.state}">${s.count}</td></tr>`,
      )}</tbody></table>
${d.byState.map((s) => html`<h3 id="state-${s.state}" tabindex="-1">${c.s.stateNames[s.state] ?? s.state} (${s.count})</h3>${rowList(c, s.rows, `list-${s.state}`)}${moreLink(c, s.rows.length, s.count, { state: s.state }, `more-state-${s.state}`)}`)}`
    : html`<p id="no-sections">${t.noSections}</p>`
}
</section>`;
  return layout(c, t.dashboardTitle, body, { path: '/staff' });
}

function needTitles(c: Ctx, today: string): Record<NeedKey, string> {
  const t = c.s.staff;
  return {
    drafts: t.drafts,
    clarificationDeadlines: t.clarificationDeadlines,
    openingsToday: fill(t.openingsToday, { date: today }),
    evaluations: t.evaluations,
    publicityEnding: t.publicityEnding,
    contractsDue: t.contractsDue,
  };
}

export interface StaffList {
  /** A "needs me now" list, or else a state. */
  need: NeedKey | null;
  state: string | null;
  today: string;
  rows: DashboardRow[];
  total: number;
  page: number;
  pages: number;
}

/** All the sections of one dashboard list, a page at a time (/staff/sections?need=… or ?state=…). */
export function staffListPage(c: Ctx, l: StaffList): SafeHtml {
  const t = c.s.staff;
  const what = l.need ? needTitles(c, l.today)[l.need] : (c.s.stateNames[l.state ?? ''] ?? l.state ?? '');
  const query = l.need ? { need: l.need } : { state: l.state ?? '' };
  const pager =
    l.pages > 1
      ? html`<nav aria-label="${t.pagesLabel}" id="pager">${l.page > 1 ? html`<a href="${staffListHref(c, { ...query, page: l.page - 1 })}" rel="prev" id="page-prev">${t.prevPage}</a> ` : ''}${
          l.page < l.pages ? html`<a href="${staffListHref(c, { ...query, page: l.page + 1 })}" rel="next" id="page-next">${t.nextPage}</a>` : ''
        }</nav>`
      : '';
  const body = html`<p><a href="${href(c, '/staff')}">${t.backToDashboard}</a></p>
<h1>${what}</h1>
<p id="list-count" role="status">${fill(t.listCount, { n: l.total, page: l.page, pages: l.pages })}</p>
${l.rows.length ? rowList(c, l.rows, 'staff-list') : html`<p id="no-sections">${t.noSections}</p>`}
${pager}`;
  return layout(c, what, body, { path: '/staff' });
}

export interface SectionOverview {
  section: {
    id: string;
    projectId: string;
    code: string;
    title: string;
    state: string;
    centre: string;
    procedure: string;
    evaluationMethod: string;
    referenceKind: string;
    referencePrice: string;
    bidBond: string;
    publishedAt: number | null;
    bidOpensAt: number | null;
    clarificationDeadlineAt: number | null;
    bidDeadlineAt: number | null;
    closedAt: number | null;
    cancelledAt: number | null;
    cancelReason: string | null;
    failureReason: string | null;
  };
  project: { code: string; title: string; tenderee: string };
  centreName: string;
  zone: string;
  documents: Array<{ id: string; name: string; size: number; sha256: string; uploadedAt: number }>;
  clarifications: Array<{ id: string; seq: number; title: string; body: string; affectsBids: boolean; previousDeadlineAt: number | null; newDeadlineAt: number | null; issuedAt: number }>;
  maxDocumentBytes: number;
  notice: string | null;
  /** The upload form as re-rendered after a refused upload. */
  upload: FormState;
  /** The upload script's texts for the API's error codes, in the page's language. */
  uploadErrors: Record<string, string>;
}

const CANCELLABLE = new Set(['draft', 'published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity']);
const OPENING_STATES = new Set(['closed', 'opening', 'opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived', 'failed']);
const EVALUATION_STATES = new Set(['opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived']);
const AWARD_STATES = new Set(['publicity', 'awarded', 'contracted', 'archived']);

const megabytes = (n: number) => `${Math.floor(n / (1024 * 1024))} MB`;

export function sectionOverviewPage(c: Ctx, d: SectionOverview): SafeHtml {
  const t = c.s.staff;
  const s = d.section;
  const z = (ms: number | null) => zonedTime(ms, d.zone);
  const words = centreWords(s.centre, s.procedure);
  const title = fill(t.sectionOverviewTitle, { code: s.code });
  const links: SafeHtml[] = [];
  if (s.state === 'draft') links.push(html`<a href="${sectionHref(c, s.id, '/edit')}" id="edit-link">${t.editSection}</a>`);
  links.push(html`<a href="${href(c, `/staff/projects/${encodeURIComponent(s.projectId)}/edit`)}" id="edit-project-link">${t.editProject}</a>`);
  if (s.state === 'published' || s.state === 'bidding') links.push(html`<a href="${sectionHref(c, s.id, '/clarify')}" id="clarify-link">${t.issueClarification}</a>`);
  if (OPENING_STATES.has(s.state)) links.push(html`<a href="${sectionHref(c, s.id, '/opening')}" id="opening-link">${t.opening}</a>`);
  if (EVALUATION_STATES.has(s.state)) links.push(html`<a href="${sectionHref(c, s.id, '/evaluation')}" id="evaluation-link">${t.evaluation}</a>`);
  if (AWARD_STATES.has(s.state)) links.push(html`<a href="${sectionHref(c, s.id, '/award')}" id="award-link">${t.award}</a>`);
  if (s.state !== 'draft') links.push(html`<a href="${href(c, `/sections/${encodeURIComponent(s.id)}`)}" id="public-link">${t.publicPage}</a>`);
  if (CANCELLABLE.has(s.state)) links.push(html`<a href="${sectionHref(c, s.id, '/cancel')}" id="cancel-link">${t.cancel}</a>`);
  const uploadError = d.upload.errors.file;
  const body = html`<h1>${title}</h1>
${notice(d.notice)}
<p class="headline">${s.title} · <span id="section-state">${c.s.stateNames[s.state] ?? s.state}</span></p>
<nav aria-label="${t.actions}"><p class="actions" id="section-actions">${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</p></nav>
${
  s.state === 'draft'
    ? html`<p id="publish-help">${t.publishHelp}</p>${postForm(c, `/staff/sections/${encodeURIComponent(s.id)}/publish`, 'publish-form', html`<button type="submit" id="publish-button" aria-describedby="publish-help">${t.publish}</button>`)}`
    : ''
}
<dl class="facts" id="section-facts">
<dt>${t.project}</dt><dd>${d.project.code} ${d.project.title}</dd>
<dt>${t.tenderee}</dt><dd>${d.project.tenderee}</dd>
<dt>${t.centre}</dt><dd>${d.centreName}</dd>
<dt>${t.procedure}</dt><dd>${c.s.procedureNames[s.procedure] ?? s.procedure}</dd>
<dt>${t.evaluationMethod}</dt><dd>${c.s.evaluationMethodNames[s.evaluationMethod] ?? s.evaluationMethod}</dd>
<dt>${c.s.referenceKindNames[s.referenceKind] ?? s.referenceKind}</dt><dd>${yuan(s.referencePrice, c.s)}</dd>
<dt>${words.deposit[c.lang]}</dt><dd>${yuan(s.bidBond, c.s)}</dd>
${s.cancelReason ? html`<dt>${t.cancelReason}</dt><dd id="cancel-reason">${s.cancelReason}</dd>` : ''}
${s.failureReason ? html`<dt>${t.failureReason}</dt><dd>${s.failureReason}</dd>` : ''}
</dl>
<h2>${t.keyDates}</h2>
<dl class="facts" id="key-dates">
<dt>${t.publishedAt}</dt><dd>${z(s.publishedAt)}</dd>
<dt>${t.bidOpensAt}</dt><dd>${z(s.bidOpensAt)}</dd>
<dt>${t.clarificationDeadlineAt}</dt><dd>${z(s.clarificationDeadlineAt)}</dd>
<dt>${t.bidDeadlineAt}</dt><dd id="bid-deadline">${z(s.bidDeadlineAt)}</dd>
${s.closedAt !== null ? html`<dt>${t.closedAt}</dt><dd>${z(s.closedAt)}</dd>` : ''}
${s.cancelledAt !== null ? html`<dt>${t.cancelledAt}</dt><dd>${z(s.cancelledAt)}</dd>` : ''}
</dl>
<section aria-labelledby="documents-title">
<h2 id="documents-title">${t.documents}</h2>
${
  d.documents.length
    ? html`<ul id="documents">${d.documents.map(
        (x) =>
          html`<li><a href="/api/sections/${encodeURIComponent(s.id)}/documents/${encodeURIComponent(x.id)}" download>${x.name}</a> <span class="sub">${fill(t.size, { n: x.size.toLocaleString('en-US') })} · ${z(x.uploadedAt)} · SHA-256 <code>${x.sha256}</code></span></li>`,
      )}</ul>`
    : html`<p id="no-documents">${t.noDocuments}</p>`
}
${
  s.state === 'draft'
    ? html`${errorSummary(c, d.upload, { file: t.uploadFile })}<form method="post" action="${href(c, `/staff/sections/${encodeURIComponent(s.id)}/documents`)}" enctype="multipart/form-data" id="upload-form" class="stacked" novalidate
 data-api="/api/sections/${encodeURIComponent(s.id)}/documents" data-msg-no-file="${t.uploadNoFile}" data-msg-failed="${t.uploadFailed}" data-msg-connection="${t.uploadConnection}" data-msg-done="${t.uploadDone}" data-errors="${JSON.stringify(d.uploadErrors)}">
${formTokenInput(c)}
<div class="field${uploadError ? ' invalid' : ''}">
<label for="${fieldId('file')}">${t.uploadFile}</label>
<span class="help" id="${fieldId('file')}-help">${fill(t.uploadHelp, { limit: megabytes(d.maxDocumentBytes) })}</span>
${uploadError ? html`<span class="field-error" id="${fieldId('file')}-error">${uploadError}</span>` : ''}
<input type="file" id="${fieldId('file')}" name="file" required aria-required="true" aria-describedby="${fieldId('file')}-help${uploadError ? ` ${fieldId('file')}-error` : ''}"${uploadError ? html` aria-invalid="true"` : ''}>
</div>
<div class="field" id="upload-progress-field" hidden><label for="upload-progress">${t.uploadProgress}</label><progress id="upload-progress" max="100" value="0"></progress></div>
<p id="upload-status" role="status" aria-live="polite"></p>
<button type="submit" id="upload-button">${t.uploadButton}</button>
</form>`
    : ''
}
</section>
<section aria-labelledby="clarifications-title">
<h2 id="clarifications-title">${t.clarifications}</h2>
${
  d.clarifications.length
    ? html`<ol class="cards" id="clarifications">${d.clarifications.map(
        (x) => html`<li class="card"><h3>${fill(t.clarificationNo, { n: x.seq })} ${x.title}</h3>
<p class="sub">${z(x.issuedAt)}${x.affectsBids ? html` · ${t.affectsBids}` : ''}${x.newDeadlineAt !== null ? html` · ${fill(t.deadlineMoved, { from: z(x.previousDeadlineAt), to: z(x.newDeadlineAt) })}` : ''}</p>
<p class="clarification-body">${x.body}</p></li>`,
      )}</ol>`
    : html`<p id="no-clarifications">${t.noClarifications}</p>`
}
</section>`;
  return layout(c, title, body, { path: `/staff/sections/${encodeURIComponent(s.id)}`, scripts: s.state === 'draft' ? ['/portal-static/staff-upload.js'] : [] });
}

/** The credit-code check of a registration, worded as on the registration page. */
function creditCheckText(c: Ctx, code: string): { ok: boolean; text: string } {
  const a = c.s.account;
  const r = checkCreditCode(code);
  if (r.ok) return { ok: true, text: a.creditOk };
  const p = r.problem;
  const text =
    p.kind === 'length'
      ? fill(a.creditLength, { length: p.length })
      : p.kind === 'character'
        ? fill(a.creditCharacter, { position: p.position, character: p.character })
        : p.kind === 'authority'
          ? fill(a.creditAuthority, { character: p.character })
          : p.kind === 'division'
            ? a.creditDivision
            : fill(a.creditCheck, { expected: p.expected, found: p.found });
  return { ok: false, text };
}

export function orgsPage(c: Ctx, d: { pending: Organisation[]; notice: string | null; zone: string; refused?: { id: string; form: FormState } }): SafeHtml {
  const t = c.s.staff;
  const body = html`<h1>${t.orgsTitle}</h1>
${notice(d.notice)}
<p>${t.orgsIntro}</p>
${
  d.pending.length
    ? html`<ol class="cards" id="pending-orgs">${d.pending.map((o) => {
        const check = creditCheckText(c, o.creditCode);
        const refused = d.refused?.id === o.id ? d.refused.form : null;
        const rejectForm: FormState = refused ?? { values: {}, errors: {} };
        return html`<li class="card" id="org-${o.id}" data-org="${o.id}">
<h2 id="org-${o.id}-name">${o.name}</h2>
<dl class="facts">
<dt>${t.creditCode}</dt><dd><code>${o.creditCode}</code></dd>
<dt>${t.creditCheck}</dt><dd class="credit-check ${check.ok ? 'ok' : 'bad'}">${check.ok ? '✓ ' : '✗ '}${check.text}</dd>
<dt>${t.contact}</dt><dd>${o.contactName} · ${o.contactPhone}${o.contactEmail ? html` · ${o.contactEmail}` : ''}</dd>
${o.address ? html`<dt>${c.s.account.address}</dt><dd>${o.address}</dd>` : ''}
<dt>${t.registeredAt}</dt><dd>${zonedTime(o.createdAt, d.zone)}</dd>
</dl>
${postForm(c, `/staff/orgs/${encodeURIComponent(o.id)}/approve`, `approve-${o.id}`, html`<button type="submit" class="action" aria-describedby="org-${o.id}-name">${t.approve}</button>`)}
${refused ? errorSummary(c, refused, { [`reason-${o.id}`]: t.rejectReason }) : ''}
${postForm(
  c,
  `/staff/orgs/${encodeURIComponent(o.id)}/reject`,
  `reject-${o.id}`,
  html`${textBoxFor(c, rejectForm, o)}
<button type="submit" class="action">${t.reject}</button>`,
)}
</li>`;
      })}</ol>`
    : html`<p id="no-pending">${t.noPending}</p>`
}`;
  return layout(c, t.orgsTitle, body, { path: '/staff/orgs' });
}

/** The reject reason of one organisation: ids of its own, since the queue has one form per organisation. */
function textBoxFor(c: Ctx, form: FormState, o: Organisation): SafeHtml {
  const t = c.s.staff;
  const id = fieldId(`reason-${o.id}`);
  const error = form.errors[`reason-${o.id}`];
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${t.rejectReason}<span class="visually-hidden">: ${o.name}</span></label>
<span class="help" id="${id}-help">${t.rejectReasonHelp}</span>
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<textarea id="${id}" name="reason" rows="2" maxlength="500" aria-describedby="${id}-help${error ? ` ${id}-error` : ''}"${error ? html` aria-invalid="true"` : ''}>${form.values.reason ?? ''}</textarea>
</div>`;
}
