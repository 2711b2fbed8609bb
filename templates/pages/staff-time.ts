// Times on the staff pages: instants shown in the centre's time zone with its offset ("UTC+08:00"),
// and a wall-clock time typed into a form ("2026-12-26 09:00", or "2026-12-26T09:00") read in that zone.
// The zone arithmetic is modules/core/zoned-time.ts; the instants stay UTC epoch milliseconds everywhere else.
import { instantOfWallClock, offsetLabel, wallClock, wallClockText } from '../../modules/core/zoned-time';

/** "2026-12-26 09:00 (UTC+08:00)" in the zone; '—' for no instant. */
export function zonedTime(ms: number | null | undefined, timeZone: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return `${wallClockText(ms, timeZone, false)} (${offsetLabel(ms, timeZone)})`;
}

/** The value of a time input for the instant in the zone: "2026-12-26 09:00" (seconds only when it has them). */
export function localInputValue(ms: number | null | undefined, timeZone: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  return wallClockText(ms, timeZone, wallClock(ms, timeZone).second !== 0);
}

/**
 * The instant of a wall-clock time typed in the zone ("2026-12-26T09:00", seconds optional, a space
 * instead of the T allowed); null when it is not such a time or names no real date.
 */
export function parseLocalInput(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null;
  return instantOfWallClock(wall, timeZone);
}
