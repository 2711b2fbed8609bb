// Formatting for the portal pages: instants in Asia/Shanghai time or a centre's own zone, yuan amounts, durations.
import { offsetLabel, wallClock, wallClockText } from '../../modules/core/zoned-time';
import type { Strings } from './strings';

export const PORTAL_TIME_ZONE = 'Asia/Shanghai';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: PORTAL_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** "2026-12-26 09:00:00" in Beijing time (with the zone name appended when `zone`). */
export function shanghaiTime(ms: number | null | undefined, zone = false): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${zone ? ' (UTC+8)' : ''}`;
}

/** YYYY-MM-DD of an instant in Beijing time. */
export function shanghaiDate(ms: number): string {
  return shanghaiTime(ms).slice(0, 10);
}

/** "1,234,567.00 元" from a decimal string as the API gives it; no floating point. */
export function yuan(amount: string | null | undefined, s: Strings): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(amount);
  if (!m) return amount;
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''} ${s.yuan}`;
}

/** "3天 02:03:04" / "3d 02:03:04" / "02:03:04"; 00:00:00 once past. Mirrored in static/hall.js. */
export function remaining(ms: number, s: Strings): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return d > 0 ? `${d}${s.days} ${hms}` : hms;
}

/** "2026-12-01 09:00:00 (UTC+08:00)": an instant in a centre's own zone (the platform's default zone when none is known or it is unknown), with its offset. */
export function zonedTime(ms: number | null | undefined, timeZone: string = PORTAL_TIME_ZONE): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  let zone = timeZone;
  try {
    wallClock(ms, zone);
  } catch {
    zone = PORTAL_TIME_ZONE;
  }
  return `${wallClockText(ms, zone)} (${offsetLabel(ms, zone)})`;
}
