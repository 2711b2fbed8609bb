import { Router, type Request, type Response, type NextFunction } from 'express';
import type passport from 'passport';
import { z } from 'zod';
import type { ApiRegistry } from '../../server/http/route';
import type { Actor } from '../core/context';
import { AppError } from '../core/errors';
import { WRONG_PASSWORD, type AccountsService, type PasswordChangeResult } from './accounts-service';
import {
  changePasswordBody,
  createdTokenResponse,
  createTokenBody,
  createUserBody,
  loginBody,
  passwordChangeResponse,
  tokensResponse,
  updateUserBody,
  userResponse,
  usersResponse,
} from './accounts-schemas';
import type { LoginLimits } from './login-limits';
import { normaliseUsername } from './usernames';

export interface AccountsRoutesOptions {
  accounts: AccountsService;
  passport: passport.PassportStatic;
  registry: ApiRegistry;
  /** The wrong-password budgets (login-limits.ts), shared with the sign-in and password pages. */
  limits: LoginLimits;
  log: { warn(obj: object, msg: string): void };
}

const isTokenAuth = (req: Request) => (req as { authByToken?: boolean }).authByToken === true;

/** The account a sign-in names, in the form it is stored and counted under; '' when there is none. */
export function attemptedUsername(req: Request): string {
  const raw = (req.body as { username?: unknown } | undefined)?.username;
  return typeof raw === 'string' ? normaliseUsername(raw.slice(0, 256)) : '';
}

function passwordChangeMessage(r: PasswordChangeResult): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts = ['Your password is changed.'];
  parts.push(r.sessionsEnded ? `${plural(r.sessionsEnded, 'other session was', 'other sessions were')} signed out.` : 'No other session was signed in.');
  if (r.tokensRevoked) parts.push(`${plural(r.tokensRevoked, 'API token was', 'API tokens were')} revoked.`);
  parts.push(
    r.activeTokens
      ? `${plural(r.activeTokens, 'API token is', 'API tokens are')} still active: revoke any you do not trust with DELETE /api/tokens/:id (GET /api/tokens lists them), or change the password again with "revokeTokens": true.`
      : 'No API token of yours is active.',
  );
  return parts.join(' ');
}

function logIn(req: Request, actor: Actor): Promise<void> {
  // passport 0.7 regenerates the session id on login, so a fixed session id is never reused.
  return new Promise((resolve, reject) => req.logIn(actor, (err) => (err ? reject(err) : resolve())));
}

function authenticateLocal(pp: passport.PassportStatic, req: Request, res: Response): Promise<Actor | false> {
  return new Promise((resolve, reject) => {
    const next: NextFunction = (err?: unknown) => (err ? reject(err) : resolve(false));
    pp.authenticate('local', { session: false }, (err: unknown, user: Actor | false) => (err ? reject(err) : resolve(user)))(req, res, next);
  });
}

