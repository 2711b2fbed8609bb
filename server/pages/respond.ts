// How a page leaves the server: HTML with the strict CSP and no caching, a 303 after a form post,
// and the error page for anything that failed on a page path (the JSON error shape stays with /api).
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../modules/core/errors';
import { ctxFor, type Ctx } from '../../templates/pages/layout';
import { failureText, type Failure } from '../../templates/pages/messages';
import { errorPage } from '../../templates/pages/pages';
import { langOf } from '../../templates/pages/strings';
import type { SafeHtml } from '../../templates/html';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function sendPage(res: Response, status: number, page: SafeHtml): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    })
    .send(page.value);
}

/** After a form post: the browser gets the next page with GET (a reload does not post again). */
export function seeOther(res: Response, location: string): void {
  res.status(303).set({ Location: location, 'Cache-Control': 'no-store' }).end();
}

/** What a page tells of an error: its code, status, details, and the wait a rate limiter set (Retry-After). */
export function failureOf(err: unknown, res: Response, limit?: Failure['limit']): Failure {
  const retry = Number(res.getHeader('Retry-After'));
  if (err instanceof AppError) {
    return {
      code: err.code,
      status: err.status,
      message: err.message,
      details: err.details,
      ...(Number.isFinite(retry) && retry > 0 ? { retryAfterSeconds: retry } : {}),
      ...(limit ? { limit } : {}),
    };
  }
  return { code: 'internal_error', status: 500 };
}

/**
 * The error handler of the page paths, mounted after every page router: a 4xx becomes a page in the
 * visitor's language (with the header of whoever is signed in, when that can still be read); a 5xx
 * goes on to the one error handler, which logs it.
 */
export function pageErrors(context: (req: Request, res: Response) => Promise<Ctx>) {
  return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (res.headersSent) return next(err);
    if (req.path.startsWith('/api/') || req.path.startsWith('/portal-static/') || req.path === '/healthz' || req.path.startsWith('/beacon')) return next(err);
    const status = err instanceof AppError ? err.status : 500;
    if (status >= 500) return next(err);
    let c: Ctx;
    try {
      c = await context(req, res);
    } catch {
      c = ctxFor(langOf((req.query as Record<string, unknown>).lang), Date.now());
    }
    sendPage(res, status, errorPage(c, status, failureText(c.lang, failureOf(err, res))));
  };
}
