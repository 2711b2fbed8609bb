// What other modules ask of an organisation (may it bid, what does a record say of it), without the
// visibility rules of the API. It needs nothing but the database, so the composition root can build
// it before the accounts service, which asks it before handing a bidder an API token.
import type { Knex } from 'knex';
import * as store from './orgs-store';

export function createOrgFacts(deps: { knex: Knex }) {
  const { knex } = deps;
  return {
    /** The organisation as records name it (opening record, evaluation report). */
    async publicFacts(id: string): Promise<{ id: string; name: string; creditCode: string } | null> {
      const org = await store.findOrg(knex, { id });
      return org ? { id: org.id, name: org.name, creditCode: org.creditCode } : null;
    },

    /** For the pages' header: the name and review status of the signed-in bidder's organisation. */
    async nameAndStatus(id: string): Promise<{ name: string; status: store.OrgStatus } | null> {
      const org = await store.findOrg(knex, { id });
      return org ? { name: org.name, status: org.status } : null;
    },

    /** Is this organisation allowed to bid (approved by the centre)? */
    async isApproved(id: string): Promise<boolean> {
      return (await store.findOrg(knex, { id }))?.status === 'approved';
    },
  };
}

export type OrgFacts = ReturnType<typeof createOrgFacts>;
