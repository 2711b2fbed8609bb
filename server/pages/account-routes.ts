// The sign-in, sign-out, account, password and registration pages: plain form posts (no script
// needed) on the same passport session, wrong-password budgets and registration limit as the JSON
// API. Every post needs the form token (form-token.ts) and passes the origin check (auth.ts).
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { attemptedUsername } from '../../modules/accounts/accounts-routes';
import { PASSWORD } from '../../modules/accounts/accounts-schemas';
import { WRONG_PASSWORD, type AccountsService } from '../../modules/accounts/accounts-service';
import type { LoginLimits } from '../../modules/accounts/login-limits';
import type { Actor } from '../../modules/core/context';
import { AppError } from '../../modules/core/errors';
import type { OrgsService } from '../../modules/orgs/orgs-service';
import { accountPage, loginPage, logoutPage, passwordPage, registerPage } from '../../templates/pages/account-pages';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { type Ctx, href } from '../../templates/pages/layout';
import { failureText, type Failure } from '../../templates/pages/messages';
import { fill } from '../../templates/pages/text';
import type { FormTokens } from '../http/form-token';
import type { PageContext } from './page-context';
import { readRegistration } from './registration-form';
import { failureOf, seeOther, sendPage } from './respond';
import { safeNext } from './safe-next';
import { signedIn } from './signed-in';

declare module 'express-session' {
  interface SessionData {
    /** A one-time note for the next account page (the outcome of a password change). */
    accountNotice?: { sessionsEnded: number; activeTokens: number };
  }
}

export interface AccountPagesDeps {
  accounts: AccountsService;
  orgs: OrgsService;
  limits: LoginLimits;
  registrations: RequestHandler;
  tokens: FormTokens;
  context: PageContext;
  log: { warn(obj: object, msg: string): void };
}

type Body = Record<string, unknown>;
/** A form field as one string (a repeated field or a missing one is ''), cut to `max` characters. */
const text = (body: Body | undefined, name: string, max = 300): string => {
  const v = body?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};
const query = (req: Request, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};

function logIn(req: Request, actor: Actor): Promise<void> {
  // passport 0.7 regenerates the session on login: a session id planted before sign-in is never reused.
  return new Promise((resolve, reject) => req.logIn(actor, (err) => (err ? reject(err) : resolve())));
}

function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.logout((err) => {
      if (err) return reject(err);
      if (!req.session) return resolve();
      req.session.destroy((e) => (e ? reject(e) : resolve()));
    }),
  );
}

