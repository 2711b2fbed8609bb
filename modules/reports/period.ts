// Report periods are calendar dates in a centre's time zone: an instant belongs to the date it has
// there (an award at 00:30 on 1 January Beijing time is in the new year), whatever the server's zone.
import { dayNumber } from '../centres/calendar';
import { instantOfWallClock } from '../core/zoned-time';

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD (no 2023-02-30); the calendar's own check. */
export { isCalendarDate } from '../centres/calendar';

export function addDays(date: string, n: number): string {
  return new Date((dayNumber(date) + n) * 86_400_000).toISOString().slice(0, 10);
}

/** The instant of 00:00 local time on `date` in `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!);
  return instantOfWallClock(wall, timeZone);
}

export type BucketKind = 'month' | 'year';

/**
 * The chart buckets of a period: its months when it spans at most 24 of them, otherwise its years.
 * `starts[i]` is the first date of bucket i inside the period (the first is `from` itself).
 */
export function periodBuckets(from: string, to: string): { kind: BucketKind; keys: string[]; starts: string[] } {
  const [fy, fm] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const [ty, tm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  const months = (ty - fy) * 12 + (tm - fm) + 1;
  const kind: BucketKind = months > 24 ? 'year' : 'month';
  const keys: string[] = [];
  if (kind === 'month') for (let i = 0; i < months; i++) keys.push(`${fy + Math.floor((fm - 1 + i) / 12)}-${String(((fm - 1 + i) % 12) + 1).padStart(2, '0')}`);
  else for (let y = fy; y <= ty; y++) keys.push(String(y).padStart(4, '0'));
  const starts = keys.map((k, i) => (i === 0 ? from : kind === 'month' ? `${k}-01` : `${k}-01-01`));
  return { kind, keys, starts };
}
