// The public section browser: GET /sections (sections in progress) and GET /archive (completed,
// failed, cancelled), filtered by centre, state and procedure and searched by code and title, 20
// to a page. Read through the tenders service as an anonymous visitor: drafts never appear.
import { Router, type Request, type Response } from 'express';
import { CENTRE_CODES, PROCEDURES } from '../../modules/centres/centre-rules';
import type { CentresService } from '../../modules/centres/centres-service';
import type { SectionState } from '../../modules/lifecycle/lifecycle';
import type { TendersService } from '../../modules/tenders/tenders-service';
import type { FormState } from '../../templates/pages/forms';
import { type ListKind, sectionListPage } from '../../templates/pages/section-list-page';
import { fill } from '../../templates/pages/text';
import type { PageContext } from './page-context';
import { publicSection } from './pages-routes';
import { sendPage } from './respond';

export const PAGE_SIZE = 20;
/** Completed, failed and cancelled: the archive. */
export const ARCHIVE_STATES = ['contracted', 'archived', 'failed', 'cancelled'] as const satisfies readonly SectionState[];
/** Published and not yet finished. */
export const CURRENT_STATES = ['published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity', 'awarded'] as const satisfies readonly SectionState[];

export interface SectionListDeps {
  services: {
    tenders: Pick<TendersService, 'browseSections'>;
    centres: Pick<CentresService, 'list'>;
  };
  context: PageContext;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function sectionListRoutes(deps: SectionListDeps): Router {
  const router = Router();

  const list = (kind: ListKind) => async (req: Request, res: Response) => {
    const c = await deps.context(req, res);
    const p = c.s.portal;
    const q = req.query as Record<string, unknown>;
    const states: readonly SectionState[] = kind === 'archive' ? ARCHIVE_STATES : CURRENT_STATES;
    const values = { centre: text(q.centre), state: text(q.state), procedure: text(q.procedure), q: text(q.q).trim() };
    const form: FormState = { values, errors: {} };
    if (values.centre && !(CENTRE_CODES as readonly string[]).includes(values.centre)) form.errors.centre = p.unknownCentre;
    if (values.state && !(states as readonly string[]).includes(values.state)) form.errors.state = p.unknownState;
    if (values.procedure && !(PROCEDURES as readonly string[]).includes(values.procedure)) form.errors.procedure = p.unknownProcedure;
    if ([...values.q].length > 100) form.errors.q = p.searchTooLong;
    const pageText = text(q.page) || '1';
    const page = /^[1-9]\d{0,6}$/.test(pageText) ? Number(pageText) : null;
    if (page === null) form.problem = p.badPage;
    const centres = await deps.services.centres.list();
    const data = { kind, centres, states, procedures: PROCEDURES, form };
    if (page === null || Object.keys(form.errors).length) {
      sendPage(res, 400, sectionListPage(c, { ...data, result: null }));
      return;
    }
    const found = await deps.services.tenders.browseSections(
      { actor: null, ip: req.ip ?? null },
      {
        ...(values.centre ? { centre: values.centre } : {}),
        states: values.state ? [values.state as SectionState] : [...states],
        ...(values.procedure ? { procedure: values.procedure } : {}),
        ...(values.q ? { search: values.q } : {}),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      },
    );
    const pages = Math.max(1, Math.ceil(found.total / PAGE_SIZE));
    if (page > pages) {
      form.problem = fill(p.noSuchPage, { page, pages });
      sendPage(res, 404, sectionListPage(c, { ...data, result: null }));
      return;
    }
    sendPage(res, 200, sectionListPage(c, { ...data, result: { sections: found.sections.map(publicSection), total: found.total, page, pages } }));
  };

  router.get('/sections', list('sections'));
  router.get('/archive', list('archive'));
  return router;
}