export function accountPagesRoutes(deps: AccountPagesDeps): Router {
  const { accounts, orgs, limits, tokens, context } = deps;
  const router = Router();
  // Plain forms post urlencoded bodies; a few short fields, never more.
  const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 });

  /** The page after a form post failed as a whole (rate limit, expired form): the same form with the problem on top. */
  const refusedForm =
    (render: (c: Ctx, req: Request, problem: string) => ReturnType<typeof loginPage>, limit?: Failure['limit']) =>
    async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (!(err instanceof AppError) || err.status >= 500 || err.code === 'cross_site_request') return next(err);
      const c = await context(req, res, { form: true });
      sendPage(res, err.status, render(c, req, failureText(c.lang, failureOf(err, res, limit))));
    };

  // ——— sign in ———
  router.get('/login', async (req, res) => {
    const c = await context(req, res, { form: true });
    const next = safeNext(query(req, 'next'));
    if (c.viewer) return seeOther(res, next ?? href(c, '/account'));
    sendPage(res, 200, loginPage(c, { form: emptyForm(), next, signedOut: query(req, 'out') === '1' }));
  });

  const loginForm = (req: Request, problem: string | null, errors: Record<string, string> = {}): FormState => ({
    values: { username: text(req.body, 'username', 64) },
    errors,
    problem,
  });

  router.post(
    '/login',
    formBody,
    tokens.verify,
    ...limits.guard(attemptedUsername),
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const next = safeNext(text(req.body, 'next', 2000));
      const username = text(req.body, 'username', 64).trim();
      const password = text(req.body, 'password', 200);
      if (!username || !password) {
        const errors: Record<string, string> = {};
        if (!username) errors.username = c.s.account.fieldRequired;
        if (!password) errors.password = c.s.account.fieldRequired;
        return sendPage(res, 400, loginPage(c, { form: loginForm(req, null, errors), next, signedOut: false }));
      }
      const actor = await accounts.authenticate(username, password);
      if (!actor) {
        // One answer for an unknown user, a wrong password and a disabled account: nothing to enumerate.
        limits.countFailure(res);
        deps.log.warn({ ip: req.ip, username: attemptedUsername(req) }, 'login failed');
        return sendPage(res, 401, loginPage(c, { form: loginForm(req, failureText(c.lang, { code: 'invalid_credentials', status: 401 })), next, signedOut: false }));
      }
      limits.succeeded(req, actor.username);
      await logIn(req, actor);
      await accounts.recordLogin({ actor, ip: req.ctx.ip }, 'password');
      seeOther(res, next ?? href(c, '/account'));
    },
    refusedForm((c, req, problem) => loginPage(c, { form: loginForm(req, problem), next: safeNext(text(req.body, 'next', 2000)), signedOut: false }), 'login'),
  );

  // ——— sign out ———
  router.get('/logout', async (req, res) => sendPage(res, 200, logoutPage(await context(req, res))));
  router.post('/logout', formBody, tokens.verify, async (req: Request, res: Response) => {
    const c = await context(req, res);
    if (req.ctx.actor) await accounts.recordLogout(req.ctx);
    await endSession(req);
    res.clearCookie('etender.sid');
    seeOther(res, href(c, '/login', { out: '1' }));
  });

  // ——— my account ———
  router.get('/account', signedIn, async (req, res) => {
    const c = await context(req, res);
    const me = await accounts.me(req.ctx);
    const org = me.orgId ? (await orgs.get(req.ctx, me.orgId)).organisation : null;
    const note = req.session?.accountNotice;
    if (note) delete req.session.accountNotice;
    const a = c.s.account;
    const passwordChanged = note
      ? [a.passwordChanged, note.sessionsEnded ? fill(a.sessionsEnded, { n: note.sessionsEnded }) : a.noOtherSessions, note.activeTokens ? fill(a.tokensActive, { n: note.activeTokens }) : '']
          .filter(Boolean)
          .join(' ')
      : null;
    sendPage(
      res,
      200,
      accountPage(c, {
        account: {
          username: me.username,
          displayName: me.displayName,
          role: me.role,
          organisation: org ? { name: org.name, creditCode: org.creditCode, status: org.status, reviewNote: org.reviewNote } : null,
        },
        registered: query(req, 'registered') === '1',
        passwordChanged,
      }),
    );
  });

  // ——— change my password ———
  router.get('/account/password', signedIn, async (req, res) => sendPage(res, 200, passwordPage(await context(req, res, { form: true }), { form: emptyForm() })));
  router.post(
    '/account/password',
    formBody,
    tokens.verify,
    signedIn,
    ...limits.guard((req) => req.ctx?.actor?.username ?? ''),
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const a = c.s.account;
      const currentPassword = text(req.body, 'currentPassword', 200);
      const newPassword = text(req.body, 'newPassword', 201);
      const repeat = text(req.body, 'repeatPassword', 201);
      const errors: Record<string, string> = {};
      if (!currentPassword) errors.currentPassword = a.fieldRequired;
      if (!PASSWORD.safeParse(newPassword).success) errors.newPassword = a.fieldPassword;
      else if (repeat !== newPassword) errors.repeatPassword = a.fieldRepeat;
      if (Object.keys(errors).length) return sendPage(res, 422, passwordPage(c, { form: { values: {}, errors } }));
      try {
        const r = await accounts.changePassword(req.ctx, { currentPassword, newPassword, keepSessionId: req.sessionID ?? null });
        limits.succeeded(req, req.ctx.actor!.username);
        req.session.accountNotice = { sessionsEnded: r.sessionsEnded, activeTokens: r.activeTokens };
        seeOther(res, href(c, '/account'));
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== WRONG_PASSWORD) throw err;
        limits.countFailure(res);
        sendPage(res, 403, passwordPage(c, { form: { values: {}, errors: { currentPassword: failureText(c.lang, failureOf(err, res)) } } }));
      }
    },
    refusedForm((c, _req, problem) => passwordPage(c, { form: { values: {}, errors: {}, problem } }), 'password'),
  );

  // ——— register an organisation ———
  const registerValues = (req: Request) => {
    const values: Record<string, string> = {};
    for (const name of ['name', 'creditCode', 'contactName', 'contactPhone', 'contactEmail', 'address', 'displayName', 'username']) values[name] = text(req.body, name);
    return values;
  };
  router.get('/register', async (req, res) => sendPage(res, 200, registerPage(await context(req, res, { form: true }), { form: emptyForm() })));
  router.post(
    '/register',
    formBody,
    tokens.verify,
    deps.registrations,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const values = registerValues(req);
      const read = readRegistration(c, req.body as Body);
      if (!read.ok) return sendPage(res, 422, registerPage(c, { form: { values, errors: read.errors } }));
      let repId: string;
      try {
        const done = await orgs.register(req.ctx, read.input);
        repId = done.representatives[0]!.id;
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        const field = err.details?.find((d) => d.field)?.field;
        const a = c.s.account;
        const errors: Record<string, string> = {};
        if (err.status === 409 && field === 'creditCode') errors.creditCode = a.fieldCreditCodeTaken;
        else if (err.status === 409 && field === 'username') errors.username = fill(a.fieldUsernameTaken, { username: read.input.representatives[0]!.username.trim().toLowerCase() });
        return sendPage(res, err.status, registerPage(c, { form: { values, errors, problem: Object.keys(errors).length ? null : failureText(c.lang, failureOf(err, res)) } }));
      }
      // The representative is signed in at once, and sees the organisation's review status on /account.
      const actor = await accounts.actorById(repId);
      if (actor) {
        await logIn(req, actor);
        await accounts.recordLogin({ actor, ip: req.ctx.ip }, 'password');
      }
      seeOther(res, href(c, '/account', { registered: '1' }));
    },
    refusedForm((c, req, problem) => registerPage(c, { form: { values: registerValues(req), errors: {}, problem } }), 'registration'),
  );

  return router;
}
