// The evaluation page's routes: start (opened → evaluating), one evaluator's score sheet (with the
// weights the first time), publish the candidates (evaluating → publicity or failed) and answer an
// objection to the candidates. The fields are checked here into messages in the page's language;
// the totals and the ranking are the service's, shown back after the 303.
import Decimal from 'decimal.js';
import { type Request, type Response, Router } from 'express';
import { AppError } from '../../modules/core/errors';
import { textProblem } from '../../modules/core/text';
import type { EvaluationView } from '../../modules/evaluation/evaluation-schemas';
import { EXCLUDED_BY_COMMITTEE } from '../../modules/evaluation/evaluation-service';
import { type RecordBid, responsiveBids } from '../../modules/evaluation/ranking';
import { formatYuan } from '../../modules/core/money';
import type { FormState } from '../../templates/pages/forms';
import { type Ctx, href } from '../../templates/pages/layout';
import { answerField, type StaffSection, staffPath } from '../../templates/pages/staff-work-common';
import { CRITERIA_ROWS, type ExcludedBid, type SheetBid, scoreField, staffEvaluationPage } from '../../templates/pages/staff-evaluation-page';
import { fill } from '../../templates/pages/text';
import { sendPage } from './respond';
import { signedIn } from './signed-in';
import { fieldsRead, refusalForm } from './staff-action';
import { answerRefusal, bodyText, one, readAnswer, type StaffWorkKit } from './staff-work-kit';

/** As the API's scoresBody: 0 to 100, at most two decimals. */
const ZERO_TO_HUNDRED = /^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;

type Forms = { start?: FormState; scores?: FormState; exclude?: FormState; publish?: FormState; answer?: FormState };

