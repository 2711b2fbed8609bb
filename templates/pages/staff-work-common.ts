// What the operator's opening, evaluation and award pages share: the section as they show it (with
// its centre's name and time zone), times in that zone with the offset, the section's work links,
// the confirmation box of irreversible steps and a per-item multi-line field.
import { html, type SafeHtml } from '../html';
import { centreWords, wordsIn } from '../../modules/centres/centre-words';
import { yuan, zonedTime } from './format';
import { type FormState, fieldId } from './forms';
import { type Ctx, formTokenInput, href } from './layout';
import { fill } from './text';

/** A section as the staff work pages show it: the API's section plus its centre's name and zone. */
export interface StaffSection {
  id: string;
  code: string;
  title: string;
  centre: string;
  centreName: string;
  timeZone: string;
  state: string;
  procedure: string;
  evaluationMethod: string;
  referenceKind: string;
  referencePrice: string;
  bidDeadlineAt: number | null;
  failureReason: string | null;
  round: number;
}

/** The vocabulary of the section's trade in the page's language (投标人 / 竞买人, 中标通知书 / 成交确认书, …). */
export const wordsOf = (c: Ctx, s: Pick<StaffSection, 'centre' | 'procedure'>) => wordsIn(centreWords(s.centre, s.procedure), c.lang);

export const staffPath = (id: string, page = '') => `/staff/sections/${encodeURIComponent(id)}${page ? `/${page}` : ''}`;

/** The heading, the section's facts and the links between its work pages. */
export function sectionHead(c: Ctx, s: StaffSection, title: string, current: 'opening' | 'evaluation' | 'award'): SafeHtml {
  const w = c.s.staffWork;
  const links: Array<[string, string, string]> = [
    [staffPath(s.id), w.navOverview, 'overview'],
    [staffPath(s.id, 'opening'), w.navOpening, 'opening'],
    [staffPath(s.id, 'evaluation'), w.navEvaluation, 'evaluation'],
    [staffPath(s.id, 'award'), w.navAward, 'award'],
    [`/sections/${encodeURIComponent(s.id)}`, w.navPublic, 'public'],
  ];
  return html`<h1>${title}</h1>
<p class="sub">${s.title}</p>
<nav aria-label="${w.staffNav}" class="section-work"><p>${links.map(
    ([path, text, key], i) =>
      html`${i ? ' · ' : ''}${key === current ? html`<a href="${href(c, path)}" aria-current="page" id="work-${key}">${text}</a>` : html`<a href="${href(c, path)}" id="work-${key}">${text}</a>`}`,
  )}</p></nav>
<dl class="facts">
<dt>${w.centre}</dt><dd>${s.centreName}</dd>
<dt>${w.state}</dt><dd id="section-state">${c.s.stateNames[s.state] ?? s.state}</dd>
<dt>${w.procedure}</dt><dd>${c.s.procedureNames[s.procedure] ?? s.procedure}</dd>
<dt>${w.method}</dt><dd>${c.s.evaluationMethodNames[s.evaluationMethod] ?? s.evaluationMethod}</dd>
<dt>${w.reference}</dt><dd>${c.s.referenceKindNames[s.referenceKind] ?? s.referenceKind}: ${yuan(s.referencePrice, c.s)}</dd>
<dt>${w.deadline}</dt><dd>${zonedTime(s.bidDeadlineAt, s.timeZone)}</dd>
</dl>
<p class="sub">${fill(w.timeZoneNote, { zone: s.timeZone })}</p>`;
}

/** The box an irreversible step must have ticked (value "yes"; a page of two such forms names them apart). */
export function confirmBox(c: Ctx, form: FormState, name = 'confirm'): SafeHtml {
  const id = fieldId(name);
  const error = form.errors[name];
  return html`<div class="field check${error ? ' invalid' : ''}">
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<input id="${id}" name="${name}" type="checkbox" value="yes" required aria-required="true"${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}> <label for="${id}">${c.s.staffWork.confirm}</label>
</div>`;
}

/** Whether the confirmation box was ticked in a posted body. */
export const confirmed = (body: unknown, name = 'confirm') => (body as Record<string, unknown> | undefined)?.[name] === 'yes';

/** A multi-line field whose name is unique on a page of several forms (one per objection). */
export function itemTextArea(form: FormState, f: { name: string; label: string; help: string; maxlength: number }): SafeHtml {
  const id = fieldId(f.name);
  const error = form.errors[f.name];
  const described = [`${id}-help`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${id}">${f.label}</label>
<span class="help" id="${id}-help">${f.help}</span>
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}
<textarea id="${id}" name="${f.name}" rows="3" required aria-required="true" maxlength="${f.maxlength}" aria-describedby="${described}"${error ? html` aria-invalid="true"` : ''}>${form.values[f.name] ?? ''}</textarea>
</div>`;
}

/** An objection (at the opening or to the candidates) and its answer, as the staff pages list them. */
export interface StaffObjection {
  id: string;
  bidder: string;
  text: string;
  raisedAt: number;
  answer: string | null;
  answeredAt: number | null;
}

export const ANSWER_MAX = 2000;
export const answerField = (objectionId: string) => `answer-${objectionId}`;

/** The objections with an answer form under each one not answered yet. */
export function objectionList(c: Ctx, s: StaffSection, list: StaffObjection[], names: Map<string, string>, form: FormState, action: (oid: string) => string, idPrefix: string): SafeHtml {
  const w = c.s.staffWork;
  const colon = c.lang === 'en' ? ': ' : '：';
  if (!list.length) return html`<p class="empty" id="${idPrefix}-none">${w.noObjections}</p>`;
  return html`<ol class="objections" id="${idPrefix}-list">${list.map(
    (o) => html`<li data-objection="${o.id}" id="objection-${o.id}">
<p class="sub">${w.raisedBy}${colon}${names.get(o.bidder) ?? w.unknownBidder} · ${w.raisedAt}${colon}${zonedTime(o.raisedAt, s.timeZone)}</p>
<p class="objection-text">${o.text}</p>
${
  o.answer !== null
    ? html`<p class="objection-answer"><strong>${w.answer}</strong> <span class="sub">(${w.answeredAt}${colon}${zonedTime(o.answeredAt, s.timeZone)})</span>${colon}${o.answer}</p>`
    : html`<form method="post" action="${href(c, action(o.id))}" id="answer-form-${o.id}" class="stacked" novalidate>
${formTokenInput(c)}
${itemTextArea(form, { name: answerField(o.id), label: w.answerLabel, help: w.answerHelp, maxlength: ANSWER_MAX })}
<p><button type="submit" id="answer-submit-${o.id}">${w.answerSubmit}</button></p>
</form>`
}
</li>`,
  )}</ol>`;
}
