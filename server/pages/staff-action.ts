// The one shape of a staff or admin form post: form body → form token → guard → the thing acted on (a section
// in the operator's scope, an organisation, an account) → the page's own field checks and the confirmation box →
// the service call → a refusal shown on the page again → 303 to the next page. Each staff and admin router
// declares its posts with `formAction(…)` so that the order of those steps, and what a refusal
// looks like, is written once.
import type { ErrorRequestHandler, Request, RequestHandler, Response, Router } from 'express';
import { AppError } from '../../modules/core/errors';
import type { FormState } from '../../templates/pages/forms';
import type { Ctx } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { confirmed } from '../../templates/pages/staff-work-common';
import type { PageContext } from './page-context';
import { failureOf, seeOther } from './respond';

/** A refusal the page shows (not a 404 or a fault, which go to the error page). */
export const shownRefusal = (err: unknown): err is AppError => err instanceof AppError && err.status < 500 && err.status !== 404;

/** A refusal of the service as a form state: at the field it names, else for the whole form. */
export function refusalForm(c: Ctx, res: Response, err: AppError, values: Record<string, string>, fieldOf: (apiField: string) => string | null = () => null): FormState {
  const text = failureText(c.lang, failureOf(err, res));
  const at = (err.details ?? []).map((d) => (typeof d.field === 'string' ? fieldOf(d.field) : null)).find((x): x is string => !!x);
  return at ? { values, errors: { [at]: text } } : { values, errors: {}, problem: text };
}

/** What the page's own checks made of the form: the service's input, or the form again with its messages. */
export type FormRead<I> = { ok: true; values: Record<string, string>; input: I } | { ok: false; form: FormState };

/** The read of typed values with their field errors: refused when there is any error. */
export function fieldsRead<I>(values: Record<string, string>, errors: Record<string, string>, input: () => I): FormRead<I> {
  return Object.keys(errors).length ? { ok: false, form: { values, errors } } : { ok: true, values, input: input() };
}

/** A form post's page: the page again with one form's state (messages, typed values) and a status. */
export type ShowForm = (req: Request, res: Response, status: number, form: FormState) => Promise<void>;

export interface FormActionDeps<T> {
  router: Router;
  /** The body parser for the post (a short urlencoded body). */
  formBody: RequestHandler;
  /** The form-token check. */
  verify: RequestHandler;
  /** Who may post (signed in as staff or admin); runs after the token check, as every staff post did. */
  guard: RequestHandler | RequestHandler[];
  context: PageContext;
  /** The thing the post acts on, read in the user's scope (a 404 for anything else). */
  target: (req: Request) => Promise<T>;
  /** The trailing error handler of a post refused as a whole (an expired token): `show` with the problem. */
  refused: (show: ShowForm) => ErrorRequestHandler;
}

export interface FormAction<T, I, R> {
  path: string;
  /** The page again with this post's form state. */
  show: ShowForm;
  /** The page's field checks, in the page's language (none: the post has no fields). */
  read?: (req: Request, c: Ctx, target: T) => FormRead<I> | Promise<FormRead<I>>;
  /** The confirmation box's name, for an irreversible step ('confirm' on most forms). */
  confirm?: string;
  run: (req: Request, target: T, input: I, c: Ctx) => Promise<R>;
  /** The form state of a refusal the page shows; default: at the field `fieldOf` maps it to, else for the whole form. */
  refusal?: (c: Ctx, res: Response, err: AppError, read: { values: Record<string, string>; input: I }, target: T) => FormState | Promise<FormState>;
  fieldOf?: (apiField: string) => string | null;
  /** The typed values a post refused as a whole shows again (default: none). */
  refusedValues?: (req: Request) => Record<string, string>;
  /** Where the browser goes after the step (303). */
  done: (c: Ctx, target: T, result: R, req: Request) => string;
}

/** Declares the posts of one page, all with the same steps (see the top of this file). */
export function formActions<T>(deps: FormActionDeps<T>) {
  const guard = Array.isArray(deps.guard) ? deps.guard : [deps.guard];
  return function action<I = undefined, R = unknown>(spec: FormAction<T, I, R>): void {
    deps.router.post(
      spec.path,
      deps.formBody,
      deps.verify,
      ...guard,
      async (req: Request, res: Response) => {
        const target = await deps.target(req);
        const c = await deps.context(req, res, { form: true });
        const read: FormRead<I> = spec.read ? await spec.read(req, c, target) : { ok: true, values: {}, input: undefined as I };
        if (spec.confirm && !confirmed(req.body, spec.confirm)) {
          const form = read.ok ? { values: read.values, errors: {} } : read.form;
          return spec.show(req, res, 422, { ...form, errors: { ...form.errors, [spec.confirm]: c.s.staffWork.confirmRequired } });
        }
        if (!read.ok) return spec.show(req, res, 422, read.form);
        let result: R;
        try {
          result = await spec.run(req, target, read.input, c);
        } catch (err) {
          if (!shownRefusal(err)) throw err;
          const form = spec.refusal ? await spec.refusal(c, res, err, read, target) : refusalForm(c, res, err, read.values, spec.fieldOf);
          return spec.show(req, res, err.status, form);
        }
        seeOther(res, spec.done(c, target, result, req));
      },
      deps.refused(spec.refusedValues ? (req, res, status, form) => spec.show(req, res, status, { ...form, values: spec.refusedValues!(req) }) : spec.show),
    );
  };
}
