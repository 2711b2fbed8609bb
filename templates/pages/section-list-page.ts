// The public section browser: /sections (in progress) and /archive (completed, failed, cancelled),
// a GET filter form (centre, state, procedure, search) whose values stay in every link, one page of
// sections and the page links. Errors of the filter are shown at their field in the page's language.
import { html, type SafeHtml } from '../html';
import { shanghaiTime, yuan } from './format';
import { errorSummary, fieldId, type FormState } from './forms';
import { type Ctx, href, layout } from './layout';
import { type CentreView, centreName, type SectionView } from './pages';
import { fill } from './text';

export type ListKind = 'sections' | 'archive';

export interface SectionListData {
  kind: ListKind;
  centres: CentreView[];
  /** The states the state filter offers (the archive's, or those in progress). */
  states: readonly string[];
  procedures: readonly string[];
  /** The filter as typed: centre, state, procedure, q; errors per field. */
  form: FormState;
  /** null when the filter was refused. */
  result: { sections: SectionView[]; total: number; page: number; pages: number } | null;
}

interface Option {
  value: string;
  text: string;
}

function selectField(form: FormState, name: string, label: string, options: Option[]): SafeHtml {
  const id = fieldId(name);
  const error = form.errors[name];
  const value = form.values[name] ?? '';
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${label}</label>
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<select id="${id}" name="${name}"${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${options.map((o) => html`<option value="${o.value}"${o.value === value ? html` selected` : ''}>${o.text}</option>`)}
</select>
</div>`;
}

/** The query of the list as it stands (without the page), for links that keep the filter. */
export function filterQuery(values: Record<string, string>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const k of ['centre', 'state', 'procedure', 'q']) if (values[k]) q[k] = values[k]!;
  return q;
}

function filterForm(c: Ctx, d: SectionListData, path: string): SafeHtml {
  const p = c.s.portal;
  const f = d.form;
  const searchId = fieldId('q');
  const searchError = f.errors.q;
  const described = [`${searchId}-help`, searchError ? `${searchId}-error` : ''].filter(Boolean).join(' ');
  return html`<form method="get" action="${path}" id="filter-form" class="filters" role="search" aria-label="${p.filters}">
${c.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<div class="filter-grid">
${selectField(f, 'centre', p.centre, [{ value: '', text: p.allCentres }, ...d.centres.map((x) => ({ value: x.code, text: c.lang === 'en' ? x.nameEn : x.nameZh }))])}
${selectField(f, 'state', p.state, [{ value: '', text: d.kind === 'archive' ? p.allArchiveStates : p.allStates }, ...d.states.map((s) => ({ value: s, text: c.s.stateNames[s] ?? s }))])}
${selectField(f, 'procedure', p.procedure, [{ value: '', text: p.allProcedures }, ...d.procedures.map((x) => ({ value: x, text: c.s.procedureNames[x] ?? x }))])}
<div class="field${searchError ? ' invalid' : ''}">
<label for="${searchId}">${p.search}</label>
<span class="help" id="${searchId}-help">${p.searchHelp}</span>
${searchError ? html`<span class="field-error" id="${searchId}-error">${searchError}</span>` : ''}
<input id="${searchId}" name="q" type="search" value="${f.values.q ?? ''}" maxlength="100" aria-describedby="${described}"${searchError ? html` aria-invalid="true"` : ''}>
</div>
</div>
<p><button type="submit" id="filter-button">${p.apply}</button> <a href="${href(c, path)}" id="clear-filters">${p.clear}</a></p>
</form>`;
}

function listTable(c: Ctx, centres: CentreView[], sections: SectionView[]): SafeHtml {
  const p = c.s.portal;
  return html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="sections-caption">
<table id="section-list">
<caption id="sections-caption" class="visually-hidden">${p.resultsCaption}</caption>
<thead><tr><th scope="col">${c.s.code}</th><th scope="col">${c.s.title}</th><th scope="col">${c.s.centre}</th><th scope="col">${p.procedure}</th><th scope="col">${c.s.referencePrice}</th><th scope="col">${c.s.deadline}</th><th scope="col">${c.s.state}</th></tr></thead>
<tbody>
${sections.map(
  (
    x,
  ) => html`<tr data-section="${x.id}" data-centre="${x.centre}" data-state="${x.state}"><td data-label="${c.s.code}"><a href="${href(c, `/sections/${encodeURIComponent(x.id)}`)}">${x.code}</a></td><td data-label="${c.s.title}">${x.title}${x.projectTitle ? html`<div class="sub">${x.projectTitle}</div>` : ''}</td><td data-label="${c.s.centre}">${centreName(c, centres, x.centre)}</td><td data-label="${p.procedure}">${c.s.procedureNames[x.procedure] ?? x.procedure}</td><td class="num" data-label="${c.s.referencePrice}">${yuan(x.referencePrice, c.s)}</td><td data-label="${c.s.deadline}">${shanghaiTime(x.bidDeadlineAt)}</td><td data-label="${c.s.state}">${c.s.stateNames[x.state] ?? x.state}</td></tr>
`,
)}</tbody>
</table>
</div>`;
}

/** First, previous, up to five numbered pages around this one, next, last; the filter stays in each link. */
function pager(c: Ctx, path: string, query: Record<string, string>, page: number, pages: number): SafeHtml {
  if (pages <= 1) return html``;
  const p = c.s.portal;
  const link = (n: number, text: string, rel?: string, id?: string) =>
    html`<li><a href="${href(c, path, n === 1 ? query : { ...query, page: String(n) })}"${rel ? html` rel="${rel}"` : ''}${id ? html` id="${id}"` : ''}>${text}</a></li>`;
  const from = Math.max(1, Math.min(page - 2, pages - 4));
  const to = Math.min(pages, from + 4);
  const numbers: SafeHtml[] = [];
  for (let n = from; n <= to; n++) {
    numbers.push(
      n === page
        ? html`<li><span aria-current="page" class="current"><span class="visually-hidden">${fill(p.currentPage, { n })}</span><span aria-hidden="true">${n}</span></span></li>`
        : html`<li><a href="${href(c, path, n === 1 ? query : { ...query, page: String(n) })}" aria-label="${fill(p.pageN, { n })}">${n}</a></li>`,
    );
  }
  return html`<nav class="pager" aria-label="${p.pagination}" id="pager"><ul>
${page > 1 ? html`${link(1, p.first, undefined, 'page-first')}${link(page - 1, p.previous, 'prev', 'page-prev')}` : ''}
${numbers}
${page < pages ? html`${link(page + 1, p.next, 'next', 'page-next')}${link(pages, p.last, undefined, 'page-last')}` : ''}
</ul></nav>`;
}

export function sectionListPage(c: Ctx, d: SectionListData): SafeHtml {
  const p = c.s.portal;
  const path = d.kind === 'archive' ? '/archive' : '/sections';
  const title = d.kind === 'archive' ? p.archiveTitle : p.sectionsTitle;
  const query = filterQuery(d.form.values);
  const r = d.result;
  const labels = { centre: p.centre, state: p.state, procedure: p.procedure, q: p.search, page: p.pagination };
  const body = html`<h1>${title}</h1>
<p>${d.kind === 'archive' ? p.archiveIntro : p.sectionsIntro} <a href="${href(c, d.kind === 'archive' ? '/sections' : '/archive')}" id="other-list-link">${d.kind === 'archive' ? p.browseLink : p.archiveLink}</a></p>
${errorSummary(c, d.form, labels)}
${filterForm(c, d, path)}
${
  r
    ? html`<p id="result-count" role="status">${r.total ? fill(p.results, { total: r.total, page: r.page, pages: r.pages }) : p.resultsNone}</p>
${r.sections.length ? listTable(c, d.centres, r.sections) : ''}
${pager(c, path, query, r.page, r.pages)}`
    : ''
}`;
  const pageQuery = r && r.page > 1 ? { ...query, page: String(r.page) } : query;
  return layout(c, r && r.pages > 1 ? `${title} · ${fill(p.pageN, { n: r.page })}` : title, body, { path, query: pageQuery });
}
