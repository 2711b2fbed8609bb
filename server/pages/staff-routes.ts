// The operator's reading pages and the actions of a section: the dashboard (/staff), a section's
// staff overview (/staff/sections/:id) with its document upload, clarification and cancellation,
// and the organisation queue (/staff/orgs). Everything is read through the services with the
// operator's own context; a section of another centre is "not found", as for the API.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { dayNumber, localDate } from '../../modules/centres/calendar';
import type { CentreRules, CentresService } from '../../modules/centres/centres-service';
import { DEFAULT_CONTRACT_WITHIN_DAYS } from '../../modules/awards/awards-service';
import { AppError, notFound } from '../../modules/core/errors';
import { type DashboardRow as DashboardListRow, type DashboardScope, NEED_KEYS } from '../../modules/tenders/dashboard-store';
import { rejectOrgBody } from '../../modules/orgs/orgs-schemas';
import type { OrgsService } from '../../modules/orgs/orgs-service';
import { checkClarificationDeadline } from '../../modules/tenders/publication-rules';
import { cancelBody, clarificationBody, documentQuery } from '../../modules/tenders/tenders-schemas';
import type { TendersService } from '../../modules/tenders/tenders-service';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { type Ctx, href } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { cancelPage, clarifyPage } from '../../templates/pages/staff-forms';
import { type Dashboard, type DashboardRow, dashboardPage, type NeedKey, orgsPage, sectionOverviewPage, staffListPage } from '../../templates/pages/staff-pages';
import { refusalAtFields } from '../../templates/pages/staff-rules';
import { localInputValue, parseLocalInput, zonedTime } from '../../templates/pages/staff-time';
import { fill } from '../../templates/pages/text';
import type { FormTokens } from '../http/form-token';
import { readMultipartUpload } from './multipart';
import type { PageContext } from './page-context';
import { failureOf, seeOther, sendPage } from './respond';
import { formActions, type ShowForm } from './staff-action';
import { type Body, centreName, checkText, myCentres, queryText, sectionInScope, staffOnly, text } from './staff-common';

export interface StaffDeps {
  tenders: Pick<TendersService, 'dashboardCounts' | 'dashboardNeeds' | 'dashboardStateRows' | 'getSection' | 'uploadDocument' | 'clarify' | 'cancel'>;
  centres: Pick<CentresService, 'rules'>;
  orgs: Pick<OrgsService, 'list' | 'get' | 'approve' | 'reject'>;
  tokens: FormTokens;
  context: PageContext;
  maxDocumentBytes: number;
}

const DAY = 86_400_000;
/** The rows each dashboard list shows before its "all …" link. */
export const DASHBOARD_ROWS = 10;
/** The rows of a page of one dashboard list. */
const LIST_PAGE = 50;
/** The order of the dashboard's states, as the lifecycle runs. */
const STATE_ORDER = ['draft', 'published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived', 'failed', 'cancelled'];
/** The API codes an upload can meet, for the upload script to say in the page's language. */
const UPLOAD_CODES = ['payload_too_large', 'invalid_transition', 'forbidden', 'not_found', 'unauthenticated', 'cross_site_request', 'validation_failed', 'bad_request'];

