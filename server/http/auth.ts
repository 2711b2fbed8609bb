// Who is calling: a bearer API token (scripts, the CLI) or a passport session (people in a
// browser). Sets req.ctx for every request; it is anonymous when neither is present.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AccountsService } from '../../modules/accounts/accounts-service';
import type { Actor, RequestContext } from '../../modules/core/context';
import { AppError, unauthenticated } from '../../modules/core/errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // passport's req.user is our Actor.
    interface User extends Actor {}
    interface Request {
      ctx: RequestContext;
    }
  }
}

export function configurePassport(accounts: AccountsService): passport.PassportStatic {
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  instance.use(
    new LocalStrategy({ usernameField: 'username', passwordField: 'password' }, (username, password, done) => {
      accounts.authenticate(username, password).then(
        (actor) => done(null, actor ?? false),
        (err) => done(err),
      );
    }),
  );
  instance.serializeUser((user, done) => done(null, (user as Actor).userId));
  instance.deserializeUser((id: string, done) => {
    // A disabled or deleted account yields false: passport then drops the login from the session.
    accounts.actorById(id).then(
      (actor) => done(null, actor ?? false),
      (err) => done(err),
    );
  });
  return instance;
}

/** Resolves a bearer token if one is sent; a wrong token is an error, never a silent anonymous call. */
export function bearerAuth(accounts: AccountsService): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(unauthenticated('The Authorization header must be "Bearer <token>".'));
    accounts.actorForToken(match[1]!).then(
      (actor) => {
        if (!actor) return next(unauthenticated('The API token is unknown, revoked or expired.'));
        req.user = actor;
        (req as { authByToken?: boolean }).authByToken = true;
        next();
      },
      (err) => next(err),
    );
  };
}

export function attachContext(req: Request, _res: Response, next: NextFunction): void {
  req.ctx = { actor: (req.user as Actor | undefined) ?? null, ip: req.ip ?? req.socket.remoteAddress ?? null };
  next();
}

/** The origin (scheme://host[:port]) of a URL, or null when it is not an http(s) URL. */
function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * Cross-site request forgery guard for cookie sessions: a state-changing request that carries a
 * session cookie must come from our own origin — scheme, host and port, not the host alone (a page
 * on http://host or on host:8080 is another origin). Our origin is PUBLIC_URL when it is set, or
 * else what the request says it reached: req.protocol and the Host header, which follow
 * X-Forwarded-Proto and X-Forwarded-Host only when TRUST_PROXY trusts the proxy that sent them.
 * Token-authenticated calls carry no ambient credential and are exempt.
 */
export function sameOriginForSessions(publicUrl: string | null = null) {
  const configured = publicUrl ? originOf(publicUrl) : null;
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || (req as { authByToken?: boolean }).authByToken) return next();
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    const refuse = () => next(new AppError(403, 'cross_site_request', 'Requests from another site cannot change anything here.'));
    if (origin) {
      const own = configured ?? (req.host ? originOf(`${req.protocol}://${req.host}`) : null);
      if (own === null || originOf(origin) !== own) return refuse();
    } else if (site === 'cross-site' || site === 'same-site') {
      // No Origin header, but the browser says the request comes from another origin.
      return refuse();
    }
    next();
  };
}
