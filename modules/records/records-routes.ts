import { Router, type Response } from 'express';
import type { ApiRegistry } from '../../server/http/route';
import type { RenderedPdf } from './pdf';
import type { RecordsService } from './records-service';

const PDF_RESPONSE = { responses: { 200: { description: 'the PDF record', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } } } };

/** Sends a rendered PDF with its JSON digest in a header (the same one the PDF states). */
export function sendPdf(res: Response, rendered: RenderedPdf, filename: string): undefined {
  res
    .status(200)
    .type('application/pdf')
    .set('Etender-Json-Sha256', rendered.sha256)
    .set('Content-Disposition', `inline; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .send(rendered.pdf);
  return undefined;
}

export function recordsRoutes(records: RecordsService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/opening-record.pdf',
    tag: 'records',
    summary:
      'The opening record (开标记录表) as PDF, rendering the JSON of GET /api/sections/:id/opening-record; states that JSON\'s SHA-256 (also in the Etender-Json-Sha256 header). The download is an audit entry.',
    access: 'public, once the record is published',
    public: true,
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, res }) => {
      const pdf = await records.openingRecordPdf(ctx, params.id!);
      return sendPdf(res, pdf, `opening-record-${pdf.code}.pdf`);
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/evaluation-report',
    tag: 'records',
    summary:
      'The evaluation report (评标报告) as JSON: the section, the method, the ranking with prices (scores per evaluator and criterion, weights and the price-score formula for comprehensive scoring), excluded bids with reasons, the candidates, the reserve once opened, objections with answers, declines, and the whole opening record. Public from the candidate publicity on (as GET /api/sections/:id/evaluation); 404 before, 409 while not concluded.',
    access: 'public from the publicity on',
    public: true,
    handler: async ({ ctx, params }) => records.evaluationReport(ctx, params.id!),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/evaluation-report.pdf',
    tag: 'records',
    summary: "The evaluation report as PDF, rendering the JSON of GET /api/sections/:id/evaluation-report; states that JSON's SHA-256 (also in the Etender-Json-Sha256 header). The download is an audit entry.",
    access: 'public from the publicity on',
    public: true,
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, res }) => {
      const pdf = await records.evaluationReportPdf(ctx, params.id!);
      return sendPdf(res, pdf, `evaluation-report-${pdf.code}.pdf`);
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/award-notice.pdf',
    tag: 'records',
    summary:
      "The award notice (中标通知书 / 成交通知书) as PDF, rendering the JSON of GET /api/sections/:id/award: the winner, the amount in yuan and in capitals (大写), the award date (Asia/Shanghai), the section, the centre and the notice text; states that JSON's SHA-256. Public once awarded (404 before). The download is an audit entry.",
    access: 'public, once awarded',
    public: true,
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, res }) => {
      const pdf = await records.awardNoticePdf(ctx, params.id!);
      return sendPdf(res, pdf, `award-notice-${pdf.code}.pdf`);
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/dossier',
    tag: 'records',
    summary: 'The section dossier as JSON: every audit entry of the section and of its published bids with leaf hashes, the covering checkpoint and how to verify.',
    access: 'supervisor, auditor, admin',
    handler: async ({ ctx, params }) => records.dossier(ctx, params.id!),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/dossier.pdf',
    tag: 'records',
    summary: 'The section dossier as PDF, rendering the JSON of GET /api/sections/:id/dossier and stating its SHA-256. The download is an audit entry.',
    access: 'supervisor, auditor, admin',
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, res }) => {
      const pdf = await records.dossierPdf(ctx, params.id!);
      return sendPdf(res, pdf, `dossier-${pdf.code}.pdf`);
    },
  });

  return router;
}
