// The award page's routes: award (publicity → awarded), record a decline, record the contract
// (awarded → contracted) and re-tender a failed section (a new draft; the browser goes on to it).
// The irreversible ones need the confirmation box; times are read in the centre's zone, amounts in yuan.
import { type Request, type Response, Router } from 'express';
import { AppError } from '../../modules/core/errors';
import { parseYuan } from '../../modules/core/money';
import { textProblem } from '../../modules/core/text';
import { DEFAULT_CONTRACT_WITHIN_DAYS } from '../../modules/awards/awards-service';
import type { FormState } from '../../templates/pages/forms';
import { href } from '../../templates/pages/layout';
import { type AwardView, staffAwardPage } from '../../templates/pages/staff-award-page';
import { confirmed, parseZoned, staffPath, wordsOf } from '../../templates/pages/staff-work-common';
import { fill } from '../../templates/pages/text';
import { seeOther, sendPage } from './respond';
import { signedIn } from './signed-in';
import { bodyText, one, refusalForm, shownRefusal, type StaffWorkKit } from './staff-work-routes';

type Forms = { award?: FormState; decline?: FormState; contract?: FormState; retender?: FormState };
const TIMELINE = ['bidOpensAt', 'clarificationDeadlineAt', 'bidDeadlineAt'] as const;

