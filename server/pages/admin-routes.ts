// The admin's pages: accounts (list, create a staff account, disable/enable, reset a password, revoke
// API tokens), the centres' settings documents, and the working-day calendar. Only admins see them:
// anyone else signed in gets the 404 page, a signed-out visitor is sent to sign in. Every change goes
// through the services with the admin's own context, so their rules and audit entries apply.
import express, { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import { PASSWORD, USERNAME, DISPLAY_NAME } from '../../modules/accounts/accounts-schemas';
import type { AccountsService } from '../../modules/accounts/accounts-service';
import { isCalendarDate } from '../../modules/centres/calendar';
import { CENTRE_CODES } from '../../modules/centres/centre-rules';
import type { CentresService } from '../../modules/centres/centres-service';
import type { Role } from '../../modules/core/context';
import { AppError, notFound } from '../../modules/core/errors';
import { oneLineText } from '../../modules/core/text';
import { normaliseUsername } from '../../modules/accounts/usernames';
import { accountDetailPage, accountsPage, newAccountPage, STAFF_ROLES } from '../../templates/pages/admin-accounts-page';
import { calendarPage, weekdayOf } from '../../templates/pages/admin-calendar-page';
import { centreName, centrePage, centresPage } from '../../templates/pages/admin-centres-page';
import { shanghaiDate } from '../../templates/pages/format';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { type Ctx, href } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { fill } from '../../templates/pages/text';
import type { FormTokens } from '../http/form-token';
import { readSettings, settingsValues, typedValues } from './admin-centre-form';
import type { PageContext } from './page-context';
import { failureOf, seeOther, sendPage } from './respond';
import { signedIn } from './signed-in';
import { formActions, type ShowForm } from './staff-action';

declare module 'express-session' {
  interface SessionData {
    /** A one-time note for the next admin page: which page, which text, and a generated password shown once. */
    adminNotice?: { path: string; key: string; values: Record<string, string | number>; password?: string };
  }
}

export interface AdminPagesDeps {
  accounts: Pick<AccountsService, 'listUsers' | 'createStaffUser' | 'updateUser' | 'resetPassword' | 'listTokensOf' | 'revokeTokenOf'>;
  centres: Pick<CentresService, 'list' | 'get' | 'updateSettings' | 'calendarDays' | 'setCalendarDay' | 'deleteCalendarDay'>;
  tokens: FormTokens;
  context: PageContext;
}

/** Accounts per page of the list. */
export const ACCOUNTS_PAGE_SIZE = 25;

type Body = Record<string, unknown>;
const bodyText = (req: Request, name: string, max = 300): string => {
  const v = (req.body as Body | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};
const one = (req: Request, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};

/** Signed in as an admin, or the 404 page (a signed-out visitor: to sign in first). */
const adminOnly: RequestHandler[] = [signedIn, (req, _res, next) => (req.ctx.actor?.role === 'admin' ? next() : next(notFound('The page')))];

export function adminPagesRoutes(deps: AdminPagesDeps): Router {
  const { accounts, centres, tokens, context } = deps;
  const router = Router();
  const formBody = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 });

  const remember = (req: Request, path: string, key: string, values: Record<string, string | number> = {}, password?: string) => {
    req.session.adminNotice = { path, key, values, ...(password ? { password } : {}) };
  };
  /** The note left for this page by the last post, taken once. */
  const noteFor = (c: Ctx, req: Request, path: string): { text: string | null; password: string | null } => {
    const note = req.session?.adminNotice;
    if (!note || note.path !== path) return { text: null, password: null };
    delete req.session.adminNotice;
    const template = (c.s.admin as Record<string, unknown>)[note.key];
    return { text: typeof template === 'string' ? fill(template, note.values) : null, password: note.password ?? null };
  };
  const centreNames = async (c: Ctx) => Object.fromEntries((await centres.list()).map((x) => [x.code, centreName(c, x)]));

  // ——— accounts ———
  router.get('/admin/accounts', ...adminOnly, async (req, res) => {
    const c = await context(req, res);
    const role = one(req, 'role');
    const roleFilter = role && role in c.s.account.roleNames ? role : null;
    const all = (await accounts.listUsers(req.ctx)).filter((u) => !roleFilter || u.role === roleFilter);
    const pages = Math.max(1, Math.ceil(all.length / ACCOUNTS_PAGE_SIZE));
    const asked = Number(one(req, 'page') ?? '1');
    if (!Number.isInteger(asked) || asked < 1 || asked > pages) throw notFound('The page');
    const users = all.slice((asked - 1) * ACCOUNTS_PAGE_SIZE, asked * ACCOUNTS_PAGE_SIZE);
    sendPage(res, 200, accountsPage(c, { users, role: roleFilter, page: asked, pages, total: all.length, centreNames: await centreNames(c) }));
  });

  const centreOptions = async (c: Ctx): Promise<Array<[string, string]>> => Object.entries(await centreNames(c));
  const newAccountView = async (req: Request, res: Response, status: number, form: FormState) => {
    const c = await context(req, res, { form: true });
    sendPage(res, status, newAccountPage(c, { form, centres: await centreOptions(c) }));
  };
  const newAccountValues = (req: Request): Record<string, string> => {
    const values: Record<string, string> = { displayName: bodyText(req, 'displayName', 101), username: bodyText(req, 'username', 65), role: bodyText(req, 'role', 20) };
    for (const code of CENTRE_CODES) if (bodyText(req, `centres.${code}`) === '1') values[`centres.${code}`] = '1';
    return values;
  };
  router.get('/admin/accounts/new', ...adminOnly, (req, res) => newAccountView(req, res, 200, emptyForm({ role: 'operator' })));
  router.post(
    '/admin/accounts/new',
    formBody,
    tokens.verify,
    ...adminOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const a = c.s.admin;
      const values = newAccountValues(req);
      const password = bodyText(req, 'password', 201);
      const selected = CENTRE_CODES.filter((code) => values[`centres.${code}`] === '1');
      const errors: Record<string, string> = {};
      if (!DISPLAY_NAME.safeParse(values.displayName).success) errors.displayName = a.fieldDisplayName;
      if (!USERNAME.safeParse(values.username).success) errors.username = a.fieldUsername;
      if (!(STAFF_ROLES as readonly string[]).includes(values.role ?? '')) errors.role = a.fieldChoice;
      else if (values.role === 'operator' && !selected.length) errors.centres = a.fieldOperatorCentres;
      else if (values.role !== 'operator' && selected.length) errors.centres = a.fieldNoCentres;
      if (!PASSWORD.safeParse(password).success) errors.password = a.fieldPassword;
      // The service's own refusals (an operator without a centre, a taken username) are shown at their
      // field too; this page checks what it can first, so that every message is in the page's language.
      const known = Object.keys(errors).filter((f) => f !== 'centres');
      if (known.length) return newAccountView(req, res, 422, { values, errors });
      try {
        const user = await accounts.createStaffUser(req.ctx, { username: values.username!, displayName: values.displayName!.trim(), role: values.role as Role, password, centres: selected });
        remember(req, `/admin/accounts/${user.id}`, 'created');
        seeOther(res, href(c, `/admin/accounts/${user.id}`));
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        const field = err.details?.find((d) => d.field)?.field;
        const fieldErrors: Record<string, string> = {};
        if (field === 'username' && err.status === 409) fieldErrors.username = fill(a.fieldUsernameTaken, { username: normaliseUsername(values.username!) });
        else if (field === 'centres') fieldErrors.centres = values.role === 'operator' ? a.fieldOperatorCentres : a.fieldNoCentres;
        else if (field) fieldErrors[field] = failureText(c.lang, failureOf(err, res));
        return newAccountView(req, res, err.status, { values, errors: fieldErrors, problem: field ? null : failureText(c.lang, failureOf(err, res)) });
      }
    },
    refused((req, res, status, problem) => newAccountView(req, res, status, { values: newAccountValues(req), errors: {}, problem })),
  );

  const accountView = async (req: Request, res: Response, status: number, resetForm: FormState, centresForm?: FormState) => {
    const id = req.params.id as string;
    const user = (await accounts.listUsers(req.ctx)).find((u) => u.id === id);
    if (!user) throw notFound('The user');
    const c = await context(req, res, { form: true });
    const note = status === 200 ? noteFor(c, req, `/admin/accounts/${id}`) : { text: null, password: null };
    sendPage(
      res,
      status,
      accountDetailPage(c, {
        user,
        self: user.id === req.ctx.actor!.userId,
        tokens: await accounts.listTokensOf(req.ctx, id),
        centreNames: await centreNames(c),
        notice: note.text,
        generatedPassword: note.password,
        resetForm,
        centresForm: centresForm ?? emptyForm(Object.fromEntries(user.centres.map((code) => [`centres.${code}`, '1']))),
      }),
    );
  };
  router.get('/admin/accounts/:id', ...adminOnly, (req, res) => accountView(req, res, 200, emptyForm()));

  /** A post about one account (staff-action.ts): the action, then back to its page with a note, or the page again with the refusal. */
  const accountAction = formActions({
    router,
    formBody,
    verify: tokens.verify,
    guard: adminOnly,
    context,
    target: async (req) => req.params.id as string,
    refused: (show) => refused((req, res, status, problem) => show(req, res, status, { values: {}, errors: {}, problem })),
  });
  const showAccount: ShowForm = (req, res, status, form) => accountView(req, res, status, form);
  const backToAccount = (c: Ctx, id: string) => href(c, `/admin/accounts/${id}`);

  accountAction({
    path: '/admin/accounts/:id/disable',
    show: showAccount,
    run: async (req, id) => {
      // Disabling deletes every session of the account in the same unit of work (accounts-service.ts).
      await accounts.updateUser(req.ctx, id, { disabled: true });
      remember(req, `/admin/accounts/${id}`, 'disabledNote');
    },
    done: backToAccount,
  });
  accountAction({
    path: '/admin/accounts/:id/enable',
    show: showAccount,
    run: async (req, id) => {
      await accounts.updateUser(req.ctx, id, { disabled: false });
      remember(req, `/admin/accounts/${id}`, 'enabledNote');
    },
    done: backToAccount,
  });
  accountAction({
    path: '/admin/accounts/:id/tokens/:tokenId/revoke',
    show: showAccount,
    run: async (req, id) => {
      const token = (await accounts.listTokensOf(req.ctx, id)).find((t) => t.id === req.params.tokenId);
      if (!token) throw notFound('The token');
      await accounts.revokeTokenOf(req.ctx, id, token.id);
      remember(req, `/admin/accounts/${id}`, 'revokedNote', { name: token.name });
    },
    done: backToAccount,
  });
  accountAction({
    path: '/admin/accounts/:id/centres',
    show: (req, res, status, form) => accountView(req, res, status, emptyForm(), form),
    read: (req, c) => {
      const values: Record<string, string> = {};
      for (const code of CENTRE_CODES) if (bodyText(req, `centres.${code}`) === '1') values[`centres.${code}`] = '1';
      const selected = CENTRE_CODES.filter((code) => values[`centres.${code}`] === '1');
      return selected.length ? { ok: true, values, input: selected } : { ok: false, form: { values, errors: { centres: c.s.admin.fieldOperatorCentres } } };
    },
    run: async (req, id, selected, c) => {
      const user = await accounts.updateUser(req.ctx, id, { centres: selected });
      const names = await centreNames(c);
      remember(req, `/admin/accounts/${id}`, 'centresSaved', { centres: user.centres.map((code) => names[code] ?? code).join(c.lang === 'en' ? ', ' : '、') });
    },
    // The service's refusal (an account that is not an operator's, which has no such form) is for the whole page.
    done: backToAccount,
  });
  accountAction({
    path: '/admin/accounts/:id/password',
    show: showAccount,
    read: (req, c, id) => {
      const typed = bodyText(req, 'password', 201);
      if (typed !== '' && !PASSWORD.safeParse(typed).success) return { ok: false, form: { values: {}, errors: { password: c.s.admin.fieldPassword } } };
      // An admin changes their own password on their account page, with the current one.
      if (id === req.ctx.actor!.userId) throw notFound('The page');
      return { ok: true, values: {}, input: typed };
    },
    run: async (req, id, typed) => {
      const r = await accounts.resetPassword(req.ctx, id, typed === '' ? {} : { password: typed });
      remember(req, `/admin/accounts/${id}`, 'resetDone', { n: r.sessionsEnded }, r.password ?? undefined);
    },
    done: backToAccount,
  });

  // ——— centres ———
  router.get('/admin/centres', ...adminOnly, async (req, res) => sendPage(res, 200, centresPage(await context(req, res), { centres: await centres.list() })));

  const centreView = async (req: Request, res: Response, status: number, form: FormState | null) => {
    const centre = await centres.get(req.params.code as string);
    const c = await context(req, res, { form: true });
    const saved = status === 200 && noteFor(c, req, `/admin/centres/${centre.code}`).text !== null;
    sendPage(res, status, centrePage(c, { centre, form: form ?? emptyForm(settingsValues(centre.settings)), saved }));
  };
  router.get('/admin/centres/:code', ...adminOnly, (req, res) => centreView(req, res, 200, null));
  router.post(
    '/admin/centres/:code',
    formBody,
    tokens.verify,
    ...adminOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const code = (await centres.get(req.params.code as string)).code;
      const values = typedValues((req.body ?? {}) as Body);
      const read = readSettings(c, values);
      if (!read.ok) return centreView(req, res, 422, { values, errors: read.errors });
      try {
        await centres.updateSettings(req.ctx, code, read.settings);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
        const field = err.details?.find((d) => d.field)?.field;
        const a = c.s.admin;
        const message = field === 'metric' ? a.fieldMetric : field === 'timeZone' ? a.fieldTimeZone : failureText(c.lang, failureOf(err, res));
        return centreView(req, res, err.status, { values, errors: field ? { [field]: message } : {}, problem: field ? null : message });
      }
      remember(req, `/admin/centres/${code}`, 'saved');
      seeOther(res, href(c, `/admin/centres/${code}`));
    },
    refused((req, res, status, problem) => centreView(req, res, status, { values: typedValues((req.body ?? {}) as Body), errors: {}, problem })),
  );

  // ——— the calendar ———
  const yearOf = (req: Request, c: Ctx): number => {
    const raw = one(req, 'year');
    if (raw === undefined) return Number(shanghaiDate(c.now).slice(0, 4));
    const year = /^\d{4}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(year >= 2000 && year <= 2100)) throw notFound('The year');
    return year;
  };
  const calendarView = async (req: Request, res: Response, status: number, form: FormState, year?: number) => {
    const c = await context(req, res, { form: true });
    const y = year ?? yearOf(req, c);
    const note = status === 200 ? noteFor(c, req, '/admin/calendar').text : null;
    sendPage(res, status, calendarPage(c, { year: y, days: await centres.calendarDays(y), form, notice: note }));
  };
  router.get('/admin/calendar', ...adminOnly, (req, res) => calendarView(req, res, 200, emptyForm({ kind: 'holiday' })));

  const dayValues = (req: Request) => ({ date: bodyText(req, 'date', 20).trim(), kind: bodyText(req, 'kind', 20), name: bodyText(req, 'name', 101) });
  const yearOfDate = (date: string, c: Ctx) => (isCalendarDate(date) ? Number(date.slice(0, 4)) : Number(shanghaiDate(c.now).slice(0, 4)));
  router.post(
    '/admin/calendar',
    formBody,
    tokens.verify,
    ...adminOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const a = c.s.admin;
      const values = dayValues(req);
      const errors: Record<string, string> = {};
      const year = Number(values.date.slice(0, 4));
      if (!isCalendarDate(values.date) || year < 2000 || year > 2100) errors.date = a.fieldDate;
      if (values.kind !== 'holiday' && values.kind !== 'workday') errors.kind = a.fieldChoice;
      else if (!errors.date && values.kind === 'workday' && weekdayOf(values.date) !== 0 && weekdayOf(values.date) !== 6) {
        errors.date = fill(a.fieldWorkdayWeekend, { date: values.date, weekday: a.weekdays[weekdayOf(values.date)]! });
      }
      const name = oneLineText(1, 100).safeParse(values.name.trim());
      if (!name.success) errors.name = fill(a.fieldText, { max: 100 });
      if (Object.keys(errors).length || !name.success) return calendarView(req, res, 422, { values, errors }, yearOfDate(values.date, c));
      const kind = values.kind as 'holiday' | 'workday';
      const existed = (await centres.calendarDays(year)).some((d) => d.date === values.date);
      await centres.setCalendarDay(req.ctx, { date: values.date, kind, name: name.data });
      remember(req, '/admin/calendar', existed ? 'dayReplaced' : 'dayAdded', { date: values.date, kind: a.kindNames[kind] ?? kind });
      seeOther(res, href(c, '/admin/calendar', { year: String(year) }));
    },
    refused((req, res, status, problem) => {
      const values = dayValues(req);
      return calendarView(req, res, status, { values, errors: {}, problem }, isCalendarDate(values.date) ? Number(values.date.slice(0, 4)) : undefined);
    }),
  );

  router.post(
    '/admin/calendar/:date/remove',
    formBody,
    tokens.verify,
    ...adminOnly,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const date = req.params.date as string;
      if (!isCalendarDate(date)) throw notFound('The calendar entry');
      await centres.deleteCalendarDay(req.ctx, date);
      remember(req, '/admin/calendar', 'dayRemoved', { date });
      seeOther(res, href(c, '/admin/calendar', { year: date.slice(0, 4) }));
    },
    refused((req, res, status, problem) => calendarView(req, res, status, { values: {}, errors: {}, problem }, Number(String(req.params.date).slice(0, 4)) || undefined)),
  );

  return router;

  /** A post refused as a whole (an expired form token): the page again with the problem; a cross-site post or a non-admin stays an error. */
  function refused(render: (req: Request, res: Response, status: number, problem: string) => Promise<void>) {
    return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 404 || err.code === 'cross_site_request' || req.ctx?.actor?.role !== 'admin') return next(err);
      const c: Ctx = await context(req, res, { form: true });
      await render(req, res, err.status, failureText(c.lang, failureOf(err, res)));
    };
  }
}
