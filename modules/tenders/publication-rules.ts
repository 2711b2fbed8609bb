// Checks a section against its centre's rules: its settings whenever they are saved or published,
// its timeline at publication and at each clarification. Pure functions: the service supplies the
// instants and the centre's rules.
import Decimal from 'decimal.js';
import { describePeriod, localDate } from '../centres/calendar';
import type { CentreRules } from '../centres/centres-service';
import type { Procedure } from '../centres/centre-rules';
import { ruleViolation, validationFailed } from '../core/errors';
import { formatYuan } from '../core/money';
import type { Section } from './tenders-store';

/** Checks the section's settings against the centre's rules (procedure, method, base, bond); `now` for the deadline. */
export function checkSectionRules(rules: CentreRules, s: Pick<Section, 'procedure' | 'evaluationMethod' | 'referenceKind' | 'referencePriceFen' | 'bidBondFen' | 'bidDeadlineAt'>, now: number): void {
  const set = rules.settings;
  if (!set.procedures.includes(s.procedure)) {
    throw ruleViolation('procedures', `The ${rules.code} centre does not use the procedure "${s.procedure}"; allowed: ${set.procedures.join(', ')}.`);
  }
  if (!set.evaluationMethods.includes(s.evaluationMethod)) {
    throw ruleViolation('evaluationMethods', `The ${rules.code} centre does not use the evaluation method "${s.evaluationMethod}"; allowed: ${set.evaluationMethods.join(', ')}.`);
  }
  if (!set.referenceKinds.includes(s.referenceKind)) {
    throw ruleViolation('referenceKinds', `The ${rules.code} centre's reference price is one of: ${set.referenceKinds.join(', ')}; not "${s.referenceKind}".`);
  }
  if (s.referencePriceFen <= 0n) {
    throw validationFailed('referencePrice: the reference price must be more than zero.', [{ field: 'referencePrice', message: '"referencePrice" must be more than zero' }]);
  }
  const cap = new Decimal(s.referencePriceFen.toString()).mul(set.maxBidBondPercent).div(100).floor();
  if (new Decimal(s.bidBondFen.toString()).gt(cap)) {
    throw ruleViolation(
      'maxBidBondPercent',
      `Rule maxBidBondPercent (TBLS 26): the bid bond may be at most ${set.maxBidBondPercent}% of the reference price, i.e. ${formatYuan(BigInt(cap.toFixed(0)))} yuan; got ${formatYuan(s.bidBondFen)}.`,
    );
  }
  if (s.bidDeadlineAt !== null && s.bidDeadlineAt <= now) {
    throw ruleViolation('deadline_in_future', `Rule deadline_in_future: the bid deadline ${new Date(s.bidDeadlineAt).toISOString()} is in the past; choose a future time.`);
  }
}

export interface Timeline {
  publishedAt: number;
  bidOpensAt: number;
  clarificationDeadlineAt: number | null;
  bidDeadlineAt: number;
}

/** Throws a 422 naming the first rule the timeline breaks. */
export function checkPublicationTimeline(rules: CentreRules, procedure: Procedure, t: Timeline): void {
  const zone = rules.settings.timeZone;
  const fmt = (ms: number) => new Date(ms).toISOString();
  if (t.bidDeadlineAt <= t.publishedAt) {
    throw ruleViolation('deadline_in_future', `The bid deadline (${fmt(t.bidDeadlineAt)}) must be after the publication time (${fmt(t.publishedAt)}).`);
  }
  if (t.bidOpensAt < t.publishedAt) {
    throw ruleViolation('bid_window_after_publication', 'The bid window cannot open before the notice is published.');
  }
  if (t.bidOpensAt >= t.bidDeadlineAt) {
    throw ruleViolation('bid_window_before_deadline', 'The bid window must open before the bid deadline.');
  }
  if (t.clarificationDeadlineAt !== null && (t.clarificationDeadlineAt < t.publishedAt || t.clarificationDeadlineAt >= t.bidDeadlineAt)) {
    throw ruleViolation('clarification_deadline_within_period', 'The clarification deadline must fall between publication and the bid deadline.');
  }
  const rule = rules.settings.minPeriods[procedure];
  if (!rule) return;
  const source = rule.source ? ` (${rule.source})` : '';
  const checks: Array<[keyof typeof rule, number, number, string]> = [
    ['noticeToDeadline', t.publishedAt, t.bidDeadlineAt, 'from publication to the bid deadline'],
    ['noticeToBidStart', t.publishedAt, t.bidOpensAt, 'from publication to the opening of the bid window'],
    ['bidWindow', t.bidOpensAt, t.bidDeadlineAt, 'from the opening of the bid window to the bid deadline'],
  ];
  for (const [name, from, to, what] of checks) {
    const period = rule[name];
    if (!period || typeof period === 'string') continue;
    const actual = rules.calendar.measure(period, from, to);
    if (actual < period.value) {
      const ruleName = `minPeriods.${procedure}.${name}`;
      throw ruleViolation(
        ruleName,
        `Rule ${ruleName}: a ${procedure.replace(/_/g, ' ')} at the ${rules.code} centre needs at least ${describePeriod(period)} ${what}${source}; ` +
          `this timeline gives ${actual} (${localDate(from, zone)} → ${localDate(to, zone)}, ${zone}).`,
        { required: period.value, unit: period.unit, actual },
      );
    }
  }
}

/**
 * A clarification or amendment that affects bids must come at least `clarificationMinDays` before
 * the deadline (TBL 23, TBLS 21); otherwise the deadline has to move. Returns the deadline to use.
 */
export function checkClarificationDeadline(rules: CentreRules, issuedAt: number, currentDeadline: number, newDeadline: number | null): void {
  const minDays = rules.settings.clarificationMinDays;
  const deadline = newDeadline ?? currentDeadline;
  if (newDeadline !== null && newDeadline <= currentDeadline) {
    throw ruleViolation('deadline_only_moves_later', 'A clarification can only move the bid deadline later, never earlier.');
  }
  const days = rules.calendar.daysBetween(issuedAt, deadline);
  if (days < minDays) {
    const zone = rules.settings.timeZone;
    throw ruleViolation(
      'clarificationMinDays',
      `Rule clarificationMinDays (TBL 23): a clarification that affects bids must be issued at least ${minDays} days before the bid deadline; ` +
        `the deadline ${localDate(deadline, zone)} is only ${days} days away, so move it (newBidDeadlineAt) to ${minDays} or more days after ${localDate(issuedAt, zone)}.`,
      { required: minDays, actual: days },
    );
  }
}
