// The evaluation after the opening (TBLS 53–55, 87 §§ 55–69): the ranking by the section's method,
// the 废标 / no-deal rules, the sealed reserve price of revenue-side sections, the candidate publicity
// with objections, and the award (recorded by the awards module in the same transaction).
import crypto from 'node:crypto';
import { Decrypter } from 'age-encryption';
import Decimal from 'decimal.js';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { DAY } from '../core/clock';
import { requireActor, SYSTEM_CONTEXT, type RequestContext } from '../core/context';
import { AppError, conflict, forbidden, notFound, validationFailed } from '../core/errors';
import { newId } from '../core/ids';
import { formatYuan, parseYuan, yuanGrouped } from '../core/money';
import { isUniqueViolation, type InTransaction } from '../../db/transactions';
import type { AuditAppender } from '../audit/audit-service';
import type { TxAwards } from '../awards/awards-service';
import { localDate } from '../centres/calendar';
import type { CentresService } from '../centres/centres-service';
import type { OpeningService } from '../opening/opening-service';
import { parseHeader } from '../opening/age-native';
import type { TxLifecycle } from '../lifecycle/lifecycle-engine';
import type { SectionFacts } from '../tenders/section-facts';
import type { EvaluationView } from './evaluation-schemas';
import * as store from './evaluation-store';
import { MAX_CANDIDATES, missingScores, rankByPrice, rankByScore, rankedJson, responsiveBids, type RecordBid } from './ranking';
import { mayManageCentre } from '../core/access';
import { centreWords, tradeKindOf } from '../centres/centre-words';

const MAX_RESERVE_BYTES = 4096;
/** The cause of a bid the evaluation committee excluded (否决投标); its message is the committee's reason. */
export const EXCLUDED_BY_COMMITTEE = 'excluded_by_committee';

export interface EvaluationDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<EvaluationTx>;
  sections: Pick<SectionFacts, 'openingFacts'>;
  centres: Pick<CentresService, 'rules'>;
  opening: Pick<OpeningService, 'record'>;
}

/** What the evaluation's units of work need: the log, the lifecycle's steps by the operator, and the award. */
export type EvaluationTx = { audit: AuditAppender; lifecycle: Pick<TxLifecycle, 'evaluationTransition'>; awards: Pick<TxAwards, 'recordAward'> };

type Section = NonNullable<Awaited<ReturnType<SectionFacts['openingFacts']>>>['section'];

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

const PUBLIC_STATES = new Set(['publicity', 'awarded', 'contracted', 'archived', 'failed']);

