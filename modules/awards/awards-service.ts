// Awards and contracts: the award of a section (recorded by the evaluation module inside its own
// transaction; there is deliberately no HTTP route that awards without an evaluation), the signed
// contract, and the final amounts that feed the rate reports.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { requireActor, type RequestContext } from '../core/context';
import { conflict, forbidden, notFound, ruleViolation, validationFailed } from '../core/errors';
import { formatYuan } from '../core/money';
import { isUniqueViolation, type InTransaction, type Tx } from '../../db/transactions';
import type { AuditAppender } from '../audit/audit-service';
import { dayNumber, localDate } from '../centres/calendar';
import type { CentresService } from '../centres/centres-service';
import type { SectionFacts, TxSectionFacts } from '../tenders/section-facts';
import type { Award } from '../formats/award';
import * as store from './awards-store';
import { mayManageCentre } from '../core/access';

/** TBL 46 / ZCF 46: the contract within 30 days of the award notice, unless the centre sets otherwise. */
export const DEFAULT_CONTRACT_WITHIN_DAYS = 30;

export interface AwardsDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<AwardsTx>;
  centres: Pick<CentresService, 'rules'>;
  sections: Pick<SectionFacts, 'awardFacts'>;
}

/** What an award's unit of work needs: the log, and the section's facts and its move to "contracted". */
export type AwardsTx = { audit: AuditAppender; sections: Pick<TxSectionFacts, 'awardFacts' | 'markContracted'> };

export interface AwardInput {
  sectionId: string;
  orgId: string | null;
  bidderName: string;
  amountFen: bigint;
  awardedAt: number;
  notice?: string | null;
}

/** One awarded section as the reports read it. */
export interface AwardedSection {
  centre: string;
  sectionId: string;
  code: string;
  title: string;
  referenceKind: string;
  referencePriceFen: bigint;
  /** The contract amount once signed, else the award amount. */
  finalAmountFen: bigint;
  awardedAt: number;
  contracted: boolean;
  imported: false;
}

export function awardJson(a: store.Award): Award {
  return {
    sectionId: a.sectionId,
    centre: a.centre,
    code: a.code,
    bidderName: a.bidderName,
    orgId: a.orgId,
    amount: formatYuan(a.amountFen),
    awardedAt: a.awardedAt,
    contractSignedAt: a.contractSignedAt,
    contractAmount: a.contractAmountFen === null ? null : formatYuan(a.contractAmountFen),
  };
}

