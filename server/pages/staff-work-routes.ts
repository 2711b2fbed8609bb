// The operator's work pages after the deadline: the opening (/staff/sections/:id/opening), the
// evaluation (…/evaluation, staff-evaluation-routes.ts), the award and contract (…/award,
// staff-award-routes.ts) and the historical import (/staff/imports, staff-import-routes.ts). Each
// page reads and writes through the services with the operator's own context; a section the
// operator may not manage is "not found" here, as a draft of another centre is in the API.
import express, { type Request, type Response, Router } from 'express';
import { mayManageCentre } from '../../modules/core/access';
import { AppError, notFound } from '../../modules/core/errors';
import { textProblem } from '../../modules/core/text';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { href } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { answerField, staffPath } from '../../templates/pages/staff-work-common';
import { OFFICIAL_FIELDS, staffOpeningPage } from '../../templates/pages/staff-opening-page';
import { langOf } from '../../templates/pages/strings';
import { fill } from '../../templates/pages/text';
import { toAppError } from '../http/errors';
import { failureOf, sendPage } from './respond';
import { signedIn } from './signed-in';
import { fieldsRead, formActions } from './staff-action';
import { staffAwardRoutes } from './staff-award-routes';
import { answerRefusal, bodyText, one, readAnswer, type StaffWorkDeps, type StaffWorkKit } from './staff-work-kit';
import { staffEvaluationRoutes } from './staff-evaluation-routes';
import { staffImportRoutes } from './staff-import-routes';

export function staffWorkRoutes(deps: StaffWorkDeps): Router {
  const { services, tokens, context } = deps;
  const router = Router();

  const kit: StaffWorkKit = {
    ...deps,
    async section(req) {
      const id = req.params.id as string;
      const d = await services.tenders.getSection(req.ctx, id);
      if (!d.canManage || !mayManageCentre(req.ctx.actor, d.section.centre)) throw notFound('The section');
      const rules = await services.centres.rules(d.section.centre);
      const x = d.section;
      return {
        id: x.id,
        code: x.code,
        title: x.title,
        centre: x.centre,
        centreName: langOf((req.query as Record<string, unknown>).lang) === 'en' ? rules.nameEn : rules.nameZh,
        timeZone: rules.settings.timeZone,
        state: x.state,
        procedure: x.procedure,
        evaluationMethod: x.evaluationMethod,
        referenceKind: x.referenceKind,
        referencePrice: x.referencePrice,
        bidDeadlineAt: x.bidDeadlineAt,
        failureReason: x.failureReason,
        round: x.round,
      };
    },
    formBody: express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 400 }),
    refused(render) {
      return async (error, req, res, next) => {
        const err = toAppError(error);
        if (!err || err.status >= 500 || err.status === 404 || err.code === 'cross_site_request' || !req.ctx?.actor) return next(error);
        const c = await context(req, res, { form: true });
        await render(req, res, err.status, { values: {}, errors: {}, problem: failureText(c.lang, failureOf(err, res)) });
      };
    },
    actions(router) {
      return formActions({ router, formBody: kit.formBody, verify: tokens.verify, guard: signedIn, context, target: (req) => kit.section(req), refused: kit.refused });
    },
  };

  // ——— the opening ———
  const openingView = async (req: Request, res: Response, status: number, forms: { officials?: FormState; answer?: FormState } = {}) => {
    const section = await kit.section(req);
    const c = await context(req, res, { form: true });
    const [{ officials }, objections, counts] = await Promise.all([
      services.opening.officials(req.ctx, section.id),
      services.opening.objections(req.ctx, section.id),
      services.opening.bidCounts([section.id]),
    ]);
    const names = new Map<string, string>();
    try {
      const record = JSON.parse((await services.opening.record(req.ctx, section.id)).json) as { bids: Array<{ bidder: { orgId: string; name: string } }> };
      for (const b of record.bids) names.set(b.bidder.orgId, b.bidder.name);
    } catch (err) {
      if (!(err instanceof AppError)) throw err; // no record yet: the objections name no bidder
    }
    const w = c.s.staffWork;
    const note = one(req, 'saved') === 'officials' ? w.officialsSaved : one(req, 'answered') ? w.answered : null;
    sendPage(
      res,
      status,
      staffOpeningPage(c, {
        section,
        officials,
        bidCount: counts.get(section.id) ?? null,
        objections,
        bidderNames: names,
        officialsForm: forms.officials ?? emptyForm({ presiding: officials.presiding, recording: officials.recording, supervising: officials.supervising }),
        answerForm: forms.answer ?? emptyForm(),
        notice: status === 200 ? note : null,
      }),
    );
  };

  router.get('/staff/sections/:id/opening', signedIn, (req, res) => openingView(req, res, 200));

  const action = kit.actions(router);

  action({
    path: '/staff/sections/:id/opening/officials',
    show: (req, res, status, form) => openingView(req, res, status, { officials: form }),
    read: (req, c) => {
      const w = c.s.staffWork;
      const values: Record<string, string> = {};
      const errors: Record<string, string> = {};
      for (const name of OFFICIAL_FIELDS) {
        const typed = bodyText(req, name, 1000);
        values[name] = typed;
        const v = typed.trim();
        if (!v) errors[name] = w.personRequired;
        else if (v.length > 100) errors[name] = fill(w.personTooLong, { n: v.length });
        else if (textProblem(v, false)) errors[name] = w.personInvisible;
      }
      return fieldsRead(values, errors, () => ({ presiding: values.presiding!.trim(), recording: values.recording!.trim(), supervising: values.supervising!.trim() }));
    },
    run: (req, section, officials) => services.opening.setOfficials(req.ctx, section.id, officials),
    fieldOf: (f) => ((OFFICIAL_FIELDS as readonly string[]).includes(f) ? f : null),
    done: (c, section) => href(c, staffPath(section.id, 'opening'), { saved: 'officials' }),
  });

  action({
    path: '/staff/sections/:id/opening/objections/:oid/answer',
    show: (req, res, status, form) => openingView(req, res, status, { answer: form }),
    read: (req, c) => readAnswer(c, req.body, answerField(req.params.oid as string)),
    run: (req, section, text) => services.opening.answerObjection(req.ctx, section.id, req.params.oid as string, text),
    refusal: answerRefusal,
    done: (c, section, _r, req) => `${href(c, staffPath(section.id, 'opening'), { answered: '1' })}#objection-${encodeURIComponent(req.params.oid as string)}`,
  });

  router.use(staffEvaluationRoutes(kit));
  router.use(staffAwardRoutes(kit));
  router.use(staffImportRoutes(kit));
  return router;
}
