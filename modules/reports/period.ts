// Report periods are calendar dates in a centre's time zone: an instant belongs to the date it has
// there (an award at 00:30 on 1 January Beijing time is in the new year), whatever the server's zone.
import { dayNumber } from '../centres/calendar';

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD (no 2023-02-30); the calendar's own check. */
export { isCalendarDate } from '../centres/calendar';

export function addDays(date: string, n: number): string {
  return new Date((dayNumber(date) + n) * 86_400_000).toISOString().slice(0, 10);
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of the zone from UTC at an instant, in ms (Asia/Shanghai today: +8 h). */
function offsetAt(ms: number, timeZone: string): number {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    partFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant of 00:00 local time on `date` in `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!);
  let t = wall - offsetAt(wall, timeZone);
  const again = offsetAt(t, timeZone);
  if (wall - again !== t) t = wall - again; // the offset changed between the guess and the answer
  return t;
}
