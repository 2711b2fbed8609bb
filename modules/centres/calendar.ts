// The working-day calendar: weekends are rest days, configured public holidays are rest days, and
// configured make-up working days (调休) are working days even on a weekend. Dates are answered in
// the centre's time zone, never in UTC or the server's zone.
import type { Period } from './centre-rules';
import type { CalendarDay } from './centres-schemas';

export type { CalendarDay };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(new Date(ms));
}

/** Whether `s` is a real calendar date YYYY-MM-DD (no 2026-02-30, no 2026-13-01). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Days since 1970-01-01 of a calendar date; a pure date computation, free of any time zone. */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Math.round(Date.UTC(y!, m! - 1, d!) / 86_400_000);
}

function dateOfDayNumber(n: number): string {
  return new Date(n * 86_400_000).toISOString().slice(0, 10);
}

export class WorkingCalendar {
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();

  constructor(
    days: CalendarDay[],
    readonly timeZone: string,
  ) {
    for (const day of days) (day.kind === 'holiday' ? this.holidays : this.workdays).add(day.date);
  }

  isWorkingDay(date: string): boolean {
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const weekday = new Date(dayNumber(date) * 86_400_000).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** Calendar days from the date of `from` to the date of `to`. */
  daysBetween(from: number, to: number): number {
    return dayNumber(localDate(to, this.timeZone)) - dayNumber(localDate(from, this.timeZone));
  }

  /** Working days after the date of `from` up to and including the date of `to`. */
  workingDaysBetween(from: number, to: number): number {
    const start = dayNumber(localDate(from, this.timeZone));
    const end = dayNumber(localDate(to, this.timeZone));
    let count = 0;
    for (let n = start + 1; n <= end; n++) if (this.isWorkingDay(dateOfDayNumber(n))) count++;
    return count;
  }

  /** How much of `period` lies between two instants, in the period's own unit. */
  measure(period: Period, from: number, to: number): number {
    return period.unit === 'days' ? this.daysBetween(from, to) : this.workingDaysBetween(from, to);
  }
}

export function describePeriod(period: Period): string {
  return `${period.value} ${period.unit === 'days' ? 'days' : 'working days'}`;
}
