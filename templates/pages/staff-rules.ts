// A centre's rule that refused a staff form, told at the field it is about, in the page's language:
// the API error's details[].rule (or details[].field) mapped to the input and to a sentence such as
// "公开招标自发布至截止不少于20日". The rules themselves stay in modules/tenders/publication-rules.ts.
import type { Failure } from './messages';
import type { Ctx } from './layout';
import { fill } from './text';

/** Which input of the section forms a rule is about. */
const RULE_FIELDS: Record<string, string> = {
  noticeToDeadline: 'bidDeadlineAt',
  noticeToBidStart: 'bidOpensAt',
  bidWindow: 'bidDeadlineAt',
  deadline_in_future: 'bidDeadlineAt',
  bid_window_after_publication: 'bidOpensAt',
  bid_window_before_deadline: 'bidOpensAt',
  clarification_deadline_within_period: 'clarificationDeadlineAt',
  procedures: 'procedure',
  evaluationMethods: 'evaluationMethod',
  referenceKinds: 'referenceKind',
  maxBidBondPercent: 'bidBond',
  clarificationMinDays: 'newBidDeadlineAt',
  deadline_only_moves_later: 'newBidDeadlineAt',
};

export interface RuleFacts {
  /** The centre's bond cap in percent, for the maxBidBondPercent text. */
  maxBidBondPercent?: string;
  clarificationMinDays?: number;
}

type Detail = NonNullable<Failure['details']>[number] & { required?: unknown; unit?: unknown; actual?: unknown };

function ruleText(c: Ctx, d: Detail, rule: string, facts: RuleFacts): { field: string; text: string } | null {
  const t = c.s.staff.rules;
  const period = /^minPeriods\.([a-z_]+)\.(noticeToDeadline|noticeToBidStart|bidWindow)$/.exec(rule);
  if (period) {
    const unit = d.unit === 'working_days' ? c.s.staff.unitWorkingDays : c.s.staff.unitDays;
    const procedure = c.s.procedureNames[period[1]!] ?? period[1]!;
    const article = /^[aeiou]/i.test(procedure) ? 'an' : 'a';
    const base = fill(t[period[2]!]!, { procedure, article, n: String(d.required ?? ''), unit });
    const actual = typeof d.actual === 'number' ? fill(t.actual!, { actual: String(d.actual), unit }) : '';
    return { field: RULE_FIELDS[period[2]!]!, text: `${base}${actual}${c.lang === 'en' ? '.' : '。'}` };
  }
  const field = RULE_FIELDS[rule];
  const text = t[rule];
  if (!field || !text) return null;
  return { field, text: fill(text, { percent: facts.maxBidBondPercent ?? '2', n: String(d.required ?? facts.clarificationMinDays ?? '') }) };
}

/** The API's field names as the forms name them: "sections.0.bidDeadlineAt" → "bidDeadlineAt". */
const formField = (field: string) => field.replace(/^sections\.\d+\./, '');

/**
 * The field errors a refusal names, in the page's language; `known` are the form's own fields. What
 * names no field of the form comes back as `problem`, the form's general message.
 */
export function refusalAtFields(c: Ctx, f: Failure, known: readonly string[], generic: string, facts: RuleFacts = {}): { errors: Record<string, string>; problem: string | null } {
  const errors: Record<string, string> = {};
  const t = c.s.staff.rules;
  for (const d of (f.details ?? []) as Detail[]) {
    if (d.rule) {
      const r = ruleText(c, d, d.rule, facts);
      if (r && known.includes(r.field)) errors[r.field] = r.text;
      continue;
    }
    if (!d.field) continue;
    const name = formField(d.field);
    if (!known.includes(name)) continue;
    if (name === 'referencePrice' && /more than zero/.test(d.message)) errors[name] = t.referencePricePositive!;
    else if (name === 'bidDeadlineAt' && /required/.test(d.message)) errors[name] = t.bidDeadlineRequired!;
    else errors[name] = c.lang === 'en' ? d.message : generic;
  }
  return { errors, problem: Object.keys(errors).length ? null : generic };
}
