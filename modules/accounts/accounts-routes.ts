import { Router, type Request, type Response, type NextFunction } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type passport from 'passport';
import { z } from 'zod';
import type { ApiRegistry } from '../../server/http/route';
import type { Actor } from '../core/context';
import { AppError, tooManyRequests } from '../core/errors';
import type { AccountsService } from './accounts-service';
import { changePasswordBody, createTokenBody, createUserBody, loginBody, updateUserBody } from './accounts-schemas';

export interface AccountsRoutesOptions {
  accounts: AccountsService;
  passport: passport.PassportStatic;
  registry: ApiRegistry;
  /** Failed logins allowed per address and username in 15 minutes (per process: a first line of defence). */
  loginAttemptsPer15Min: number;
  log: { warn(obj: object, msg: string): void };
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

  const loginLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: opts.loginAttemptsPer15Min,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${String((req.body as { username?: unknown })?.username ?? '').toLowerCase()}`,
    handler: (_req, _res, next) => next(tooManyRequests('Too many failed logins for this account from your address; wait 15 minutes and try again.')),
  });
  router.post('/api/auth/login', loginLimiter);

  registry.add(router, {
    method: 'post',
    path: '/api/auth/login',
    public: true,
    tag: 'accounts',
    summary: 'Log in with a username and password; starts a session (cookie etender.sid).',
    access: 'anyone (rate limited)',
    body: loginBody,
    handler: async ({ req, res }) => {
      const actor = await authenticateLocal(opts.passport, req, res);
      if (!actor) {
        opts.log.warn({ ip: req.ip, username: (req.body as { username: string }).username }, 'login failed');
        throw new AppError(401, 'invalid_credentials', 'The username or password is wrong, or the account is disabled.');
      }
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
    summary: 'End the session: the session row is deleted, the cookie cleared.',
    access: 'anyone',
    handler: async ({ req, res, ctx }) => {
      if (ctx.actor && !(req as { authByToken?: boolean }).authByToken) await accounts.recordLogout(ctx);
      await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
      if (req.session) await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
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
    handler: async ({ ctx }) => ({ user: await accounts.me(ctx) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/me/password',
    tag: 'accounts',
    summary: 'Change your own password.',
    access: 'any signed-in user',
    body: changePasswordBody,
    handler: async ({ ctx, body, res }) => {
      await accounts.changePassword(ctx, body.currentPassword, body.newPassword);
      res.status(204).end();
      return undefined;
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/users',
    tag: 'accounts',
    summary: 'List accounts.',
    access: 'admin',
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
    handler: async ({ ctx, body }) => ({ token: await accounts.createToken(ctx, body) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/tokens',
    tag: 'accounts',
    summary: 'Your API tokens (never the token values).',
    access: 'any signed-in user',
    handler: async ({ ctx }) => ({ tokens: await accounts.listTokens(ctx) }),
  });

  registry.add(router, {
    method: 'delete',
    path: '/api/tokens/:id',
    tag: 'accounts',
    summary: 'Revoke one of your API tokens.',
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
