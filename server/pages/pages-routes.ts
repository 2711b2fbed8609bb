// The public portal: server-rendered pages (home, section notice, opening hall, rate report) built
// from the same service calls as the public JSON API, made as an anonymous visitor so that a page
// shows exactly what GET /api/… shows the public — before the deadline, nothing about bidders.
// The opening hall gets live updates by server-sent events, timed by the server's clock.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';
import type { Clock } from '../../modules/core/clock';
import type { RequestContext } from '../../modules/core/context';
import type { SectionState } from '../../modules/lifecycle/lifecycle';
import { AppError, notFound } from '../../modules/core/errors';
import { parseOpeningRecord } from '../../modules/formats/opening-record';
import type { AwardsService } from '../../modules/awards/awards-service';
import type { CentresService } from '../../modules/centres/centres-service';
import type { EvaluationService } from '../../modules/evaluation/evaluation-service';
import type { OpeningService } from '../../modules/opening/opening-service';
import type { ReportsService } from '../../modules/reports/reports-service';
import type { TendersService } from '../../modules/tenders/tenders-service';
import type { FormTokens } from '../http/form-token';
import { emptyForm, type FormState, hasProblems } from '../../templates/pages/forms';
import { objectionPostRoutes, openingObjections, publicityObjections } from './objection-routes';
import type { PageContext } from './page-context';
import { failureOf, sendPage } from './respond';
import { failureText } from '../../templates/pages/messages';
import { pageBundle, PAGE_SCRIPTS, type PageScript } from './bundle';
import { shanghaiTime, shanghaiDate, yuan } from '../../templates/pages/format';
import {
  bidPage,
  receiptPage,
  hallPage,
  homePage,
  reportsPage,
  sectionPage,
  type CentreView,
  type Ctx,
  type OpeningRecordView,
  type RatesView,
  type SectionPageData,
  type SectionView,
} from '../../templates/pages/pages';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

/** States in which the opening record may exist (the hall stops waiting once it is sent). */
const AFTER_OPENING = new Set(['opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived']);
/** States before the opening's objection window (opening-service.ts: 'opening' and 'opened'). */
const BEFORE_OBJECTIONS = new Set(['published', 'bidding', 'closed']);

export interface PagesDeps {
  /** The public reads the pages are made of: the same calls as the public JSON API. */
  services: {
    tenders: Pick<TendersService, 'getSection' | 'listSections' | 'browseSections'>;
    centres: Pick<CentresService, 'list'>;
    opening: Pick<OpeningService, 'record' | 'objections' | 'objectionWindow' | 'raiseObjection'>;
    evaluation: Pick<EvaluationService, 'view' | 'objectionWindow' | 'raiseObjection'>;
    awards: Pick<AwardsService, 'publicAward'>;
    reports: Pick<ReportsService, 'rates'>;
  };
  clock: Clock;
  /** The page's language, the signed-in viewer for the header, the form token (page-context.ts). */
  context: PageContext;
  /** Checks the form token of the objection forms' posts. */
  tokens: FormTokens;
  /** How often one hall connection reads the section (ms); never below 2000. */
  hallPollMs?: number;
  /** The largest sealed bid the API accepts (config.maxBidBytes): the sealing page refuses a bigger one before reading it. */
  maxBidBytes?: number;
}

type PortalQuery = Record<string, unknown>;
const one = (q: PortalQuery, key: string): string | undefined => (typeof q[key] === 'string' ? (q[key] as string) : undefined);

/** Runs a read and gives null when the API would answer 404 (not public yet / does not exist). */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return null;
    throw err;
  }
}

/** A section as the pages show it. Pages read as the public, who see published sections only, and publishing needs a bid deadline. */
export function publicSection<S extends { id: string; bidDeadlineAt: number | null }>(s: S): Omit<S, 'bidDeadlineAt'> & { bidDeadlineAt: number } {
  if (s.bidDeadlineAt === null) throw new Error(`section ${s.id} is shown to the public without a bid deadline`);
  return { ...s, bidDeadlineAt: s.bidDeadlineAt };
}