export function staffAwardRoutes(kit: StaffWorkKit): Router {
  const { services, tokens, context } = kit;
  const router = Router();

  const page = async (req: Request, res: Response, status: number, forms: Forms = {}) => {
    const section = await kit.section(req);
    const c = await context(req, res, { form: true });
    let view = null;
    try {
      view = (await services.evaluation.view(req.ctx, section.id)).evaluation;
    } catch (err) {
      if (!(err instanceof AppError && err.status === 404)) throw err;
    }
    let award: AwardView | null = null;
    try {
      award = (await services.awards.publicAward(section.id)).award;
    } catch (err) {
      if (!(err instanceof AppError && err.status === 404)) throw err;
    }
    const rules = await services.centres.rules(section.centre);
    const w = c.s.staffWork;
    const letter = wordsOf(c, section).awardLetter;
    const notes: Record<string, string> = { awarded: fill(w.awardDone, { letter }), declined: w.declined, contract: w.contractDone };
    // The contract form proposes the award amount; the signing time is the operator's to give.
    const contract = forms.contract ?? (award ? { values: { amount: award.amount }, errors: {} } : undefined);
    sendPage(
      res,
      status,
      staffAwardPage(c, {
        section,
        view,
        award,
        contractWithinDays: rules.settings.contractWithinDays ?? DEFAULT_CONTRACT_WITHIN_DAYS,
        forms: { ...forms, ...(contract ? { contract } : {}) },
        notice: status === 200 ? (notes[one(req, 'done') ?? ''] ?? null) : null,
      }),
    );
  };
  const back = (res: Response, c: Parameters<typeof href>[0], id: string, what: string) => seeOther(res, href(c, staffPath(id, 'award'), { done: what }));

  router.get('/staff/sections/:id/award', signedIn, (req, res) => page(req, res, 200));

  router.post(
    '/staff/sections/:id/award/award',
    kit.formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const section = await kit.section(req);
      const c = await context(req, res, { form: true });
      if (!confirmed(req.body)) return page(req, res, 422, { award: { values: {}, errors: { confirm: c.s.staffWork.confirmRequired } } });
      try {
        await services.evaluation.award(req.ctx, section.id);
      } catch (err) {
        if (!shownRefusal(err)) throw err;
        return page(req, res, err.status, { award: refusalForm(c, res, err, {}) });
      }
      back(res, c, section.id, 'awarded');
    },
    kit.refused((req, res, status, form) => page(req, res, status, { award: form })),
  );

  router.post(
    '/staff/sections/:id/award/decline',
    kit.formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const section = await kit.section(req);
      const c = await context(req, res, { form: true });
      const w = c.s.staffWork;
      const rankText = bodyText(req, 'rank', 4);
      const typed = bodyText(req, 'reason', 4000);
      const reason = typed.replace(/\r\n/g, '\n').trim();
      const values = { rank: rankText, reason: typed };
      const errors: Record<string, string> = {};
      if (!/^[1-3]$/.test(rankText)) errors.rank = w.declineRankRequired;
      if (!reason) errors.reason = w.declineReasonRequired;
      else if (reason.length > 2000) errors.reason = fill(w.declineReasonTooLong, { n: reason.length });
      else if (textProblem(reason, true)) errors.reason = w.personInvisible;
      if (!confirmed(req.body, 'confirmDecline')) errors.confirmDecline = w.confirmRequired;
      if (Object.keys(errors).length) return page(req, res, 422, { decline: { values, errors } });
      try {
        await services.evaluation.decline(req.ctx, section.id, Number(rankText), reason);
      } catch (err) {
        if (!shownRefusal(err)) throw err;
        return page(req, res, err.status, { decline: refusalForm(c, res, err, values) });
      }
      back(res, c, section.id, 'declined');
    },
    kit.refused((req, res, status, form) => page(req, res, status, { decline: form })),
  );

  router.post(
    '/staff/sections/:id/award/contract',
    kit.formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const section = await kit.section(req);
      const c = await context(req, res, { form: true });
      const w = c.s.staffWork;
      const values = { signedAt: bodyText(req, 'signedAt', 40), amount: bodyText(req, 'amount', 40) };
      const errors: Record<string, string> = {};
      const signedAt = parseZoned(values.signedAt, section.timeZone);
      if (signedAt === null) errors.signedAt = w.signedAtInvalid;
      const amount = parseYuan(values.amount.trim());
      if (!amount.ok || amount.fen <= 0n) errors.amount = w.amountInvalid;
      const award = await services.awards.getAward(section.id);
      if (signedAt !== null && signedAt > c.now) errors.signedAt = w.signedAtFuture;
      else if (signedAt !== null && award && signedAt < award.awardedAt) errors.signedAt = w.signedAtBeforeAward;
      if (Object.keys(errors).length || signedAt === null || !amount.ok) return page(req, res, 422, { contract: { values, errors } });
      try {
        await services.awards.recordContract(req.ctx, section.id, { signedAt, amountFen: amount.fen });
      } catch (err) {
        if (!shownRefusal(err)) throw err;
        if (err.code === 'rule_violation') {
          const days = (await services.centres.rules(section.centre)).settings.contractWithinDays ?? DEFAULT_CONTRACT_WITHIN_DAYS;
          return page(req, res, err.status, { contract: { values, errors: { signedAt: fill(w.contractLate, { days }) } } });
        }
        return page(req, res, err.status, { contract: refusalForm(c, res, err, values, (f) => (f === 'signedAt' || f === 'amount' ? f : null)) });
      }
      back(res, c, section.id, 'contract');
    },
    kit.refused((req, res, status, form) => page(req, res, status, { contract: form })),
  );

  router.post(
    '/staff/sections/:id/award/retender',
    kit.formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const section = await kit.section(req);
      const c = await context(req, res, { form: true });
      const w = c.s.staffWork;
      const values: Record<string, string> = {};
      const errors: Record<string, string> = {};
      const timeline: { bidOpensAt?: number; clarificationDeadlineAt?: number; bidDeadlineAt?: number } = {};
      for (const name of TIMELINE) {
        values[name] = bodyText(req, name, 40);
        if (!values[name]!.trim()) continue;
        const at = parseZoned(values[name]!, section.timeZone);
        if (at === null) errors[name] = w.signedAtInvalid;
        else timeline[name] = at;
      }
      if (!confirmed(req.body)) errors.confirm = w.confirmRequired;
      if (Object.keys(errors).length) return page(req, res, 422, { retender: { values, errors } });
      let next: { id: string };
      try {
        next = (await services.tenders.retender(req.ctx, section.id, timeline)).section;
      } catch (err) {
        if (!shownRefusal(err)) throw err;
        return page(req, res, err.status, { retender: refusalForm(c, res, err, values, (f) => ((TIMELINE as readonly string[]).includes(f) ? f : null)) });
      }
      // The new round is a draft: its own page (the section overview) edits and publishes it.
      seeOther(res, href(c, staffPath(next.id), { retendered: section.id }));
    },
    kit.refused((req, res, status, form) => page(req, res, status, { retender: form })),
  );

  return router;
}