export function staffRoutes(deps: StaffDeps): Router {
  const { tenders, centres, orgs, tokens, context } = deps;
  const router = Router();
  const formBody = express.urlencoded({ extended: false, limit: '80kb', parameterLimit: 20 });
  const overviewPath = (c: Ctx, id: string, query: Record<string, string> = {}) => href(c, `/staff/sections/${encodeURIComponent(id)}`, query);
  const pageFailure = (err: unknown): err is AppError => err instanceof AppError && err.status < 500 && err.status !== 404;

  // ——— the dashboard ———
  /** The operator's centres with their rules, and the scope of the dashboard's lists at this instant. */
  const dashboardScope = async (req: Request, now: number) => {
    const mine = myCentres(req.ctx.actor!);
    const rulesOf = new Map<string, CentreRules>();
    for (const code of mine) rulesOf.set(code, await centres.rules(code));
    const todayOf: DashboardScope['todayOf'] = {};
    const contractDaysOf: DashboardScope['contractDaysOf'] = {};
    for (const [code, rules] of rulesOf) {
      const zone = rules.settings.timeZone;
      const today = localDate(now, zone);
      const next = new Date((dayNumber(today) + 1) * DAY).toISOString().slice(0, 10);
      todayOf[code] = [parseLocalInput(`${today} 00:00`, zone)!, parseLocalInput(`${next} 00:00`, zone)!];
      contractDaysOf[code] = rules.settings.contractWithinDays ?? DEFAULT_CONTRACT_WITHIN_DAYS;
    }
    const scope: DashboardScope = { centres: mine, now, todayOf, contractDaysOf };
    return { mine, rulesOf, scope };
  };
  /** A dashboard row with what its list says of it, times in its centre's zone. */
  const rowOf = (c: Ctx, rulesOf: Map<string, CentreRules>, key: NeedKey | 'state', s: DashboardListRow): DashboardRow => {
    const t = c.s.staff;
    const rules = rulesOf.get(s.centre)!;
    const zone = rules.settings.timeZone;
    const notes: Record<NeedKey | 'state', () => string> = {
      drafts: () => fill(t.updatedAt, { at: zonedTime(s.updatedAt, zone) }),
      clarificationDeadlines: () => fill(t.untilClarification, { at: zonedTime(s.clarificationDeadlineAt, zone) }),
      openingsToday: () => fill(t.openingAt, { at: zonedTime(s.bidDeadlineAt, zone) }),
      evaluations: () => c.s.stateNames[s.state] ?? s.state,
      publicityEnding: () => fill(t.publicityEnds, { at: zonedTime(s.publicityEndsAt, zone) }),
      contractsDue: () => {
        const days = rules.settings.contractWithinDays ?? DEFAULT_CONTRACT_WITHIN_DAYS;
        const dueDate = new Date((dayNumber(localDate(s.awardedAt!, zone)) + days) * DAY).toISOString().slice(0, 10);
        return localDate(c.now, zone) > dueDate ? fill(t.contractOverdue, { at: dueDate }) : fill(t.contractDue, { at: dueDate, days });
      },
      state: () => (s.bidDeadlineAt === null ? '' : fill(t.openingAt, { at: zonedTime(s.bidDeadlineAt, zone) })),
    };
    return { id: s.id, code: s.code, title: s.title, state: s.state, centre: s.centre, note: notes[key]() };
  };

  router.get('/staff', staffOnly, async (req, res) => {
    const c = await context(req, res);
    const { mine, rulesOf, scope } = await dashboardScope(req, c.now);
    const first = { limit: DASHBOARD_ROWS, offset: 0 };
    const needs: Dashboard['needs'] = [];
    for (const key of NEED_KEYS) {
      const { rows, total } = await tenders.dashboardNeeds(req.ctx, key, scope, first);
      needs.push({ key, total, rows: rows.map((r) => rowOf(c, rulesOf, key, r)) });
    }
    const counts = await tenders.dashboardCounts(req.ctx, mine);
    const byState: Dashboard['byState'] = [];
    for (const state of STATE_ORDER) {
      const count = counts.get(state) ?? 0;
      if (!count) continue;
      const rows = await tenders.dashboardStateRows(req.ctx, mine, state, first);
      byState.push({ state, count, rows: rows.map((r) => rowOf(c, rulesOf, 'state', r)) });
    }
    const firstZone = rulesOf.get(mine[0] ?? '')?.settings.timeZone ?? 'Asia/Shanghai';
    sendPage(res, 200, dashboardPage(c, { centres: mine.map((code) => centreName(c, rulesOf.get(code)!)), today: localDate(c.now, firstZone), needs, byState }));
  });

  // All the sections of one dashboard list, LIST_PAGE to a page.
  router.get('/staff/sections', staffOnly, async (req, res) => {
    const c = await context(req, res);
    const need = queryText(req, 'need');
    const state = queryText(req, 'state');
    const key = (NEED_KEYS as readonly string[]).includes(need ?? '') ? (need as NeedKey) : null;
    if (!key && !(state && STATE_ORDER.includes(state))) throw notFound('The page');
    const asked = Number(queryText(req, 'page') ?? '1');
    if (!Number.isInteger(asked) || asked < 1) throw notFound('The page');
    const { mine, rulesOf, scope } = await dashboardScope(req, c.now);
    const page = { limit: LIST_PAGE, offset: (asked - 1) * LIST_PAGE };
    const { rows, total } = key
      ? await tenders.dashboardNeeds(req.ctx, key, scope, page)
      : { rows: await tenders.dashboardStateRows(req.ctx, mine, state!, page), total: (await tenders.dashboardCounts(req.ctx, mine)).get(state!) ?? 0 };
    const pages = Math.max(1, Math.ceil(total / LIST_PAGE));
    if (asked > pages) throw notFound('The page');
    const firstZone = rulesOf.get(mine[0] ?? '')?.settings.timeZone ?? 'Asia/Shanghai';
    sendPage(
      res,
      200,
      staffListPage(c, { need: key, state: key ? null : state!, today: localDate(c.now, firstZone), rows: rows.map((r) => rowOf(c, rulesOf, key ?? 'state', r)), total, page: asked, pages }),
    );
  });

  // ——— a section's staff overview ———
  const overview = async (req: Request, res: Response, status: number, opts: { notice?: string | null; upload?: FormState } = {}) => {
    const d = await sectionInScope(tenders, req, req.params.id as string);
    const c = await context(req, res, { form: true });
    const rules = await centres.rules(d.section.centre);
    const t = c.s.staff;
    const uploaded = queryText(req, 'uploaded');
    const doc = uploaded ? d.documents.find((x) => x.id === uploaded) : undefined;
    const note =
      opts.notice ??
      (queryText(req, 'created') === '1'
        ? t.created
        : queryText(req, 'published') === '1'
          ? t.published
          : queryText(req, 'clarified') === '1'
            ? t.clarified
            : queryText(req, 'cancelled') === '1'
              ? t.cancelled
              : doc
                ? fill(t.uploaded, { name: doc.name })
                : null);
    const uploadErrors = Object.fromEntries(UPLOAD_CODES.map((code) => [code, failureText(c.lang, { code, status: 400 })]));
    sendPage(
      res,
      status,
      sectionOverviewPage(c, {
        section: d.section,
        project: d.project,
        centreName: centreName(c, rules),
        zone: rules.settings.timeZone,
        documents: d.documents,
        clarifications: d.clarifications,
        maxDocumentBytes: deps.maxDocumentBytes,
        notice: note,
        upload: opts.upload ?? emptyForm(),
        uploadErrors,
      }),
    );
  };
  router.get('/staff/sections/:id', staffOnly, (req, res) => overview(req, res, 200));

  // The upload without the page script: a multipart form post, streamed to the same service call.
  router.post('/staff/sections/:id/documents', staffOnly, async (req: Request, res: Response, next: NextFunction) => {
    const id = req.params.id as string;
    let stream: NodeJS.ReadableStream | null = null;
    try {
      await sectionInScope(tenders, req, id);
      const form = await readMultipartUpload(req, { maxFieldBytes: 4096 });
      stream = form.file?.stream ?? null;
      req.body = form.fields;
      await new Promise<void>((resolve, reject) => tokens.verify(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      const c = await context(req, res, { form: true });
      if (!form.file) return overview(req, res, 422, { upload: { values: {}, errors: { file: c.s.staff.uploadNoFile } } });
      const name = documentQuery.safeParse({ name: form.file.name });
      if (!name.success) {
        form.file.stream.resume();
        return overview(req, res, 422, { upload: { values: {}, errors: { file: failureText(c.lang, { code: 'validation_failed', status: 422 }) } } });
      }
      const done = await tenders.uploadDocument(req.ctx, id, { name: name.data.name, mediaType: form.file.mediaType, declaredSize: null, stream: form.file.stream });
      seeOther(res, overviewPath(c, id, { uploaded: done.document.id }));
    } catch (err) {
      (stream as { resume?: () => void } | null)?.resume?.();
      req.resume();
      if (!pageFailure(err) || err.code === 'cross_site_request') return next(err);
      const c = await context(req, res, { form: true });
      await overview(req, res, err.status, { upload: { values: {}, errors: { file: failureText(c.lang, failureOf(err, res)) } } });
    }
  });

  // ——— a clarification or amendment ———
  /** What the page says of the deadline, and the earliest new one the centre's rule accepts if it must move. */
  const deadlineAdvice = (c: Ctx, rules: CentreRules, deadline: number) => {
    const t = c.s.staff;
    const zone = rules.settings.timeZone;
    const days = rules.settings.clarificationMinDays;
    const accepted = (newDeadline: number | null) => {
      try {
        checkClarificationDeadline(rules, c.now, deadline, newDeadline);
        return true;
      } catch (err) {
        if (err instanceof AppError && err.status === 422) return false;
        throw err;
      }
    };
    if (accepted(null)) return { advice: fill(t.mayStay, { deadline: zonedTime(deadline, zone), days }), earliest: null };
    // The same time of day, one day later each time, until the rule (not a copy of it) accepts it.
    let earliest = deadline + DAY;
    for (let i = 0; i < 3660 && !accepted(earliest); i++) earliest += DAY;
    return { advice: fill(t.mustMove, { deadline: zonedTime(deadline, zone), days, earliest: zonedTime(earliest, zone) }), earliest };
  };

  const clarifyView = async (req: Request, res: Response, status: number, form: FormState | null) => {
    const d = await sectionInScope(tenders, req, req.params.id as string);
    const c = await context(req, res, { form: true });
    if (d.section.state !== 'published' && d.section.state !== 'bidding') return seeOther(res, overviewPath(c, d.section.id));
    const rules = await centres.rules(d.section.centre);
    const zone = rules.settings.timeZone;
    const { advice, earliest } = deadlineAdvice(c, rules, d.section.bidDeadlineAt!);
    const initial: FormState = emptyForm({ affectsBids: '1', newBidDeadlineAt: earliest === null ? '' : localInputValue(earliest, zone) });
    sendPage(res, status, clarifyPage(c, { sectionId: d.section.id, code: d.section.code, zone, advice, form: form ?? initial }));
  };
  router.get('/staff/sections/:id/clarify', staffOnly, (req, res) => clarifyView(req, res, 200, null));
  const sectionAction = formActions({ router, formBody, verify: tokens.verify, guard: staffOnly, context, target: (req) => sectionInScope(tenders, req, req.params.id as string), refused });
  sectionAction({
    path: '/staff/sections/:id/clarify',
    show: clarifyView,
    read: async (req, c, d) => {
      const t = c.s.staff;
      const rules = await centres.rules(d.section.centre);
      const body = req.body as Body;
      const affects = ([] as unknown[]).concat(body.affectsBids ?? []).includes('1');
      const values = { title: text(body, 'title', 400), body: text(body, 'body', 50001), affectsBids: affects ? '1' : '0', newBidDeadlineAt: text(body, 'newBidDeadlineAt', 64).trim() };
      const errors: Record<string, string> = {};
      const titleProblem = checkText(c, values.title, { min: 1, max: 200 });
      if (titleProblem) errors.title = titleProblem;
      const bodyProblem = checkText(c, values.body.replace(/\r\n/g, '\n'), { min: 1, max: 50000, multiLine: true });
      if (bodyProblem) errors.body = bodyProblem;
      let newDeadline: number | undefined;
      if (values.newBidDeadlineAt) {
        const ms = parseLocalInput(values.newBidDeadlineAt, rules.settings.timeZone);
        if (ms === null) errors.newBidDeadlineAt = t.fieldTime;
        else newDeadline = ms;
      }
      if (Object.keys(errors).length) return { ok: false, form: { values, errors } };
      const parsed = clarificationBody.safeParse({ title: values.title, body: values.body, affectsBids: affects, ...(newDeadline === undefined ? {} : { newBidDeadlineAt: newDeadline }) });
      if (!parsed.success) return { ok: false, form: { values, errors: {}, problem: failureText(c.lang, { code: 'validation_failed', status: 422 }) } };
      return { ok: true, values, input: { clarification: parsed.data, rules } };
    },
    run: (req, d, input) => tenders.clarify(req.ctx, d.section.id, input.clarification),
    refusal: (c, res, err, read) => {
      const f = failureOf(err, res);
      return { values: read.values, ...refusalAtFields(c, f, ['title', 'body', 'newBidDeadlineAt'], failureText(c.lang, f), { clarificationMinDays: read.input.rules.settings.clarificationMinDays }) };
    },
    done: (c, d) => overviewPath(c, d.section.id, { clarified: '1' }),
  });

  // ——— cancellation, with a reason and a confirmation step ———
  const cancelView = async (req: Request, res: Response, status: number, form: FormState) => {
    const d = await sectionInScope(tenders, req, req.params.id as string);
    const c = await context(req, res, { form: true });
    sendPage(res, status, cancelPage(c, { sectionId: d.section.id, code: d.section.code, title: d.section.title, form }));
  };
  router.get('/staff/sections/:id/cancel', staffOnly, (req, res) => cancelView(req, res, 200, emptyForm()));
  sectionAction({
    path: '/staff/sections/:id/cancel',
    show: cancelView,
    read: (req, c) => {
      const reason = text(req.body as Body, 'reason', 501);
      const problem = checkText(c, reason.replace(/\r\n/g, '\n'), { min: 4, max: 500, multiLine: true });
      const parsed = cancelBody.safeParse({ reason });
      if (problem || !parsed.success) return { ok: false, form: { values: { reason }, errors: { reason: problem ?? c.s.staff.fieldText } } };
      return { ok: true, values: { reason }, input: parsed.data.reason };
    },
    run: (req, d, reason) => tenders.cancel(req.ctx, d.section.id, reason),
    refusal: (c, res, err, read) => ({ values: read.values, errors: {}, problem: failureText(c.lang, failureOf(err, res)) }),
    refusedValues: (req) => ({ reason: text(req.body as Body, 'reason', 500) }),
    done: (c, d) => overviewPath(c, d.section.id, { cancelled: '1' }),
  });

  // ——— organisations waiting for review ———
  const orgsView = async (req: Request, res: Response, status: number, opts: { notice?: string | null; refused?: { id: string; form: FormState } } = {}) => {
    const c = await context(req, res, { form: true });
    const mine = myCentres(req.ctx.actor!);
    const zone = (await centres.rules(mine[0] ?? 'procurement')).settings.timeZone;
    let note = opts.notice ?? null;
    for (const [key, text] of [
      ['approved', c.s.staff.approved],
      ['rejected', c.s.staff.rejected],
    ] as const) {
      const id = queryText(req, key);
      if (!note && id) {
        const org = await orgs.get(req.ctx, id).catch(() => null);
        if (org) note = fill(text, { name: org.organisation.name });
      }
    }
    sendPage(res, status, orgsPage(c, { pending: await orgs.list(req.ctx, 'pending'), notice: note, zone, refused: opts.refused }));
  };
  router.get('/staff/orgs', staffOnly, (req, res) => orgsView(req, res, 200));
  const orgAction = formActions({ router, formBody, verify: tokens.verify, guard: staffOnly, context, target: async (req) => req.params.id as string, refused });
  const showOrg: ShowForm = (req, res, status, form) => orgsView(req, res, status, { refused: { id: req.params.id as string, form } });
  /** An organisation's refusal: for its whole entry in the queue, with what was typed. */
  const orgRefusal = (c: Ctx, res: Response, err: AppError, read: { values: Record<string, string> }): FormState => ({
    values: read.values,
    errors: {},
    problem: failureText(c.lang, failureOf(err, res)),
  });
  orgAction({
    path: '/staff/orgs/:id/approve',
    show: showOrg,
    run: (req, id) => orgs.approve(req.ctx, id),
    refusal: orgRefusal,
    done: (c, id) => href(c, '/staff/orgs', { approved: id }),
  });
  orgAction({
    path: '/staff/orgs/:id/reject',
    show: showOrg,
    read: (req, c, id) => {
      const reason = text(req.body as Body, 'reason', 501);
      const problem = checkText(c, reason.replace(/\r\n/g, '\n'), { min: 1, max: 500, multiLine: true });
      const parsed = rejectOrgBody.safeParse({ note: reason });
      if (problem || !parsed.success) return { ok: false, form: { values: { reason }, errors: { [`reason-${id}`]: problem ?? c.s.staff.fieldText } } };
      return { ok: true, values: { reason }, input: parsed.data.note };
    },
    run: (req, id, note) => orgs.reject(req.ctx, id, note),
    refusal: orgRefusal,
    done: (c, id) => href(c, '/staff/orgs', { rejected: id }),
  });

  return router;

  /** A post refused as a whole (an expired form token): the page again with the problem; a cross-site post stays an error. */
  function refused(show: ShowForm) {
    return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 404 || err.code === 'cross_site_request' || !req.ctx?.actor) return next(err);
      const c: Ctx = await context(req, res, { form: true });
      await show(req, res, err.status, { values: {}, errors: {}, problem: failureText(c.lang, failureOf(err, res)) });
    };
  }
}