export function pagesRoutes(deps: PagesDeps): Router {
  const { services, clock } = deps;
  const pollMs = Math.max(2000, deps.hallPollMs ?? 3000);
  const router = Router();
  // Every page is read as an anonymous member of the public, whoever is signed in.
  const anon = (req: Request): RequestContext => ({ actor: null, ip: req.ip ?? null });
  const view = (req: Request, res: Response): Promise<Ctx> => deps.context(req, res);

  // The pages' scripts, bundled on first request (before the static files, which 404 on a miss).
  for (const name of Object.keys(PAGE_SCRIPTS) as PageScript[]) {
    router.get(`/portal-static/${name}.js`, async (req, res) => {
      const bundle = await pageBundle(name);
      res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache', ETag: bundle.etag });
      if (req.headers['if-none-match'] === bundle.etag) {
        res.status(304).end();
        return;
      }
      res.send(bundle.code);
    });
  }

  const staticFiles = express.static(STATIC_DIR, { index: false, fallthrough: false, maxAge: '5m' });
  // A missing file, or a path that climbs out (`..%2f`) or cannot be decoded, is a plain 404, never a 500.
  router.use('/portal-static', (req, res, next) =>
    staticFiles(req, res, (err?: unknown) => {
      const status = (err as { status?: number } | undefined)?.status;
      if (err && status !== undefined && status >= 400 && status < 500) return next(notFound('This portal file'));
      next(err);
    }),
  );

  const centres = (): Promise<CentreView[]> => services.centres.list();
  const sectionsIn = async (req: Request, states: string[]): Promise<SectionView[]> => {
    const out: SectionView[] = [];
    for (const state of states) {
      const rows = await services.tenders.listSections(anon(req), { state: state as never, limit: 200 });
      out.push(...rows.map(publicSection));
    }
    return out;
  };

  router.get('/', async (req, res) => {
    const c = await view(req, res);
    // The newest of each kind (an index range each, however many sections there are); every section is on /sections.
    const newest = async (states: SectionState[], limit: number) => (await services.tenders.browseSections(anon(req), { states, limit, offset: 0 })).sections.map(publicSection);
    const open = (await newest(['published', 'bidding'], 20)).sort((a, b) => a.bidDeadlineAt - b.bidDeadlineAt);
    const opened = (await newest(['opened', 'evaluating', 'publicity', 'opening'], 10)).sort((a, b) => (b.closedAt ?? b.bidDeadlineAt) - (a.closedAt ?? a.bidDeadlineAt));
    const awarded = (await newest(['awarded', 'contracted'], 10)).sort((a, b) => b.updatedAt - a.updatedAt);
    sendPage(res, 200, homePage(c, { centres: await centres(), open, opened, awarded }));
  });

  const openingRecord = async (req: Request, id: string): Promise<SectionPageData['record']> => {
    try {
      const { json } = await services.opening.record(anon(req), id);
      return { kind: 'record', value: parseOpeningRecord(json) };
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return { kind: 'pending' };
      if (err instanceof AppError && err.status === 409) return { kind: err.code === 'section_failed' ? 'failed' : 'in_progress', message: err.message };
      throw err;
    }
  };

  /** The section page; `form` is the objection form's state after a refused post. */
  const sectionView = async (req: Request, res: Response, status: number, form: FormState) => {
    const id = req.params.id as string;
    const d = await services.tenders.getSection(anon(req), id);
    const evaluation = (await orNull(services.evaluation.view(anon(req), id)))?.evaluation;
    const award = await orNull(services.awards.publicAward(id));
    const objections = await publicityObjections(services, req, id, evaluation ?? null, form);
    const c = await deps.context(req, res, { form: (objections?.window.mayRaise ?? false) || hasProblems(form) });
    sendPage(
      res,
      status,
      sectionPage(c, {
        section: publicSection(d.section),
        project: d.project,
        documents: d.documents,
        clarifications: d.clarifications,
        centres: await centres(),
        record: await openingRecord(req, id),
        evaluation: evaluation ? { publicity: evaluation.publicity, result: evaluation.result } : null,
        award: award?.award ?? null,
        objections,
      }),
    );
  };
  router.get('/sections/:id', (req, res) => sectionView(req, res, 200, emptyForm()));

  /** The opening hall; `form` is the objection form's state after a refused post. */
  const hallView = async (req: Request, res: Response, status: number, form: FormState) => {
    const d = await services.tenders.getSection(anon(req), req.params.id as string);
    const section = { ...publicSection(d.section), projectTitle: d.project.title };
    const rec = await openingRecord(req, section.id);
    const objections = await openingObjections(services, req, section.id, form);
    // A bidder watching before the objection window gets the form hidden, with its token; hall.js shows it when the live state says this viewer may raise one.
    const later = !objections.window.open && BEFORE_OBJECTIONS.has(section.state) && req.ctx.actor?.role === 'bidder' && !!req.ctx.actor.orgId;
    const c = await deps.context(req, res, { form: objections.window.mayRaise || hasProblems(form) || later });
    const objectionsLater = later ? { ...objections, window: { open: true, mayRaise: true } } : null;
    sendPage(res, status, hallPage(c, { centres: await centres(), section, record: rec.kind === 'record' ? rec.value : null, objections, objectionsLater }));
  };
  router.get('/sections/:id/hall', (req, res) => hallView(req, res, 200, emptyForm()));
  router.use(objectionPostRoutes({ services, tokens: deps.tokens, context: deps.context, hall: hallView, section: sectionView }));

  /** The 'opened' event: the record's summary, labels in the page's language. */
  const summary = (c: Ctx, sectionId: string, rec: OpeningRecordView) => ({
    bidCount: rec.freeze.bidCount,
    openingTime: rec.openingTime,
    recordUrl: `/api/sections/${encodeURIComponent(sectionId)}/opening-record`,
    bids: rec.bids.map((b) => ({
      seq: b.seq,
      bidder: b.bidder.name,
      receivedAt: shanghaiTime(b.receivedAt),
      price: b.price ? yuan(b.price.amount, c.s) : '—',
      status: c.s.bidStatus[b.status] ?? b.status,
      validity: b.validity ? (c.s.validityNames[b.validity] ?? b.validity) : '—',
      remarks: [...(b.cause ? [b.cause.message] : []), ...b.remarks.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))].join('；'),
      ciphertextUrl: `/api/bids/${encodeURIComponent(b.bidId)}/ciphertext`,
    })),
  });

  router.get('/sections/:id/hall/events', async (req, res) => {
    const c = await view(req, res);
    const id = req.params.id;
    const ctx = anon(req);
    await services.tenders.getSection(ctx, id); // 404 as a normal error before the stream starts
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    res.write(`retry: ${pollMs}\n\n`);

    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let openedSent = false;
    const stop = () => {
      closed = true;
      if (timer) clearTimeout(timer);
    };
    req.on('close', stop);
    res.on('close', stop);
    const event = (name: string, data: unknown) => {
      if (!closed) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    };

    const tick = async () => {
      if (closed) return;
      try {
        const { section } = await services.tenders.getSection(ctx, id);
        const state = section.state as string;
        // The objection window as it stands for this viewer (the hall shows its hidden form when it opens).
        const objections = await services.opening.objectionWindow(req.ctx, id);
        event('state', { state, stateName: c.s.stateNames[state] ?? state, now: clock.now(), openingAt: section.openingAt ?? section.bidDeadlineAt, objections });
        if (!openedSent && AFTER_OPENING.has(state)) {
          const rec = await openingRecord(req, id);
          if (rec.kind === 'record') {
            event('opened', summary(c, id, rec.value));
            openedSent = true;
          }
        }
      } catch (err) {
        event('problem', { message: err instanceof Error ? err.message : String(err) });
      }
      if (!closed) timer = setTimeout(() => void tick(), pollMs);
    };
    await tick();
  });

  // The bidder's sealing page: the form; the browser does the key, the sealing and the signing.
  const bidForm = async (req: Request, res: Response, selected: string | null) => {
    const listed = (await sectionsIn(req, ['published', 'bidding'])).sort((a, b) => a.bidDeadlineAt - b.bidDeadlineAt);
    if (selected && !listed.some((x) => x.id === selected)) await services.tenders.getSection(anon(req), selected); // 404 when unknown
    // Each section with its opening key, as its notice prints it: the page shows the chosen one's and seals to nothing else.
    const open: SectionView[] = [];
    for (const x of listed) open.push(x.openingKey ? x : { ...x, openingKey: (await services.tenders.getSection(anon(req), x.id)).section.openingKey ?? null });
    sendPage(
      res,
      200,
      bidPage(await view(req, res), { centres: await centres(), open, selected: selected && open.some((x) => x.id === selected) ? selected : null, maxBidBytes: deps.maxBidBytes ?? null }),
    );
  };
  router.get('/bid', (req, res) => bidForm(req, res, null));
  router.get('/receipt', async (req, res) => sendPage(res, 200, receiptPage(await view(req, res))));
  router.get('/sections/:id/bid', (req, res) => bidForm(req, res, req.params.id));

  router.get('/reports', async (req, res) => {
    const c = await view(req, res);
    const q = req.query as PortalQuery;
    const year = shanghaiDate(clock.now()).slice(0, 4);
    const from = one(q, 'from') || `${year}-01-01`;
    const to = one(q, 'to') || `${year}-12-31`;
    let report: RatesView | null = null;
    let error: string | null = null;
    let status = 200;
    try {
      // The page prints the sums and charts, not the sections (the CSV and the API list those).
      report = await services.reports.rates({ from, to, limit: 1 });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      status = err.status;
      error = failureText(c.lang, failureOf(err, res));
    }
    sendPage(res, status, reportsPage(c, { centres: await centres(), from, to, report, error }));
  });

  return router;
}
