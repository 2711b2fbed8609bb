// What other modules (bids, awards, opening, reports, imports) read from or ask of a section, without
// the visibility rules of the API: each call answers one module's question and nothing more.
import type { Knex } from 'knex';
import type { RequestContext } from '../core/context';
import type { Db } from '../../db/transactions';
import type { LifecycleEngine } from '../lifecycle/lifecycle-engine';
import * as store from './tenders-store';

export function createSectionFacts(deps: { knex: Knex; engine: Pick<LifecycleEngine, 'transition'> }) {
  const { knex, engine } = deps;

  return {
    /** For the bids module: the facts of a section that bidding needs, without visibility rules. */
    async biddingFacts(db: Db, id: string) {
      const s = await store.findSection(db ?? knex, id);
      if (!s) return null;
      return { id: s.id, code: s.code, title: s.title, centre: s.centre, state: s.state, publishedAt: s.publishedAt, bidDeadlineAt: s.bidDeadlineAt };
    },

    /** For the awards module: what an award records about its section, without visibility rules. */
    async awardFacts(db: Db, id: string) {
      const s = await store.findSection(db ?? knex, id);
      if (!s) return null;
      return { id: s.id, code: s.code, centre: s.centre, title: s.title, state: s.state, publishedAt: s.publishedAt, referenceKind: s.referenceKind, referencePriceFen: s.referencePriceFen };
    },

    /** For the awards module, inside its transaction: awarded → contracted; false if the section is not "awarded". */
    async markContracted(trx: Db, ctx: RequestContext, id: string, data: Record<string, unknown>): Promise<boolean> {
      const s = await store.findSection(trx, id);
      if (!s || s.state !== 'awarded') return false;
      await engine.transition(trx, ctx, s, 'contracted', {}, { data });
      return true;
    },

    /** For the historical import: which of these codes are already section codes. */
    existingCodes(db: Db, codes: string[]): Promise<string[]> {
      return store.existingSectionCodes(db, codes);
    },

    /** For the reports: publication, opening and failure instants of sections active in [from, to). */
    activityBetween(from: number, to: number) {
      return store.activityBetween(knex, from, to);
    },

    /** Inside a bid transaction: true while the section still takes bids at `now` (see store.lockForBid). */
    lockForBid(trx: Db, id: string, now: number): Promise<boolean> {
      return store.lockForBid(trx, id, now);
    },

    /** For the opening module: the whole section row and its project, without visibility rules. */
    async openingFacts(id: string) {
      const s = await store.findSection(knex, id);
      if (!s) return null;
      const project = (await store.findProject(knex, s.projectId))!;
      return { section: s, project: { id: project.id, code: project.code, title: project.title, tenderee: project.tenderee } };
    },
  };
}

export type SectionFacts = ReturnType<typeof createSectionFacts>;
