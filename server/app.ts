// The composition root: the one place where services are built and wired, and where the Express
// app is assembled from a config, a database handle and a clock.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import type { Database } from '../db/connection';
import { transactions } from '../db/transactions';
import { createAuditService } from '../modules/audit/audit-service';
import { auditRoutes } from '../modules/audit/audit-routes';
import { createAccountsService } from '../modules/accounts/accounts-service';
import { accountsRoutes } from '../modules/accounts/accounts-routes';
import { createLoginLimits } from '../modules/accounts/login-limits';
import { KnexSessionStore } from '../modules/accounts/session-store';
import { createCentresService } from '../modules/centres/centres-service';
import { centresRoutes } from '../modules/centres/centres-routes';
import { createCustodyService } from '../modules/custody/custody-service';
import { custodyRoutes } from '../modules/custody/custody-routes';
import type { Clock } from '../modules/core/clock';
import { notFound } from '../modules/core/errors';
import { createOrgFacts } from '../modules/orgs/org-facts';
import { createOrgsService } from '../modules/orgs/orgs-service';
import { orgsRoutes, registrationLimiter } from '../modules/orgs/orgs-routes';
import { loadOrCreatePlatformKeys, PlatformKeysError } from '../modules/pki/platform-keys';
import type { BeaconSource } from '../modules/timelock/beacon';
import { relaySource } from '../modules/timelock/drand-relays';
import { LocalBeacon } from '../modules/timelock/local-beacon';
import { createPkiService } from '../modules/pki/pki-service';
import { pkiRoutes } from '../modules/pki/pki-routes';
import { createBidsService } from '../modules/bids/bids-service';
import { bidsRoutes } from '../modules/bids/bids-routes';
import { createUploadLimits } from '../modules/bids/upload-limits';
import { createBlobSweeper } from '../modules/storage/blob-sweeper';
import { LocalBlobStore } from '../modules/storage/blob-store';
import { createOpeningService } from '../modules/opening/opening-service';
import { openingRoutes } from '../modules/opening/opening-routes';
import { createEvaluationService } from '../modules/evaluation/evaluation-service';
import { evaluationRoutes } from '../modules/evaluation/evaluation-routes';
import { createLifecycleEngine } from '../modules/lifecycle/lifecycle-engine';
import { createSectionFacts } from '../modules/tenders/section-facts';
import { createTendersService } from '../modules/tenders/tenders-service';
import { createAwardsService } from '../modules/awards/awards-service';
import { awardsRoutes } from '../modules/awards/awards-routes';
import { createImportsService } from '../modules/reports/imports-service';
import { createReportsService } from '../modules/reports/reports-service';
import { reportsRoutes } from '../modules/reports/reports-routes';
import { createRecordsService } from '../modules/records/records-service';
import { CENTRE_CODES } from '../modules/centres/centre-rules';
import { publicDownloadLimiter, recordsRoutes } from '../modules/records/records-routes';
import { tendersRoutes } from '../modules/tenders/tenders-routes';
import { ConfigError, readTrustedCaFiles, type Config } from './config';
import { attachContext, bearerAuth, configurePassport, sameOriginForSessions } from './http/auth';
import { DATABASE_RETRY_AFTER_S, errorHandler } from './http/errors';
import { slowBodyGuard } from './http/slow-body';
import { buildOpenApi } from './http/openapi';
import { ApiRegistry } from './http/route';
import { formTokens } from './http/form-token';
import { accountPagesRoutes } from './pages/account-routes';
import { auditPagesRoutes } from './pages/audit-routes';
import { myPagesRoutes } from './pages/my-pages-routes';
import { adminPagesRoutes } from './pages/admin-routes';
import { staffProjectRoutes } from './pages/staff-project-routes';
import { staffRoutes } from './pages/staff-routes';
import { staffWorkRoutes } from './pages/staff-work-routes';
import { pageContext } from './pages/page-context';
import { pagesRoutes } from './pages/pages-routes';
import { sectionListRoutes } from './pages/section-list-routes';
import { pageErrors } from './pages/respond';
import { loggedPath, type Logger } from './logger';

/** How long /healthz waits for the database before it says the database is down. */
const HEALTHZ_DB_TIMEOUT_MS = 2000;

export const VERSION = '0.1.0';

