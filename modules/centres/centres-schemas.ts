// What the centre and calendar routes answer: a centre with its rules, and calendar days.
import { z } from 'zod';
import { centreSettingsSchema } from './centre-rules';

export const centreSchema = z.strictObject({
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  settings: centreSettingsSchema,
});
export type Centre = z.infer<typeof centreSchema>;

export const calendarDaySchema = z.strictObject({
  date: z.iso.date().describe('YYYY-MM-DD'),
  kind: z.enum(['holiday', 'workday']),
  name: z.string(),
});
export type CalendarDay = z.infer<typeof calendarDaySchema>;

export const centreResponse = z.strictObject({ centre: centreSchema });
export const centresResponse = z.strictObject({ centres: z.array(centreSchema) });
export const calendarDayResponse = z.strictObject({ day: calendarDaySchema });
export const calendarDaysResponse = z.strictObject({ days: z.array(calendarDaySchema) });