export function staffEvaluationRoutes(kit: StaffWorkKit): Router {
  const { services, context } = kit;
  const router = Router();

  /** The opening record's bids (none before it is published): the responsive ones and the excluded ones with their cause. */
  async function bidsOf(req: Request, id: string, exclusions: EvaluationView['exclusions'] = []): Promise<{ responsive: SheetBid[]; excluded: ExcludedBid[] }> {
    const out = new Map(exclusions.map((x) => [x.bidId, x.reason]));
    let bids: RecordBid[];
    try {
      bids = (JSON.parse((await services.opening.record(req.ctx, id)).json) as { bids: RecordBid[] }).bids;
    } catch (err) {
      if (err instanceof AppError) return { responsive: [], excluded: [] };
      throw err;
    }
    const responsive = responsiveBids(bids)
      .filter((b) => !out.has(b.bidId))
      .sort((a, b) => a.seq - b.seq)
      .map((b) => ({ bidId: b.bidId, seq: b.seq, name: b.name, price: formatYuan(b.priceFen) }));
    const ok = new Set(responsive.map((b) => b.bidId));
    const excluded = bids
      .filter((b) => !ok.has(b.bidId))
      .map((b) => ({
        seq: b.seq,
        name: b.bidder.name,
        price: b.price?.amount ?? null,
        status: b.status,
        validity: b.validity,
        cause: out.has(b.bidId)
          ? { code: EXCLUDED_BY_COMMITTEE, message: out.get(b.bidId)! }
          : (b.cause ?? (b.validity === 'invalid' ? { code: 'invalid', message: (b.remarks ?? []).join('; ') } : null)),
      }));
    return { responsive, excluded };
  }

  async function viewOf(req: Request, id: string): Promise<EvaluationView | null> {
    try {
      return (await services.evaluation.view(req.ctx, id)).evaluation;
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null; // not started yet
      throw err;
    }
  }

  const page = async (req: Request, res: Response, status: number, forms: Forms = {}) => {
    const section = await kit.section(req);
    const c = await context(req, res, { form: true });
    const [view, rules] = await Promise.all([viewOf(req, section.id), services.centres.rules(section.centre)]);
    const bids = await bidsOf(req, section.id, view?.exclusions);
    const weights = (view?.result?.weights as { price: string; criteria: Record<string, string> } | null | undefined) ?? null;
    const w = c.s.staffWork;
    const notes: Record<string, string> = { started: w.started, scores: w.scoresSaved, excluded: w.excluded, published: w.published, answered: w.answered };
    sendPage(
      res,
      status,
      staffEvaluationPage(c, {
        section,
        view,
        ...bids,
        weights,
        publicityDays: rules.settings.candidatePublicityDays,
        forms,
        notice: status === 200 ? (notes[one(req, 'done') ?? ''] ?? null) : null,
      }),
    );
  };
  const doneAt = (c: Parameters<typeof href>[0], id: string, what: string) => href(c, staffPath(id, 'evaluation'), { done: what });

  router.get('/staff/sections/:id/evaluation', signedIn, (req, res) => page(req, res, 200));

  /** One evaluator's score sheet (with the weights the first time) as the API's scoresBody, with field errors. */
  async function readScores(req: Request, c: Ctx, section: StaffSection) {
    const w = c.s.staffWork;
    const view = await viewOf(req, section.id);
    const { responsive } = await bidsOf(req, section.id, view?.exclusions);
    const known = (view?.result?.weights as { price: string; criteria: Record<string, string> } | null | undefined) ?? null;
    const values: Record<string, string> = {};
    const errors: Record<string, string> = {};
    const take = (name: string, max = 200) => {
      values[name] = bodyText(req, name, max);
      return values[name]!.trim();
    };

    // The weights, the first time.
    let weights: { price: string; criteria: Record<string, string> } | undefined;
    // Each criterion with the row of the form its scores are in.
    let criteria: Array<{ name: string; row: number }>;
    if (known) criteria = Object.keys(known.criteria).map((name, row) => ({ name, row }));
    else {
      const price = take('price');
      if (!ZERO_TO_HUNDRED.test(price)) errors.price = w.weightInvalid;
      const list: Record<string, string> = {};
      criteria = [];
      for (let i = 0; i < CRITERIA_ROWS; i++) {
        const name = take(`cname${i}`);
        const weight = take(`cweight${i}`);
        if (!name && !weight) continue;
        if (!name) errors[`cname${i}`] = w.criterionNameNeeded;
        else if (name.length > 100 || textProblem(name, false)) errors[`cname${i}`] = w.personInvisible;
        else if (name in list) errors[`cname${i}`] = w.criterionDuplicate;
        if (!weight) errors[`cweight${i}`] = w.criterionWeightNeeded;
        else if (!ZERO_TO_HUNDRED.test(weight)) errors[`cweight${i}`] = w.weightInvalid;
        if (name && !errors[`cname${i}`]) list[name] = weight;
        criteria.push({ name, row: i });
      }
      if (criteria.length === 0) errors.cname0 = w.criteriaNeeded;
      const entries = Object.entries(list);
      if (!Object.keys(errors).length) {
        const sum = entries.reduce((a, [, v]) => a.plus(v), new Decimal(price));
        if (!sum.eq(100)) errors.price = fill(w.weightsSum, { sum: sum.toString() });
      }
      weights = { price, criteria: list };
    }

    const evaluator = take('evaluator');
    if (!evaluator) errors.evaluator = w.evaluatorRequired;
    else if (evaluator.length > 100) errors.evaluator = fill(w.personTooLong, { n: evaluator.length });
    else if (textProblem(evaluator, false)) errors.evaluator = w.personInvisible;

    const scores: Array<{ evaluator: string; bidId: string; criterion: string; score: string }> = [];
    for (const b of responsive) {
      for (const k of criteria) {
        const name = scoreField(b.bidId, k.row);
        const score = take(name, 20);
        if (!ZERO_TO_HUNDRED.test(score)) errors[name] = w.scoreInvalid;
        else scores.push({ evaluator, bidId: b.bidId, criterion: k.name, score });
      }
    }
    return fieldsRead(values, errors, () => ({ known: known !== null, body: { ...(weights ? { weights } : {}), scores } }));
  }

  const action = kit.actions(router);

  action({
    path: '/staff/sections/:id/evaluation/start',
    show: (req, res, status, form) => page(req, res, status, { start: form }),
    run: (req, section) => services.evaluation.start(req.ctx, section.id),
    done: (c, section) => doneAt(c, section.id, 'started'),
  });

  action({
    path: '/staff/sections/:id/evaluation/scores',
    show: (req, res, status, form) => page(req, res, status, { scores: form }),
    read: readScores,
    run: (req, section, input) => services.evaluation.enterScores(req.ctx, section.id, input.body),
    refusal: (c, res, err, read) => refusalForm(c, res, err, read.values, (f) => (f === 'weights' ? (read.input.known ? null : 'price') : null)),
    done: (c, section) => doneAt(c, section.id, 'scores'),
  });

  action({
    path: '/staff/sections/:id/evaluation/exclusions',
    show: (req, res, status, form) => page(req, res, status, { exclude: form }),
    read: (req, c) => {
      const w = c.s.staffWork;
      const bidId = bodyText(req, 'bidId', 40);
      const typed = bodyText(req, 'excludeReason', 4000);
      const reason = typed.replace(/\r\n/g, '\n').trim();
      const errors: Record<string, string> = {};
      if (!/^[0-9A-Z]{26}$/.test(bidId)) errors.bidId = w.excludeBidRequired;
      if (!reason) errors.excludeReason = w.excludeReasonRequired;
      else if (reason.length > 2000) errors.excludeReason = fill(w.declineReasonTooLong, { n: reason.length });
      else if (textProblem(reason, true)) errors.excludeReason = w.personInvisible;
      return fieldsRead({ bidId, excludeReason: typed }, errors, () => ({ bidId, reason }));
    },
    confirm: 'confirmExclude',
    run: (req, section, input) => services.evaluation.exclude(req.ctx, section.id, input.bidId, input.reason),
    fieldOf: (f) => (f === 'bidId' ? 'bidId' : null),
    done: (c, section) => doneAt(c, section.id, 'excluded'),
  });

  action({
    path: '/staff/sections/:id/evaluation/publicity',
    show: (req, res, status, form) => page(req, res, status, { publish: form }),
    confirm: 'confirm',
    run: (req, section) => services.evaluation.conclude(req.ctx, section.id),
    done: (c, section) => doneAt(c, section.id, 'published'),
  });

  action({
    path: '/staff/sections/:id/evaluation/objections/:oid/answer',
    show: (req, res, status, form) => page(req, res, status, { answer: form }),
    read: (req, c) => readAnswer(c, req.body, answerField(req.params.oid as string)),
    run: (req, section, text) => services.evaluation.answerObjection(req.ctx, section.id, req.params.oid as string, text),
    refusal: answerRefusal,
    done: (c, section, _r, req) => `${href(c, staffPath(section.id, 'evaluation'), { done: 'answered' })}#objection-${encodeURIComponent(req.params.oid as string)}`,
  });

  return router;
}
