// The one shape of an objections table (opening_objections, evaluation_objections): its row type,
// row mapper and queries, so that each store keeps only its own table name.
import type { Db } from './transactions';
import { toMs, toMsOrNull, toStr, toStrOrNull } from './row';

export interface Objection {
  id: string;
  sectionId: string;
  orgId: string;
  userId: string;
  text: string;
  raisedAt: number;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: number | null;
}

const mapObjection = (r: any): Objection => ({
  id: toStr(r.id),
  sectionId: toStr(r.section_id),
  orgId: toStr(r.org_id),
  userId: toStr(r.user_id),
  text: toStr(r.text),
  raisedAt: toMs(r.raised_at),
  answer: toStrOrNull(r.answer),
  answeredBy: toStrOrNull(r.answered_by),
  answeredAt: toMsOrNull(r.answered_at),
});

export function objectionsTable(table: string) {
  return {
    async insertObjection(db: Db, o: Objection): Promise<void> {
      await db(table).insert({
        id: o.id,
        section_id: o.sectionId,
        org_id: o.orgId,
        user_id: o.userId,
        text: o.text,
        raised_at: o.raisedAt,
        answer: null,
        answered_by: null,
        answered_at: null,
      });
    },

    async objectionsOf(db: Db, sectionId: string): Promise<Objection[]> {
      return (
        await db(table)
          .where({ section_id: sectionId })
          .orderBy([{ column: 'raised_at' }, { column: 'id' }])
      ).map(mapObjection);
    },

    async findObjection(db: Db, sectionId: string, id: string): Promise<Objection | null> {
      const r = await db(table).where({ section_id: sectionId, id }).first();
      return r ? mapObjection(r) : null;
    },

    /** Guarded: an objection is answered once. */
    async answerObjection(db: Db, id: string, answer: string, by: string, at: number): Promise<boolean> {
      const n = await db(table).where({ id }).whereNull('answer').update({ answer, answered_by: by, answered_at: at });
      return Number(n) === 1;
    },
  };
}
