// The operator's forms: a new project with its first section, the project's own fields, a section
// added or edited (a draft), a clarification or amendment, and the confirmed cancellation. Amounts
// are typed in yuan and times in the centre's zone, its offset shown next to every time field.
import { html, type SafeHtml } from '../html';
import { errorSummary, field, fieldId, type FormState, notice, postForm } from './forms';
import { type Ctx, href, layout } from './layout';
import { offsetLabel } from '../../modules/core/zoned-time';
import { fill } from './text';

/** What a form needs of the centre: its names, zone and the choices its rules allow. */
export interface CentreChoices {
  code: string;
  name: string;
  timeZone: string;
  procedures: string[];
  evaluationMethods: string[];
  referenceKinds: string[];
  maxBidBondPercent: string;
}

export const SECTION_FIELDS = ['title', 'procedure', 'evaluationMethod', 'referenceKind', 'referencePrice', 'bidBond', 'bidOpensAt', 'clarificationDeadlineAt', 'bidDeadlineAt'] as const;
export const PROJECT_FIELDS = ['projectTitle', 'tenderee', 'description'] as const;

function describedBy(id: string, help: string | undefined, error: string | undefined): SafeHtml {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${error ? html` aria-invalid="true"` : ''}`;
}

function fieldFrame(c: Ctx, form: FormState, name: string, label: string, help: string | undefined, optional: boolean, control: SafeHtml): SafeHtml {
  const id = fieldId(name);
  const error = form.errors[name];
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${label}${optional ? html` <span class="sub">${c.s.account.optional}</span>` : ''}</label>
${help ? html`<span class="help" id="${id}-help">${help}</span>` : ''}
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
${control}
</div>`;
}

/** A choice among codes, printed by their names. */
export function selectField(c: Ctx, form: FormState, f: { name: string; label: string; options: Array<[string, string]>; help?: string }): SafeHtml {
  const id = fieldId(f.name);
  const value = form.values[f.name] ?? f.options[0]?.[0] ?? '';
  return fieldFrame(
    c,
    form,
    f.name,
    f.label,
    f.help,
    false,
    html`<select id="${id}" name="${f.name}" required aria-required="true"${describedBy(id, f.help, form.errors[f.name])}>${f.options.map(
      ([code, name]) => html`<option value="${code}"${code === value ? html` selected` : ''}>${name}</option>`,
    )}</select>`,
  );
}

/**
 * A time in the centre's zone, typed as YYYY-MM-DD HH:MM. A text field rather than datetime-local:
 * the browser's picker shows the time in the browser's locale (mm/dd/yyyy on an English system),
 * while the page states one format and the centre's offset next to the field.
 */
export function timeField(c: Ctx, form: FormState, f: { name: string; label: string; zone: string; help?: string; optional?: boolean }): SafeHtml {
  const id = fieldId(f.name);
  const help = [f.help, fill(c.s.staff.timeHelp, { offset: offsetLabel(c.now, f.zone) })].filter(Boolean).join(' ');
  return fieldFrame(
    c,
    form,
    f.name,
    f.label,
    help,
    f.optional ?? true,
    html`<input id="${id}" name="${f.name}" type="text" inputmode="numeric" placeholder="YYYY-MM-DD HH:MM" maxlength="19" value="${form.values[f.name] ?? ''}"${f.optional === false ? html` required aria-required="true"` : ''}${describedBy(id, help, form.errors[f.name])}>`,
  );
}

/** A multi-line text, optional or not. */
export function textBox(c: Ctx, form: FormState, f: { name: string; label: string; help?: string; optional?: boolean; maxlength: number; rows?: number }): SafeHtml {
  const id = fieldId(f.name);
  return fieldFrame(
    c,
    form,
    f.name,
    f.label,
    f.help,
    f.optional ?? false,
    html`<textarea id="${id}" name="${f.name}" rows="${f.rows ?? 4}" maxlength="${f.maxlength}"${f.optional ? '' : html` required aria-required="true"`}${describedBy(id, f.help, form.errors[f.name])}>${form.values[f.name] ?? ''}</textarea>`,
  );
}

function projectFields(c: Ctx, form: FormState): SafeHtml {
  const t = c.s.staff;
  return html`${field(c, form, { name: 'projectTitle', label: t.projectTitle, maxlength: 200 })}
${field(c, form, { name: 'tenderee', label: t.tenderee, maxlength: 200 })}
${textBox(c, form, { name: 'description', label: t.description, optional: true, maxlength: 20000, rows: 5 })}`;
}

