// The one schema of an instant accepted by the API: epoch milliseconds or ISO 8601 with an offset,
// within a range a tender can sensibly have (a deadline in year 0 or 9999 is a typing mistake).
import { z } from 'zod';

export const MIN_INSTANT = Date.UTC(2000, 0, 1);
export const MAX_INSTANT = Date.UTC(2200, 0, 1);

/** An instant: UTC epoch milliseconds, or an ISO 8601 date-time with an offset ("2026-12-20T09:30:00+08:00"). */
export const instantSchema = z
  .union([z.int(), z.iso.datetime({ offset: true })])
  .describe('UTC epoch milliseconds, or an ISO 8601 date-time with a time-zone offset; from 2000-01-01 to before 2200-01-01 UTC.')
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : Date.parse(v);
    if (!(ms >= MIN_INSTANT && ms < MAX_INSTANT)) {
      ctx.addIssue({ code: 'custom', message: `must be an instant from 2000-01-01 to before 2200-01-01 UTC; got ${typeof v === 'number' ? v : JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });
