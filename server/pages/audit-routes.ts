// The auditor's and supervisor's desk: /audit (every section with its records as JSON and PDF and,
// after the deadline, the supervision signals), /audit/log (the entries page by page, readable, each
// proof checked in the page) and /audit/verify (the whole log checked in the browser). Everything is
// read through the services with the viewer's own context, so the pages show what the API shows
// them. Also: a signed-out browser that opens a protected record (a dossier link followed from a
// mail, say) is sent to the sign-in page and back, instead of getting the API's JSON 401.
import { type ErrorRequestHandler, type NextFunction, type Request, type Response, Router } from 'express';
import type { AccountsService } from '../../modules/accounts/accounts-service';
import type { AuditService } from '../../modules/audit/audit-service';
import type { BidsService } from '../../modules/bids/bids-service';
import type { CentresService } from '../../modules/centres/centres-service';
import { requireRole } from '../../modules/core/context';
import { AppError } from '../../modules/core/errors';
import type { Checkpoint } from '../../modules/formats/checkpoint';
import type { AuditEntry } from '../../modules/formats/dossier';
import { isBeforeDeadline, SECTION_STATES } from '../../modules/lifecycle/lifecycle';
import type { OrgFacts } from '../../modules/orgs/org-facts';
import type { TendersService } from '../../modules/tenders/tenders-service';
import { auditDeskPage, type DeskRow } from '../../templates/pages/audit-desk-page';
import { type KnownNames, sectionOf } from '../../templates/pages/audit-entry-view';
import { auditLogPage, auditVerifyPage } from '../../templates/pages/audit-log-page';
import type { PageContext } from './page-context';
import { seeOther, sendPage } from './respond';
import { signedIn } from './signed-in';

export interface AuditPagesDeps {
  tenders: Pick<TendersService, 'listSections' | 'getSection'>;
  bids: Pick<BidsService, 'signals'>;
  centres: Pick<CentresService, 'list'>;
  accounts: Pick<AccountsService, 'actorById'>;
  orgs: Pick<OrgFacts, 'nameAndStatus'>;
  audit: Pick<AuditService, 'entries' | 'size' | 'publishedCheckpoint' | 'checkpoints'>;
  context: PageContext;
}

export const DESK_PAGE_SIZE = 20;
export const LOG_PAGE_SIZE = 50;
export const CHECKPOINT_PAGE_SIZE = 50;

const one = (req: Request, name: string): string => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
};
/** A page number from the query: 1 when absent or not a sensible whole number. */
const pageOf = (req: Request, name = 'page'): number => {
  const n = Number(one(req, name));
  return Number.isSafeInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
};

/** Supervisors, auditors and admins read everything after the fact; anyone else gets the API's 403. */
const overseer = (req: Request, _res: Response, next: NextFunction) => {
  requireRole(req.ctx, ['supervisor', 'auditor', 'admin'], 'use the audit pages');
  next();
};

/** A signed-out browser asking for a protected record: 303 to the sign-in page, which brings it back. */
function browserSignIn(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const anonymous = !req.ctx?.actor && !(req as { authByToken?: boolean }).authByToken;
  if (
    err instanceof AppError &&
    err.status === 401 &&
    anonymous &&
    (req.method === 'GET' || req.method === 'HEAD') &&
    /^\/api\/sections\/[^/]+\/[^/]+$/.test(req.path) &&
    req.accepts(['application/json', 'text/html']) === 'text/html' &&
    !res.headersSent
  ) {
    const lang: Record<string, string> = one(req, 'lang') === 'en' ? { lang: 'en' } : {};
    return seeOther(res, `/login?${new URLSearchParams({ next: req.originalUrl, ...lang })}`);
  }
  next(err);
}