export function createAwardsService(deps: AwardsDeps) {
  const { knex, clock, inTransaction, centres, sections } = deps;

  /**
   * Records the award of a section in the evaluation module's unit of work (which also moves the
   * section to "awarded"). A section is awarded once: a second award is a 409.
   */
  async function recordAward(tx: Tx<AwardsTx>, ctx: RequestContext, input: AwardInput) {
    const facts = await tx.sections.awardFacts(input.sectionId);
    if (!facts) throw notFound('The section');
    if (input.amountFen <= 0n) throw validationFailed('amount: the award amount must be more than zero.', [{ field: 'amount', message: '"amount" must be more than zero' }]);
    const award: store.Award = {
      sectionId: facts.id,
      centre: facts.centre,
      code: facts.code,
      title: facts.title,
      referenceKind: facts.referenceKind,
      referencePriceFen: facts.referencePriceFen,
      orgId: input.orgId,
      bidderName: input.bidderName,
      amountFen: input.amountFen,
      awardedAt: input.awardedAt,
      notice: input.notice ?? null,
      contractSignedAt: null,
      contractAmountFen: null,
      createdBy: ctx.actor?.userId ?? null,
      createdAt: clock.now(),
    };
    try {
      await store.insertAward(tx.db, award);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`Section ${facts.code} has already been awarded.`);
      throw err;
    }
    await tx.audit.append(ctx, {
      action: 'award.recorded',
      objectType: 'section',
      objectId: facts.id,
      data: { code: facts.code, centre: facts.centre, orgId: input.orgId, bidderName: input.bidderName, amount: formatYuan(input.amountFen), awardedAt: input.awardedAt },
    });
    return awardJson(award);
  }

  return {
    /** The awards' step inside the evaluation's unit of work. */
    on: (tx: Tx<AwardsTx>) => ({ recordAward: (ctx: RequestContext, input: AwardInput) => recordAward(tx, ctx, input) }),

    /** The signed contract: by an operator of the centre (or admin), within the centre's period after the award. */
    async recordContract(ctx: RequestContext, sectionId: string, input: { signedAt: number; amountFen: bigint }) {
      const actor = requireActor(ctx);
      const facts = await sections.awardFacts(sectionId);
      if (!facts || facts.publishedAt === null) throw notFound('The section');
      if (!mayManageCentre(actor, facts.centre)) {
        throw forbidden(`Only operators of the ${facts.centre} centre may record the contract of this section.`);
      }
      const rules = await centres.rules(facts.centre);
      const zone = rules.settings.timeZone;
      const withinDays = rules.settings.contractWithinDays ?? DEFAULT_CONTRACT_WITHIN_DAYS;
      return inTransaction(async (tx) => {
        const award = await store.findAward(tx.db, sectionId);
        if (!award) throw conflict(`Section ${facts.code} has no award yet; a contract follows the award.`);
        if (award.contractSignedAt !== null) throw conflict(`The contract of section ${facts.code} was already recorded.`);
        if (input.amountFen <= 0n) throw validationFailed('amount: the contract amount must be more than zero.', [{ field: 'amount', message: '"amount" must be more than zero' }]);
        if (input.signedAt < award.awardedAt) {
          throw validationFailed('signedAt: the contract cannot be signed before the award.', [
            { field: 'signedAt', message: `"signedAt" is before the award (${new Date(award.awardedAt).toISOString()})` },
          ]);
        }
        if (input.signedAt > clock.now()) {
          throw validationFailed('signedAt: the signing date is in the future.', [{ field: 'signedAt', message: '"signedAt" must not be in the future' }]);
        }
        const days = dayNumber(localDate(input.signedAt, zone)) - dayNumber(localDate(award.awardedAt, zone));
        if (days > withinDays) {
          throw ruleViolation(
            'contractWithinDays',
            `Rule contractWithinDays (TBL 46, ZCF 46): the contract must be signed within ${withinDays} days of the award (${localDate(award.awardedAt, zone)}); ${localDate(input.signedAt, zone)} is ${days} days after it.`,
            { required: withinDays, actual: days },
          );
        }
        if (!(await store.setContract(tx.db, sectionId, input.signedAt, input.amountFen, actor.userId))) {
          throw conflict(`The contract of section ${facts.code} was recorded meanwhile.`);
        }
        const data = { code: facts.code, signedAt: input.signedAt, amount: formatYuan(input.amountFen), awardAmount: formatYuan(award.amountFen) };
        // The lifecycle move awarded → contracted is the tenders module's (its own audit entry).
        const moved = await tx.sections.markContracted(ctx, sectionId, data);
        await tx.audit.append(ctx, { action: 'award.contract_recorded', objectType: 'section', objectId: sectionId, data: { ...data, sectionMoved: moved } });
        return { award: awardJson((await store.findAward(tx.db, sectionId))!) };
      });
    },

    /** The public award of a section with its notice (中标通知书 / 成交通知书); 404 before the award. */
    async publicAward(sectionId: string) {
      const a = await store.findAward(knex, sectionId);
      if (!a) throw notFound('The award');
      return { award: { ...awardJson(a), notice: a.notice } };
    },

    async getAward(sectionId: string) {
      const a = await store.findAward(knex, sectionId);
      return a ? awardJson(a) : null;
    },

    /** For the reports: the awards of one centre summed per bucket of award instants (store.awardTotals). */
    awardTotals(centre: string, bounds: readonly number[]) {
      return store.awardTotals(knex, centre, bounds);
    },

    /** For the reports: a page of awarded sections in (awardedAt, code) order, with their final amounts. */
    async awardedPage(ranges: ReadonlyArray<{ centre: string; from: number; to: number }>, after: store.ListCursor | null, limit: number): Promise<AwardedSection[]> {
      const rows = await store.awardsPage(knex, ranges, after, limit);
      return rows.map((a) => ({
        centre: a.centre,
        sectionId: a.sectionId,
        code: a.code,
        title: a.title,
        referenceKind: a.referenceKind,
        referencePriceFen: a.referencePriceFen,
        finalAmountFen: a.contractAmountFen ?? a.amountFen,
        awardedAt: a.awardedAt,
        contracted: a.contractAmountFen !== null,
        imported: false as const,
      }));
    },
  };
}

export type AwardsService = ReturnType<typeof createAwardsService>;
export type TxAwards = ReturnType<AwardsService['on']>;
