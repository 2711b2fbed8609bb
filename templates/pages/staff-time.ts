// Times on the staff pages: instants shown in the centre's time zone with its offset ("UTC+08:00"),
// and a wall-clock time typed into a form ("2026-12-26 09:00", or "2026-12-26T09:00") read in that zone.
// Pure functions over Intl; the instants stay UTC epoch milliseconds everywhere else.

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, timeZone: string): Record<string, number> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Minutes east of UTC of the zone at an instant. */
export function offsetMinutes(ms: number, timeZone: string): number {
  const p = partsIn(ms, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** "UTC+08:00" for the zone at an instant. */
export function offsetLabel(ms: number, timeZone: string): string {
  const m = offsetMinutes(ms, timeZone);
  const abs = Math.abs(m);
  return `UTC${m < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-26 09:00 (UTC+08:00)" in the zone; '—' for no instant. */
export function zonedTime(ms: number | null | undefined, timeZone: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const p = partsIn(ms, timeZone);
  return `${p.year}-${pad(p.month!)}-${pad(p.day!)} ${pad(p.hour!)}:${pad(p.minute!)} (${offsetLabel(ms, timeZone)})`;
}

/** The value of a time input for the instant in the zone: "2026-12-26 09:00" (seconds only when it has them). */
export function localInputValue(ms: number | null | undefined, timeZone: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const p = partsIn(ms, timeZone);
  const seconds = p.second ? `:${pad(p.second)}` : '';
  return `${p.year}-${pad(p.month!)}-${pad(p.day!)} ${pad(p.hour!)}:${pad(p.minute!)}${seconds}`;
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
  // The offset at the guess, then again at the result (a change of offset between them moves it once more).
  let ms = wall - offsetMinutes(wall, timeZone) * 60_000;
  ms = wall - offsetMinutes(ms, timeZone) * 60_000;
  return ms;
}
