import { expect } from 'chai';
import { WorkingCalendar, dayNumber, describePeriod, localDate, type CalendarDay } from '../../modules/centres/calendar';

const ZONE = 'Asia/Shanghai';
/** An instant given as Shanghai wall-clock time (UTC+8, no daylight saving). */
const sh = (wall: string) => Date.parse(`${wall}+08:00`);
const utc = (iso: string) => Date.parse(`${iso}Z`);

// 2026-03-06 is a Friday; 2026-10-01 a Thursday; 2026-10-10 a Saturday.
const DAYS: CalendarDay[] = [
  { date: '2026-10-01', kind: 'holiday', name: 'National Day' },
  { date: '2026-10-02', kind: 'holiday', name: 'National Day' },
  { date: '2026-10-05', kind: 'holiday', name: 'National Day' },
  { date: '2026-10-10', kind: 'workday', name: 'National Day make-up' },
  { date: '2026-03-10', kind: 'holiday', name: 'test holiday (Tuesday)' },
];

describe('working calendar', () => {
  describe('localDate', () => {
    it('gives the Shanghai date of an instant: 2026-12-31T16:30:00Z is 2027-01-01', () => {
      expect(localDate(utc('2026-12-31T16:30:00'), ZONE)).to.equal('2027-01-01');
    });

    it('gives the previous date just before Shanghai midnight', () => {
      expect(localDate(utc('2026-12-31T15:59:59.999'), ZONE)).to.equal('2026-12-31');
      expect(localDate(utc('2026-12-31T16:00:00'), ZONE)).to.equal('2027-01-01');
    });

    it('answers in the zone it is asked for, not the process zone', () => {
      const ms = utc('2026-06-30T20:00:00');
      expect(localDate(ms, 'UTC')).to.equal('2026-06-30');
      expect(localDate(ms, ZONE)).to.equal('2026-07-01');
      expect(localDate(ms, 'America/New_York')).to.equal('2026-06-30');
      expect(localDate(utc('2026-07-01T03:00:00'), 'America/New_York')).to.equal('2026-06-30');
    });

    it('formats as YYYY-MM-DD with zero padding', () => {
      expect(localDate(sh('2026-03-06T09:00:00'), ZONE)).to.equal('2026-03-06');
      expect(localDate(sh('2027-01-02T09:00:00'), ZONE)).to.equal('2027-01-02');
    });
  });

  describe('dayNumber', () => {
    it('counts days since 1970-01-01', () => {
      expect(dayNumber('1970-01-01')).to.equal(0);
      expect(dayNumber('1970-01-02')).to.equal(1);
      expect(dayNumber('1969-12-31')).to.equal(-1);
      expect(dayNumber('2027-01-01') - dayNumber('2026-12-31')).to.equal(1);
      expect(dayNumber('2028-03-01') - dayNumber('2028-02-28')).to.equal(2); // leap year
      expect(dayNumber('2027-01-01') - dayNumber('2026-01-01')).to.equal(365);
    });
  });

  describe('isWorkingDay', () => {
    const cal = new WorkingCalendar(DAYS, ZONE);

    it('counts Monday to Friday as working days and weekends as rest days', () => {
      expect(cal.isWorkingDay('2026-03-02')).to.equal(true); // Monday
      expect(cal.isWorkingDay('2026-03-03')).to.equal(true);
      expect(cal.isWorkingDay('2026-03-04')).to.equal(true);
      expect(cal.isWorkingDay('2026-03-05')).to.equal(true);
      expect(cal.isWorkingDay('2026-03-06')).to.equal(true); // Friday
      expect(cal.isWorkingDay('2026-03-07')).to.equal(false); // Saturday
      expect(cal.isWorkingDay('2026-03-08')).to.equal(false); // Sunday
    });

    it('makes a configured holiday on a weekday a rest day', () => {
      expect(cal.isWorkingDay('2026-10-01')).to.equal(false); // Thursday
      expect(cal.isWorkingDay('2026-10-02')).to.equal(false); // Friday
      expect(cal.isWorkingDay('2026-10-05')).to.equal(false); // Monday
      expect(cal.isWorkingDay('2026-03-10')).to.equal(false); // Tuesday
      expect(cal.isWorkingDay('2026-10-06')).to.equal(true); // Tuesday, not configured
    });

    it('makes a configured make-up workday on a Saturday a working day', () => {
      expect(cal.isWorkingDay('2026-10-10')).to.equal(true); // Saturday
      expect(cal.isWorkingDay('2026-10-11')).to.equal(false); // Sunday after it
      expect(cal.isWorkingDay('2026-10-17')).to.equal(false); // next Saturday, not configured
    });

    it('without configured days, knows only weekends', () => {
      const plain = new WorkingCalendar([], ZONE);
      expect(plain.isWorkingDay('2026-10-01')).to.equal(true);
      expect(plain.isWorkingDay('2026-10-10')).to.equal(false);
      expect(plain.timeZone).to.equal(ZONE);
    });
  });

  describe('daysBetween', () => {
    const cal = new WorkingCalendar(DAYS, ZONE);

    it('counts 23:59 to 00:01 the next day as 1 day', () => {
      expect(cal.daysBetween(sh('2026-03-06T23:59:00'), sh('2026-03-07T00:01:00'))).to.equal(1);
    });

    it('counts the same date as 0 days, whatever the hours', () => {
      expect(cal.daysBetween(sh('2026-03-06T00:00:00'), sh('2026-03-06T23:59:59'))).to.equal(0);
    });

    it('counts calendar dates in the centre zone, not in UTC', () => {
      // 2026-03-06T00:30 Shanghai is still 2026-03-05 in UTC; the Shanghai dates are 19 days apart,
      // the UTC dates 20.
      const from = sh('2026-03-06T00:30:00');
      const to = sh('2026-03-25T09:00:00');
      expect(cal.daysBetween(from, to)).to.equal(19);
      expect(new WorkingCalendar([], 'UTC').daysBetween(from, to)).to.equal(20);
    });

    it('counts across a year end and is negative backwards', () => {
      expect(cal.daysBetween(sh('2026-12-31T12:00:00'), sh('2027-01-01T08:00:00'))).to.equal(1);
      expect(cal.daysBetween(utc('2026-12-31T15:00:00'), utc('2026-12-31T16:30:00'))).to.equal(1);
      expect(cal.daysBetween(sh('2026-03-26T10:00:00'), sh('2026-03-06T10:00:00'))).to.equal(-20);
      expect(cal.daysBetween(sh('2026-03-06T10:00:00'), sh('2026-03-26T10:00:00'))).to.equal(20);
    });
  });

  describe('workingDaysBetween', () => {
    const cal = new WorkingCalendar(DAYS, ZONE);

    it('counts days after `from` up to and including `to`', () => {
      // Friday → Monday: Sat, Sun, Mon → 1
      expect(cal.workingDaysBetween(sh('2026-03-06T10:00:00'), sh('2026-03-09T10:00:00'))).to.equal(1);
      // Monday → Friday: Tue, Wed, Thu, Fri → 4
      expect(cal.workingDaysBetween(sh('2026-03-02T10:00:00'), sh('2026-03-06T10:00:00'))).to.equal(4);
      // Monday → Friday the next week: Tue 03-10 is a holiday → Wed, Thu, Fri = 3
      expect(cal.workingDaysBetween(sh('2026-03-09T10:00:00'), sh('2026-03-13T10:00:00'))).to.equal(3);
    });

    it('is 0 on the same date and 0 when `to` is before `from`', () => {
      expect(cal.workingDaysBetween(sh('2026-03-04T08:00:00'), sh('2026-03-04T20:00:00'))).to.equal(0);
      expect(cal.workingDaysBetween(sh('2026-03-06T10:00:00'), sh('2026-03-02T10:00:00'))).to.equal(0);
    });

    it('does not count the `from` date even when it is a working day', () => {
      expect(cal.workingDaysBetween(sh('2026-03-05T10:00:00'), sh('2026-03-06T10:00:00'))).to.equal(1);
    });

    it('skips holidays and counts make-up workdays', () => {
      // Wed 09-30 → Sun 10-11: Oct 1 Thu (h), 2 Fri (h), 3 Sat, 4 Sun, 5 Mon (h), 6 Tue, 7 Wed, 8 Thu,
      // 9 Fri, 10 Sat (make-up), 11 Sun → 6, 7, 8, 9, 10 = 5
      expect(cal.workingDaysBetween(sh('2026-09-30T10:00:00'), sh('2026-10-11T10:00:00'))).to.equal(5);
      expect(new WorkingCalendar([], ZONE).workingDaysBetween(sh('2026-09-30T10:00:00'), sh('2026-10-11T10:00:00'))).to.equal(7);
    });

    it('uses the Shanghai date at both ends', () => {
      // 2026-03-06T23:30 Shanghai (Friday) → 2026-03-09T00:30 Shanghai (Monday) = 1;
      // in UTC the same instants are Friday 15:30 → Sunday 16:30 = 0 working days.
      const from = sh('2026-03-06T23:30:00');
      const to = sh('2026-03-09T00:30:00');
      expect(cal.workingDaysBetween(from, to)).to.equal(1);
      expect(new WorkingCalendar([], 'UTC').workingDaysBetween(from, to)).to.equal(0);
    });
  });

  describe('measure and describePeriod', () => {
    const cal = new WorkingCalendar(DAYS, ZONE);
    const from = sh('2026-03-06T10:00:00');
    const to = sh('2026-03-16T10:00:00');

    it('measures days or working days by the unit of the period', () => {
      expect(cal.measure({ unit: 'days', value: 3 }, from, to)).to.equal(10);
      // Sat 7, Sun 8, Mon 9, Tue 10 (h), Wed 11, Thu 12, Fri 13, Sat 14, Sun 15, Mon 16 → 5
      expect(cal.measure({ unit: 'working_days', value: 3 }, from, to)).to.equal(5);
    });

    it('describes a period in words', () => {
      expect(describePeriod({ unit: 'days', value: 20 })).to.equal('20 days');
      expect(describePeriod({ unit: 'working_days', value: 3 })).to.equal('3 working days');
    });
  });
});
