// PDF records for the public and for auditors: the opening record, the evaluation report (with the
// opening record inside), the award notice, the rate report and the section dossier. Each renders the
// very JSON document its JSON endpoint serves and states its SHA-256; downloads of section records are
// audit entries ('record.downloaded').
import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service';
import { isOverseer, requireActor, type RequestContext } from '../core/context';
import { AppError, forbidden } from '../core/errors';
import type { AwardsService } from '../awards/awards-service';
import type { EvaluationService } from '../evaluation/evaluation-service';
import type { RatesReport } from '../reports/reports-service';
import { awardNoticeDocument, type AwardJson } from '../../templates/records/award-notice';
import { dossierDocument, verifySteps } from '../../templates/records/dossier';
import { EVALUATION_REPORT_FORMAT, evaluationReportDocument, type EvaluationReportJson, type EvaluationResultJson } from '../../templates/records/evaluation-report';
import { openingRecordDocument, type OpeningRecordJson } from '../../templates/records/opening-record';
import { rateReportDocument } from '../../templates/records/rate-report';
import { buildDossier, type Dossier, type DossierSection, type SectionBidRef } from './dossier';
import { renderPdf, type RenderedPdf } from './pdf';

export type RecordKind = 'opening-record' | 'evaluation-report' | 'award-notice' | 'dossier' | 'rate-report';

export interface RecordsDeps {
  knex: Knex;
  audit: AuditService;
  /** The section as its reader may see it (404/403 from the tenders service otherwise). */
  section(ctx: RequestContext, id: string): Promise<DossierSection>;
  /** The published opening record (canonical JSON); throws 404/409 while there is none. */
  openingRecord(ctx: RequestContext, id: string): Promise<{ json: string; sha256: string }>;
  /** GET /api/sections/:id/evaluation as the reader may see it (404 before the publicity for the public). */
  evaluation(ctx: RequestContext, id: string): ReturnType<EvaluationService['view']>;
  /** GET /api/sections/:id/award (404 before the award). */
  award(id: string): ReturnType<AwardsService['publicAward']>;
}

/** The rate report as PDF: for the reports route's `format=pdf`. */
export function renderRateReportPdf(report: RatesReport, source = '/api/reports/rates'): Promise<RenderedPdf> {
  return renderPdf(rateReportDocument(report, source));
}

export function createRecordsService(deps: RecordsDeps) {
  const { audit, knex } = deps;

  async function logDownload(ctx: RequestContext, kind: RecordKind, sectionId: string, sha256: string): Promise<void> {
    // Logged against the record, not the section, so that a download does not change the dossier.
    await audit.append(knex, ctx, { action: 'record.downloaded', objectType: 'record', objectId: sectionId, data: { kind, section: sectionId, sha256, format: 'pdf' } });
  }

  /** The bids named by the published record; none before it is out (who bid stays secret until then). */
  async function publishedBids(ctx: RequestContext, id: string): Promise<{ bids: SectionBidRef[]; checkpoints: unknown[] }> {
    let record: OpeningRecordJson;
    try {
      record = JSON.parse((await deps.openingRecord(ctx, id)).json) as OpeningRecordJson;
    } catch {
      return { bids: [], checkpoints: [] };
    }
    const checkpoints = [record.freeze?.checkpoint, record.publication?.checkpoint].filter((c) => c !== undefined && c !== null);
    return { bids: record.bids.map((b) => ({ bidId: b.bidId, receiptLogIndex: b.receiptLogIndex ?? null })), checkpoints };
  }

  return {
    /** GET /api/sections/:id/opening-record.pdf: whoever may read the record may read its PDF. */
    async openingRecordPdf(ctx: RequestContext, id: string): Promise<RenderedPdf & { code: string }> {
      const { json } = await deps.openingRecord(ctx, id);
      const record = JSON.parse(json) as OpeningRecordJson;
      const rendered = await renderPdf(openingRecordDocument(record, `/api/sections/${id}/opening-record`));
      await logDownload(ctx, 'opening-record', id, rendered.sha256);
      return { ...rendered, code: record.section.code };
    },

    /**
     * GET /api/sections/:id/evaluation-report: the concluded evaluation with the opening record inside.
     * Visible as GET /api/sections/:id/evaluation is (from the publicity on; 404 before), and only
     * once concluded (409 for staff looking at a live preview). Time-independent, so that the JSON
     * and the PDF fetched later hash alike while the section stays in the same state.
     */
    async evaluationReport(ctx: RequestContext, id: string): Promise<EvaluationReportJson> {
      const { evaluation: v } = await deps.evaluation(ctx, id);
      const result = v.result as (EvaluationResultJson & { pending?: string }) | null;
      if (v.preview || !result || result.pending !== undefined || v.concludedAt === null) {
        throw new AppError(409, 'evaluation_not_concluded', `The evaluation of ${v.code} has not been concluded (the section is ${v.state}); the report is published with the candidates.`);
      }
      const section = await deps.section(ctx, id);
      const record = JSON.parse((await deps.openingRecord(ctx, id)).json) as EvaluationReportJson['openingRecord'];
      return {
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
        openingRecord: record,
      };
    },

    async evaluationReportPdf(ctx: RequestContext, id: string): Promise<RenderedPdf & { code: string }> {
      const report = await this.evaluationReport(ctx, id);
      const rendered = await renderPdf(evaluationReportDocument(report, `/api/sections/${id}/evaluation-report`));
      await logDownload(ctx, 'evaluation-report', id, rendered.sha256);
      return { ...rendered, code: report.section.code ?? id };
    },

    /** GET /api/sections/:id/award-notice.pdf: renders GET /api/sections/:id/award; public once awarded. */
    async awardNoticePdf(ctx: RequestContext, id: string): Promise<RenderedPdf & { code: string }> {
      const section = await deps.section(ctx, id);
      const json = (await deps.award(id)) as AwardJson;
      const rendered = await renderPdf(awardNoticeDocument(json, section, `/api/sections/${id}/award`));
      await logDownload(ctx, 'award-notice', id, rendered.sha256);
      return { ...rendered, code: json.award.code };
    },

    /** GET /api/sections/:id/dossier: supervisors, auditors and admins only. */
    async dossier(ctx: RequestContext, id: string): Promise<Dossier> {
      const actor = requireActor(ctx);
      if (!isOverseer(actor)) throw forbidden(`Only supervisors, auditors and admins may read a section dossier; you are signed in as ${actor.role}.`);
      const section = await deps.section(ctx, id);
      const { bids, checkpoints } = await publishedBids(ctx, id);
      return buildDossier({ audit, section, bids, recordCheckpoints: checkpoints, verify: verifySteps(id) });
    },

    async dossierPdf(ctx: RequestContext, id: string): Promise<RenderedPdf & { code: string }> {
      const dossier = await this.dossier(ctx, id);
      const rendered = await renderPdf(dossierDocument(dossier, `/api/sections/${id}/dossier`));
      await logDownload(ctx, 'dossier', id, rendered.sha256);
      return { ...rendered, code: dossier.section.code ?? id };
    },
  };
}

export type RecordsService = ReturnType<typeof createRecordsService>;
