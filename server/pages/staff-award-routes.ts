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
import { staffPath, wordsOf } from '../../templates/pages/staff-work-common';
import { parseLocalInput } from '../../templates/pages/staff-time';
import { fill } from '../../templates/pages/text';
import { sendPage } from './respond';
import { signedIn } from './signed-in';
import { fieldsRead, refusalForm } from './staff-action';
import { bodyText, one, type StaffWorkKit } from './staff-work-kit';

type Forms = { award?: FormState; decline?: FormState; contract?: FormState; retender?: FormState };
const TIMELINE = ['bidOpensAt', 'clarificationDeadlineAt', 'bidDeadlineAt'] as const;

export function staffAwardRoutes(kit: StaffWorkKit): Router {
  const { services, context } = kit;
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
  const backTo = (c: Parameters<typeof href>[0], id: string, what: string) => href(c, staffPath(id, 'award'), { done: what });

  router.get('/staff/sections/:id/award', signedIn, (req, res) => page(req, res, 200));

  const action = kit.actions(router);

  action({
    path: '/staff/sections/:id/award/award',
    show: (req, res, status, form) => page(req, res, status, { award: form }),
    confirm: 'confirm',
    run: (req, section) => services.evaluation.award(req.ctx, section.id),
    done: (c, section) => backTo(c, section.id, 'awarded'),
  });

  action({
    path: '/staff/sections/:id/award/decline',
    show: (req, res, status, form) => page(req, res, status, { decline: form }),
    read: (req, c) => {
      const w = c.s.staffWork;
      const rankText = bodyText(req, 'rank', 4);
      const typed = bodyText(req, 'reason', 4000);
      const reason = typed.replace(/\r\n/g, '\n').trim();
      const errors: Record<string, string> = {};
      if (!/^[1-3]$/.test(rankText)) errors.rank = w.declineRankRequired;
      if (!reason) errors.reason = w.declineReasonRequired;
      else if (reason.length > 2000) errors.reason = fill(w.declineReasonTooLong, { n: reason.length });
      else if (textProblem(reason, true)) errors.reason = w.personInvisible;
      return fieldsRead({ rank: rankText, reason: typed }, errors, () => ({ rank: Number(rankText), reason }));
    },
    confirm: 'confirmDecline',
    run: (req, section, input) => services.evaluation.decline(req.ctx, section.id, input.rank, input.reason),
    done: (c, section) => backTo(c, section.id, 'declined'),
  });

  action({
    path: '/staff/sections/:id/award/contract',
    show: (req, res, status, form) => page(req, res, status, { contract: form }),
    read: async (req, c, section) => {
      const w = c.s.staffWork;
      const values = { signedAt: bodyText(req, 'signedAt', 40), amount: bodyText(req, 'amount', 40) };
      const errors: Record<string, string> = {};
      const signedAt = parseLocalInput(values.signedAt, section.timeZone);
      if (signedAt === null) errors.signedAt = w.signedAtInvalid;
      const amount = parseYuan(values.amount.trim());
      if (!amount.ok || amount.fen <= 0n) errors.amount = w.amountInvalid;
      const award = await services.awards.getAward(section.id);
      if (signedAt !== null && signedAt > c.now) errors.signedAt = w.signedAtFuture;
      else if (signedAt !== null && award && signedAt < award.awardedAt) errors.signedAt = w.signedAtBeforeAward;
      // No field error means both were read (the errors above say so for each).
      return fieldsRead(values, errors, () => ({ signedAt: signedAt!, amountFen: amount.ok ? amount.fen : 0n }));
    },
    run: (req, section, input) => services.awards.recordContract(req.ctx, section.id, input),
    refusal: async (c, res, err, read, section) => {
      if (err.code === 'rule_violation') {
        const days = (await services.centres.rules(section.centre)).settings.contractWithinDays ?? DEFAULT_CONTRACT_WITHIN_DAYS;
        return { values: read.values, errors: { signedAt: fill(c.s.staffWork.contractLate, { days }) } };
      }
      return refusalForm(c, res, err, read.values, (f) => (f === 'signedAt' || f === 'amount' ? f : null));
    },
    done: (c, section) => backTo(c, section.id, 'contract'),
  });

  action({
    path: '/staff/sections/:id/award/retender',
    show: (req, res, status, form) => page(req, res, status, { retender: form }),
    read: (req, c, section) => {
      const values: Record<string, string> = {};
      const errors: Record<string, string> = {};
      const timeline: { bidOpensAt?: number; clarificationDeadlineAt?: number; bidDeadlineAt?: number } = {};
      for (const name of TIMELINE) {
        values[name] = bodyText(req, name, 40);
        if (!values[name]!.trim()) continue;
        const at = parseLocalInput(values[name]!, section.timeZone);
        if (at === null) errors[name] = c.s.staffWork.signedAtInvalid;
        else timeline[name] = at;
      }
      return fieldsRead(values, errors, () => timeline);
    },
    confirm: 'confirm',
    run: async (req, section, timeline) => (await services.tenders.retender(req.ctx, section.id, timeline)).section,
    fieldOf: (f) => ((TIMELINE as readonly string[]).includes(f) ? f : null),
    // The new round is a draft: its own page (the section overview) edits and publishes it.
    done: (c, section, next) => href(c, staffPath(next.id), { retendered: section.id }),
  });

  return router;
}
