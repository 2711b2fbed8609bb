// The historical import page (/staff/imports): upload a CSV of earlier awarded sections (a plain file
// form, no script); a refused file lists every row error with its line number and nothing is stored;
// after a successful import the page lists what was imported.
import { html, type SafeHtml } from '../html';
import { yuan } from './format';
import { errorSummary, type FormState, fieldId, notice } from './forms';
import { type Ctx, formTokenInput, href, layout } from './layout';
import { fill } from './text';

export interface RowError {
  line: number;
  field: string;
  message: string;
  /** The service's key for the problem, with its values (imports-service.ts). */
  rule?: string;
  params?: Record<string, string | number>;
}

export interface ImportedRow {
  centre: string;
  code: string;
  title: string;
  referenceKind: string;
  referencePrice: string;
  awardAmount: string;
  awardDate: string;
}

export interface ImportPageData {
  form: FormState;
  rowErrors: { total: number; shown: RowError[] } | null;
  imported: { rows: ImportedRow[]; sha256: string | null } | null;
  centreNames: Record<string, string>;
}

export const IMPORT_PATH = '/staff/imports';
const IMPORT_COLUMNS = ['centre', 'code', 'title', 'reference_price', 'award_amount', 'award_date', 'reference_kind'];

/** The row's problem in the page's language, from the service's key and values; the column's rule when the key is unknown. */
function rowProblem(c: Ctx, e: RowError): SafeHtml {
  const w = c.s.staffWork;
  const template = e.rule ? w.rowRules[e.rule] : undefined;
  // A list of codes ("budget, listing_price") is written with the page's own separator.
  const params = Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, c.lang === 'en' || typeof v !== 'string' ? v : v.split(', ').join('、')]));
  return html`${template ? fill(template, params) : (w.rowProblems[e.field] ?? w.rowProblemOther)}`;
}

export function staffImportPage(c: Ctx, d: ImportPageData): SafeHtml {
  const w = c.s.staffWork;
  const id = fieldId('csv');
  const error = d.form.errors.csv;
  const described = [`${id}-help`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const errors = d.rowErrors;
  const body = html`<h1>${w.importTitle}</h1>
<p>${w.importIntro}</p>
<p>${w.importColumns} ${IMPORT_COLUMNS.map((k, i) => html`${i ? ', ' : ''}<code>${k}</code>`)}${c.lang === 'en' ? '. ' : '。'}${w.importFormats}</p>
<p>${w.importAllOrNothing}</p>
${d.imported ? notice(fill(w.importedTitle, { rows: d.imported.rows.length }), 'import-done') : ''}
${errorSummary(c, d.form, { csv: w.csvFile })}
${
  errors
    ? html`<section aria-labelledby="row-errors-title" id="row-errors-block"><h2 id="row-errors-title">${fill(w.importErrorsTitle, { n: errors.total })}${errors.total > errors.shown.length ? html` ${fill(w.importErrorsShown, { n: errors.shown.length })}` : ''}</h2>
<table id="row-errors" tabindex="0"><caption class="visually-hidden">${fill(w.importErrorsTitle, { n: errors.total })}</caption>
<thead><tr><th scope="col">${w.line}</th><th scope="col">${w.column}</th><th scope="col">${w.problem}</th></tr></thead>
<tbody>${errors.shown.map((e) => html`<tr data-line="${e.line}"><td class="num line">${e.line}</td><td><code>${e.field}</code></td><td>${rowProblem(c, e)}</td></tr>`)}</tbody></table>
</section>`
    : ''
}
<form method="post" action="${href(c, IMPORT_PATH)}" id="import-form" class="stacked" enctype="multipart/form-data" novalidate>
${formTokenInput(c)}
<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${w.csvFile}</label>
<span class="help" id="${id}-help">${w.csvHelp}</span>
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<input id="${id}" name="csv" type="file" accept=".csv,text/csv" required aria-required="true" aria-describedby="${described}"${error ? html` aria-invalid="true"` : ''}>
</div>
<p><button type="submit" id="import-submit">${w.importButton}</button></p>
</form>
${
  d.imported
    ? html`<section aria-labelledby="imported-title" id="imported"><h2 id="imported-title">${w.importedRows}</h2>
${d.imported.sha256 ? html`<p>${w.importedSha}: <code id="imported-sha">${d.imported.sha256}</code></p>` : ''}
<table id="imported-rows" tabindex="0"><caption class="visually-hidden">${fill(w.importedTitle, { rows: d.imported.rows.length })}</caption>
<thead><tr><th scope="col">${w.centre}</th><th scope="col">${c.s.code}</th><th scope="col">${c.s.title}</th><th scope="col">${w.referenceKind}</th><th scope="col">${w.reference}</th><th scope="col">${w.awardAmount}</th><th scope="col">${w.awardDate}</th></tr></thead>
<tbody>${d.imported.rows.map(
        (r) =>
          html`<tr><td>${d.centreNames[r.centre] ?? r.centre}</td><td class="code">${r.code}</td><td>${r.title}</td><td>${c.s.referenceKindNames[r.referenceKind] ?? r.referenceKind}</td><td class="num">${yuan(r.referencePrice, c.s)}</td><td class="num">${yuan(r.awardAmount, c.s)}</td><td>${r.awardDate}</td></tr>`,
      )}</tbody></table>
<p><a href="${href(c, '/reports')}" id="to-reports">${w.toReports}</a></p>
</section>`
    : ''
}`;
  return layout(c, w.importTitle, body, { path: IMPORT_PATH });
}