export function accountsRoutes(opts: AccountsRoutesOptions): Router {
  const { accounts, registry } = opts;
  const router = Router();

  // Sign-in and the current-password check share one set of budgets (login-limits.ts says why),
  // the same the pages use: a browser form is not a second budget.
  const { limits } = opts;
  router.post('/api/auth/login', ...limits.guard(attemptedUsername));
  router.post('/api/me/password', ...limits.guard((req) => req.ctx?.actor?.username ?? ''));

  registry.add(router, {
    method: 'post',
    path: '/api/auth/login',
    public: true,
    tag: 'accounts',
    summary: 'Log in with a username and password; starts a session (cookie etender.sid).',
    access: 'anyone (rate limited)',
    body: loginBody,
    response: userResponse,
    handler: async ({ req, res }) => {
      if (isTokenAuth(req)) {
        throw new AppError(400, 'bearer_token_sent', 'This request already carries a bearer token, which is not a login session; log in without the Authorization header.');
      }
      const actor = await authenticateLocal(opts.passport, req, res);
      if (!actor) {
        limits.countFailure(res);
        opts.log.warn({ ip: req.ip, username: attemptedUsername(req) }, 'login failed');
        throw new AppError(401, 'invalid_credentials', 'The username or password is wrong, or the account is disabled.');
      }
      limits.succeeded(req, actor.username);
      await logIn(req, actor);
      await accounts.recordLogin({ actor, ip: req.ctx.ip }, 'password');
      return { user: await accounts.me({ actor, ip: req.ctx.ip }) };
    },
  });

  registry.add(router, {
    method: 'post',
    path: '/api/auth/logout',
    public: true,
    tag: 'accounts',
    summary: 'End the session: the session row is deleted, the cookie cleared. A bearer token is not a session (400): revoke it instead.',
    status: 204,
    access: 'anyone',
    handler: async ({ req, res, ctx }) => {
      if (isTokenAuth(req)) {
        throw new AppError(
          400,
          'not_a_session',
          'A bearer token is not a login session, so there is nothing to log out of. To stop the token working, revoke it with DELETE /api/tokens/:id (GET /api/tokens lists yours).',
        );
      }
      if (ctx.actor) await accounts.recordLogout(ctx);
      if (req.session) {
        await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
        await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
      }
      res.clearCookie('etender.sid');
      res.status(204).end();
      return undefined;
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/me',
    tag: 'accounts',
    summary: 'The signed-in user.',
    access: 'any signed-in user',
    response: userResponse,
    handler: async ({ ctx }) => ({ user: await accounts.me(ctx) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/me/password',
    tag: 'accounts',
    summary: 'Change your own password; your other sessions are signed out, and with "revokeTokens": true your API tokens are revoked. Wrong current passwords are rate limited like logins.',
    access: 'any signed-in user (rate limited)',
    body: changePasswordBody,
    response: passwordChangeResponse,
    handler: async ({ ctx, body, req, res }) => {
      let result: PasswordChangeResult;
      try {
        result = await accounts.changePassword(ctx, { ...body, keepSessionId: isTokenAuth(req) ? null : (req.sessionID ?? null) });
      } catch (err) {
        if (err instanceof AppError && err.code === WRONG_PASSWORD) limits.countFailure(res);
        throw err;
      }
      limits.succeeded(req, ctx.actor!.username);
      return { ...result, message: passwordChangeMessage(result) };
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/users',
    tag: 'accounts',
    summary: 'List accounts.',
    access: 'admin',
    response: usersResponse,
    handler: async ({ ctx }) => ({ users: await accounts.listUsers(ctx) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/users',
    tag: 'accounts',
    summary: 'Create a staff account (admin, operator, supervisor, auditor, custodian).',
    access: 'admin',
    body: createUserBody,
    status: 201,
    response: userResponse,
    handler: async ({ ctx, body }) => ({
      user: await accounts.createStaffUser(ctx, { ...body, role: body.role as Actor['role'] }),
    }),
  });

  registry.add(router, {
    method: 'patch',
    path: '/api/users/:id',
    tag: 'accounts',
    summary: 'Change an account; disabling it ends all its sessions at once.',
    access: 'admin',
    body: updateUserBody,
    response: userResponse,
    handler: async ({ ctx, body, params }) => ({ user: await accounts.updateUser(ctx, params.id!, body) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/tokens',
    tag: 'accounts',
    summary: 'Create an API token for yourself; the token is shown once, only its hash is kept.',
    access: 'any signed-in user',
    body: createTokenBody,
    status: 201,
    response: createdTokenResponse,
    handler: async ({ ctx, body }) => ({ token: await accounts.createToken(ctx, body) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/tokens',
    tag: 'accounts',
    summary: 'Your API tokens (never the token values).',
    access: 'any signed-in user',
    response: tokensResponse,
    handler: async ({ ctx }) => ({ tokens: await accounts.listTokens(ctx) }),
  });

  registry.add(router, {
    method: 'delete',
    path: '/api/tokens/:id',
    tag: 'accounts',
    summary: 'Revoke one of your API tokens.',
    status: 204,
    access: 'any signed-in user',
    query: z.strictObject({}),
    handler: async ({ ctx, params, res }) => {
      await accounts.revokeToken(ctx, params.id!);
      res.status(204).end();
      return undefined;
    },
  });

  return router;
}
