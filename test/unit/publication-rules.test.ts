import { expect } from 'chai';
import { checkClarificationDeadline, checkPublicationTimeline, type Timeline } from '../../modules/tenders/publication-rules';
import { DEFAULT_CENTRES, type CentreCode, type CentreSettings, type Procedure } from '../../modules/centres/centre-rules';
import type { CentreRules } from '../../modules/centres/centres-service';
import { WorkingCalendar, type CalendarDay } from '../../modules/centres/calendar';
import { AppError } from '../../modules/core/errors';

/** An instant given as Shanghai wall-clock time (UTC+8). */
const sh = (wall: string) => Date.parse(`${wall}+08:00`);

function rulesFor(code: CentreCode, days: CalendarDay[] = [], settings: Partial<CentreSettings> = {}): CentreRules {
  const centre = DEFAULT_CENTRES[code];
  return {
    code,
    nameZh: centre.nameZh,
    nameEn: centre.nameEn,
    settings: { ...centre.settings, ...settings },
    calendar: new WorkingCalendar(days, 'Asia/Shanghai'),
  };
}

function timeline(publishedAt: number, bidDeadlineAt: number, extra: Partial<Timeline> = {}): Timeline {
  return { publishedAt, bidOpensAt: publishedAt, clarificationDeadlineAt: null, bidDeadlineAt, ...extra };
}

/** Runs `fn`, which must throw an AppError 422 rule_violation; returns it with its first detail. */
function violation(fn: () => void): { error: AppError; detail: Record<string, unknown> } {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a rule violation to be thrown').to.be.instanceOf(AppError);
  const error = caught as AppError;
  expect(error.status).to.equal(422);
  expect(error.code).to.equal('rule_violation');
  expect(error.details).to.be.an('array').with.length(1);
  const detail = (error.details as Array<Record<string, unknown>>)[0]!;
  expect(detail.message).to.equal(error.message);
  return { error, detail };
}

// 2026-03-06 is a Friday; 2026-03-10 a Tuesday; 2026-10-10 a Saturday.
const FRI = sh('2026-03-06T10:00:00');

