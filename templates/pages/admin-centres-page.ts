// The centre settings pages: the four centres, and one centre's settings document as a form — every
// setting of centre-rules.ts, with each field's problem in the page's language after a refused post.
import { html, type SafeHtml } from '../html';
import { EVALUATION_METHODS, PROCEDURES, REFERENCE_KINDS } from '../../modules/centres/centre-rules';
import type { Centre } from '../../modules/centres/centres-schemas';
import { checkGroup, numberField, selectField } from './admin-forms';
import { errorSummary, field, fieldId, type FormState, notice, postForm } from './forms';
import { type Ctx, href, layout } from './layout';
import { fill } from './text';

export const PERIOD_KINDS = ['noticeToDeadline', 'noticeToBidStart', 'bidWindow'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** The form's names of a procedure's period fields: `mp-<procedure>-<kind>-value` / `-unit`, and `mp-<procedure>-source`. */
export const periodField = (procedure: string, kind: PeriodKind, part: 'value' | 'unit') => `mp-${procedure}-${kind}-${part}`;
export const sourceField = (procedure: string) => `mp-${procedure}-source`;

export const centreName = (c: Ctx, centre: Pick<Centre, 'nameZh' | 'nameEn'>) => (c.lang === 'en' ? centre.nameEn : centre.nameZh);

export function centresPage(c: Ctx, d: { centres: Centre[] }): SafeHtml {
  const a = c.s.admin;
  const body = html`<h1>${a.centresTitle}</h1>
<p>${a.centresIntro}</p>
<ul class="centres" id="centre-list">
${d.centres.map(
  (x) => html`<li id="centre-${x.code}"><strong>${centreName(c, x)}</strong> <span class="code">${x.code}</span>
<span class="sub">${a.directionNames[x.settings.direction] ?? x.settings.direction}</span>
<span class="sub">${a.minBids}: ${x.settings.minBids} · ${a.timeZone}: ${x.settings.timeZone}</span>
<a href="${href(c, `/admin/centres/${x.code}`)}" id="edit-${x.code}">${a.editCentre}<span class="visually-hidden">: ${centreName(c, x)}</span></a></li>`,
)}
</ul>`;
  return layout(c, a.centresTitle, body, { path: '/admin/centres' });
}

/** Every field's label, in the order of the form (for the error summary). */
function labelsOf(c: Ctx): Record<string, string> {
  const a = c.s.admin;
  const labels: Record<string, string> = {
    direction: a.direction,
    metric: a.metric,
    referenceKinds: a.referenceKinds,
    procedures: a.procedures,
    evaluationMethods: a.evaluationMethods,
    minBids: a.minBids,
    minResponsiveBids: a.minResponsiveBids,
    clarificationMinDays: a.clarificationMinDays,
    maxBidBondPercent: a.maxBidBondPercent,
    candidatePublicityDays: a.candidatePublicityDays,
    contractWithinDays: a.contractWithinDays,
    timeZone: a.timeZone,
    'custody-threshold': a.custodyThreshold,
    'custody-members': a.custodyMembers,
    releaseWindowHours: a.releaseWindowHours,
  };
  for (const p of PROCEDURES) {
    const proc = c.s.procedureNames[p] ?? p;
    for (const k of PERIOD_KINDS) {
      const what = `${proc} · ${a[k]}`;
      labels[periodField(p, k, 'value')] = fill(a.periodValue, { what });
      labels[periodField(p, k, 'unit')] = fill(a.periodUnit, { what });
    }
    labels[sourceField(p)] = `${proc} · ${a.source}`;
  }
  return labels;
}

function membersArea(c: Ctx, form: FormState): SafeHtml {
  const a = c.s.admin;
  const name = 'custody-members';
  const id = fieldId(name);
  const error = form.errors[name];
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${a.custodyMembers} <span class="sub">${c.s.account.optional}</span></label>
<span class="help" id="${id}-help">${a.custodyMembersHelp}</span>
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<textarea id="${id}" name="${name}" rows="4" aria-describedby="${id}-help${error ? ` ${id}-error` : ''}"${error ? html` aria-invalid="true"` : ''}>${form.values[name] ?? ''}</textarea>
</div>`;
}

function periodRow(c: Ctx, form: FormState, procedure: string, kind: PeriodKind): SafeHtml {
  const a = c.s.admin;
  const what = a[kind];
  const units: Array<[string, string]> = [
    ['days', a.unitNames.days ?? 'days'],
    ['working_days', a.unitNames.working_days ?? 'working days'],
  ];
  return html`<div class="period-row">
${numberField(c, form, { name: periodField(procedure, kind, 'value'), label: fill(a.periodValue, { what }), required: false })}
${selectField(c, form, { name: periodField(procedure, kind, 'unit'), label: fill(a.periodUnit, { what }), options: units })}
</div>`;
}

export function centrePage(c: Ctx, d: { centre: Centre; form: FormState; saved: boolean }): SafeHtml {
  const a = c.s.admin;
  const name = centreName(c, d.centre);
  const options = (codes: readonly string[], names: Record<string, string>): Array<[string, string]> => codes.map((x) => [x, names[x] ?? x]);
  const title = fill(a.centreTitle, { name });
  const body = html`<h1>${title}</h1>
${d.saved ? notice(a.saved, 'saved') : ''}
${errorSummary(c, d.form, labelsOf(c))}
<p>${a.centreIntro}</p>
${postForm(
  c,
  `/admin/centres/${d.centre.code}`,
  'centre-form',
  html`<fieldset><legend>${a.basics}</legend>
${selectField(c, d.form, { name: 'direction', label: a.direction, options: options(['cost', 'revenue'], a.directionNames) })}
${selectField(c, d.form, { name: 'metric', label: a.metric, options: options(['savings', 'value_added'], a.metricNames) })}
${checkGroup(c, d.form, { name: 'referenceKinds', label: a.referenceKinds, options: options(REFERENCE_KINDS, c.s.referenceKindNames) })}
${checkGroup(c, d.form, { name: 'procedures', label: a.procedures, options: options(PROCEDURES, c.s.procedureNames) })}
${checkGroup(c, d.form, { name: 'evaluationMethods', label: a.evaluationMethods, options: options(EVALUATION_METHODS, c.s.evaluationMethodNames) })}
${numberField(c, d.form, { name: 'minBids', label: a.minBids })}
${numberField(c, d.form, { name: 'minResponsiveBids', label: a.minResponsiveBids, help: a.minResponsiveBidsHelp, required: false })}
${numberField(c, d.form, { name: 'clarificationMinDays', label: a.clarificationMinDays })}
${numberField(c, d.form, { name: 'maxBidBondPercent', label: a.maxBidBondPercent, help: a.maxBidBondPercentHelp, decimal: true })}
${numberField(c, d.form, { name: 'candidatePublicityDays', label: a.candidatePublicityDays })}
${numberField(c, d.form, { name: 'contractWithinDays', label: a.contractWithinDays, help: a.contractWithinDaysHelp, required: false })}
${field(c, d.form, { name: 'timeZone', label: a.timeZone, help: a.timeZoneHelp, maxlength: 64 })}
</fieldset>
<fieldset><legend>${a.custody}</legend>
<p class="sub">${a.custodyIntro}</p>
${numberField(c, d.form, { name: 'custody-threshold', label: a.custodyThreshold, help: a.custodyThresholdHelp, required: false })}
${membersArea(c, d.form)}
${numberField(c, d.form, { name: 'releaseWindowHours', label: a.releaseWindowHours, help: a.releaseWindowHoursHelp, required: false })}
</fieldset>
<h2>${a.periods}</h2>
<p>${a.periodsIntro}</p>
${PROCEDURES.map(
  (p) => html`<fieldset id="periods-${p}"><legend>${c.s.procedureNames[p] ?? p}</legend>
${PERIOD_KINDS.map((k) => periodRow(c, d.form, p, k))}
${field(c, d.form, { name: sourceField(p), label: a.source, required: false, maxlength: 100 })}
</fieldset>`,
)}
<p><button type="submit" id="save-centre-button">${a.saveButton}</button></p>`,
)}
<p><a href="${href(c, '/admin/centres')}">${a.backToCentres}</a></p>`;
  return layout(c, title, body, { path: `/admin/centres/${d.centre.code}` });
}