export interface AppDeps {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  sessionSecret: string;
  /** Tests: every JSON answer is parsed with its route's response schema, and a mismatch is a 500 (route.ts). */
  checkResponses?: boolean;
  /** Tests: another blob store (e.g. one whose disk is full); by default a LocalBlobStore in DATA_DIR/blobs. */
  blobs?: LocalBlobStore;
}

/** The platform keys from config.certsDir, made at first start; a clear ConfigError if they are unusable. */
function platformKeysFor(config: Config, clock: Clock) {
  try {
    // Certificates made now are dated by the earlier of the two clocks, so that a test or demo
    // clock set in the past or the future still falls inside the CA's validity.
    return loadOrCreatePlatformKeys(config.certsDir, { now: Math.min(clock.now(), Date.now()) });
  } catch (err) {
    if (err instanceof PlatformKeysError) throw new ConfigError(err.message);
    throw err;
  }
}

/** The local beacon's key file: in certs/, with the other keys whose holder the host trusts. */
export const LOCAL_BEACON_KEY = 'beacon.key';

/**
 * Where time locks are made to and opened from. 'drand': relays, verified against the pinned chain.
 * 'local': a beacon keyed in certs/ and driven by the app's clock, served at /beacon in drand's format.
 */
function beaconFor(config: Config, clock: Clock): { source: BeaconSource; local: LocalBeacon | null } {
  if (config.timeLockBeacon === 'drand') {
    return { source: relaySource({ urls: config.drandUrls, info: config.drandChain, timeoutMs: config.drandTimeoutMs, clock }), local: null };
  }
  let local: LocalBeacon;
  try {
    local = LocalBeacon.loadOrCreate(path.join(config.certsDir, LOCAL_BEACON_KEY));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return { source: local.source(clock, ['/beacon']), local };
}

/**
 * Builds every service in dependency order: each is made from the ones above it, so no service
 * reaches one built later (no late-bound closures). Where two modules need each other's facts, the
 * facts are a separate small reader over the database (org-facts, section-facts) built first.
 */
export function buildServices(deps: Pick<AppDeps, 'config' | 'db' | 'clock' | 'blobs'> & { log?: Pick<Logger, 'warn'> }) {
  const { config, db, clock } = deps;
  const knex = db.knex;
  const platformKeys = platformKeysFor(config, clock);
  const beacon = beaconFor(config, clock);
  const blobs = deps.blobs ?? new LocalBlobStore(path.join(config.dataDir, 'blobs'), { reserveBytes: config.blobFreeSpaceReserveBytes });
  const audit = createAuditService({ knex, clock, logSigner: platformKeys.log });
  // Each module's units of work get the transactional operations of the modules built before it.
  const audited = transactions(knex).with('audit', (tx) => audit.on(tx));
  const orgFacts = createOrgFacts({ knex });
  const accounts = createAccountsService({ knex, clock, audit, inTransaction: audited.run, orgApproved: orgFacts.isApproved });
  const orgs = createOrgsService({ knex, clock, inTransaction: audited.with('accounts', (tx) => accounts.on(tx)).run, accounts });
  const pki = createPkiService({ knex, clock, inTransaction: audited.run, keys: platformKeys, orgs, trustedCaPems: readTrustedCaFiles(config.trustedCaFiles) });
  const centres = createCentresService({ knex, clock, inTransaction: audited.run });
  const lifecycle = createLifecycleEngine({ knex, clock, inTransaction: audited.run, processId: `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}` });
  const withLifecycle = audited.with('lifecycle', (tx) => lifecycle.on(tx));
  const sectionFacts = createSectionFacts({ knex });
  const withSections = withLifecycle.with('sections', (tx) => sectionFacts.on(tx));
  const custody = createCustodyService({ knex, clock, inTransaction: audited.run, pki, platformKeys, beacon: beacon.source, centres, accounts, sectionFacts: sectionFacts.biddingFacts });
  const tenders = createTendersService({
    knex,
    clock,
    inTransaction: withLifecycle.with('custody', (tx) => custody.on(tx)).run,
    centres,
    blobs,
    custody,
    lifecycle,
    codePrefix: config.codePrefix,
    maxDocumentBytes: config.maxDocumentBytes,
  });
  const bids = createBidsService({
    knex,
    clock,
    audit,
    inTransaction: withSections.run,
    pki,
    custody,
    sections: sectionFacts,
    orgs: orgFacts,
    blobs,
    receiptSigner: platformKeys.receipt,
    maxBidBytes: config.maxBidBytes,
    log: deps.log ?? { warn: () => undefined },
  });
  const awards = createAwardsService({ knex, clock, inTransaction: withSections.run, centres, sections: sectionFacts });
  const imports = createImportsService({ knex, clock, inTransaction: audited.run, centres, sections: sectionFacts });
  const opening = createOpeningService({
    knex,
    clock,
    audit,
    inTransaction: withSections.with('bids', (tx) => bids.on(tx)).run,
    sections: sectionFacts,
    lifecycle,
    bids,
    custody,
    centres,
    orgs: orgFacts,
    pki,
    accounts,
    blobs,
  });
  const reports = createReportsService({ clock, centres, awards, imports, sections: sectionFacts, opening });
  const evaluation = createEvaluationService({ knex, clock, inTransaction: withSections.with('awards', (tx) => awards.on(tx)).run, sections: sectionFacts, centres, opening });
  const records = createRecordsService({
    knex,
    clock,
    audit,
    blobs,
    section: async (ctx, id) => {
      const d = await tenders.getSection(ctx, id);
      return { id: d.section.id, code: d.section.code, title: d.section.title, centre: d.section.centre, state: d.section.state, projectTitle: d.project.title, tenderee: d.project.tenderee };
    },
    openingRecord: (ctx, id) => opening.record(ctx, id),
    evaluation: (ctx, id) => evaluation.view(ctx, id),
    award: (id) => awards.publicAward(id),
    centres: async () =>
      Object.fromEntries(
        await Promise.all(
          CENTRE_CODES.map(async (code) => {
            const r = await centres.rules(code);
            return [code, { zh: r.nameZh, en: r.nameEn, timeZone: r.settings.timeZone }] as const;
          }),
        ),
      ),
    orgName: async (id) => (await orgFacts.publicFacts(id))?.name ?? null,
  });
  const sessions = new KnexSessionStore(knex);
  const blobSweeper = createBlobSweeper({ knex, clock, blobs });
  // Every module's transactional operations in one unit of work: for the seeds, the CLI and tests.
  const everything = withSections
    .with('accounts', (tx) => accounts.on(tx))
    .with('custody', (tx) => custody.on(tx))
    .with('bids', (tx) => bids.on(tx))
    .with('awards', (tx) => awards.on(tx));
  return {
    inTransaction: everything.run,
    audit,
    accounts,
    orgs,
    orgFacts,
    centres,
    blobs,
    blobSweeper,
    lifecycle,
    sectionFacts,
    tenders,
    sessions,
    pki,
    platformKeys,
    beacon: beacon.source,
    localBeacon: beacon.local,
    custody,
    bids,
    awards,
    imports,
    reports,
    opening,
    evaluation,
    records,
  };
}

export type Services = ReturnType<typeof buildServices>;

export function createApp(deps: AppDeps) {
  const { config, db, log } = deps;
  const services = buildServices({ ...deps, log });
  const registry = new ApiRegistry({ checkResponses: deps.checkResponses });
  const app = express();

  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The path only: query strings may carry names of files and are not needed here; ids of bid routes are left out.
      log.info({ method: req.method, path: loggedPath(req.path), status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  });

  // A body that trickles in holds a connection (and a temporary file) for nothing: cut it off.
  app.use(slowBodyGuard({ minBytesPerSecond: config.uploadMinBytesPerSecond, windowMs: config.uploadRateWindowMs }));

  // A local beacon is served like a drand relay, so outsiders (and `etender opening-key derive`) read its rounds the same way.
  if (services.localBeacon) {
    const handler = services.localBeacon.httpHandler(deps.clock);
    app.use('/beacon', (req, res) => handler(req, res, req.path));
  }

  // A load balancer's probe: answers within HEALTHZ_DB_TIMEOUT_MS even when the database hangs.
  app.get('/healthz', async (_req, res) => {
    try {
      await db.knex.raw('select 1').timeout(HEALTHZ_DB_TIMEOUT_MS);
      res.json({ status: 'ok', db: db.dialect, database: 'up' });
    } catch {
      res
        .status(503)
        .setHeader('Retry-After', String(DATABASE_RETRY_AFTER_S))
        .json({ status: 'unavailable', db: db.dialect, database: 'down', message: "The platform's database cannot be reached; requests that need it are refused with 503 until it is back." });
    }
  });

  const json = express.json({ limit: config.maxJsonBytes, strict: true });
  // Uploads (tender documents, sealed bids) stream their raw bodies to the blob store.
  const isUpload = (p: string) => p.endsWith('/documents') || /^\/api\/sections\/[^/]+\/bids$/.test(p);
  app.use((req, res, next) => (isUpload(req.path) ? next() : json(req, res, next)));

  const pp = configurePassport(services.accounts);
  const sessionMiddleware = session({
    name: 'etender.sid',
    secret: deps.sessionSecret,
    store: services.sessions,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, maxAge: 8 * 3600 * 1000 },
  });
  const passportSession = pp.session();
  app.use(bearerAuth(services.accounts));
  // Before the session is even loaded, so a refused cross-site request touches nothing.
  app.use(sameOriginForSessions(config.publicUrl));
  app.use((req, res, next) => ((req as { authByToken?: boolean }).authByToken ? next() : sessionMiddleware(req, res, next)));
  app.use(pp.initialize());
  app.use((req, res, next) => ((req as { authByToken?: boolean }).authByToken ? next() : passportSession(req, res, next)));
  app.use(attachContext);

  // One set of budgets for the API and the pages (a browser form is not a second allowance).
  const loginLimits = createLoginLimits({ clock: deps.clock, perAccountAndAddress: config.loginAttemptsPer15Min, perAddress: config.loginFailuresPerAddressPer15Min });
  const registrations = registrationLimiter(config.orgRegistrationsPerHour);
  app.use(accountsRoutes({ accounts: services.accounts, passport: pp, registry, limits: loginLimits, log }));
  app.use(orgsRoutes(services.orgs, registry, { limiter: registrations }));
  app.use(pkiRoutes(services.pki, registry));
  app.use(centresRoutes(services.centres, registry));
  app.use(tendersRoutes(services.tenders, registry));
  app.use(custodyRoutes(services.custody, registry));
  app.use(bidsRoutes(services.bids, registry, createUploadLimits({ maxPerBidder: config.maxUploadsPerBidder })));
  app.use(openingRoutes(services.opening, services.custody, registry));
  app.use(evaluationRoutes(services.evaluation, registry));
  app.use(auditRoutes(services.audit, registry));
  app.use(awardsRoutes(services.awards, registry));
  app.use(reportsRoutes(services.reports, services.imports, registry, { render: services.records.rateReportPdf, limiter: publicDownloadLimiter(config.recordDownloadsPerMinute) }));
  app.use(recordsRoutes(services.records, registry, { downloadsPerMinute: config.recordDownloadsPerMinute }));

  const openapi = buildOpenApi(registry, VERSION);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  // The portal (server-rendered pages and the opening hall's event stream) and the account pages.
  // Their forms carry a token bound to the session (form-token.ts) besides the origin check above.
  const tokens = formTokens({ secret: deps.sessionSecret, secureCookie: config.cookieSecure });
  const context = pageContext({ clock: deps.clock, orgs: services.orgFacts, tokens });
  app.use(accountPagesRoutes({ accounts: services.accounts, orgs: services.orgs, limits: loginLimits, registrations, tokens, context, log }));
  app.use(myPagesRoutes({ pki: services.pki, bids: services.bids, custody: services.custody, tokens, context }));
  app.use(adminPagesRoutes({ accounts: services.accounts, centres: services.centres, tokens, context }));
  app.use(
    staffRoutes({
      tenders: services.tenders,
      centres: services.centres,
      orgs: services.orgs,
      tokens,
      context,
      maxDocumentBytes: config.maxDocumentBytes,
    }),
  );
  app.use(staffProjectRoutes({ tenders: services.tenders, centres: services.centres, tokens, context }));
  app.use(auditPagesRoutes({ tenders: services.tenders, bids: services.bids, centres: services.centres, accounts: services.accounts, orgs: services.orgFacts, audit: services.audit, context }));
  app.use(staffWorkRoutes({ services, tokens, context }));
  app.use(sectionListRoutes({ services, context }));
  app.use(pagesRoutes({ services, clock: deps.clock, context, tokens, maxBidBytes: config.maxBidBytes }));
  app.use(pageErrors((req, res) => context(req, res)));

  app.use('/api', (req, _res, next) => next(notFound(`${req.method} ${req.originalUrl.split('?')[0]}`)));
  app.use(errorHandler(log));

  return { app, services, registry };
}
