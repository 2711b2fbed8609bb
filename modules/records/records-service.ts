// PDF records for the public and for auditors: the opening record, the rate report and the section
// dossier. Each renders the very JSON document its JSON endpoint serves and states its SHA-256;
// downloads of opening records and dossiers are audit entries ('record.downloaded').
import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service';
import { isOverseer, requireActor, type RequestContext } from '../core/context';
import { forbidden } from '../core/errors';
import type { RatesReport } from '../reports/reports-service';
import { dossierDocument, verifySteps } from '../../templates/records/dossier';
import { openingRecordDocument, type OpeningRecordJson } from '../../templates/records/opening-record';
import { rateReportDocument } from '../../templates/records/rate-report';
import { buildDossier, type Dossier, type DossierSection, type SectionBidRef } from './dossier';
import { renderPdf, type RenderedPdf } from './pdf';

export type RecordKind = 'opening-record' | 'dossier' | 'rate-report';

export interface RecordsDeps {
  knex: Knex;
  audit: AuditService;
  /** The section as its reader may see it (404/403 from the tenders service otherwise). */
  section(ctx: RequestContext, id: string): Promise<DossierSection>;
  /** The published opening record (canonical JSON); throws 404/409 while there is none. */
  openingRecord(ctx: RequestContext, id: string): Promise<{ json: string; sha256: string }>;
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
