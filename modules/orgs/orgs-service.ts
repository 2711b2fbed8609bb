// Bidder organisations: registration with their representatives, review by centre staff.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, requireRole, type RequestContext } from '../core/context';
import { conflict, invalidTransition, notFound } from '../core/errors';
import { newId } from '../core/ids';
import { isUniqueViolation, type InTransaction } from '../../db/transactions';
import type { AuditAppender } from '../audit/audit-service';
import type { AccountsService, PublicUser, TxAccounts } from '../accounts/accounts-service';
import type { RegisterOrgInput } from './orgs-schemas';
import * as store from './orgs-store';

export type { Organisation } from './orgs-store';

/** What registration and review need of their unit of work: the log, and accounts for the first representatives. */
export type OrgsTx = { audit: AuditAppender; accounts: Pick<TxAccounts, 'createUser'> };

export interface OrgsDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<OrgsTx>;
  accounts: Pick<AccountsService, 'listUsersOfOrg'>;
}

export function createOrgsService(deps: OrgsDeps) {
  const { knex, clock, inTransaction, accounts } = deps;

  async function visibleOrg(ctx: RequestContext, id: string): Promise<store.Organisation> {
    const actor = requireActor(ctx);
    const org = await store.findOrg(knex, { id });
    const mayRead = isOverseer(actor) || actor.role === 'operator' || actor.orgId === id;
    // Another organisation's record is answered as not found: its existence is not ours to tell.
    if (!org || !mayRead) throw notFound('The organisation');
    return org;
  }

  async function review(ctx: RequestContext, id: string, to: 'approved' | 'rejected', note: string | null) {
    const actor = requireRole(ctx, ['operator', 'admin'], 'review organisations');
    return inTransaction(async (tx) => {
      const before = await store.findOrg(tx.db, { id });
      if (!before) throw notFound('The organisation');
      const ok = await store.reviewOrg(tx.db, id, to, actor.userId, note, clock.now());
      if (!ok) throw invalidTransition(`The organisation is already ${before.status}; only a pending registration can be reviewed.`);
      await tx.audit.append(ctx, {
        action: to === 'approved' ? 'org.approved' : 'org.rejected',
        objectType: 'organisation',
        objectId: id,
        data: { before: { status: before.status }, after: { status: to }, note },
      });
      return (await store.findOrg(tx.db, { id }))!;
    });
  }

  return {
    /** Anyone may register; the organisation stays pending until staff approve it. */
    async register(ctx: RequestContext, input: RegisterOrgInput): Promise<{ organisation: store.Organisation; representatives: PublicUser[] }> {
      return inTransaction(async (tx) => {
        if (await store.findOrg(tx.db, { credit_code: input.creditCode })) {
          throw conflict('An organisation with this unified social credit code is already registered.', [{ field: 'creditCode', message: 'already registered' }]);
        }
        const now = clock.now();
        const org: store.Organisation = {
          id: newId(),
          name: input.name,
          creditCode: input.creditCode,
          contactName: input.contactName,
          contactPhone: input.contactPhone,
          contactEmail: input.contactEmail ?? null,
          address: input.address ?? null,
          status: 'pending',
          reviewedBy: null,
          reviewedAt: null,
          reviewNote: null,
          createdAt: now,
          updatedAt: now,
        };
        try {
          await store.insertOrg(tx.db, org);
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict('An organisation with this unified social credit code is already registered.', [{ field: 'creditCode', message: 'already registered' }]);
          throw err;
        }
        await tx.audit.append(ctx, {
          action: 'org.registered',
          objectType: 'organisation',
          objectId: org.id,
          data: { name: org.name, creditCode: org.creditCode },
        });
        const representatives: PublicUser[] = [];
        for (const rep of input.representatives) {
          representatives.push(await tx.accounts.createUser(ctx, { ...rep, role: 'bidder', orgId: org.id }));
        }
        return { organisation: org, representatives };
      });
    },

    async list(ctx: RequestContext, status?: store.OrgStatus): Promise<store.Organisation[]> {
      requireRole(ctx, ['operator', 'admin', 'supervisor', 'auditor'], 'list organisations');
      return store.listOrgs(knex, status);
    },

    async get(ctx: RequestContext, id: string) {
      const org = await visibleOrg(ctx, id);
      return { organisation: org, representatives: await accounts.listUsersOfOrg(id) };
    },

    approve: (ctx: RequestContext, id: string, note?: string) => review(ctx, id, 'approved', note ?? null),
    reject: (ctx: RequestContext, id: string, note: string) => review(ctx, id, 'rejected', note),
  };
}

export type OrgsService = ReturnType<typeof createOrgsService>;
