// The operator's work pages after the deadline: the opening (/staff/sections/:id/opening), the
// evaluation (…/evaluation, staff-evaluation-routes.ts), the award and contract (…/award,
// staff-award-routes.ts) and the historical import (/staff/imports, staff-import-routes.ts). Each
// page reads and writes through the services with the operator's own context; a section the
// operator may not manage is "not found" here, as a draft of another centre is in the API.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { mayManageCentre } from '../../modules/core/access';
import { AppError, notFound } from '../../modules/core/errors';
import { textProblem } from '../../modules/core/text';
import type { Services } from '../app';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { type Ctx, href } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { ANSWER_MAX, answerField, type StaffSection, staffPath } from '../../templates/pages/staff-work-common';
import { OFFICIAL_FIELDS, staffOpeningPage } from '../../templates/pages/staff-opening-page';
import { langOf } from '../../templates/pages/strings';
import { fill } from '../../templates/pages/text';
import { toAppError } from '../http/errors';
import type { FormTokens } from '../http/form-token';
import type { PageContext } from './page-context';
import { failureOf, seeOther, sendPage } from './respond';
import { signedIn } from './signed-in';
import { staffAwardRoutes } from './staff-award-routes';
import { staffEvaluationRoutes } from './staff-evaluation-routes';
import { staffImportRoutes } from './staff-import-routes';

export interface StaffWorkDeps {
  services: Pick<Services, 'tenders' | 'centres' | 'opening' | 'evaluation' | 'awards' | 'imports'>;
  tokens: FormTokens;
  context: PageContext;
}

/** What each of the staff work routers gets. */
export interface StaffWorkKit extends StaffWorkDeps {
  /** The section of the request's :id, if the signed-in user may manage it; else "not found". */
  section(req: Request): Promise<StaffSection>;
  /** A short urlencoded form body (a token and a few fields). */
  formBody: express.RequestHandler;
  /** The trailing error handler of a form post refused as a whole (an expired token): the page again with the problem. */
  refused(render: (req: Request, res: Response, status: number, form: FormState) => Promise<void>): (err: unknown, req: Request, res: Response, next: NextFunction) => Promise<void>;
}

export const one = (req: Request, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};
export const bodyText = (req: Request, name: string, max = 10_000): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

/** A refusal the page shows (not a 404 or a fault, which go to the error page). */
export const shownRefusal = (err: unknown): err is AppError => err instanceof AppError && err.status < 500 && err.status !== 404;

/** The answer to an objection as the API's answerBody reads it (CR LF as LF, trimmed), or the field's message. */
export function readAnswer(c: Ctx, body: unknown, name: string): { ok: true; text: string } | { ok: false; form: FormState } {
  const raw = (body as Record<string, unknown> | undefined)?.[name];
  const typed = typeof raw === 'string' ? raw : '';
  const text = typed.replace(/\r\n/g, '\n').trim();
  const w = c.s.staffWork;
  const error = !text ? w.answerRequired : text.length > ANSWER_MAX ? fill(w.answerTooLong, { n: text.length }) : textProblem(text, true) ? w.personInvisible : null;
  return error ? { ok: false, form: { values: { [name]: typed }, errors: { [name]: error } } } : { ok: true, text };
}

/** A refusal of the service as a form state: at the field it names, else for the whole form. */
export function refusalForm(c: Ctx, res: Response, err: AppError, values: Record<string, string>, fieldOf: (apiField: string) => string | null = () => null): FormState {
  const text = failureText(c.lang, failureOf(err, res));
  const at = (err.details ?? []).map((d) => (typeof d.field === 'string' ? fieldOf(d.field) : null)).find((x): x is string => !!x);
  return at ? { values, errors: { [at]: text } } : { values, errors: {}, problem: text };
}

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

  router.post(
    '/staff/sections/:id/opening/officials',
    kit.formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const section = await kit.section(req);
      const c = await context(req, res, { form: true });
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
      if (Object.keys(errors).length) return openingView(req, res, 422, { officials: { values, errors } });
      try {
        await services.opening.setOfficials(req.ctx, section.id, { presiding: values.presiding!.trim(), recording: values.recording!.trim(), supervising: values.supervising!.trim() });
      } catch (err) {
        if (!shownRefusal(err)) throw err;
        return openingView(req, res, err.status, { officials: refusalForm(c, res, err, values, (f) => ((OFFICIAL_FIELDS as readonly string[]).includes(f) ? f : null)) });
      }
      seeOther(res, href(c, staffPath(section.id, 'opening'), { saved: 'officials' }));
    },
    kit.refused((req, res, status, form) => openingView(req, res, status, { officials: form })),
  );

  router.post(
    '/staff/sections/:id/opening/objections/:oid/answer',
    kit.formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const section = await kit.section(req);
      const c = await context(req, res, { form: true });
      const oid = req.params.oid as string;
      const name = answerField(oid);
      const read = readAnswer(c, req.body, name);
      if (!read.ok) return openingView(req, res, 422, { answer: read.form });
      try {
        await services.opening.answerObjection(req.ctx, section.id, oid, read.text);
      } catch (err) {
        if (!shownRefusal(err)) throw err;
        return openingView(req, res, err.status, { answer: { values: { [name]: read.text }, errors: { [name]: failureText(c.lang, failureOf(err, res)) } } });
      }
      seeOther(res, `${href(c, staffPath(section.id, 'opening'), { answered: '1' })}#objection-${encodeURIComponent(oid)}`);
    },
    kit.refused((req, res, status, form) => openingView(req, res, status, { answer: form })),
  );

  router.use(staffEvaluationRoutes(kit));
  router.use(staffAwardRoutes(kit));
  router.use(staffImportRoutes(kit));
  return router;
}