function sectionFields(c: Ctx, form: FormState, centre: CentreChoices): SafeHtml {
  const t = c.s.staff;
  const names = (codes: string[], map: Record<string, string>) => codes.map((x): [string, string] => [x, map[x] ?? x]);
  return html`${field(c, form, { name: 'title', label: t.sectionTitle, maxlength: 200 })}
${selectField(c, form, { name: 'procedure', label: t.procedure, options: names(centre.procedures, c.s.procedureNames) })}
${selectField(c, form, { name: 'evaluationMethod', label: t.evaluationMethod, options: names(centre.evaluationMethods, c.s.evaluationMethodNames) })}
${selectField(c, form, { name: 'referenceKind', label: t.referenceKind, options: names(centre.referenceKinds, c.s.referenceKindNames) })}
${field(c, form, { name: 'referencePrice', label: t.referencePrice, help: t.referencePriceHelp, inputmode: 'decimal', maxlength: 24 })}
${field(c, form, { name: 'bidBond', label: t.bidBond, help: fill(t.bidBondHelp, { percent: centre.maxBidBondPercent }), inputmode: 'decimal', maxlength: 24, required: false })}
<p class="help" id="times-in">${fill(t.timesIn, { zone: centre.timeZone, offset: offsetLabel(c.now, centre.timeZone) })}</p>
${timeField(c, form, { name: 'bidOpensAt', label: t.bidOpensAt, zone: centre.timeZone, help: t.bidOpensAtHelp })}
${timeField(c, form, { name: 'clarificationDeadlineAt', label: t.clarificationDeadlineAt, zone: centre.timeZone })}
${timeField(c, form, { name: 'bidDeadlineAt', label: t.bidDeadlineAt, zone: centre.timeZone, help: t.bidDeadlineAtHelp })}`;
}

function labelsOf(c: Ctx, names: readonly string[]): Record<string, string> {
  const t = c.s.staff;
  const all: Record<string, string> = {
    projectTitle: t.projectTitle,
    tenderee: t.tenderee,
    description: t.description,
    title: t.sectionTitle,
    procedure: t.procedure,
    evaluationMethod: t.evaluationMethod,
    referenceKind: t.referenceKind,
    referencePrice: t.referencePrice,
    bidBond: t.bidBond,
    bidOpensAt: t.bidOpensAt,
    clarificationDeadlineAt: t.clarificationDeadlineAt,
    bidDeadlineAt: t.bidDeadlineAt,
    newBidDeadlineAt: t.newBidDeadlineAt,
    body: t.clarificationBody,
    reason: t.cancelReasonLabel,
  };
  return Object.fromEntries(names.map((n) => [n, all[n] ?? n]));
}

/** /staff/projects/new without a centre, for an operator of several: which one. */
export function chooseCentrePage(c: Ctx, centres: Array<{ code: string; name: string }>): SafeHtml {
  const t = c.s.staff;
  const body = html`<h1>${t.chooseCentre}</h1>
<p>${t.chooseCentreIntro}</p>
<ul class="centres" id="centre-choice">${centres.map((x) => html`<li><a href="${href(c, '/staff/projects/new', { centre: x.code })}">${x.name}</a></li>`)}</ul>`;
  return layout(c, t.chooseCentre, body, { path: '/staff/projects/new' });
}

export function newProjectPage(c: Ctx, d: { centre: CentreChoices; form: FormState }): SafeHtml {
  const t = c.s.staff;
  const title = fill(t.projectNewTitle, { centre: d.centre.name });
  const body = html`<h1>${title}</h1>
${errorSummary(c, d.form, labelsOf(c, [...PROJECT_FIELDS, ...SECTION_FIELDS]))}
${postForm(
  c,
  '/staff/projects/new',
  'project-form',
  html`<input type="hidden" name="centre" value="${d.centre.code}">
<fieldset><legend>${t.projectFacts}</legend>${projectFields(c, d.form)}</fieldset>
<fieldset><legend>${t.firstSection}</legend>${sectionFields(c, d.form, d.centre)}</fieldset>
<button type="submit" id="create-button">${t.create}</button>`,
)}`;
  return layout(c, title, body, { path: '/staff/projects/new', query: { centre: d.centre.code } });
}

export interface ProjectView {
  id: string;
  code: string;
  sections: Array<{ id: string; code: string; title: string; state: string }>;
}

export function editProjectPage(c: Ctx, d: { project: ProjectView; form: FormState; saved: boolean }): SafeHtml {
  const t = c.s.staff;
  const title = fill(t.projectEditTitle, { code: d.project.code });
  const path = `/staff/projects/${encodeURIComponent(d.project.id)}/edit`;
  const body = html`<h1>${title}</h1>
${notice(d.saved ? t.saved : null)}
${errorSummary(c, d.form, labelsOf(c, PROJECT_FIELDS))}
${postForm(c, path, 'project-edit-form', html`${projectFields(c, d.form)}<button type="submit" id="save-button">${t.save}</button>`)}
<h2>${t.sections}</h2>
<ul id="project-sections">${d.project.sections.map(
    (s) => html`<li><a href="${href(c, `/staff/sections/${encodeURIComponent(s.id)}`)}">${s.code}</a> ${s.title} · ${c.s.stateNames[s.state] ?? s.state}</li>`,
  )}</ul>
<p><a href="${href(c, `/staff/projects/${encodeURIComponent(d.project.id)}/sections/new`)}" id="add-section-link">${t.addSection}</a></p>`;
  return layout(c, title, body, { path });
}

