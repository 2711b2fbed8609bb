// The centre settings document as form fields and back: every setting of centre-rules.ts, each
// field's problem in the page's language (the schema checks again, as the API does).
import {
  CUSTODIAN_MEMBER,
  centreSettingsSchema,
  EVALUATION_METHODS,
  PROCEDURES,
  REFERENCE_KINDS,
  TIME_LOCK,
  type CentreSettings,
  type Period,
  type ProcedureRule,
} from '../../modules/centres/centre-rules';
import { PERIOD_KINDS, periodField, sourceField } from '../../templates/pages/admin-centres-page';
import type { Ctx } from '../../templates/pages/layout';
import { fill } from '../../templates/pages/text';
import { oneLineText } from '../../modules/core/text';

type Body = Record<string, unknown>;
const str = (body: Body, name: string, max = 200): string => {
  const v = body[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

const CHECK_GROUPS = { referenceKinds: REFERENCE_KINDS, procedures: PROCEDURES, evaluationMethods: EVALUATION_METHODS } as const;

/** The form's values of a settings document. */
export function settingsValues(s: CentreSettings): Record<string, string> {
  const v: Record<string, string> = {
    direction: s.direction,
    metric: s.metric,
    minBids: String(s.minBids),
    minResponsiveBids: s.minResponsiveBids === undefined ? '' : String(s.minResponsiveBids),
    clarificationMinDays: String(s.clarificationMinDays),
    maxBidBondPercent: s.maxBidBondPercent,
    candidatePublicityDays: String(s.candidatePublicityDays),
    contractWithinDays: s.contractWithinDays === undefined ? '' : String(s.contractWithinDays),
    timeZone: s.timeZone,
    'custody-threshold': s.custody ? String(s.custody.threshold) : '',
    'custody-members': s.custody ? s.custody.members.join('\n') : '',
    releaseWindowHours: s.releaseWindowHours === undefined ? '' : String(s.releaseWindowHours),
  };
  for (const [group, codes] of Object.entries(CHECK_GROUPS)) {
    const chosen = s[group as keyof typeof CHECK_GROUPS] as readonly string[];
    for (const code of codes) if (chosen.includes(code)) v[`${group}.${code}`] = '1';
  }
  for (const p of PROCEDURES) {
    const rule = s.minPeriods[p];
    for (const k of PERIOD_KINDS) {
      const period = rule?.[k];
      v[periodField(p, k, 'value')] = period ? String(period.value) : '';
      v[periodField(p, k, 'unit')] = period?.unit ?? 'days';
    }
    v[sourceField(p)] = rule?.source ?? '';
  }
  return v;
}

/** What was typed, as the form re-renders it after a refused post. */
export function typedValues(body: Body): Record<string, string> {
  const v: Record<string, string> = {};
  for (const name of [
    'direction',
    'metric',
    'minBids',
    'minResponsiveBids',
    'clarificationMinDays',
    'maxBidBondPercent',
    'candidatePublicityDays',
    'contractWithinDays',
    'timeZone',
    'custody-threshold',
    'releaseWindowHours',
  ]) {
    v[name] = str(body, name, 64);
  }
  v['custody-members'] = str(body, 'custody-members', 2000);
  for (const [group, codes] of Object.entries(CHECK_GROUPS)) for (const code of codes) if (str(body, `${group}.${code}`) === '1') v[`${group}.${code}`] = '1';
  for (const p of PROCEDURES) {
    for (const k of PERIOD_KINDS) {
      v[periodField(p, k, 'value')] = str(body, periodField(p, k, 'value'), 12);
      v[periodField(p, k, 'unit')] = str(body, periodField(p, k, 'unit'), 20);
    }
    v[sourceField(p)] = str(body, sourceField(p), 101);
  }
  return v;
}

export type SettingsRead = { ok: true; settings: CentreSettings } | { ok: false; errors: Record<string, string> };

/** Reads the form into a settings document, or the problems per field (in the page's language). */
export function readSettings(c: Ctx, values: Record<string, string>): SettingsRead {
  const a = c.s.admin;
  const errors: Record<string, string> = {};
  const int = (name: string, min: number, max: number, optional = false): number | undefined => {
    const raw = (values[name] ?? '').trim();
    if (raw === '') {
      if (!optional) errors[name] = a.fieldRequired;
      return undefined;
    }
    const n = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= min && n <= max)) {
      errors[name] = fill(a.fieldInt, { min, max });
      return undefined;
    }
    return n;
  };
  const choice = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const raw = values[name] ?? '';
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    errors[name] = a.fieldChoice;
    return undefined;
  };
  const group = <T extends string>(name: keyof typeof CHECK_GROUPS): T[] => {
    const chosen = (CHECK_GROUPS[name] as readonly string[]).filter((code) => values[`${name}.${code}`] === '1') as T[];
    if (!chosen.length) errors[name] = a.fieldChooseOne;
    return chosen;
  };

  const direction = choice('direction', ['cost', 'revenue'] as const);
  const metric = choice('metric', ['savings', 'value_added'] as const);
  if (direction && metric && (direction === 'cost') !== (metric === 'savings')) errors.metric = a.fieldMetric;
  const referenceKinds = group<CentreSettings['referenceKinds'][number]>('referenceKinds');
  const procedures = group<CentreSettings['procedures'][number]>('procedures');
  const evaluationMethods = group<CentreSettings['evaluationMethods'][number]>('evaluationMethods');
  const minBids = int('minBids', 1, 100);
  const minResponsiveBids = int('minResponsiveBids', 1, 100, true);
  const clarificationMinDays = int('clarificationMinDays', 0, 365);
  const candidatePublicityDays = int('candidatePublicityDays', 0, 60);
  const contractWithinDays = int('contractWithinDays', 1, 365, true);
  const releaseWindowHours = int('releaseWindowHours', 1, 720, true);
  const maxBidBondPercent = (values.maxBidBondPercent ?? '').trim();
  if (!/^\d{1,2}(\.\d{1,2})?$/.test(maxBidBondPercent)) errors.maxBidBondPercent = a.fieldPercent;
  const timeZone = (values.timeZone ?? '').trim();
  if (!timeZone) errors.timeZone = a.fieldRequired;
  else {
    try {
      if (timeZone.length > 64) throw new RangeError('too long');
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      errors.timeZone = a.fieldTimeZone;
    }
  }

  // Custody: the threshold and the members, checked as custodySchema does, with messages per field.
  const threshold = int('custody-threshold', 1, 20, true);
  const lines = (values['custody-members'] ?? '')
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
  let custody: CentreSettings['custody'];
  if (threshold !== undefined || lines.length) {
    const bad = lines.findIndex((m) => !CUSTODIAN_MEMBER.safeParse(m).success);
    const twice = lines.find((m, i) => lines.indexOf(m) !== i);
    if (bad >= 0) errors['custody-members'] = fill(a.fieldMember, { line: bad + 1, member: lines[bad]!.slice(0, 80) });
    else if (twice) errors['custody-members'] = fill(a.fieldMemberTwice, { member: twice });
    else if (!lines.length || lines.length > 20) errors['custody-members'] = fill(a.fieldInt, { min: 1, max: 20 });
    if (threshold === undefined && !errors['custody-threshold']) errors['custody-threshold'] = a.fieldRequired;
    if (threshold !== undefined && !errors['custody-members']) {
      const others = lines.length - (lines.includes(TIME_LOCK) ? 1 : 0);
      if (lines.length < threshold) errors['custody-threshold'] = fill(a.fieldMembersFew, { threshold, n: lines.length });
      else if (lines.includes(TIME_LOCK) && others === 0 && threshold !== 1) errors['custody-threshold'] = a.fieldTimeLockAlone;
      else if (lines.includes(TIME_LOCK) && others > 0 && threshold < 2) errors['custody-threshold'] = a.fieldTimeLockThreshold;
    }
    if (threshold !== undefined) custody = { threshold, members: lines as NonNullable<CentreSettings['custody']>['members'] };
  }

  // Minimum periods: a period is set when its length is; a procedure with no period and no source has no rule.
  const minPeriods: CentreSettings['minPeriods'] = {};
  for (const p of PROCEDURES) {
    const rule: ProcedureRule = {};
    for (const k of PERIOD_KINDS) {
      const value = int(periodField(p, k, 'value'), 0, 3650, true);
      const unitName = periodField(p, k, 'unit');
      const unit = values[unitName] ?? '';
      if (unit !== 'days' && unit !== 'working_days') {
        errors[unitName] = a.fieldPeriodUnit;
        continue;
      }
      if (value !== undefined) rule[k] = { unit, value } satisfies Period;
    }
    const source = (values[sourceField(p)] ?? '').trim();
    if (source && !oneLineText(1, 100).safeParse(source).success) errors[sourceField(p)] = fill(a.fieldText, { max: 100 });
    else if (source) rule.source = source;
    if (Object.keys(rule).length) minPeriods[p] = rule;
  }

  if (Object.keys(errors).length) return { ok: false, errors };
  const settings: CentreSettings = {
    direction: direction!,
    metric: metric!,
    referenceKinds,
    procedures,
    evaluationMethods,
    minBids: minBids!,
    minPeriods,
    clarificationMinDays: clarificationMinDays!,
    maxBidBondPercent,
    candidatePublicityDays: candidatePublicityDays!,
    timeZone,
    ...(contractWithinDays !== undefined ? { contractWithinDays } : {}),
    ...(custody ? { custody } : {}),
    ...(releaseWindowHours !== undefined ? { releaseWindowHours } : {}),
    ...(minResponsiveBids !== undefined ? { minResponsiveBids } : {}),
  };
  // The schema the API applies, once more: anything it still refuses is put at its field.
  const parsed = centreSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [top, second] = issue.path.map(String);
      const name = top === 'custody' ? `custody-${second === 'threshold' ? 'threshold' : 'members'}` : (top ?? 'direction');
      errors[name] ??= a.fieldChoice;
    }
    return { ok: false, errors };
  }
  return { ok: true, settings: parsed.data };
}
