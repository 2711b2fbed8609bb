// The published formats, each one zod schema (validation, TypeScript type, OpenAPI component).
// The server, the CLI and the browser bundle import them from here or from their own file.
import { publicAwardSchema } from './award';
import { bidDocumentSchema } from './bid-document';
import { checkpointSchema } from './checkpoint';
import { dossierSchema } from './dossier';
import { evaluationReportSchema } from './evaluation-report';
import { logPromiseSchema, promiseStatusSchema } from './log-promise';
import { manifestSchema } from './manifest';
import { openingRecordSchema } from './opening-record';
import { rateReportSchema } from './rate-report';
import { publishedKeysSchema, receiptSchema } from './receipt';
import { sectionSchema } from './section';

/** The named components of /api/openapi.json: a response schema that contains one refers to it. */
export const FORMAT_COMPONENTS = {
  BidDocument: bidDocumentSchema,
  Manifest: manifestSchema,
  Checkpoint: checkpointSchema,
  LogPromise: logPromiseSchema,
  PromiseStatus: promiseStatusSchema,
  Receipt: receiptSchema,
  PublishedKeys: publishedKeysSchema,
  OpeningRecord: openingRecordSchema,
  EvaluationReport: evaluationReportSchema,
  Award: publicAwardSchema,
  Dossier: dossierSchema,
  RateReport: rateReportSchema,
  Section: sectionSchema,
} as const;
