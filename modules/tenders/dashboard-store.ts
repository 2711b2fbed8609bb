// The SQL of the operator's dashboard: sections counted by state in the database, and each "needs
// me now" list (drafts, clarification deadlines, openings today, evaluations, publicity ending,
// contracts due) read one bounded page at a time, so that the dashboard reads the same few rows
// whether a centre has ten sections or ten thousand. It joins the evaluation's publicity end and
// the award's date, which their modules write; it only reads them.
import type { Knex } from 'knex';
import type { Db } from '../../db/transactions';
import { toInt, toMs, toMsOrNull, toStr } from '../../db/row';

export const NEED_KEYS = ['drafts', 'clarificationDeadlines', 'openingsToday', 'evaluations', 'publicityEnding', 'contractsDue'] as const;
export type NeedKey = (typeof NEED_KEYS)[number];

export interface DashboardScope {
  /** The centres the operator manages. */
  centres: string[];
  now: number;
  /** Each centre's "today" in its own zone: [start, end) in UTC ms. */
  todayOf: Record<string, [number, number]>;
  /** Each centre's days from the award to the contract. */
  contractDaysOf: Record<string, number>;
}

export interface DashboardRow {
  id: string;
  code: string;
  title: string;
  state: string;
  centre: string;
  updatedAt: number;
  clarificationDeadlineAt: number | null;
  bidDeadlineAt: number | null;
  publicityEndsAt: number | null;
  awardedAt: number | null;
}

const DAY = 86_400_000;
const COLUMNS = ['s.id', 's.code', 's.title', 's.state', 's.centre_code', 's.updated_at', 's.clarification_deadline_at', 's.bid_deadline_at'];

const mapRow = (r: any): DashboardRow => ({
  id: toStr(r.id),
  code: toStr(r.code),
  title: toStr(r.title),
  state: toStr(r.state),
  centre: toStr(r.centre_code),
  updatedAt: toMs(r.updated_at),
  clarificationDeadlineAt: toMsOrNull(r.clarification_deadline_at),
  bidDeadlineAt: toMsOrNull(r.bid_deadline_at),
  publicityEndsAt: toMsOrNull(r.publicity_ends_at),
  awardedAt: toMsOrNull(r.awarded_at),
});

/** The sections of one list, without its order (for the count) or with it (for a page). */
function needQuery(db: Db, key: NeedKey, scope: DashboardScope, ordered: boolean): Knex.QueryBuilder {
  const q = db('sections as s').whereIn('s.centre_code', scope.centres);
  const order = (...o: Array<{ column: string; order: 'asc' | 'desc' }>) => {
    if (ordered) q.orderBy([...o, { column: 's.id', order: 'asc' }]);
  };
  switch (key) {
    case 'drafts':
      q.where('s.state', 'draft');
      order({ column: 's.updated_at', order: 'desc' });
      break;
    case 'clarificationDeadlines':
      q.whereIn('s.state', ['published', 'bidding']).where('s.clarification_deadline_at', '>', scope.now);
      order({ column: 's.clarification_deadline_at', order: 'asc' });
      break;
    case 'openingsToday':
      q.whereNotIn('s.state', ['draft', 'cancelled']).where((w) => {
        for (const centre of scope.centres) {
          const [from, to] = scope.todayOf[centre]!;
          w.orWhere((x) => x.where('s.centre_code', centre).where('s.bid_deadline_at', '>=', from).where('s.bid_deadline_at', '<', to));
        }
      });
      order({ column: 's.bid_deadline_at', order: 'asc' });
      break;
    case 'evaluations':
      q.whereIn('s.state', ['opened', 'evaluating']);
      order({ column: 's.bid_deadline_at', order: 'asc' });
      break;
    case 'publicityEnding':
      q.leftJoin('evaluations as e', 'e.section_id', 's.id').where('s.state', 'publicity');
      if (ordered) q.select('e.publicity_ends_at');
      order({ column: 'e.publicity_ends_at', order: 'asc' });
      break;
    case 'contractsDue': {
      q.join('awards as a', 'a.section_id', 's.id').where('s.state', 'awarded').whereNull('a.contract_signed_at');
      if (ordered) {
        // Due first: the award's date plus the centre's own days.
        const cases = scope.centres.map(() => 'WHEN ? THEN ?').join(' ');
        q.select('a.awarded_at').orderByRaw(
          `a.awarded_at + CASE s.centre_code ${cases} ELSE 0 END asc, s.id asc`,
          scope.centres.flatMap((c) => [c, (scope.contractDaysOf[c] ?? 0) * DAY]),
        );
      }
      break;
    }
  }
  return q;
}

/** One page of a "needs me now" list. */
export async function needRows(db: Db, key: NeedKey, scope: DashboardScope, limit: number, offset = 0): Promise<DashboardRow[]> {
  if (!scope.centres.length) return [];
  const rows = await needQuery(db, key, scope, true)
    .select(...COLUMNS)
    .limit(limit)
    .offset(offset);
  return rows.map(mapRow);
}

/** How many sections a "needs me now" list has in all. */
export async function needCount(db: Db, key: NeedKey, scope: DashboardScope): Promise<number> {
  if (!scope.centres.length) return 0;
  const r = await needQuery(db, key, scope, false).count({ n: '*' }).first();
  return toInt(r?.n ?? 0);
}

/** The sections of the centres counted by state, in the database. */
export async function stateCounts(db: Db, centres: string[]): Promise<Map<string, number>> {
  if (!centres.length) return new Map();
  const rows = await db('sections').whereIn('centre_code', centres).select('state').count({ n: '*' }).groupBy('state');
  return new Map(rows.map((r: any) => [toStr(r.state), toInt(r.n)]));
}

/** One page of the centres' sections in a state, newest first (as the section lists order them). */
export async function stateRows(db: Db, centres: string[], state: string, limit: number, offset = 0): Promise<DashboardRow[]> {
  if (!centres.length) return [];
  const rows = await db('sections as s')
    .whereIn('s.centre_code', centres)
    .where('s.state', state)
    .select(...COLUMNS)
    .orderBy([
      { column: 's.created_at', order: 'desc' },
      { column: 's.id', order: 'desc' },
    ])
    .limit(limit)
    .offset(offset);
  return rows.map(mapRow);
}
