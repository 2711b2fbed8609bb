import { pipeline } from 'node:stream/promises';
import { dossierSchema } from '../formats/dossier';
import { evaluationReportSchema } from '../formats/evaluation-report';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { ApiRegistry } from '../../server/http/route';
import { tooManyRequests } from '../core/errors';
import { downloadCountsResponse } from './records-schemas';
import type { PdfDownload, RecordsService } from './records-service';

const PDF_FILE = { mediaTypes: ['application/pdf'], description: 'The PDF record' };
/** The answers of a PDF download besides the file itself. */
const PDF_RESPONSE = {
  responses: {
    304: { description: 'not modified: the ETag (the JSON digest) given in If-None-Match is still the record' },
    429: { description: 'too many anonymous downloads from this address; see Retry-After' },
  },
};

/** Does If-None-Match name this ETag (or "*")? Weak and strong forms compare alike for GET. */
function notModified(req: Request, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * Sends a PDF record: the stored bytes with Content-Length, the JSON digest as ETag (and in
 * Etender-Json-Sha256, as the PDF states it), or 304 when the client already has it.
 */
export async function sendPdf(req: Request, res: Response, download: PdfDownload): Promise<undefined> {
  const etag = `"${download.sha256}"`;
  // Caches may keep it but must ask again (a 304 is cheap); what a signed-in user got stays in their own cache.
  res
    .set('ETag', etag)
    .set('Etender-Json-Sha256', download.sha256)
    .set('Cache-Control', req.ctx?.actor ? 'private, no-cache' : 'no-cache');
  if (notModified(req, etag)) {
    res.status(304).end();
    return undefined;
  }
  const head = req.method === 'HEAD';
  const { size, stream } = await download.deliver(!head);
  res
    .status(200)
    .type('application/pdf')
    .set('Content-Length', String(size))
    .set('Content-Disposition', `inline; filename="${download.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  if (head) {
    stream.destroy();
    res.end();
    return undefined;
  }
  try {
    await pipeline(stream, res);
  } catch (err) {
    // The client went away mid-download: nothing to answer and nobody to tell.
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || res.destroyed) return undefined;
    throw err;
  }
  return undefined;
}

/** Anonymous PDF downloads per address and minute; signed-in users are not limited here. */
export function publicDownloadLimiter(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => !!req.ctx?.actor,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: (_req, _res, next) =>
      next(
        tooManyRequests(
          `Too many PDF downloads from your address (at most ${perMinute} a minute); wait a minute and try again. A published record does not change: the copy you have is still the record.`,
        ),
      ),
  });
}

export interface RecordsRoutesOptions {
  /** Anonymous PDF downloads allowed per address and minute. */
  downloadsPerMinute: number;
}

export function recordsRoutes(records: RecordsService, registry: ApiRegistry, options: RecordsRoutesOptions): Router {
  const router = Router();
  const limiter = publicDownloadLimiter(options.downloadsPerMinute);
  for (const p of ['/api/sections/:id/opening-record.pdf', '/api/sections/:id/evaluation-report.pdf', '/api/sections/:id/award-notice.pdf']) router.get(p, limiter);

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/opening-record.pdf',
    tag: 'records',
    summary:
      "The opening record (开标记录表) as PDF, rendering the JSON of GET /api/sections/:id/opening-record; states that JSON's SHA-256 (also in the Etender-Json-Sha256 header). Anonymous downloads are limited per address (429 with Retry-After) and counted per day, not logged; a signed-in download is an audit entry. Served with the JSON digest as ETag (304 for If-None-Match).",
    access: 'public, once the record is published',
    public: true,
    responseFile: PDF_FILE,
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, req, res }) => sendPdf(req, res, await records.openingRecordPdf(ctx, params.id!)),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/evaluation-report',
    tag: 'records',
    summary:
      'The evaluation report (评标报告) as JSON: the section, the method, the ranking with prices (scores per evaluator and criterion, weights and the price-score formula for comprehensive scoring), excluded bids with reasons, the candidates, the reserve once opened, objections with answers, declines, and the whole opening record. Public from the candidate publicity on (as GET /api/sections/:id/evaluation); 404 before, 409 while not concluded.',
    access: 'public from the publicity on',
    public: true,
    response: evaluationReportSchema,
    handler: async ({ ctx, params }) => records.evaluationReport(ctx, params.id!),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/evaluation-report.pdf',
    tag: 'records',
    summary:
      "The evaluation report as PDF, rendering the JSON of GET /api/sections/:id/evaluation-report; states that JSON's SHA-256 (also in the Etender-Json-Sha256 header). Anonymous downloads are limited per address (429 with Retry-After) and counted per day, not logged; a signed-in download is an audit entry. Served with the JSON digest as ETag (304 for If-None-Match).",
    access: 'public from the publicity on',
    public: true,
    responseFile: PDF_FILE,
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, req, res }) => sendPdf(req, res, await records.evaluationReportPdf(ctx, params.id!)),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/award-notice.pdf',
    tag: 'records',
    summary:
      "The award notice (中标通知书 / 成交通知书) as PDF, rendering the JSON of GET /api/sections/:id/award: the winner, the amount in yuan and in capitals (大写), the award date (Asia/Shanghai), the section, the centre and the notice text; states that JSON's SHA-256. Public once awarded (404 before). Anonymous downloads are limited per address (429 with Retry-After) and counted per day, not logged; a signed-in download is an audit entry. Served with the JSON digest as ETag (304 for If-None-Match).",
    access: 'public, once awarded',
    public: true,
    responseFile: PDF_FILE,
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, req, res }) => sendPdf(req, res, await records.awardNoticePdf(ctx, params.id!)),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/dossier',
    tag: 'records',
    summary: 'The section dossier as JSON: every audit entry of the section and of its published bids with leaf hashes, the covering checkpoint and how to verify.',
    access: 'supervisor, auditor, admin',
    response: dossierSchema,
    handler: async ({ ctx, params }) => records.dossier(ctx, params.id!),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/dossier.pdf',
    tag: 'records',
    summary:
      'The section dossier as PDF, rendering the JSON of GET /api/sections/:id/dossier and stating its SHA-256. The download is an audit entry. Served with the JSON digest as ETag (304 for If-None-Match).',
    access: 'supervisor, auditor, admin',
    responseFile: PDF_FILE,
    openapi: PDF_RESPONSE,
    handler: async ({ ctx, params, req, res }) => sendPdf(req, res, await records.dossierPdf(ctx, params.id!)),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/record-downloads',
    tag: 'records',
    summary: "Anonymous downloads of the section's PDF records, counted per record kind and day (Asia/Shanghai); signed-in downloads are audit entries instead.",
    access: 'supervisor, auditor, admin',
    response: downloadCountsResponse,
    handler: async ({ ctx, params }) => records.downloadCounts(ctx, params.id!),
  });

  return router;
}
