// What other modules (bids, awards, opening, reports, imports) read from or ask of a section, without
// the visibility rules of the API: each call answers one module's question and nothing more.
import type { Knex } from 'knex';
import type { RequestContext } from '../core/context';
import type { Db, Tx } from '../../db/transactions';
import type { TxLifecycle } from '../lifecycle/lifecycle-engine';
import * as store from './tenders-store';

/** What the section facts need of a unit of work: the lifecycle, for awarded → contracted. */
export type SectionFactsTx = { lifecycle: Pick<TxLifecycle, 'transition'> };

async function awardFactsIn(db: Db, id: string) {
  const s = await store.findSection(db, id);
  if (!s) return null;
  return { id: s.id, code: s.code, centre: s.centre, title: s.title, state: s.state, publishedAt: s.publishedAt, referenceKind: s.referenceKind, referencePriceFen: s.referencePriceFen };
}

export function createSectionFacts(deps: { knex: Knex }) {
  const { knex } = deps;

  return {
    /** For the bids module: the facts of a section that bidding needs, without visibility rules. */
    async biddingFacts(id: string) {
      const s = await store.findSection(knex, id);
      if (!s) return null;
      return { id: s.id, code: s.code, title: s.title, centre: s.centre, state: s.state, publishedAt: s.publishedAt, bidDeadlineAt: s.bidDeadlineAt };
    },

    /** For the awards module: what an award records about its section, without visibility rules. */
    awardFacts: (id: string) => awardFactsIn(knex, id),

    /** For the historical import: which of these codes are already section codes. */
    existingCodes(codes: string[]): Promise<string[]> {
      return store.existingSectionCodes(knex, codes);
    },

    /** For the reports: how many sections of a centre were published, opened and failed in [from, to). */
    lifecycleCounts(centre: string, from: number, to: number) {
      return store.lifecycleCounts(knex, centre, from, to);
    },

    /** For the opening module: the whole section row and its project, without visibility rules. */
    async openingFacts(id: string) {
      const s = await store.findSection(knex, id);
      if (!s) return null;
      const project = (await store.findProject(knex, s.projectId))!;
      return { section: s, project: { id: project.id, code: project.code, title: project.title, tenderee: project.tenderee } };
    },

    /** The facts asked for inside another module's unit of work. */
    on: (tx: Tx<SectionFactsTx>) => ({
      /** For the awards module: the award's section as this transaction sees it. */
      awardFacts: (id: string) => awardFactsIn(tx.db, id),

      /** For the awards module: awarded → contracted; false if the section is not "awarded". */
      async markContracted(ctx: RequestContext, id: string, data: Record<string, unknown>): Promise<boolean> {
        const s = await store.findSection(tx.db, id);
        if (!s || s.state !== 'awarded') return false;
        await tx.lifecycle.transition(ctx, s, 'contracted', {}, { data });
        return true;
      },

      /** In a bid's unit of work: true while the section still takes bids at `now` (see store.lockForBid). */
      lockForBid(id: string, now: number): Promise<boolean> {
        return store.lockForBid(tx.db, id, now);
      },
    }),
  };
}

export type SectionFacts = ReturnType<typeof createSectionFacts>;
export type TxSectionFacts = ReturnType<SectionFacts['on']>;
