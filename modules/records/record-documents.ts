// Which layout renders which record: the one mapping from a render job (kind, the JSON it renders,
// where that JSON is served) to the document model of templates/records/. The worker thread builds
// the model from the job, so that neither the layout nor pdfkit runs on the server's event loop.
import { awardNoticeDocument, type AwardJson, type AwardNoticeSection } from '../../templates/records/award-notice';
import { dossierDocument } from '../../templates/records/dossier';
import { evaluationReportDocument, type EvaluationReportJson } from '../../templates/records/evaluation-report';
import { openingRecordDocument } from '../../templates/records/opening-record';
import { parseOpeningRecord } from '../formats/opening-record';
import { rateReportDocument } from '../../templates/records/rate-report';
import type { RatesReport } from '../reports/reports-service';
import type { Dossier } from './dossier';
import type { RecordDocument } from './pdf';
import type { RenderContext } from '../../templates/records/strings';

export type RecordKind = 'opening-record' | 'evaluation-report' | 'award-notice' | 'dossier' | 'rate-report';

export interface RenderJob {
  kind: RecordKind;
  /** The JSON text of the document the PDF renders (its digest is the PDF's key). */
  json: string;
  /** Where that JSON is served, printed next to the digest. */
  source: string;
  /** The award notice also prints section facts that are not part of the award JSON. */
  section?: AwardNoticeSection;
  /**
   * What the layout prints besides the JSON: the centres' names and time zones as on the portal,
   * names for the ids in a dossier. Not part of the digest: the PDF states the JSON's digest.
   */
  context?: RenderContext;
}

export function documentFor(job: RenderJob): RecordDocument {
  const json = JSON.parse(job.json) as unknown;
  switch (job.kind) {
    case 'opening-record':
      return openingRecordDocument(parseOpeningRecord(job.json), job.source, job.context);
    case 'evaluation-report':
      return evaluationReportDocument(json as EvaluationReportJson, job.source, job.context);
    case 'award-notice':
      return awardNoticeDocument(json as AwardJson, job.section ?? { title: '', projectTitle: null, tenderee: null }, job.source, job.context);
    case 'dossier':
      return dossierDocument(json as Dossier, job.source, job.context);
    case 'rate-report':
      return rateReportDocument(json as RatesReport, job.source, job.context);
  }
}
