// SQL of the public section browser (the portal's /sections and /archive): published sections
// filtered by centre, state and procedure, searched by code and title, one page at a time. The
// page's rows come from an index range (migration 0024: sections by publication time, alone and
// after centre, state and procedure); the total is a COUNT over the same filter, never a load.
import type { Db } from '../../db/transactions';
import { toInt, toStr } from '../../db/row';
import type { SectionState } from '../lifecycle/lifecycle';
import { mapSection, type Section } from './tenders-store';

export interface BrowseQuery {
  centre?: string;
  states?: SectionState[];
  procedure?: string;
  /** Words searched in the section's code and title (each must appear; case-insensitive for Latin letters). */
  search?: string;
  limit: number;
  offset: number;
}

export interface BrowsePage {
  rows: Array<Section & { projectTitle: string; tenderee: string }>;
  total: number;
}

/** A LIKE pattern that matches `word` literally anywhere ('!' escapes %, _ and itself on both engines). */
const contains = (word: string) => `%${word.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;

/** The search's words: at most 5, each at most 48 characters (a code is at most 48). */
export function searchWords(search: string | undefined): string[] {
  return (search ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 5)
    .map((w) => w.slice(0, 48));
}

export async function browseSections(db: Db, q: BrowseQuery): Promise<BrowsePage> {
  const filtered = () => {
    const query = db('sections as s').whereNotNull('s.published_at');
    if (q.centre) query.where('s.centre_code', q.centre);
    if (q.states?.length === 1) query.where('s.state', q.states[0]!);
    else if (q.states?.length) query.whereIn('s.state', q.states);
    if (q.procedure) query.where('s.procedure', q.procedure);
    for (const word of searchWords(q.search)) {
      const pattern = contains(word);
      query.where((w) => w.whereRaw("s.code LIKE ? ESCAPE '!'", [pattern]).orWhereRaw("s.title LIKE ? ESCAPE '!'", [pattern]));
    }
    return query;
  };
  const counted = await filtered().count({ n: '*' }).first();
  const total = toInt((counted as { n: unknown } | undefined)?.n ?? 0);
  // The page's ids first (an index range, no join), then their rows with the project's title.
  const ids = (
    await filtered()
      .select('s.id')
      .orderBy([
        { column: 's.published_at', order: 'desc' },
        { column: 's.id', order: 'desc' },
      ])
      .limit(q.limit)
      .offset(q.offset)
  ).map((r: { id: unknown }) => toStr(r.id));
  if (!ids.length) return { rows: [], total };
  const rows = await db('sections as s').join('projects as p', 'p.id', 's.project_id').select('s.*', 'p.title as project_title', 'p.tenderee as tenderee').whereIn('s.id', ids);
  const byId = new Map(rows.map((r: any) => [toStr(r.id), r]));
  return {
    total,
    rows: ids.map((id) => {
      const r = byId.get(id) as any;
      return { ...mapSection(r), projectTitle: toStr(r.project_title), tenderee: toStr(r.tenderee) };
    }),
  };
}
