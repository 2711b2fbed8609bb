import type { Db } from '../../db/transactions';
import { toMs, toStr } from '../../db/row';
import type { CalendarDay } from './calendar';

export interface CentreRow {
  code: string;
  nameZh: string;
  nameEn: string;
  settings: unknown;
  updatedAt: number;
}

function map(r: any): CentreRow {
  return { code: toStr(r.code), nameZh: toStr(r.name_zh), nameEn: toStr(r.name_en), settings: JSON.parse(toStr(r.settings)), updatedAt: toMs(r.updated_at) };
}

export async function listCentres(db: Db): Promise<CentreRow[]> {
  return (await db('centres').orderBy('code')).map(map);
}

export async function findCentre(db: Db, code: string): Promise<CentreRow | null> {
  const r = await db('centres').where({ code }).first();
  return r ? map(r) : null;
}

export async function saveSettings(db: Db, code: string, settings: unknown, now: number): Promise<void> {
  await db('centres')
    .where({ code })
    .update({ settings: JSON.stringify(settings), updated_at: now });
}

export async function listDays(db: Db, year?: number): Promise<CalendarDay[]> {
  const q = db('calendar_days').orderBy('date');
  if (year) q.where('date', 'like', `${year}-%`);
  return (await q).map((r: any) => ({ date: toStr(r.date), kind: toStr(r.kind) as CalendarDay['kind'], name: toStr(r.name) }));
}

export async function upsertDay(db: Db, day: CalendarDay): Promise<void> {
  await db('calendar_days').insert(day).onConflict('date').merge(['kind', 'name']);
}

export async function deleteDay(db: Db, date: string): Promise<number> {
  return Number(await db('calendar_days').where({ date }).delete());
}
