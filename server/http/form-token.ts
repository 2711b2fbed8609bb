// CSRF protection for the pages' plain form posts, on top of sameOriginForSessions (auth.ts), which
// refuses a cross-site request when the browser says where it came from. Browsers that send neither
// Origin nor Sec-Fetch-Site still cannot forge a form: every form carries a token that a page of
// another site cannot read.
//
// The token is a signed double submit bound to the session: a random value in an HttpOnly cookie
// (etender.csrf), and in each form HMAC(secret, cookie value | session id of the signed-in user).
// A forged post has the cookie but not the HMAC. Anonymous forms (sign-in, registration) are
// covered too — no session is needed — and signing in or out changes the session part, so a token
// rendered before is worthless after. The cookie is SameSite=Lax: another site's form post does not carry it either.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../modules/core/errors';
import { FORM_TOKEN_FIELD } from '../../templates/pages/layout';

export const FORM_TOKEN_COOKIE = 'etender.csrf';

export interface FormTokens {
  /** The token for forms on this response; sets the cookie when the browser has none yet. */
  issue(req: Request, res: Response): string;
  /** Middleware for a form post: refuses (403 form_token_invalid) unless the body carries the right token. */
  verify(req: Request, res: Response, next: NextFunction): void;
}

function cookieValue(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === FORM_TOKEN_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}

export function formTokens(opts: { secret: string; secureCookie: boolean }): FormTokens {
  // A key of its own, derived from the session secret, so the HMAC never doubles as a session signature.
  const key = crypto.createHmac('sha256', opts.secret).update('etender form tokens v1').digest();
  const sign = (req: Request, value: string) =>
    crypto
      .createHmac('sha256', key)
      .update(`${value}|${req.user ? req.sessionID : ''}`)
      .digest('base64url');

  return {
    issue(req, res) {
      let value = cookieValue(req) ?? (res.locals.formTokenCookie as string | undefined);
      if (!value) {
        value = crypto.randomBytes(32).toString('base64url');
        res.locals.formTokenCookie = value;
        res.cookie(FORM_TOKEN_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: opts.secureCookie, path: '/' });
      }
      return sign(req, value);
    },
    verify(req, _res, next) {
      const value = cookieValue(req);
      const sent = (req.body as Record<string, unknown> | undefined)?.[FORM_TOKEN_FIELD];
      const refuse = () => next(new AppError(403, 'form_token_invalid', 'This form has expired or was not sent from a page of this platform; open the page again and resend it.'));
      if (!value || typeof sent !== 'string') return refuse();
      const expected = Buffer.from(sign(req, value));
      const given = Buffer.from(sent);
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return refuse();
      next();
    },
  };
}
