// PDF records for the public and for auditors: the opening record, the evaluation report (with the
// opening record inside), the award notice, the rate report and the section dossier. Each renders the
// very JSON document its JSON endpoint serves and states its SHA-256. A PDF is rendered once per JSON
// digest, in a worker thread (pdf-renderer.ts), and kept in the blob store; later downloads are the
// stored bytes. Downloads by signed-in users are audit entries ('record.downloaded'); anonymous ones
// are counted per record and day (record_downloads), so that the public cannot grow the audit log.
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { AuditAppender } from '../audit/audit-service';
import type { Clock } from '../core/clock';
import { isOverseer, requireActor, type RequestContext } from '../core/context';
import { AppError, forbidden } from '../core/errors';
import type { AwardsService } from '../awards/awards-service';
import type { EvaluationService } from '../evaluation/evaluation-service';
import type { RatesReport } from '../reports/reports-service';
import type { BlobStore } from '../storage/blob-store';
import type { AwardJson } from '../../templates/records/award-notice';
import { verifySteps } from '../../templates/records/dossier';
import { EVALUATION_REPORT_FORMAT, type EvaluationReportJson, type EvaluationResultJson } from '../../templates/records/evaluation-report';
import { parseOpeningRecord } from '../formats/opening-record';
import type { OpeningRecordJson } from '../../templates/records/opening-record';
import { canonicalDigest, canonicalWithRecord } from './digest';
import { buildDossier, type Dossier, type DossierLog, type DossierSection, type SectionBidRef } from './dossier';
import { PDF_LAYOUT } from './pdf-layout';
import { workerRenderer, type PdfRenderer } from './pdf-renderer';
import type { RecordKind, RenderJob } from './record-documents';
import type { RenderContext } from '../../templates/records/strings';
import * as store from './records-store';

export type { RecordKind } from './record-documents';

export interface RecordsDeps {
  knex: Knex;
  clock: Clock;
  audit: AuditAppender & DossierLog;
  blobs: BlobStore;
  /** Renders PDFs off the event loop; one worker thread per process unless given. */
  renderer?: PdfRenderer;
  /** The section as its reader may see it (404/403 from the tenders service otherwise). */
  section(ctx: RequestContext, id: string): Promise<DossierSection>;
  /** The published opening record (canonical JSON); throws 404/409 while there is none. */
  openingRecord(ctx: RequestContext, id: string): Promise<{ json: string; sha256: string }>;
  /** GET /api/sections/:id/evaluation as the reader may see it (404 before the publicity for the public). */
  evaluation(ctx: RequestContext, id: string): ReturnType<EvaluationService['view']>;
  /** GET /api/sections/:id/award (404 before the award). */
  award(id: string): ReturnType<AwardsService['publicAward']>;
  /** The centres as the portal names them, with their time zones (for the PDFs' names and times). */
  centres?(): Promise<NonNullable<RenderContext['centres']>>;
  /** An organisation's name, for the ids a dossier's entries carry; null when there is none. */
  orgName?(id: string): Promise<string | null>;
}

/** A PDF record ready to be sent: its digest (the ETag) at once, the bytes when asked for. */
export interface PdfDownload {
  /** SHA-256 of the canonical JSON the PDF renders (and states). */
  sha256: string;
  filename: string;
  /** Renders the PDF if it was never rendered, notes the download (unless told not to: HEAD), and opens the bytes. */
  deliver(note?: boolean): Promise<{ size: number; stream: Readable }>;
}

let shared: PdfRenderer | null = null;
/** One worker per process, shared by every app the process builds (tests build many). */
function sharedRenderer(): PdfRenderer {
  shared ??= workerRenderer();
  return shared;
}

/** The day of an instant in Beijing time (UTC+8, no daylight saving), YYYY-MM-DD. */
export const beijingDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

const MAX_PDF_BYTES = 1024 * 1024 * 1024;

