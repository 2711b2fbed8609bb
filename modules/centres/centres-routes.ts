import { Router } from 'express';
import { z } from 'zod';
import { calendarDayResponse, calendarDaysResponse, centreResponse, centresResponse } from './centres-schemas';
import type { ApiRegistry } from '../../server/http/route';
import { validationFailed } from '../core/errors';
import { oneLineText } from '../core/text';
import { isCalendarDate } from './calendar';
import { centreSettingsSchema } from './centre-rules';
import type { CentresService } from './centres-service';

/** The :date of a calendar path: a real date YYYY-MM-DD (2026-02-30 is refused), or a 422 naming the field. */
function pathDate(raw: string | undefined): string {
  if (raw !== undefined && isCalendarDate(raw)) return raw;
  throw validationFailed(`The date in the path must be a real calendar date YYYY-MM-DD; "${raw ?? ''}" is not.`, [
    { field: 'date', message: `"date": must be a real calendar date YYYY-MM-DD (such as 2026-10-01); got "${raw ?? ''}"` },
  ]);
}

export function centresRoutes(centres: CentresService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'get',
    path: '/api/centres',
    public: true,
    tag: 'centres',
    summary: 'The four trading centres and their rules.',
    access: 'anyone',
    response: centresResponse,
    handler: async () => ({ centres: await centres.list() }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/centres/:code',
    public: true,
    tag: 'centres',
    summary: 'One centre and its rules.',
    access: 'anyone',
    response: centreResponse,
    handler: async ({ params }) => ({ centre: await centres.get(params.code!) }),
  });

  registry.add(router, {
    method: 'put',
    path: '/api/centres/:code/settings',
    tag: 'centres',
    summary: "Replace a centre's rules (minimum periods, minimum bids, bid bond cap, …).",
    access: 'admin',
    body: centreSettingsSchema,
    response: centreResponse,
    handler: async ({ ctx, params, body }) => {
      return { centre: await centres.updateSettings(ctx, params.code!, body) };
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/calendar',
    public: true,
    tag: 'centres',
    summary: 'Configured public holidays and make-up working days (weekends are implicit).',
    access: 'anyone',
    query: z.strictObject({
      year: z
        .string()
        .regex(/^\d{4}$/, 'must be a year such as 2026')
        .optional(),
    }),
    response: calendarDaysResponse,
    handler: async ({ query }) => ({ days: await centres.calendarDays(query.year ? Number(query.year) : undefined) }),
  });

  registry.add(router, {
    method: 'put',
    path: '/api/calendar/:date',
    tag: 'centres',
    summary: 'Mark a date as a public holiday or as a make-up working day.',
    access: 'admin',
    body: z.strictObject({ kind: z.enum(['holiday', 'workday']), name: oneLineText(1, 100) }),
    response: calendarDayResponse,
    handler: async ({ ctx, params, body }) => {
      return { day: await centres.setCalendarDay(ctx, { date: pathDate(params.date), ...body }) };
    },
  });

  registry.add(router, {
    method: 'delete',
    path: '/api/calendar/:date',
    tag: 'centres',
    summary: 'Remove a calendar entry.',
    status: 204,
    access: 'admin',
    handler: async ({ ctx, params, res }) => {
      await centres.deleteCalendarDay(ctx, pathDate(params.date));
      res.status(204).end();
      return undefined;
    },
  });

  return router;
}
