// The objection forms of the opening hall (POST /sections/:id/hall/objections → the opening's
// raiseObjection, TBLS 44) and of the section page during the candidate publicity (POST
// /sections/:id/objections → the evaluation's raiseObjection, TBLS 54): plain form posts with the form
// token, checked here into messages in the page's language, then the same service calls as the API.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { RequestContext } from '../../modules/core/context';
import { AppError } from '../../modules/core/errors';
import { textProblem } from '../../modules/core/text';
import type { EvaluationService } from '../../modules/evaluation/evaluation-service';
import type { OpeningService } from '../../modules/opening/opening-service';
import { emptyForm, type FormState, hasProblems } from '../../templates/pages/forms';
import { href, type Ctx } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { OBJECTION_MAX, type ObjectionsBlock, type ObjectionView } from '../../templates/pages/objection-pages';
import { fill } from '../../templates/pages/text';
import { toAppError } from '../http/errors';
import type { FormTokens } from '../http/form-token';
import type { PageContext } from './page-context';
import { failureOf, seeOther } from './respond';

export interface ObjectionServices {
  opening: Pick<OpeningService, 'objections' | 'objectionWindow' | 'raiseObjection'>;
  evaluation: Pick<EvaluationService, 'objectionWindow' | 'raiseObjection'>;
}

/** Renders a page (the hall, the section page) with its objection form in the given state. */
export type ObjectionPage = (req: Request, res: Response, status: number, form: FormState) => Promise<void>;

interface StoredObjection {
  id: string;
  bidder: string;
  text: string;
  raisedAt: number;
  answer: string | null;
  answeredAt: number | null;
}

const RAISED = 'objection';
const anon = (req: Request): RequestContext => ({ actor: null, ip: req.ip ?? null });

function views(req: Request, list: StoredObjection[]): ObjectionView[] {
  const orgId = req.ctx.actor?.orgId ?? null;
  return list.map((o) => ({ id: o.id, text: o.text, raisedAt: o.raisedAt, answer: o.answer, answeredAt: o.answeredAt, mine: orgId !== null && o.bidder === orgId }));
}

/** The hall's block: the objections as the public API lists them, and whether this viewer may raise one now. */
export async function openingObjections(services: ObjectionServices, req: Request, id: string, form: FormState): Promise<ObjectionsBlock> {
  const list = (await services.opening.objections(anon(req), id)) as StoredObjection[];
  const window = await services.opening.objectionWindow(req.ctx, id);
  return { kind: 'opening', objections: views(req, list), window, form, raised: req.query[RAISED] === 'raised' };
}

/** The section page's block, from the public evaluation (null before the publicity, when nothing about it is public). */
export async function publicityObjections(
  services: ObjectionServices,
  req: Request,
  id: string,
  evaluation: { objections?: unknown; publicity?: { endsAt: number } | null } | null,
  form: FormState,
): Promise<ObjectionsBlock | null> {
  // A refused post shows its refusal even before the publicity, when there is nothing else to show.
  if (!evaluation && !hasProblems(form)) return null;
  const window = await services.evaluation.objectionWindow(req.ctx, id);
  const list = (evaluation?.objections ?? []) as StoredObjection[];
  return { kind: 'publicity', objections: views(req, list), window, endsAt: evaluation?.publicity?.endsAt ?? null, form, raised: req.query[RAISED] === 'raised' };
}

/** The objection as the API's objectionBody reads it (CR LF as LF, trimmed), or the field's message in the page's language. */
export function readObjection(c: Ctx, body: unknown): { ok: true; text: string } | { ok: false; form: FormState } {
  const raw = (body as Record<string, unknown> | undefined)?.text;
  const typed = typeof raw === 'string' ? raw : '';
  const text = typed.replace(/\r\n/g, '\n').trim();
  const s = c.s.objections;
  const error = !text ? s.fieldRequired : text.length > OBJECTION_MAX ? fill(s.fieldTooLong, { n: text.length }) : textProblem(text, true) ? s.fieldInvisible : null;
  return error ? { ok: false, form: { values: { text: typed }, errors: { text: error } } } : { ok: true, text };
}

export function objectionPostRoutes(deps: { services: ObjectionServices; tokens: FormTokens; context: PageContext; hall: ObjectionPage; section: ObjectionPage }): Router {
  const { services, tokens, context } = deps;
  const router = Router();
  // 2000 characters of Chinese are about 18 kB urlencoded; a larger body is refused (413) before it is read.
  const formBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 10 });

  const post = (path: string, page: ObjectionPage, raise: (ctx: RequestContext, id: string, text: string) => Promise<unknown>, after: (id: string) => string) =>
    router.post(
      path,
      formBody,
      tokens.verify,
      async (req: Request, res: Response) => {
        const id = req.params.id as string;
        const c = await context(req, res, { form: true });
        const read = readObjection(c, req.body);
        if (!read.ok) return page(req, res, 422, read.form);
        try {
          await raise(req.ctx, id, read.text);
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
          // The refusal (not signed in, not a bidder here, outside the window) at the field, with the text kept.
          return page(req, res, err.status, { values: { text: read.text }, errors: { text: failureText(c.lang, failureOf(err, res)) } });
        }
        seeOther(res, href(c, after(id), { [RAISED]: 'raised' }));
      },
      // An expired or missing form token, a body over the limit: the same page, the problem on top.
      async (error: unknown, req: Request, res: Response, next: NextFunction) => {
        const err = toAppError(error);
        if (!err || err.status >= 500 || err.status === 404 || err.code === 'cross_site_request') return next(error);
        const c = await context(req, res, { form: true });
        const typed = (req.body as Record<string, unknown> | undefined)?.text;
        await page(req, res, err.status, { ...emptyForm({ text: typeof typed === 'string' ? typed : '' }), problem: failureText(c.lang, failureOf(err, res)) });
      },
    );

  post(
    '/sections/:id/hall/objections',
    deps.hall,
    (ctx, id, text) => services.opening.raiseObjection(ctx, id, text),
    (id) => `/sections/${encodeURIComponent(id)}/hall`,
  );
  post(
    '/sections/:id/objections',
    deps.section,
    (ctx, id, text) => services.evaluation.raiseObjection(ctx, id, text),
    (id) => `/sections/${encodeURIComponent(id)}`,
  );
  return router;
}