export function createRecordsService(deps: RecordsDeps) {
  const { audit, knex, blobs, clock } = deps;
  const renderer = () => deps.renderer ?? sharedRenderer();
  /** Renders under way, by kind and digest: concurrent first requests for one record render it once. */
  const inFlight = new Map<string, Promise<store.StoredPdfRow>>();
  const inFlightRates = new Map<string, Promise<Buffer>>();
  /** Published opening records seen: section id → digest and code. */
  const published = new Map<string, { sha256: string; code: string }>();
  /** Rows already looked up (a row never changes): a download of a known record asks the database one query less. */
  const stored = new Map<string, store.StoredPdfRow>();
  const remember = (key: string, row: store.StoredPdfRow) => {
    if (stored.size >= 1000) stored.delete(stored.keys().next().value!);
    stored.set(key, row);
    return row;
  };

  /** What a render prints besides its JSON (not part of the digest): the centres' names and zones. */
  async function context(names?: Record<string, string>): Promise<RenderContext> {
    return { ...(deps.centres ? { centres: await deps.centres() } : {}), ...(names ? { names } : {}) };
  }

  /** Names for the organisation ids a dossier's entries carry (a bounded number of look-ups). */
  async function dossierNames(d: Dossier): Promise<Record<string, string>> {
    const ids = new Set<string>();
    const visit = (v: unknown, depth: number) => {
      if (typeof v === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(v)) ids.add(v);
      else if (v && typeof v === 'object' && depth < 3) for (const x of Object.values(v)) visit(x, depth + 1);
    };
    for (const e of d.entries) visit(e.entry.data, 0);
    ids.delete(d.section.id);
    for (const b of d.bids) ids.delete(b.bidId);
    const names: Record<string, string> = {};
    if (!deps.orgName) return names;
    for (const id of [...ids].slice(0, 500)) {
      const name = await deps.orgName(id);
      if (name) names[id] = name;
    }
    return names;
  }

  async function noteDownload(ctx: RequestContext, kind: RecordKind, sectionId: string, sha256: string): Promise<void> {
    if (!ctx.actor) {
      await store.countDownload(knex, kind, sectionId, beijingDay(clock.now()));
      return;
    }
    // Logged against the record, not the section, so that a download does not change the dossier.
    await audit.append(ctx, { action: 'record.downloaded', objectType: 'record', objectId: sectionId, data: { kind, section: sectionId, sha256, format: 'pdf' } });
  }

  async function renderAndStore(kind: RecordKind, sha256: string, jobOf: () => Promise<RenderJob>): Promise<store.StoredPdfRow> {
    // Another request may have finished the same render between our look-up and now.
    const again = await store.findPdf(knex, kind, sha256, PDF_LAYOUT);
    if (again && (await blobs.exists(again.pdfSha256))) return again;
    const job = await jobOf();
    const rendered = await renderer().render(job);
    if (rendered.sha256 !== sha256) throw new Error(`the ${job.kind} PDF states the digest ${rendered.sha256}, not ${sha256}`);
    const blob = await blobs.put(Readable.from([rendered.pdf]), { maxBytes: MAX_PDF_BYTES });
    if (again) await store.deletePdf(knex, job.kind, sha256, PDF_LAYOUT);
    return store.insertPdf(knex, { kind: job.kind, jsonSha256: sha256, layout: PDF_LAYOUT, pdfSha256: blob.sha256, size: blob.size, createdAt: clock.now() });
  }

  /** The stored PDF of a record's JSON, rendered (once) if there is none yet. */
  async function storedPdf(kind: RecordKind, sha256: string, jobOf: () => Promise<RenderJob>): Promise<store.StoredPdfRow> {
    const key = `${kind}:${sha256}`;
    const known = stored.get(key);
    if (known && (await blobs.exists(known.pdfSha256))) return known;
    const row = await store.findPdf(knex, kind, sha256, PDF_LAYOUT);
    if (row && (await blobs.exists(row.pdfSha256))) return remember(key, row);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = renderAndStore(kind, sha256, jobOf)
        .then((r) => remember(key, r))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  /** `job` is asked for only when the PDF has to be rendered. */
  function download(ctx: RequestContext, sectionId: string, kind: RecordKind, sha256: string, filename: string, job: RenderJob | (() => Promise<RenderJob>)): PdfDownload {
    const jobOf = typeof job === 'function' ? job : async () => job;
    return {
      sha256,
      filename,
      async deliver(note = true) {
        const row = await storedPdf(kind, sha256, jobOf);
        if (note) await noteDownload(ctx, kind, sectionId, sha256);
        return { size: row.size, stream: blobs.open(row.pdfSha256) };
      },
    };
  }

  /** The opening service's answers while no record is out: before the deadline, during the opening, a failed section. */
  function notYetPublic(err: unknown): boolean {
    return err instanceof AppError && (err.status === 404 || (err.status === 409 && ['opening_in_progress', 'section_failed'].includes(err.code)));
  }

  /** The bids named by the published record; none before it is out (who bid stays secret until then). */
  async function publishedBids(ctx: RequestContext, id: string): Promise<{ bids: SectionBidRef[]; checkpoints: unknown[] }> {
    let record: OpeningRecordJson;
    try {
      record = JSON.parse((await deps.openingRecord(ctx, id)).json) as OpeningRecordJson;
    } catch (err) {
      // Only "not public yet" means "no bids to name": any other fault (a failing database) must
      // not pass for an empty section in a dossier.
      if (!notYetPublic(err)) throw err;
      return { bids: [], checkpoints: [] };
    }
    const checkpoints = [record.freeze?.checkpoint, record.publication?.checkpoint].filter((c) => c !== undefined && c !== null);
    return { bids: record.bids.map((b) => ({ bidId: b.bidId, receiptLogIndex: b.receiptLogIndex ?? null })), checkpoints };
  }

  /**
   * The evaluation report without its opening record, and the record as stored (canonical JSON).
   * Visible as GET /api/sections/:id/evaluation is (from the publicity on; 404 before), and only
   * once concluded (409 for staff looking at a live preview). Time-independent, so that the JSON
   * and the PDF fetched later hash alike while the section stays in the same state.
   */
  async function reportParts(ctx: RequestContext, id: string): Promise<{ rest: Omit<EvaluationReportJson, 'openingRecord'>; record: string }> {
    const { evaluation: v } = await deps.evaluation(ctx, id);
    const result = v.result as (EvaluationResultJson & { pending?: string }) | null;
    if (v.preview || !result || result.pending !== undefined || v.concludedAt === null) {
      throw new AppError(409, 'evaluation_not_concluded', `The evaluation of ${v.code} has not been concluded (the section is ${v.state}); the report is published with the candidates.`);
    }
    const section = await deps.section(ctx, id);
    const { json: record } = await deps.openingRecord(ctx, id);
    const rest: Omit<EvaluationReportJson, 'openingRecord'> = {
      format: EVALUATION_REPORT_FORMAT,
      section,
      evaluation: {
        method: v.method,
        startedAt: v.startedAt,
        concludedAt: v.concludedAt,
        publicity: v.publicity ? { from: v.publicity.from, endsAt: v.publicity.endsAt } : null,
        result,
        declines: v.declines,
        objections: v.objections,
      },
    };
    return { rest, record };
  }

  const service = {
    /** GET /api/sections/:id/opening-record.pdf: whoever may read the record may read its PDF. */
    async openingRecordPdf(ctx: RequestContext, id: string): Promise<PdfDownload> {
      // A published record never changes and stays public: once seen, its digest is known without
      // reading the record (hundreds of KB for a large opening) on every download.
      let known = published.get(id);
      if (!known) {
        const { sha256 } = await deps.openingRecord(ctx, id);
        const { code } = await deps.section(ctx, id);
        known = { sha256, code: code ?? id };
        if (published.size >= 1000) published.delete(published.keys().next().value!);
        published.set(id, known);
      }
      // The record is stored as canonical JSON, so its stored digest is the one the PDF states.
      const job = async (): Promise<RenderJob> => {
        const { json, sha256 } = await deps.openingRecord(ctx, id);
        if (sha256 !== known.sha256) throw new Error(`the opening record of ${id} changed after publication (${known.sha256} → ${sha256})`);
        return { kind: 'opening-record', json, source: `/api/sections/${id}/opening-record`, context: await context() };
      };
      return download(ctx, id, 'opening-record', known.sha256, `opening-record-${known.code}.pdf`, job);
    },

    /** GET /api/sections/:id/evaluation-report: the concluded evaluation with the opening record inside. */
    async evaluationReport(ctx: RequestContext, id: string): Promise<EvaluationReportJson> {
      const { rest, record } = await reportParts(ctx, id);
      return { ...rest, openingRecord: parseOpeningRecord(record) };
    },

    async evaluationReportPdf(ctx: RequestContext, id: string): Promise<PdfDownload> {
      const { rest, record } = await reportParts(ctx, id);
      const { canonical, sha256 } = canonicalWithRecord(rest, record);
      return download(ctx, id, 'evaluation-report', sha256, `evaluation-report-${rest.section.code ?? id}.pdf`, async () => ({
        kind: 'evaluation-report',
        json: canonical,
        source: `/api/sections/${id}/evaluation-report`,
        context: await context(),
      }));
    },

    /** GET /api/sections/:id/award-notice.pdf: renders GET /api/sections/:id/award; public once awarded. */
    async awardNoticePdf(ctx: RequestContext, id: string): Promise<PdfDownload> {
      const section = await deps.section(ctx, id);
      const json = (await deps.award(id)) as AwardJson;
      const { canonical, sha256 } = canonicalDigest(json);
      const facts = { title: section.title, projectTitle: section.projectTitle, tenderee: section.tenderee };
      return download(ctx, id, 'award-notice', sha256, `award-notice-${json.award.code}.pdf`, async () => ({
        kind: 'award-notice',
        json: canonical,
        source: `/api/sections/${id}/award`,
        section: facts,
        context: await context(),
      }));
    },

    /** GET /api/sections/:id/dossier: supervisors, auditors and admins only. */
    async dossier(ctx: RequestContext, id: string): Promise<Dossier> {
      const actor = requireActor(ctx);
      if (!isOverseer(actor)) throw forbidden(`Only supervisors, auditors and admins may read a section dossier; you are signed in as ${actor.role}.`);
      const section = await deps.section(ctx, id);
      const { bids, checkpoints } = await publishedBids(ctx, id);
      return buildDossier({ audit, section, bids, recordCheckpoints: checkpoints, verify: verifySteps(id) });
    },

    /** The dossier grows with the log: each state of it is its own JSON, digest and stored PDF. */
    async dossierPdf(ctx: RequestContext, id: string): Promise<PdfDownload> {
      const dossier = await service.dossier(ctx, id);
      const { canonical, sha256 } = canonicalDigest(dossier);
      return download(ctx, id, 'dossier', sha256, `dossier-${dossier.section.code ?? id}.pdf`, async () => ({
        kind: 'dossier',
        json: canonical,
        source: `/api/sections/${id}/dossier`,
        context: await context(await dossierNames(dossier)),
      }));
    },

    /**
     * The rate report as PDF, for the reports route's `format=pdf`. Any period may be asked for, so
     * it is rendered in the worker (concurrent requests for the same report once) but not kept.
     */
    async rateReportPdf(report: RatesReport, source: string, filename: string): Promise<PdfDownload> {
      const { canonical, sha256 } = canonicalDigest(report);
      return {
        sha256,
        filename,
        async deliver() {
          const key = `${sha256}:${source}`;
          let pending = inFlightRates.get(key);
          if (!pending) {
            pending = context()
              .then((c) => renderer().render({ kind: 'rate-report', json: canonical, source, context: c }))
              .then((r) => r.pdf)
              .finally(() => inFlightRates.delete(key));
            inFlightRates.set(key, pending);
          }
          const pdf = await pending;
          return { size: pdf.length, stream: Readable.from([pdf]) };
        },
      };
    },

    /** GET /api/sections/:id/record-downloads: the anonymous downloads per record and day (overseers). */
    async downloadCounts(ctx: RequestContext, id: string) {
      const actor = requireActor(ctx);
      if (!isOverseer(actor)) throw forbidden(`Only supervisors, auditors and admins may read download counts; you are signed in as ${actor.role}.`);
      await deps.section(ctx, id);
      return { section: id, timeZone: 'Asia/Shanghai', counts: await store.downloadCounts(knex, id) };
    },
  };
  return service;
}

export type RecordsService = ReturnType<typeof createRecordsService>;
