// Form pieces for the pages' plain HTML forms (they work without JavaScript): labelled fields with
// their help and error text tied to the input (aria-describedby, aria-invalid), and an error summary
// that takes the focus after a refused post and links to each field, as screen-reader users expect.
import { html, type SafeHtml } from '../html';
import { type Ctx, formTokenInput, href } from './layout';

/** A form as re-rendered after a post: what was typed (never passwords), the problems per field, a general problem. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A problem of the whole form (a wrong password, a rate limit, an expired form). */
  problem?: string | null;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });
export const hasProblems = (f: FormState) => !!f.problem || Object.keys(f.errors).length > 0;

export const fieldId = (name: string) => `f-${name}`;

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'email' | 'tel';
  autocomplete?: string;
  required?: boolean;
  help?: string;
  inputmode?: string;
  maxlength?: number;
  /** Extra attributes for the page script (data-*), already safe. */
  extra?: SafeHtml;
}

export function field(c: Ctx, form: FormState, f: FieldSpec): SafeHtml {
  const id = fieldId(f.name);
  const error = form.errors[f.name];
  const described = [f.help ? `${id}-help` : '', error ? `${id}-error` : '', f.extra ? `${id}-live` : ''].filter(Boolean).join(' ');
  const value = f.type === 'password' ? '' : (form.values[f.name] ?? '');
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${f.label}${f.required === false ? html` <span class="sub">${c.s.account.optional}</span>` : ''}</label>
${f.help ? html`<span class="help" id="${id}-help">${f.help}</span>` : ''}
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
${f.extra ? html`<span class="live-check" id="${id}-live" aria-live="polite"></span>` : ''}
<input id="${id}" name="${f.name}" type="${f.type ?? 'text'}" value="${value}"${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${f.required === false ? '' : html` required aria-required="true"`}${f.inputmode ? html` inputmode="${f.inputmode}"` : ''}${f.maxlength ? html` maxlength="${f.maxlength}"` : ''}${described ? html` aria-describedby="${described}"` : ''}${error ? html` aria-invalid="true"` : ''}${f.extra ?? ''}>
</div>`;
}

/** The summary above a refused form: it takes the focus (autofocus) and links to each field in error. */
export function errorSummary(c: Ctx, form: FormState, labels: Record<string, string>): SafeHtml {
  if (!hasProblems(form)) return html``;
  // In the order of the form's fields (the order of `labels`), as a person reads them.
  const order = Object.keys(labels);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  const items = Object.entries(form.errors).sort(([a], [b]) => rank(a) - rank(b));
  const colon = c.lang === 'en' ? ': ' : '：';
  return html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${c.s.account.errorSummary}</h2>
<ul>
${form.problem ? html`<li id="form-problem">${form.problem}</li>` : ''}
${items.map(([name, message]) => html`<li><a href="#${fieldId(name)}">${labels[name] ?? name}${colon}${message}</a></li>`)}
</ul>
</div>`;
}

/** A form that posts to one of the portal's own paths (keeping the language), with its token. */
export function postForm(c: Ctx, action: string, id: string, content: SafeHtml, query: Record<string, string> = {}): SafeHtml {
  return html`<form method="post" action="${href(c, action, query)}" id="${id}" class="stacked" novalidate>
${formTokenInput(c)}
${content}
</form>`;
}

/** A status line (a success, a note) that screen readers announce. */
export function notice(text: string | null | undefined, id = 'notice'): SafeHtml {
  return text ? html`<p class="notice" id="${id}" role="status">${text}</p>` : html``;
}

/** A multi-line field (a note, an objection), with its label, help and error tied as in field(). */
export function textArea(_c: Ctx, form: FormState, f: { name: string; label: string; help?: string; maxlength?: number; rows?: number }): SafeHtml {
  const id = fieldId(f.name);
  const error = form.errors[f.name];
  const described = [f.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${f.label}</label>
${f.help ? html`<span class="help" id="${id}-help">${f.help}</span>` : ''}
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<textarea id="${id}" name="${f.name}" rows="${f.rows ?? 5}" required aria-required="true"${f.maxlength ? html` maxlength="${f.maxlength}"` : ''}${described ? html` aria-describedby="${described}"` : ''}${error ? html` aria-invalid="true"` : ''}>${form.values[f.name] ?? ''}</textarea>
</div>`;
}
