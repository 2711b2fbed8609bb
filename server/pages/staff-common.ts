// What the operator's page routes share: the guard (signed out → sign-in, not centre staff → 404 as
// the API answers), the centres an operator works for, a section read in their scope (another
// centre's section is "not found"), the centre's choices for the forms, and the forms' readers that
// turn typed yuan and zoned times into the API's input (then checked by the API's own schemas).
import type { Request, RequestHandler } from 'express';
import { CENTRE_CODES } from '../../modules/centres/centre-rules';
import type { CentreRules } from '../../modules/centres/centres-service';
import { mayManageCentre } from '../../modules/core/access';
import type { Actor } from '../../modules/core/context';
import { notFound } from '../../modules/core/errors';
import { parseYuan } from '../../modules/core/money';
import { textProblem } from '../../modules/core/text';
import type { TendersService } from '../../modules/tenders/tenders-service';
import type { Ctx } from '../../templates/pages/layout';
import type { CentreChoices } from '../../templates/pages/staff-forms';
import { localInputValue, parseLocalInput } from '../../templates/pages/staff-time';
import { fill } from '../../templates/pages/text';
import { signedIn } from './signed-in';

/** Operators and admins; anyone else signed in gets the 404 page, as the API's staff routes answer. */
export const staffOnly: RequestHandler = (req, res, next) => {
  const actor = req.ctx.actor;
  if (!actor) return signedIn(req, res, next);
  if (actor.role === 'operator' || actor.role === 'admin') return next();
  next(notFound('The page'));
};

export function myCentres(actor: Actor): string[] {
  return actor.role === 'admin' ? [...CENTRE_CODES] : CENTRE_CODES.filter((c) => actor.centres.includes(c));
}

/** A section of one of the operator's centres, with its project, documents and clarifications; 404 for any other. */
export async function sectionInScope(tenders: Pick<TendersService, 'getSection'>, req: Request, id: string) {
  const detail = await tenders.getSection(req.ctx, id);
  if (!mayManageCentre(req.ctx.actor, detail.section.centre)) throw notFound('The section');
  return detail;
}

export const centreName = (c: Ctx, rules: { nameZh: string; nameEn: string }) => (c.lang === 'en' ? rules.nameEn : rules.nameZh);

export function choicesOf(c: Ctx, rules: CentreRules): CentreChoices {
  const s = rules.settings;
  return {
    code: rules.code,
    name: centreName(c, rules),
    timeZone: s.timeZone,
    procedures: s.procedures,
    evaluationMethods: s.evaluationMethods,
    referenceKinds: s.referenceKinds,
    maxBidBondPercent: s.maxBidBondPercent,
  };
}

export type Body = Record<string, unknown>;

/** A form field as one string ('' when missing or repeated), cut to `max` characters. */
export const text = (body: Body | undefined, name: string, max: number): string => {
  const v = body?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

export const queryText = (req: Request, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};

/** Checks a typed text as the API's text schemas do, with the message in the page's language. */
export function checkText(c: Ctx, value: string, opts: { min: number; max: number; multiLine?: boolean }): string | null {
  const v = value.trim();
  const t = c.s.staff;
  if (v.length === 0 && opts.min > 0) return t.fieldRequired;
  if (v.length < opts.min) return fill(t.fieldTooShort, { min: opts.min });
  if (v.length > opts.max) return fill(t.fieldTooLong, { max: opts.max });
  if (textProblem(v, opts.multiLine ?? false)) return t.fieldText;
  return null;
}

export interface ReadForm<T> {
  values: Record<string, string>;
  errors: Record<string, string>;
  input: T;
}

const SECTION_NAMES = ['title', 'procedure', 'evaluationMethod', 'referenceKind', 'referencePrice', 'bidBond', 'bidOpensAt', 'clarificationDeadlineAt', 'bidDeadlineAt'] as const;
const TIME_NAMES = ['bidOpensAt', 'clarificationDeadlineAt', 'bidDeadlineAt'] as const;

/**
 * A section's fields as the API's body (yuan strings, instants in ms) with field errors in the
 * page's language. Empty optional fields are left out (on an edit: unchanged).
 */
export function readSectionForm(c: Ctx, body: Body | undefined, centre: CentreChoices): ReadForm<Record<string, unknown>> {
  const t = c.s.staff;
  const values: Record<string, string> = {};
  for (const name of SECTION_NAMES) values[name] = text(body, name, name === 'title' ? 400 : 64).trim();
  const errors: Record<string, string> = {};
  const input: Record<string, unknown> = {};
  const titleProblem = checkText(c, values.title!, { min: 1, max: 200 });
  if (titleProblem) errors.title = titleProblem;
  else input.title = values.title;
  for (const [name, allowed] of [
    ['procedure', centre.procedures],
    ['evaluationMethod', centre.evaluationMethods],
    ['referenceKind', centre.referenceKinds],
  ] as const) {
    if (allowed.includes(values[name]!)) input[name] = values[name];
    else errors[name] = t.fieldChoice;
  }
  if (!values.referencePrice) errors.referencePrice = t.fieldRequired;
  else if (!parseYuan(values.referencePrice).ok) errors.referencePrice = t.fieldYuan;
  else input.referencePrice = values.referencePrice;
  if (values.bidBond) {
    if (parseYuan(values.bidBond).ok) input.bidBond = values.bidBond;
    else errors.bidBond = t.fieldYuan;
  }
  for (const name of TIME_NAMES) {
    if (!values[name]) continue;
    const ms = parseLocalInput(values[name]!, centre.timeZone);
    if (ms === null) errors[name] = t.fieldTime;
    else input[name] = ms;
  }
  return { values, errors, input };
}

/** The form values of a saved section: yuan as the API prints them, times in the centre's zone. */
export function sectionValues(
  s: {
    title: string;
    procedure: string;
    evaluationMethod: string;
    referenceKind: string;
    referencePrice: string;
    bidBond: string;
    bidOpensAt: number | null;
    clarificationDeadlineAt: number | null;
    bidDeadlineAt: number | null;
  },
  zone: string,
): Record<string, string> {
  return {
    title: s.title,
    procedure: s.procedure,
    evaluationMethod: s.evaluationMethod,
    referenceKind: s.referenceKind,
    referencePrice: s.referencePrice,
    bidBond: s.bidBond,
    bidOpensAt: localInputValue(s.bidOpensAt, zone),
    clarificationDeadlineAt: localInputValue(s.clarificationDeadlineAt, zone),
    bidDeadlineAt: localInputValue(s.bidDeadlineAt, zone),
  };
}

/** The project's own fields (title, tenderee, description) with field errors. */
export function readProjectForm(c: Ctx, body: Body | undefined): ReadForm<{ title: string; tenderee: string; description: string }> {
  const values = { projectTitle: text(body, 'projectTitle', 400), tenderee: text(body, 'tenderee', 400), description: text(body, 'description', 20001) };
  const errors: Record<string, string> = {};
  const titleProblem = checkText(c, values.projectTitle, { min: 1, max: 200 });
  if (titleProblem) errors.projectTitle = titleProblem;
  const tendereeProblem = checkText(c, values.tenderee, { min: 1, max: 200 });
  if (tendereeProblem) errors.tenderee = tendereeProblem;
  if (values.description.length > 20000) errors.description = fill(c.s.staff.fieldTooLong, { max: 20000 });
  else if (values.description && textProblem(values.description.replace(/\r\n/g, '\n'), true)) errors.description = c.s.staff.fieldText;
  return { values, errors, input: { title: values.projectTitle.trim(), tenderee: values.tenderee.trim(), description: values.description.replace(/\r\n/g, '\n') } };
}
