// A custodian's own overview: the sections whose opening key it holds a share of, and whether it
// can release its share now. Reads its own shares only; no share ever leaves here, even encrypted.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { requireActor, type RequestContext } from '../core/context';
import type { z } from 'zod';
import type { SectionFacts } from './custody-info';
import type { myCustodyResponseSchema } from './custody-schemas';
import * as store from './custody-store';

export type MyCustody = z.infer<typeof myCustodyResponseSchema>;

/** The states in which releaseShare (custody-opening.ts) takes a share: bidding closed, opening not finished. */
const RELEASE_STATES = new Set(['closed', 'opening']);

/** What releaseShare would accept now, short of the share itself. */
export function canReleaseNow(section: SectionFacts, share: store.KeyShareRow, publishedAt: number | null, now: number): boolean {
  return publishedAt !== null && share.releasedAt === null && section.bidDeadlineAt !== null && now >= section.bidDeadlineAt && RELEASE_STATES.has(section.state);
}

export function createCustodyOverview(deps: { knex: Knex; clock: Clock; sectionFacts(id: string): Promise<SectionFacts | null> }) {
  const { knex, clock } = deps;

  return {
    /** The signed-in user's shares, one entry per section; an empty list for someone who holds none. */
    async mySections(ctx: RequestContext): Promise<MyCustody> {
      const actor = requireActor(ctx);
      const now = clock.now();
      const out: MyCustody['sections'] = [];
      for (const share of await store.sharesOfCustodian(knex, actor.userId)) {
        const [section, key] = await Promise.all([deps.sectionFacts(share.sectionId), store.findKey(knex, share.sectionId)]);
        if (!section || !key) continue;
        out.push({
          section: { id: section.id, code: section.code, title: section.title, state: section.state, bidDeadlineAt: section.bidDeadlineAt, publishedAt: key.publishedAt },
          threshold: key.threshold,
          share: {
            index: share.shareIndex,
            certificateFingerprint: share.certificateFingerprint,
            releasedAt: share.releasedAt,
            released: share.releasedAt !== null,
            confirmation: share.confirmation ?? null,
          },
          canReleaseNow: canReleaseNow(section, share, key.publishedAt, now),
        });
      }
      // The deadlines to act on first.
      out.sort((a, b) => (a.section.bidDeadlineAt ?? Number.MAX_SAFE_INTEGER) - (b.section.bidDeadlineAt ?? Number.MAX_SAFE_INTEGER) || a.section.code.localeCompare(b.section.code));
      return { sections: out };
    },
  };
}
