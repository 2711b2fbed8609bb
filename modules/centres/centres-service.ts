// The four centres' settings and the shared working-day calendar. Other modules ask for a centre's
// rules here and never read these tables themselves.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { requireRole, type RequestContext } from '../core/context';
import { notFound, validationFailed } from '../core/errors';
import type { InTransaction } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import { WorkingCalendar, type CalendarDay } from './calendar';
import { centreSettingsSchema, type CentreSettings } from './centre-rules';
import type { Centre } from './centres-schemas';
import * as store from './centres-store';

export type { Centre };

export interface CentreRules extends Centre {
  calendar: WorkingCalendar;
}

export function createCentresService(deps: { knex: Knex; clock: Clock; inTransaction: InTransaction<AuditedTx> }) {
  const { knex, clock, inTransaction } = deps;

  function toCentre(row: store.CentreRow): Centre {
    return { code: row.code, nameZh: row.nameZh, nameEn: row.nameEn, settings: centreSettingsSchema.parse(row.settings) };
  }

  return {
    async list(): Promise<Centre[]> {
      return (await store.listCentres(knex)).map(toCentre);
    },

    async get(code: string): Promise<Centre> {
      const row = await store.findCentre(knex, code);
      if (!row) throw notFound(`The centre "${code}"`);
      return toCentre(row);
    },

    /** The centre's settings together with the working-day calendar in its time zone. */
    async rules(code: string): Promise<CentreRules> {
      const centre = await this.get(code);
      const days = await store.listDays(knex);
      return { ...centre, calendar: new WorkingCalendar(days, centre.settings.timeZone) };
    },

    async updateSettings(ctx: RequestContext, code: string, settings: CentreSettings): Promise<Centre> {
      requireRole(ctx, ['admin'], "change a centre's rules");
      if ((settings.direction === 'cost') !== (settings.metric === 'savings')) {
        throw validationFailed('A cost-side centre reports a savings rate and a revenue-side centre a value-added rate.', [
          { field: 'metric', message: '"metric" must be savings for direction cost and value_added for direction revenue' },
        ]);
      }
      try {
        new Intl.DateTimeFormat('en', { timeZone: settings.timeZone });
      } catch {
        throw validationFailed(`"${settings.timeZone}" is not a known time zone.`, [{ field: 'timeZone', message: 'unknown time zone, e.g. Asia/Shanghai' }]);
      }
      return inTransaction(async (tx) => {
        const before = await store.findCentre(tx.db, code);
        if (!before) throw notFound(`The centre "${code}"`);
        await store.saveSettings(tx.db, code, settings, clock.now());
        await tx.audit.append(ctx, { action: 'centre.settings_changed', objectType: 'centre', objectId: code, data: { before: before.settings, after: settings } });
        return toCentre((await store.findCentre(tx.db, code))!);
      });
    },

    async calendarDays(year?: number): Promise<CalendarDay[]> {
      return store.listDays(knex, year);
    },

    async setCalendarDay(ctx: RequestContext, day: CalendarDay): Promise<CalendarDay> {
      requireRole(ctx, ['admin'], 'change the working-day calendar');
      await inTransaction(async (tx) => {
        await store.upsertDay(tx.db, day);
        await tx.audit.append(ctx, { action: 'calendar.day_set', objectType: 'calendar', objectId: day.date, data: { ...day } });
      });
      return day;
    },

    async deleteCalendarDay(ctx: RequestContext, date: string): Promise<void> {
      requireRole(ctx, ['admin'], 'change the working-day calendar');
      await inTransaction(async (tx) => {
        if ((await store.deleteDay(tx.db, date)) !== 1) throw notFound(`A calendar entry for ${date}`);
        await tx.audit.append(ctx, { action: 'calendar.day_removed', objectType: 'calendar', objectId: date });
      });
    },
  };
}

export type CentresService = ReturnType<typeof createCentresService>;
