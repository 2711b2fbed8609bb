// Times in a centre's own zone with the UTC offset shown ("2026-12-01 09:00:00 (UTC+08:00)"), for
// the audit pages, whose entries come from centres that may keep different zones.
import { PORTAL_TIME_ZONE } from './format';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** An instant in `timeZone` (the platform's default zone when none is known), with its offset. */
export function zonedTime(ms: number | null | undefined, timeZone: string = PORTAL_TIME_ZONE): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  let f: Intl.DateTimeFormat;
  try {
    f = formatterFor(timeZone);
  } catch {
    f = formatterFor(PORTAL_TIME_ZONE);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT$/, 'GMT+00:00').replace(/^GMT/, 'UTC');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} (${offset})`;
}
