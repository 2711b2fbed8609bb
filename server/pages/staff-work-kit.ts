// What the staff work routers (opening, evaluation, award, import) share: their dependencies, the
// kit each is given by staffWorkRoutes, and the small readers of a form post's fields.
import type express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { AwardsService } from '../../modules/awards/awards-service';
import type { CentresService } from '../../modules/centres/centres-service';
import type { AppError } from '../../modules/core/errors';
import { textProblem } from '../../modules/core/text';
import type { EvaluationService } from '../../modules/evaluation/evaluation-service';
import type { OpeningService } from '../../modules/opening/opening-service';
import type { ImportsService } from '../../modules/reports/imports-service';
import type { TendersService } from '../../modules/tenders/tenders-service';
import type { FormState } from '../../templates/pages/forms';
import type { Ctx } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { ANSWER_MAX, type StaffSection } from '../../templates/pages/staff-work-common';
import { fill } from '../../templates/pages/text';
import type { FormTokens } from '../http/form-token';
import type { PageContext } from './page-context';
import { failureOf } from './respond';
import type { FormRead, formActions, ShowForm } from './staff-action';

export interface StaffWorkDeps {
  services: { tenders: TendersService; centres: CentresService; opening: OpeningService; evaluation: EvaluationService; awards: AwardsService; imports: ImportsService };
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
  refused(render: ShowForm): (err: unknown, req: Request, res: Response, next: NextFunction) => Promise<void>;
  /** The declarer of a router's form posts (staff-action.ts), on this section in scope. */
  actions(router: Router): ReturnType<typeof formActions<StaffSection>>;
}

export const one = (req: Request, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};
export const bodyText = (req: Request, name: string, max = 10_000): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

/** The answer to an objection as the API's answerBody reads it (CR LF as LF, trimmed), or the field's message. */
export function readAnswer(c: Ctx, body: unknown, name: string): FormRead<string> {
  const raw = (body as Record<string, unknown> | undefined)?.[name];
  const typed = typeof raw === 'string' ? raw : '';
  const text = typed.replace(/\r\n/g, '\n').trim();
  const w = c.s.staffWork;
  const error = !text ? w.answerRequired : text.length > ANSWER_MAX ? fill(w.answerTooLong, { n: text.length }) : textProblem(text, true) ? w.personInvisible : null;
  return error ? { ok: false, form: { values: { [name]: typed }, errors: { [name]: error } } } : { ok: true, values: { [name]: text }, input: text };
}

/** A refused answer: the message at the answer's own field (one per objection), with the answer as read. */
export function answerRefusal(c: Ctx, res: Response, err: AppError, read: { values: Record<string, string> }): FormState {
  const [name = 'answer'] = Object.keys(read.values);
  return { values: read.values, errors: { [name]: failureText(c.lang, failureOf(err, res)) } };
}