describe('publication rules', () => {
  describe('checkPublicationTimeline: procurement open tender (≥ 20 days, ZCF 35)', () => {
    const rules = rulesFor('procurement');

    it('refuses 19 days with rule minPeriods.open_tender.noticeToDeadline and a message naming 20 days', () => {
      const { error, detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-03-25T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.open_tender.noticeToDeadline');
      expect(detail.required).to.equal(20);
      expect(detail.unit).to.equal('days');
      expect(detail.actual).to.equal(19);
      expect(error.message).to.include('20 days');
      expect(error.message).to.include('ZCF 35');
      expect(error.message).to.include('procurement');
      expect(error.message).to.include('2026-03-06 → 2026-03-25');
      expect(error.message).to.include('Asia/Shanghai');
    });

    it('accepts exactly 20 days', () => {
      expect(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-03-26T10:00:00')))).to.not.throw();
    });

    it('accepts more than 20 days', () => {
      expect(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-05-01T10:00:00')))).to.not.throw();
    });

    it('counts Shanghai dates: 00:30 on the 6th to the 25th is 19 days although the UTC dates are 20 apart', () => {
      const { detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(sh('2026-03-06T00:30:00'), sh('2026-03-25T09:00:00'))));
      expect(detail.actual).to.equal(19);
    });

    it('applies the same rule to an invited tender', () => {
      const { detail } = violation(() => checkPublicationTimeline(rules, 'invited_tender', timeline(FRI, sh('2026-03-25T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.invited_tender.noticeToDeadline');
    });

    it('needs 10 days for a competitive consultation', () => {
      const { detail } = violation(() => checkPublicationTimeline(rules, 'competitive_consultation', timeline(FRI, sh('2026-03-15T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.competitive_consultation.noticeToDeadline');
      expect(detail.actual).to.equal(9);
      expect(detail.required).to.equal(10);
      expect(() => checkPublicationTimeline(rules, 'competitive_consultation', timeline(FRI, sh('2026-03-16T10:00:00')))).to.not.throw();
    });
  });

  describe('checkPublicationTimeline: construction open tender (TBL 24)', () => {
    it('refuses 19 days and accepts 20', () => {
      const rules = rulesFor('construction');
      const { error, detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-03-25T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.open_tender.noticeToDeadline');
      expect(error.message).to.include('TBL 24');
      expect(error.message).to.include('construction');
      expect(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-03-26T10:00:00')))).to.not.throw();
    });
  });

  describe('checkPublicationTimeline: procurement inquiry (≥ 3 working days)', () => {
    it('refuses Friday → Monday (1 working day)', () => {
      const { error, detail } = violation(() => checkPublicationTimeline(rulesFor('procurement'), 'inquiry', timeline(FRI, sh('2026-03-09T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.inquiry.noticeToDeadline');
      expect(detail.required).to.equal(3);
      expect(detail.unit).to.equal('working_days');
      expect(detail.actual).to.equal(1);
      expect(error.message).to.include('3 working days');
      expect(error.message).to.include('ZCF 40');
    });

    it('refuses Friday → Tuesday (2 working days)', () => {
      const { detail } = violation(() => checkPublicationTimeline(rulesFor('procurement'), 'inquiry', timeline(FRI, sh('2026-03-10T10:00:00'))));
      expect(detail.actual).to.equal(2);
    });

    it('accepts Friday → Wednesday (3 working days)', () => {
      expect(() => checkPublicationTimeline(rulesFor('procurement'), 'inquiry', timeline(FRI, sh('2026-03-11T10:00:00')))).to.not.throw();
    });

    it('is pushed further by a holiday: with Tuesday a holiday, Wednesday gives 2 and Thursday 3', () => {
      const rules = rulesFor('procurement', [{ date: '2026-03-10', kind: 'holiday', name: 'test holiday' }]);
      const { detail } = violation(() => checkPublicationTimeline(rules, 'inquiry', timeline(FRI, sh('2026-03-11T10:00:00'))));
      expect(detail.actual).to.equal(2);
      expect(() => checkPublicationTimeline(rules, 'inquiry', timeline(FRI, sh('2026-03-12T10:00:00')))).to.not.throw();
    });

    it('counts a make-up working Saturday', () => {
      // Thu 10-08 → Mon 10-12: Fri 9, Sat 10, Sun 11, Mon 12
      const from = sh('2026-10-08T10:00:00');
      const to = sh('2026-10-12T10:00:00');
      const { detail } = violation(() => checkPublicationTimeline(rulesFor('procurement'), 'inquiry', timeline(from, to)));
      expect(detail.actual).to.equal(2);
      const withMakeUp = rulesFor('procurement', [{ date: '2026-10-10', kind: 'workday', name: 'make-up' }]);
      expect(() => checkPublicationTimeline(withMakeUp, 'inquiry', timeline(from, to))).to.not.throw();
    });

    it('needs 5 working days for single source', () => {
      const { detail } = violation(() => checkPublicationTimeline(rulesFor('procurement'), 'single_source', timeline(FRI, sh('2026-03-12T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.single_source.noticeToDeadline');
      expect(detail.actual).to.equal(4);
      expect(() => checkPublicationTimeline(rulesFor('procurement'), 'single_source', timeline(FRI, sh('2026-03-13T10:00:00')))).to.not.throw();
    });
  });

  describe('checkPublicationTimeline: land listing (notice ≥ 20 days before the window; window ≥ 10 working days)', () => {
    const rules = rulesFor('land');
    // Window opens Thu 03-26 (20 days after Fri 03-06). 10 working days after it: Fri 27, Mon 30, Tue 31,
    // Wed 4/1, Thu 4/2, Fri 4/3, Mon 4/6, Tue 4/7, Wed 4/8, Thu 4/9.
    const opens = sh('2026-03-26T09:00:00');

    it('refuses a window opening 19 days after the notice (rule minPeriods.listing.noticeToBidStart)', () => {
      const { error, detail } = violation(() => checkPublicationTimeline(rules, 'listing', timeline(FRI, sh('2026-04-30T10:00:00'), { bidOpensAt: sh('2026-03-25T09:00:00') })));
      expect(detail.rule).to.equal('minPeriods.listing.noticeToBidStart');
      expect(detail.required).to.equal(20);
      expect(detail.unit).to.equal('days');
      expect(detail.actual).to.equal(19);
      expect(error.message).to.include('20 days');
      expect(error.message).to.include('MLR order 39');
    });

    it('refuses a window of 9 working days (rule minPeriods.listing.bidWindow)', () => {
      const { error, detail } = violation(() => checkPublicationTimeline(rules, 'listing', timeline(FRI, sh('2026-04-08T10:00:00'), { bidOpensAt: opens })));
      expect(detail.rule).to.equal('minPeriods.listing.bidWindow');
      expect(detail.required).to.equal(10);
      expect(detail.unit).to.equal('working_days');
      expect(detail.actual).to.equal(9);
      expect(error.message).to.include('10 working days');
    });

    it('accepts 20 days of notice and a 10-working-day window', () => {
      expect(() => checkPublicationTimeline(rules, 'listing', timeline(FRI, sh('2026-04-09T10:00:00'), { bidOpensAt: opens }))).to.not.throw();
    });

    it('has the window pushed by a holiday inside it', () => {
      const withHoliday = rulesFor('land', [{ date: '2026-04-06', kind: 'holiday', name: 'Qingming' }]);
      const { detail } = violation(() => checkPublicationTimeline(withHoliday, 'listing', timeline(FRI, sh('2026-04-09T10:00:00'), { bidOpensAt: opens })));
      expect(detail.actual).to.equal(9);
      expect(() => checkPublicationTimeline(withHoliday, 'listing', timeline(FRI, sh('2026-04-10T10:00:00'), { bidOpensAt: opens }))).to.not.throw();
    });

    it('needs 20 days for a land auction', () => {
      const { detail } = violation(() => checkPublicationTimeline(rules, 'auction', timeline(FRI, sh('2026-03-25T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.auction.noticeToDeadline');
    });
  });

  describe('checkPublicationTimeline: property listing (≥ 20 working days)', () => {
    it('refuses 19 working days and accepts 20', () => {
      const rules = rulesFor('property');
      // Fri 03-06 + 20 working days (no holidays) = Fri 04-03
      const { detail } = violation(() => checkPublicationTimeline(rules, 'listing', timeline(FRI, sh('2026-04-02T10:00:00'))));
      expect(detail.rule).to.equal('minPeriods.listing.noticeToDeadline');
      expect(detail.actual).to.equal(19);
      expect(() => checkPublicationTimeline(rules, 'listing', timeline(FRI, sh('2026-04-03T10:00:00')))).to.not.throw();
    });
  });

  describe('checkPublicationTimeline: order of instants', () => {
    const rules = rulesFor('procurement');

    it('refuses a deadline before publication (rule deadline_in_future)', () => {
      const { detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-03-01T10:00:00'))));
      expect(detail.rule).to.equal('deadline_in_future');
    });

    it('refuses a deadline equal to the publication time (rule deadline_in_future)', () => {
      const { error, detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, FRI)));
      expect(detail.rule).to.equal('deadline_in_future');
      expect(error.message).to.include(new Date(FRI).toISOString());
    });

    it('refuses a bid window opening before publication', () => {
      const { detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-04-30T10:00:00'), { bidOpensAt: FRI - 1 })));
      expect(detail.rule).to.equal('bid_window_after_publication');
    });

    it('refuses a bid window opening at or after the deadline', () => {
      const deadline = sh('2026-04-30T10:00:00');
      for (const bidOpensAt of [deadline, deadline + 1]) {
        const { detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, deadline, { bidOpensAt })));
        expect(detail.rule).to.equal('bid_window_before_deadline');
      }
    });

    it('refuses a clarification deadline outside publication … deadline', () => {
      const deadline = sh('2026-04-30T10:00:00');
      for (const clarificationDeadlineAt of [FRI - 1, deadline, deadline + 1]) {
        const { detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, deadline, { clarificationDeadlineAt })));
        expect(detail.rule).to.equal('clarification_deadline_within_period');
      }
    });

    it('accepts a clarification deadline from publication to just before the deadline', () => {
      const deadline = sh('2026-04-30T10:00:00');
      for (const clarificationDeadlineAt of [FRI, sh('2026-04-15T10:00:00'), deadline - 1]) {
        expect(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, deadline, { clarificationDeadlineAt }))).to.not.throw();
      }
    });

    it('checks the order before the minimum periods', () => {
      // Both too short and the window opens before publication: the order rule is reported.
      const { detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-03-07T10:00:00'), { bidOpensAt: FRI - 1000 })));
      expect(detail.rule).to.equal('bid_window_after_publication');
    });
  });

  describe('checkPublicationTimeline: a procedure without a configured minimum', () => {
    it('passes a one-day timeline', () => {
      expect(() => checkPublicationTimeline(rulesFor('construction'), 'inquiry', timeline(FRI, sh('2026-03-07T10:00:00')))).to.not.throw();
    });

    it('follows a changed setting rather than a constant', () => {
      const rules = rulesFor('procurement', [], { minPeriods: { open_tender: { noticeToDeadline: { unit: 'days', value: 25 } } } });
      const { error, detail } = violation(() => checkPublicationTimeline(rules, 'open_tender', timeline(FRI, sh('2026-03-26T10:00:00'))));
      expect(detail.required).to.equal(25);
      expect(detail.actual).to.equal(20);
      expect(error.message).to.include('25 days');
      expect(error.message).to.not.include('(ZCF 35)');
      expect(() => checkPublicationTimeline(rules, 'inquiry', timeline(FRI, sh('2026-03-07T10:00:00')))).to.not.throw();
    });
  });

  describe('checkClarificationDeadline (≥ 15 days before the deadline, TBL 23)', () => {
    const rules = rulesFor('procurement');
    const issued = FRI;
    const in14 = sh('2026-03-20T10:00:00');
    const in15 = sh('2026-03-21T10:00:00');

    it('refuses a clarification 14 days before the deadline (rule clarificationMinDays)', () => {
      const { error, detail } = violation(() => checkClarificationDeadline(rules, issued, in14, null));
      expect(detail.rule).to.equal('clarificationMinDays');
      expect(detail.required).to.equal(15);
      expect(detail.actual).to.equal(14);
      expect(error.message).to.include('15 days');
      expect(error.message).to.include('2026-03-20');
      expect(error.message).to.include('2026-03-06');
    });

    it('accepts a clarification exactly 15 days before the deadline', () => {
      expect(() => checkClarificationDeadline(rules, issued, in15, null)).to.not.throw();
    });

    it('accepts a new deadline 15 or more days away', () => {
      expect(() => checkClarificationDeadline(rules, issued, in14, in15)).to.not.throw();
      expect(() => checkClarificationDeadline(rules, issued, in14, sh('2026-04-30T10:00:00'))).to.not.throw();
    });

    it('refuses a new deadline that is later but still under 15 days away, measuring to the new deadline', () => {
      const { detail } = violation(() => checkClarificationDeadline(rules, issued, sh('2026-03-10T10:00:00'), in14));
      expect(detail.rule).to.equal('clarificationMinDays');
      expect(detail.actual).to.equal(14);
    });

    it('refuses a new deadline earlier than the current one (rule deadline_only_moves_later)', () => {
      const { detail } = violation(() => checkClarificationDeadline(rules, issued, sh('2026-04-30T10:00:00'), in15));
      expect(detail.rule).to.equal('deadline_only_moves_later');
    });

    it('refuses a new deadline equal to the current one (rule deadline_only_moves_later)', () => {
      const { detail } = violation(() => checkClarificationDeadline(rules, issued, in15, in15));
      expect(detail.rule).to.equal('deadline_only_moves_later');
    });

    it('counts Shanghai calendar dates: 23:59 to 00:01 fifteen dates later is enough', () => {
      expect(() => checkClarificationDeadline(rules, sh('2026-03-06T23:59:00'), sh('2026-03-21T00:01:00'), null)).to.not.throw();
    });

    it('counts Shanghai dates, not UTC dates', () => {
      // 00:30 Shanghai on the 6th is the 5th in UTC: 15 UTC dates but 14 Shanghai dates to the 20th.
      const { detail } = violation(() => checkClarificationDeadline(rules, sh('2026-03-06T00:30:00'), sh('2026-03-20T09:00:00'), null));
      expect(detail.actual).to.equal(14);
    });

    it('follows the clarificationMinDays setting', () => {
      const relaxed = rulesFor('procurement', [], { clarificationMinDays: 10 });
      expect(() => checkClarificationDeadline(relaxed, issued, sh('2026-03-16T10:00:00'), null)).to.not.throw();
      const { detail } = violation(() => checkClarificationDeadline(relaxed, issued, sh('2026-03-15T10:00:00'), null));
      expect(detail.required).to.equal(10);
      expect(detail.actual).to.equal(9);
    });
  });
});