/** A new section of a project, or a draft section edited (with its publish button). */
export function sectionFormPage(
  c: Ctx,
  d:
    | { mode: 'add'; projectId: string; projectCode: string; centre: CentreChoices; form: FormState }
    | { mode: 'edit'; sectionId: string; code: string; centre: CentreChoices; form: FormState; saved: boolean },
): SafeHtml {
  const t = c.s.staff;
  const adding = d.mode === 'add';
  const title = adding ? fill(t.addSectionTitle, { code: d.projectCode }) : fill(t.editSectionTitle, { code: d.code });
  const path = adding ? `/staff/projects/${encodeURIComponent(d.projectId)}/sections/new` : `/staff/sections/${encodeURIComponent(d.sectionId)}/edit`;
  const publish = adding
    ? html``
    : html`<h2>${t.publish}</h2><p id="publish-help">${t.publishHelp}</p>${postForm(
        c,
        `/staff/sections/${encodeURIComponent(d.sectionId)}/publish`,
        'publish-form',
        html`<button type="submit" id="publish-button" aria-describedby="publish-help">${t.publish}</button>`,
      )}`;
  const body = html`<h1>${title}</h1>
${notice(!adding && d.saved ? t.saved : null)}
${errorSummary(c, d.form, labelsOf(c, SECTION_FIELDS))}
${postForm(c, path, 'section-form', html`${sectionFields(c, d.form, d.centre)}<button type="submit" id="save-button">${t.save}</button>`)}
${publish}
${adding ? '' : html`<p><a href="${href(c, `/staff/sections/${encodeURIComponent(d.sectionId)}`)}" id="back-link">${fill(t.sectionOverviewTitle, { code: d.code })}</a></p>`}`;
  return layout(c, title, body, { path });
}

export function clarifyPage(c: Ctx, d: { sectionId: string; code: string; zone: string; advice: string; form: FormState }): SafeHtml {
  const t = c.s.staff;
  const title = fill(t.clarifyTitle, { code: d.code });
  const path = `/staff/sections/${encodeURIComponent(d.sectionId)}/clarify`;
  const checked = d.form.values.affectsBids !== '0';
  const body = html`<h1>${title}</h1>
${errorSummary(c, d.form, labelsOf(c, ['title', 'body', 'newBidDeadlineAt']))}
<p id="deadline-advice">${d.advice}</p>
${postForm(
  c,
  path,
  'clarify-form',
  html`${field(c, d.form, { name: 'title', label: t.clarificationTitle, maxlength: 200 })}
${textBox(c, d.form, { name: 'body', label: t.clarificationBody, maxlength: 50000, rows: 8 })}
<input type="hidden" name="affectsBids" value="0">
<div class="field check"><input type="checkbox" id="f-affectsBids" name="affectsBids" value="1"${checked ? html` checked` : ''}> <label for="f-affectsBids">${t.affectsBidsLabel}</label></div>
${timeField(c, d.form, { name: 'newBidDeadlineAt', label: t.newBidDeadlineAt, zone: d.zone, help: t.newBidDeadlineHelp })}
<button type="submit" id="clarify-button">${t.clarifyButton}</button>`,
)}
<p><a href="${href(c, `/staff/sections/${encodeURIComponent(d.sectionId)}`)}" id="back-link">${fill(t.sectionOverviewTitle, { code: d.code })}</a></p>`;
  return layout(c, title, body, { path });
}

export function cancelPage(c: Ctx, d: { sectionId: string; code: string; title: string; form: FormState }): SafeHtml {
  const t = c.s.staff;
  const title = fill(t.cancelTitle, { code: d.code });
  const path = `/staff/sections/${encodeURIComponent(d.sectionId)}/cancel`;
  const body = html`<h1>${title}</h1>
${errorSummary(c, d.form, labelsOf(c, ['reason']))}
<p id="cancel-confirm">${fill(t.cancelConfirm, { code: d.code, title: d.title })}</p>
${postForm(
  c,
  path,
  'cancel-form',
  html`${textBox(c, d.form, { name: 'reason', label: t.cancelReasonLabel, help: t.cancelReasonHelp, maxlength: 500 })}
<button type="submit" id="cancel-button">${t.cancelButton}</button>`,
)}
<p><a href="${href(c, `/staff/sections/${encodeURIComponent(d.sectionId)}`)}" id="cancel-back">${t.cancelBack}</a></p>`;
  return layout(c, title, body, { path });
}