export function createEvaluationService(deps: EvaluationDeps) {
  const { knex, clock, inTransaction, sections, centres, opening } = deps;

  async function section(id: string): Promise<Section> {
    const f = await sections.openingFacts(id);
    if (!f || f.section.publishedAt === null) throw notFound('The section');
    return f.section;
  }

  /** 404 for what the caller may not see, 403 for what it may see but not change. */
  async function managed(ctx: RequestContext, id: string, doing: string): Promise<Section> {
    const actor = requireActor(ctx);
    const s = await section(id);
    if (!mayManageCentre(actor, s.centre)) throw forbidden(`Only operators of the ${s.centre} centre may ${doing}.`);
    return s;
  }

  async function evaluationOf(s: Section): Promise<store.Evaluation> {
    const e = await store.findEvaluation(knex, s.id);
    if (!e) throw new AppError(409, 'evaluation_not_started', `The evaluation of ${s.code} has not started (the section is ${s.state}).`);
    return e;
  }

  /** The published opening record: the bids and, for the reserve, the opening secret key. */
  async function openingRecord(id: string): Promise<{ bids: RecordBid[]; identity: string }> {
    const { json } = await opening.record(SYSTEM_CONTEXT, id);
    const r = JSON.parse(json);
    return { bids: r.bids as RecordBid[], identity: r.openingKey.identity as string };
  }

  /** True while the candidate publicity runs (TBLS 54): the only time objections to the candidates are taken. */
  function inPublicity(s: Section, e: { publicityEndsAt: number | null } | null): boolean {
    return s.state === 'publicity' && !!e?.publicityEndsAt && clock.now() < e.publicityEndsAt;
  }

  /** A bidder of the section: its organisation has a bid in the opening record. */
  async function bidderOf(sectionId: string, orgId: string): Promise<boolean> {
    const { bids } = await openingRecord(sectionId).catch(() => ({ bids: [] as RecordBid[] }));
    return bids.some((b) => b.bidder.orgId === orgId);
  }

  async function readReserve(s: Section, identity: string) {
    const r = await store.findReserve(knex, s.id);
    if (!r) return null;
    let text: string;
    try {
      const d = new Decrypter();
      d.addIdentity(identity);
      text = (await d.decrypt(Buffer.from(r.sealed, 'base64'), 'text')).trim();
    } catch (err) {
      throw new AppError(409, 'reserve_unreadable', `The sealed reserve of ${s.code} does not decrypt with the section's opening key (${(err as Error).message}); it was not sealed to this section.`);
    }
    const p = parseYuan(text);
    if (!p.ok) throw new AppError(409, 'reserve_unreadable', `The sealed reserve of ${s.code} decrypts, but not to an amount in yuan: it ${p.reason}.`);
    return { sealedSha256: r.sealedSha256, setAt: r.setAt, amountFen: p.fen };
  }

  type Outcome = { outcome: 'failed'; rule: string; reason: string; result: Record<string, unknown> } | { outcome: 'candidates'; result: Record<string, unknown> };

  /** The ranking and the rules that end a section without a winner; nothing is written here. */
  async function compute(s: Section, e: store.Evaluation): Promise<Outcome> {
    const rules = await centres.rules(s.centre);
    const direction = rules.settings.direction;
    const { bids, identity } = await openingRecord(s.id);
    // The committee's exclusions (with their reasons) leave the ranking like the bids the opening found invalid.
    const byCommittee = new Map((await store.exclusionsOf(knex, s.id)).map((x) => [x.bidId, x.reason]));
    const responsive = responsiveBids(bids).filter((b) => !byCommittee.has(b.bidId));
    const excluded = bids
      .filter((b) => !responsive.some((r) => r.bidId === b.bidId))
      .map((b) => ({
        seq: b.seq,
        bidId: b.bidId,
        bidder: b.bidder,
        price: b.price?.amount ?? null,
        status: b.status,
        validity: b.validity,
        cause: byCommittee.has(b.bidId) && b.validity === 'valid' ? { code: EXCLUDED_BY_COMMITTEE, message: byCommittee.get(b.bidId)! } : b.cause,
      }));
    const scores = e.method === 'comprehensive_scoring' ? await store.scoresOf(knex, s.id) : [];
    if (e.method === 'comprehensive_scoring' && responsive.length > 0) {
      const missing = missingScores(responsive, e.weights, scores);
      if (missing.length)
        throw new AppError(409, 'scores_incomplete', `The scores are incomplete; missing ${missing.slice(0, 10).join('; ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}.`);
    }
    const ranking = e.method === 'comprehensive_scoring' ? rankByScore(responsive, e.weights!, scores, direction) : rankByPrice(responsive, direction);
    const reserve = direction === 'revenue' ? await readReserve(s, identity) : null;
    const base = {
      method: e.method,
      direction,
      referenceKind: s.referenceKind,
      referencePrice: formatYuan(s.referencePriceFen),
      responsiveCount: responsive.length,
      ranking: ranking.map((r, i) => rankedJson(r, i + 1)),
      excluded,
      ...(e.method === 'comprehensive_scoring' ? { weights: e.weights, scores: scores.map((x) => ({ evaluator: x.evaluator, bidId: x.bidId, criterion: x.criterion, score: x.score })) } : {}),
      reserve: reserve ? { sealedSha256: reserve.sealedSha256, setAt: reserve.setAt, amount: formatYuan(reserve.amountFen) } : null,
    };
    const fail = (rule: string, reason: string): Outcome => ({ outcome: 'failed', rule, reason, result: { ...base, outcome: 'failed', rule, reason, candidates: [] } });
    if (direction === 'cost') {
      const over = bids.filter((b) => b.cause?.code === 'over_reference').length;
      if (responsive.length === 0 && over > 0 && over === bids.filter((b) => b.status === 'opened').length) {
        return fail(
          'overBudget',
          `Every price is over the ${s.referenceKind === 'budget' ? 'budget' : 'control price'} of ${formatYuan(s.referencePriceFen)} yuan (ZCF 36); the procurement failed (废标) and may be re-tendered.`,
        );
      }
      // 87 §43 / ZCF 36: a centre that sets minResponsiveBids (procurement: 3) fails below it.
      const min = rules.settings.minResponsiveBids;
      if (min !== undefined && responsive.length < min) {
        return fail(
          'minResponsiveBids',
          `Only ${responsive.length} responsive bid${responsive.length === 1 ? '' : 's'} remained after the evaluation, fewer than ${min} (ZCF 36, 87 §43); the procurement failed (废标) and may be re-tendered.`,
        );
      }
    }
    if (responsive.length === 0) return fail('noResponsiveBid', 'No responsive bid remained after the evaluation; no deal.');
    if (reserve && e.method !== 'comprehensive_scoring' && ranking[0]!.priceFen < reserve.amountFen) {
      return fail(
        'reserve',
        `The best price ${formatYuan(ranking[0]!.priceFen)} yuan is under the reserve price (底价) of ${formatYuan(reserve.amountFen)} yuan: no deal (the section may be relisted).`,
      );
    }
    const candidates = ranking.slice(0, MAX_CANDIDATES).filter((r) => !reserve || r.priceFen >= reserve.amountFen);
    if (candidates.length === 0) return fail('reserve', `No responsive price reaches the reserve price (底价) of ${formatYuan(reserve!.amountFen)} yuan: no deal.`);
    return { outcome: 'candidates', result: { ...base, outcome: 'candidates', candidates: candidates.map((r) => rankedJson(r, ranking.indexOf(r) + 1)).map((c, i) => ({ ...c, rank: i + 1 })) } };
  }

  function objectionJson(o: store.Objection) {
    return { id: o.id, bidder: o.orgId, text: o.text, raisedAt: o.raisedAt, answer: o.answer, answeredAt: o.answeredAt };
  }

  function noticeText(s: Section, centreName: string, zone: string, c: { bidder: { name: string }; price: string }, awardedAt: number) {
    const issuer = centreName.endsWith('中心') ? centreName : centreName.endsWith('交易') ? `${centreName}中心` : `${centreName}交易中心`;
    if (tradeKindOf(s.centre) === 'sale') {
      // Land-use and property rights are sold: the buyer gets a 成交确认书, signed by the seller and the buyer.
      const w = centreWords(s.centre, s.procedure);
      return [
        w.awardLetter.zh,
        '',
        `${c.bidder.name}：`,
        `经${s.procedure === 'auction' ? '拍卖' : s.procedure === 'listing' ? '挂牌' : '竞价'}交易，并经公示，贵单位为 ${s.code}「${s.title}」的${w.winner.zh}，${w.awardAmount.zh}为人民币 ${yuanGrouped(c.price)} 元。`,
        `${w.deposit.zh}按出让公告及竞买须知的约定转作定金或抵作${w.awardAmount.zh}。请自本确认书签订之日起十个工作日内，与出让人签订成交合同并按约定支付${w.awardAmount.zh}。`,
        '',
        issuer,
        localDate(awardedAt, zone),
      ].join('\n');
    }
    const tender = s.procedure === 'open_tender' || s.procedure === 'invited_tender';
    const title = tender ? '中标通知书' : '成交通知书';
    const role = tender ? '中标人' : '成交人';
    return [
      title,
      '',
      `${c.bidder.name}：`,
      `经评审并公示，贵单位被确定为 ${s.code}「${s.title}」的${role}，${tender ? '中标' : '成交'}金额人民币 ${yuanGrouped(c.price)} 元。`,
      `请自本通知书发出之日起三十日内，按照${tender ? '招标文件和投标文件' : '采购文件和响应文件'}订立书面合同。`,
      '',
      issuer,
      localDate(awardedAt, zone),
    ].join('\n');
  }

  return {
    /** The sealed reserve (底价) of a land or property section: an age file to the section's recipient, before the deadline. */
    async setReserve(ctx: RequestContext, id: string, sealedB64: string) {
      const actor = requireActor(ctx);
      const s = await managed(ctx, id, 'set the reserve price of this section');
      const rules = await centres.rules(s.centre);
      if (rules.settings.direction !== 'revenue') throw conflict(`A reserve price (底价) belongs to land and property sections; ${s.code} is on the cost side.`);
      if (!['published', 'bidding'].includes(s.state) || s.bidDeadlineAt === null || clock.now() >= s.bidDeadlineAt) {
        throw new AppError(409, 'reserve_closed', `The reserve price is set before the bid deadline, while the section is published or bidding; ${s.code} is ${s.state}.`);
      }
      const bytes = Buffer.from(sealedB64, 'base64');
      let header: ReturnType<typeof parseHeader> = null;
      try {
        header = bytes.length <= MAX_RESERVE_BYTES ? parseHeader(bytes) : null;
      } catch {
        header = null;
      }
      if (!header || header.stanzas.length === 0 || !header.stanzas.every((st) => st.type === 'X25519')) {
        throw validationFailed('sealed: not an age file sealed to an X25519 recipient (seal the amount, e.g. "1500000.00", to the section\'s opening recipient).', [
          { field: 'sealed', message: '"sealed" must be the base64 of an age v1 file with X25519 recipients, at most 4 KiB' },
        ]);
      }
      const digest = sha256(bytes);
      await inTransaction(async (tx) => {
        await store.saveReserve(tx.db, { sectionId: s.id, sealed: bytes.toString('base64'), sealedSha256: digest, setBy: actor.userId, setAt: clock.now() });
        await tx.audit.append(ctx, { action: 'section.reserve_sealed', objectType: 'section', objectId: s.id, data: { code: s.code, sealedSha256: digest, size: bytes.length } });
      });
      return { reserve: { sectionId: s.id, sealedSha256: digest, setAt: clock.now() } };
    },

    /** opened → evaluating, by an operator of the centre, with the section's method. */
    async start(ctx: RequestContext, id: string) {
      const actor = requireActor(ctx);
      const s = await managed(ctx, id, 'start the evaluation of this section');
      await inTransaction(async (tx) => {
        await tx.lifecycle.evaluationTransition(ctx, s.id, 'opened', 'evaluating', {}, { method: s.evaluationMethod });
        await store.insertEvaluation(tx.db, { sectionId: s.id, method: s.evaluationMethod, startedBy: actor.userId, startedAt: clock.now() });
      });
      return this.view(ctx, id);
    },

    /** Comprehensive scoring: the weights (optional after the first call) and evaluators' scores per bid per criterion. */
    async enterScores(ctx: RequestContext, id: string, input: { weights?: store.Weights; scores: Array<{ evaluator: string; bidId: string; criterion: string; score: string }> }) {
      const actor = requireActor(ctx);
      const s = await managed(ctx, id, 'enter evaluation scores for this section');
      const e = await evaluationOf(s);
      if (s.state !== 'evaluating') throw new AppError(409, 'not_evaluating', `Scores are entered while the section is being evaluated; ${s.code} is ${s.state}.`);
      if (e.method !== 'comprehensive_scoring') throw conflict(`Section ${s.code} is evaluated by ${e.method}; it takes no scores.`);
      const weights = input.weights ?? e.weights;
      if (!weights) throw validationFailed('weights: give the weights with the first scores.', [{ field: 'weights', message: '"weights" is required until it has been set' }]);
      const sum = Object.values(weights.criteria).reduce((a, w) => a.plus(w), new Decimal(weights.price));
      if (!sum.eq(100))
        throw validationFailed(`weights: the price weight and the criteria weights must add up to 100; they add up to ${sum.toString()}.`, [
          { field: 'weights', message: 'weights must add up to 100' },
        ]);
      const { bids } = await openingRecord(s.id);
      const out = new Set((await store.exclusionsOf(knex, s.id)).map((x) => x.bidId));
      const responsive = new Set(
        responsiveBids(bids)
          .map((b) => b.bidId)
          .filter((id) => !out.has(id)),
      );
      const details = input.scores.flatMap((x, i) => {
        if (!responsive.has(x.bidId)) return [{ field: `scores.${i}.bidId`, message: `bid ${x.bidId} is not a responsive bid of this section` }];
        if (!(x.criterion in weights.criteria)) return [{ field: `scores.${i}.criterion`, message: `"${x.criterion}" is not one of the criteria: ${Object.keys(weights.criteria).join(', ')}` }];
        return [];
      });
      if (details.length) throw validationFailed(`${details[0]!.field}: ${details[0]!.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}.`, details);
      await inTransaction(async (tx) => {
        if (input.weights) await store.setWeights(tx.db, s.id, input.weights);
        for (const x of input.scores) await store.saveScore(tx.db, newId(), s.id, { ...x, enteredBy: actor.userId, enteredAt: clock.now() });
        await tx.audit.append(ctx, { action: 'evaluation.scores_entered', objectType: 'section', objectId: s.id, data: { code: s.code, weights: input.weights ?? null, scores: input.scores } });
      });
      return this.view(ctx, id);
    },

    /**
     * The committee excludes a responsive bid from the ranking with its reason (TBLS 51, 否决投标),
     * while the section is being evaluated; once per bid, audited. Its scores stay stored but no longer count.
     */
    async exclude(ctx: RequestContext, id: string, bidId: string, reason: string) {
      const actor = requireActor(ctx);
      const s = await managed(ctx, id, 'exclude bids of this section');
      await evaluationOf(s);
      if (s.state !== 'evaluating') throw new AppError(409, 'not_evaluating', `Bids are excluded while the section is being evaluated; ${s.code} is ${s.state}.`);
      const { bids } = await openingRecord(s.id);
      const bid = responsiveBids(bids).find((b) => b.bidId === bidId);
      if (!bid) throw validationFailed(`bidId: ${bidId} is not a responsive bid of ${s.code}.`, [{ field: 'bidId', message: `bid ${bidId} is not a responsive bid of this section` }]);
      await inTransaction(async (tx) => {
        try {
          await store.insertExclusion(tx.db, s.id, { bidId, reason, by: actor.userId, at: clock.now() });
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict(`Bid ${bid.seq} of ${s.code} is already excluded.`);
          throw err;
        }
        await tx.audit.append(ctx, { action: 'evaluation.bid_excluded', objectType: 'section', objectId: s.id, data: { code: s.code, bidId, seq: bid.seq, orgId: bid.orgId, reason } });
      });
      return this.view(ctx, id);
    },

    /** Concludes the evaluation: evaluating → publicity with the candidates, or → failed with the reason. */
    async conclude(ctx: RequestContext, id: string) {
      const s = await managed(ctx, id, 'conclude the evaluation of this section');
      const e = await evaluationOf(s);
      if (s.state !== 'evaluating') throw new AppError(409, 'not_evaluating', `Section ${s.code} is ${s.state}, not being evaluated.`);
      const out = await compute(s, e);
      const rules = await centres.rules(s.centre);
      const now = clock.now();
      const endsAt = out.outcome === 'candidates' ? now + rules.settings.candidatePublicityDays * DAY : null;
      await inTransaction(async (tx) => {
        if (!(await store.conclude(tx.db, s.id, out.result, now, endsAt))) throw conflict(`The evaluation of ${s.code} was concluded meanwhile.`);
        if (out.outcome === 'failed') {
          await tx.lifecycle.evaluationTransition(ctx, s.id, 'evaluating', 'failed', { failure_reason: out.reason }, { rule: out.rule, reason: out.reason });
        } else {
          await tx.lifecycle.evaluationTransition(
            ctx,
            s.id,
            'evaluating',
            'publicity',
            {},
            { publicityEndsAt: endsAt, candidates: (out.result.candidates as Array<{ rank: number; bidId: string; price: string }>).map((c) => ({ rank: c.rank, bidId: c.bidId, price: c.price })) },
          );
        }
      });
      return this.view(ctx, id);
    },

    /**
     * Whether the candidate publicity takes objections now, and whether `ctx` may raise one (a
     * bidder of the section): what the section page needs to offer the form. The same rules as raiseObjection.
     */
    async objectionWindow(ctx: RequestContext, id: string): Promise<{ open: boolean; mayRaise: boolean }> {
      const s = await section(id);
      const open = inPublicity(s, await store.findEvaluation(knex, s.id));
      const actor = ctx.actor;
      const mayRaise = open && actor?.role === 'bidder' && !!actor.orgId && (await bidderOf(s.id, actor.orgId));
      return { open, mayRaise };
    },

    /** The evaluation result: public from the publicity on; operators and overseers see the live ranking before. */
    async view(ctx: RequestContext, id: string): Promise<{ evaluation: EvaluationView }> {
      const s = await section(id);
      const e = await store.findEvaluation(knex, s.id);
      const staff = mayManageCentre(ctx.actor, s.centre) || (ctx.actor !== null && ['admin', 'supervisor', 'auditor'].includes(ctx.actor.role));
      if (!e || (!PUBLIC_STATES.has(s.state) && !staff)) throw notFound('The evaluation');
      let result = e.result;
      let preview = false;
      if (!result && staff && s.state === 'evaluating') {
        try {
          result = (await compute(s, e)).result;
          preview = true;
        } catch (err) {
          if (!(err instanceof AppError && err.status === 409)) throw err;
          result = { pending: err.message };
        }
      }
      return {
        evaluation: {
          sectionId: s.id,
          code: s.code,
          state: s.state,
          method: e.method,
          startedAt: e.startedAt,
          concludedAt: e.concludedAt,
          publicity: e.publicityEndsAt === null ? null : { from: e.concludedAt, endsAt: e.publicityEndsAt, over: clock.now() >= e.publicityEndsAt },
          preview,
          result,
          declines: e.declines.map((d) => ({ rank: d.rank, reason: d.reason, at: d.at })),
          exclusions: (await store.exclusionsOf(knex, s.id)).map((x) => ({ bidId: x.bidId, reason: x.reason, at: x.at })),
          objections: (await store.objectionsOf(knex, s.id)).map(objectionJson),
        },
      };
    },

    /** A bidder of the section objects to the candidates, during the publicity only (TBLS 54). */
    async raiseObjection(ctx: RequestContext, id: string, text: string) {
      const actor = requireActor(ctx);
      const s = await section(id);
      if (actor.role !== 'bidder' || !actor.orgId) throw forbidden('Only bidders of the section may object to its candidates.');
      // The publicity period is public knowledge: check it first, so that a bidder hears "not now" rather than "not yours".
      const e = await store.findEvaluation(knex, s.id);
      if (!inPublicity(s, e)) {
        const ended = e?.publicityEndsAt ? ` (it ended ${new Date(e.publicityEndsAt).toISOString()})` : '';
        throw new AppError(409, 'publicity_over', `Objections to the candidates are filed during the candidate publicity only (TBLS 54)${ended}; ${s.code} is ${s.state}.`);
      }
      if (!(await bidderOf(s.id, actor.orgId))) throw forbidden(`Only bidders of ${s.code} may object to its candidates.`);
      const o: store.Objection = { id: newId(), sectionId: s.id, orgId: actor.orgId, userId: actor.userId, text, raisedAt: clock.now(), answer: null, answeredBy: null, answeredAt: null };
      await inTransaction(async (tx) => {
        await store.insertObjection(tx.db, o);
        await tx.audit.append(ctx, { action: 'evaluation.objection_raised', objectType: 'section', objectId: s.id, data: { objectionId: o.id, orgId: o.orgId, text } });
      });
      return { objection: objectionJson(o) };
    },

    async answerObjection(ctx: RequestContext, id: string, objectionId: string, answer: string) {
      const actor = requireActor(ctx);
      const s = await managed(ctx, id, 'answer objections to the candidates of this section');
      const o = await store.findObjection(knex, s.id, objectionId);
      if (!o) throw notFound('The objection');
      await inTransaction(async (tx) => {
        if (!(await store.answerObjection(tx.db, objectionId, answer, actor.userId, clock.now()))) throw conflict('This objection was already answered.');
        await tx.audit.append(ctx, { action: 'evaluation.objection_answered', objectType: 'section', objectId: s.id, data: { objectionId, answer } });
      });
      return { objection: objectionJson((await store.findObjection(knex, s.id, objectionId))!) };
    },

    /** A candidate declines (by its own bidder, or recorded by an operator): the award goes to the next rank. */
    async decline(ctx: RequestContext, id: string, rank: number, reason: string) {
      const actor = requireActor(ctx);
      const s = await section(id);
      const e = await evaluationOf(s);
      if (s.state !== 'publicity') throw new AppError(409, 'not_in_publicity', `A candidate declines before the award, during the publicity; ${s.code} is ${s.state}.`);
      const candidates = (e.result?.candidates ?? []) as Array<{ rank: number; bidder: { orgId: string } }>;
      const c = candidates.find((x) => x.rank === rank);
      if (!c) throw notFound(`Candidate rank ${rank}`);
      if (!(mayManageCentre(actor, s.centre) || (actor.role === 'bidder' && actor.orgId === c.bidder.orgId)))
        throw forbidden(`Only candidate ${rank} itself or an operator of the ${s.centre} centre may record its decline.`);
      if (e.declines.some((d) => d.rank === rank)) throw conflict(`Candidate ${rank} has already declined.`);
      const after = [...e.declines, { rank, reason, by: actor.userId, at: clock.now() }];
      await inTransaction(async (tx) => {
        if (!(await store.setDeclines(tx.db, s.id, e.declines, after))) throw conflict('Another decline was recorded meanwhile; reload and try again.');
        await tx.audit.append(ctx, { action: 'evaluation.candidate_declined', objectType: 'section', objectId: s.id, data: { rank, orgId: c.bidder.orgId, reason } });
      });
      return this.view(ctx, id);
    },

    /** publicity → awarded: after the publicity, every objection answered, to the best candidate that has not declined. */
    async award(ctx: RequestContext, id: string) {
      const s = await managed(ctx, id, 'award this section');
      const e = await evaluationOf(s);
      if (s.state !== 'publicity') throw new AppError(409, 'not_in_publicity', `A section is awarded after its candidate publicity; ${s.code} is ${s.state}.`);
      const now = clock.now();
      if (e.publicityEndsAt === null || now < e.publicityEndsAt) {
        throw new AppError(
          409,
          'publicity_not_over',
          `Rule candidatePublicityDays (TBLS 54): the candidates are published until ${new Date(e.publicityEndsAt ?? now).toISOString()}; award after the publicity ends.`,
          [{ rule: 'candidatePublicityDays', message: 'the candidate publicity has not ended', endsAt: e.publicityEndsAt }],
        );
      }
      const open = (await store.objectionsOf(knex, s.id)).filter((o) => o.answer === null);
      if (open.length)
        throw new AppError(409, 'objections_unanswered', `${open.length} objection${open.length === 1 ? ' is' : 's are'} not answered yet (TBLS 54); answer every objection before the award.`);
      const declined = new Set(e.declines.map((d) => d.rank));
      const candidates = (e.result?.candidates ?? []) as Array<{ rank: number; bidId: string; bidder: { orgId: string; name: string }; price: string }>;
      const c = candidates.find((x) => !declined.has(x.rank));
      if (!c) throw new AppError(409, 'no_candidate', `Every candidate of ${s.code} has declined; the section cannot be awarded from this evaluation.`);
      const rules = await centres.rules(s.centre);
      const notice = noticeText(s, rules.nameZh, rules.settings.timeZone, c, now);
      const p = parseYuan(c.price);
      if (!p.ok) throw new Error(`stored candidate price ${c.price} ${p.reason}`);
      const award = await inTransaction(async (tx) => {
        await tx.lifecycle.evaluationTransition(ctx, s.id, 'publicity', 'awarded', {}, { rank: c.rank, bidId: c.bidId, orgId: c.bidder.orgId, amount: c.price });
        return tx.awards.recordAward(ctx, { sectionId: s.id, orgId: c.bidder.orgId, bidderName: c.bidder.name, amountFen: p.fen, awardedAt: now, notice });
      });
      return { award: { ...award, rank: c.rank, notice } };
    },
  };
}

export type EvaluationService = ReturnType<typeof createEvaluationService>;
