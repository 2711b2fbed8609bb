// Instants in a time zone: the wall clock and UTC offset an instant has there, and the instant of a
// wall-clock time read in a zone. The pages, the PDF records and the reports' periods all use these;
// instants stay UTC epoch milliseconds everywhere else. One Intl formatter per zone: making one costs
// far more than formatting with it, and a dossier prints thousands of instants.

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of the instant in the zone (throws RangeError for a zone Intl does not know). */
export function wallClock(ms: number, timeZone: string): WallClock {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

/** Minutes east of UTC of the zone at the instant (Asia/Shanghai: 480). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "UTC+08:00" for the zone at the instant. */
export function offsetLabel(ms: number, timeZone: string): string {
  const m = offsetMinutes(ms, timeZone);
  const abs = Math.abs(m);
  return `UTC${m < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "2026-12-26 09:00:00" (or without the seconds) in the zone. */
export function wallClockText(ms: number, timeZone: string, seconds = true): string {
  const w = wallClock(ms, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}${seconds ? `:${pad(w.second)}` : ''}`;
}

/**
 * The instant at which the zone's clocks show `wall` (its fields read as if in UTC, e.g. Date.UTC(…)).
 * The offset is taken at a first guess and again at the answer, so a day on which the offset changes
 * still answers right.
 */
export function instantOfWallClock(wall: number, timeZone: string): number {
  const guess = wall - offsetMinutes(wall, timeZone) * 60_000;
  return wall - offsetMinutes(guess, timeZone) * 60_000;
}
