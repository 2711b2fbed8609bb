// Form pieces the admin pages need besides forms.ts: a select, a group of checkboxes and a number
// field, each with its label, help and error tied to the control as field() does.
import { html, type SafeHtml } from '../html';
import { fieldId, type FormState } from './forms';
import type { Ctx } from './layout';

const describedBy = (id: string, help?: string, error?: string) => [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');

export function selectField(c: Ctx, form: FormState, f: { name: string; label: string; options: Array<[string, string]>; help?: string; required?: boolean; empty?: string }): SafeHtml {
  const id = fieldId(f.name);
  const error = form.errors[f.name];
  const described = describedBy(id, f.help, error);
  const value = form.values[f.name] ?? '';
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${f.label}${f.required === false ? html` <span class="sub">${c.s.account.optional}</span>` : ''}</label>
${f.help ? html`<span class="help" id="${id}-help">${f.help}</span>` : ''}
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<select id="${id}" name="${f.name}"${described ? html` aria-describedby="${described}"` : ''}${error ? html` aria-invalid="true"` : ''}>
${f.empty !== undefined ? html`<option value=""${value === '' ? html` selected` : ''}>${f.empty}</option>` : ''}
${f.options.map(([v, text]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${text}</option>`)}
</select>
</div>`;
}

/** Checkboxes named `<name>.<option>` (value "1"), in a fieldset whose legend is the label; the error is at the fieldset. */
export function checkGroup(_c: Ctx, form: FormState, f: { name: string; label: string; options: Array<[string, string]>; help?: string }): SafeHtml {
  const id = fieldId(f.name);
  const error = form.errors[f.name];
  const described = describedBy(id, f.help, error);
  return html`<fieldset class="checks${error ? ' invalid' : ''}" id="${id}" tabindex="-1"${described ? html` aria-describedby="${described}"` : ''}>
<legend>${f.label}</legend>
${f.help ? html`<span class="help" id="${id}-help">${f.help}</span>` : ''}
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
${f.options.map(
  ([v, text]) =>
    html`<div class="field check"><input type="checkbox" id="${id}-${v}" name="${f.name}.${v}" value="1"${form.values[`${f.name}.${v}`] === '1' ? html` checked` : ''}><label for="${id}-${v}">${text}</label></div>`,
)}
</fieldset>`;
}

/** A short text field for a number (inputmode numeric), optional unless `required`. */
export function numberField(c: Ctx, form: FormState, f: { name: string; label: string; help?: string; required?: boolean; decimal?: boolean }): SafeHtml {
  const id = fieldId(f.name);
  const error = form.errors[f.name];
  const described = describedBy(id, f.help, error);
  const required = f.required !== false;
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${f.label}${required ? '' : html` <span class="sub">${c.s.account.optional}</span>`}</label>
${f.help ? html`<span class="help" id="${id}-help">${f.help}</span>` : ''}
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<input id="${id}" name="${f.name}" type="text" class="short" value="${form.values[f.name] ?? ''}" inputmode="${f.decimal ? 'decimal' : 'numeric'}" maxlength="12"${required ? html` required aria-required="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}${error ? html` aria-invalid="true"` : ''}>
</div>`;
}