export function auditPagesRoutes(deps: AuditPagesDeps): [Router, ErrorRequestHandler] {
  const { tenders, bids, centres, accounts, orgs, audit, context } = deps;
  const router = Router();

  const orgName = async (id: string, cache: Map<string, string>): Promise<string> => {
    if (!cache.has(id)) cache.set(id, (await orgs.nameAndStatus(id))?.name ?? id);
    return cache.get(id)!;
  };

  router.get('/audit', signedIn, overseer, async (req, res) => {
    const c = await context(req, res);
    const all = await centres.list();
    const centre = all.some((x) => x.code === one(req, 'centre')) ? one(req, 'centre') : '';
    const state = (SECTION_STATES as readonly string[]).includes(one(req, 'state')) ? one(req, 'state') : '';
    const page = pageOf(req);
    const found = await tenders.listSections(req.ctx, {
      ...(centre ? { centre } : {}),
      ...(state ? { state: state as never } : {}),
      limit: DESK_PAGE_SIZE + 1,
      offset: (page - 1) * DESK_PAGE_SIZE,
    });
    const names = new Map<string, string>();
    const rows: DeskRow[] = [];
    for (const x of found.slice(0, DESK_PAGE_SIZE)) {
      let signals: DeskRow['signals'] = null;
      if (!isBeforeDeadline(x.state)) {
        const list = await bids.signals(req.ctx, x.id);
        signals = [];
        for (const s of list) signals.push({ ciphertextSha256: s.detail.ciphertextSha256, orgs: await Promise.all(s.detail.orgs.map((o) => orgName(o, names))) });
      }
      rows.push({ section: x, signals });
    }
    sendPage(res, 200, auditDeskPage(c, { rows, centres: all, states: SECTION_STATES, filter: { centre, state }, page, hasNext: found.length > DESK_PAGE_SIZE }));
  });

  /** Names for the ids a page of entries mentions: accounts, organisations, sections (as the viewer may see them). */
  async function namesFor(req: Request, entries: AuditEntry[]): Promise<KnownNames> {
    const names: KnownNames = { users: {}, orgs: {}, sections: {}, centres: await centres.list() };
    const users = new Set<string>();
    const orgIds = new Set<string>();
    const sections = new Set<string>();
    for (const e of entries) {
      if (e.actor) users.add(e.actor.id);
      if (e.object.id && e.object.type === 'user') users.add(e.object.id);
      if (e.object.id && e.object.type === 'org') orgIds.add(e.object.id);
      if (typeof e.data.userId === 'string') users.add(e.data.userId);
      if (typeof e.data.orgId === 'string') orgIds.add(e.data.orgId);
      const s = sectionOf(e);
      if (s) sections.add(s);
      for (const k of ['newSectionId', 'previousSectionId']) if (typeof e.data[k] === 'string') sections.add(e.data[k] as string);
    }
    for (const id of users) {
      const actor = await accounts.actorById(id);
      if (actor) names.users[id] = actor.displayName;
    }
    for (const id of orgIds) {
      const org = await orgs.nameAndStatus(id);
      if (org) names.orgs[id] = org.name;
    }
    for (const id of sections) {
      try {
        const { section } = await tenders.getSection(req.ctx, id);
        names.sections[id] = { code: section.code, title: section.title, centre: section.centre };
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 404) throw err;
      }
    }
    return names;
  }

  router.get('/audit/log', signedIn, overseer, async (req, res) => {
    const c = await context(req, res);
    const size = await audit.size();
    const newest = await audit.publishedCheckpoint();
    const page = pageOf(req);
    const end = Math.max(0, size - (page - 1) * LOG_PAGE_SIZE);
    const start = Math.max(0, end - LOG_PAGE_SIZE);
    const rows = end > start ? await audit.entries(start, end) : [];
    const entries = rows.reverse().map((r) => ({ text: r.entry, entry: JSON.parse(r.entry) as AuditEntry }));
    const checkpointPage = pageOf(req, 'cp');
    // Newest first. The store hands them out in size order, 1000 at a time; they are small rows, one
    // per schedule slot in which the log grew.
    const all: Checkpoint[] = [];
    for (let from = 0; ; ) {
      const batch = await audit.checkpoints(from, 1000);
      all.push(...batch);
      if (batch.length < 1000) break;
      from = batch[batch.length - 1]!.size + 1;
    }
    const newestFirst = all.reverse();
    const checkpoints = newestFirst.slice((checkpointPage - 1) * CHECKPOINT_PAGE_SIZE, checkpointPage * CHECKPOINT_PAGE_SIZE);
    sendPage(
      res,
      200,
      auditLogPage(c, {
        entries,
        names: await namesFor(
          req,
          entries.map((x) => x.entry),
        ),
        size,
        signedSize: newest.size,
        perPage: LOG_PAGE_SIZE,
        page,
        hasNext: start > 0,
        checkpoints,
        checkpointPage,
        olderCheckpoints: newestFirst.length > checkpointPage * CHECKPOINT_PAGE_SIZE,
      }),
    );
  });

  router.get('/audit/verify', signedIn, overseer, async (req, res) => {
    const c = await context(req, res);
    sendPage(res, 200, auditVerifyPage(c, { newest: await audit.publishedCheckpoint() }));
  });

  // An error never enters a mounted router, so the sign-in redirect rides beside it as an error handler of the app.
  return [router, browserSignIn];
}
