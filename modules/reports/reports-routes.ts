import crypto from 'node:crypto';
import { rateReportSchema } from '../formats/rate-report';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { ApiRegistry } from '../../server/http/route';
import { AppError, tooLarge, validationFailed } from '../core/errors';
import { CENTRE_CODES } from '../centres/centre-rules';
import type { ImportsService } from './imports-service';
import { ratesCsvHead, ratesCsvSections, ratesCsvTail } from './reports-csv';
import { importResponse } from './reports-schemas';
import type { RecordsService } from '../records/records-service';
import { sendPdf } from '../records/records-routes';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ReportQuery, type ReportsService } from './reports-service';

/** A historical import is a few MB at most (tens of thousands of rows). */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

const ratesQuery = z.strictObject({
  from: z.string().describe('First award date of the period, YYYY-MM-DD (inclusive), in the centre time zone.'),
  to: z.string().describe('Last award date of the period, YYYY-MM-DD (inclusive).'),
  centre: z.enum(CENTRE_CODES).optional(),
  format: z.enum(['json', 'csv', 'pdf']).optional(),
  limit: z.string().optional().describe(`Sections per page of the JSON report, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}); the CSV has every section.`),
  cursor: z.string().optional().describe('page.next of the previous page, for the next page of sections.'),
});

/** ?limit= as a number for checkLimit (which answers 422 for anything that is not 1..MAX_PAGE_SIZE). */
const limitOf = (text: string | undefined) => (text === undefined ? undefined : /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN);

/**
 * The CSV of every section of the period: the report's sums first (they are small), then the
 * sections page by page, each written before the next is read, so that memory stays one page
 * whatever the period holds; the centre and combined rows close the file as before.
 */
async function sendRatesCsv(reports: ReportsService, q: ReportQuery, res: Response): Promise<void> {
  const report = await reports.rates({ ...q, limit: MAX_PAGE_SIZE });
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="rates-${q.from}-${q.to}.csv"`);
  const write = async (text: string) => {
    if (res.write(text)) return;
    // Wait for the client to take the bytes (or go away), leaving no listener behind.
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  await write(ratesCsvHead());
  let sections = report.sections;
  let next = report.page.next;
  for (;;) {
    await write(ratesCsvSections(sections));
    if (next === null || res.destroyed) break;
    ({ sections, next } = await reports.sectionsPage(q, next, MAX_PAGE_SIZE));
  }
  res.end(ratesCsvTail(report));
}

async function readCsvBody(req: Request): Promise<{ text: string; sha256: string }> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'text/csv' && type !== 'text/plain') {
    throw new AppError(415, 'unsupported_media_type', `Send the CSV file as the request body with Content-Type: text/csv (got "${type || 'none'}").`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_IMPORT_BYTES) throw tooLarge(`The CSV is ${declared} bytes; the limit is ${MAX_IMPORT_BYTES} bytes. Split it into several imports.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_IMPORT_BYTES) throw tooLarge(`The CSV is larger than ${MAX_IMPORT_BYTES} bytes. Split it into several imports.`);
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw validationFailed('The CSV is not valid UTF-8; save it as "CSV UTF-8" and send it again.', [{ field: 'body', message: 'the body must be UTF-8 text' }]);
  }
  return { text, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}

/** The rate report's PDF: rendered by the records module off the event loop, limited like the other public PDFs. */
export interface RatesPdf {
  render: RecordsService['rateReportPdf'];
  limiter: RequestHandler;
}

export function reportsRoutes(reports: ReportsService, imports: ImportsService, registry: ApiRegistry, pdf: RatesPdf): Router {
  const router = Router();
  router.get('/api/reports/rates', (req, res, next) => (req.query.format === 'pdf' ? pdf.limiter(req, res, next) : next()));

  registry.add(router, {
    method: 'get',
    path: '/api/reports/rates',
    public: true,
    tag: 'reports',
    summary:
      'Savings rate (cost side) and value-added rate (revenue side) per section, per centre and combined, for the award dates from..to (inclusive, centre time zone), live and imported results, with counts and a weighted rate per month (or year) per centre; the sections come one page at a time (limit up to 1000, cursor = page.next of the previous page); format=csv for a spreadsheet of every section, format=pdf for the PDF record (with a chart per centre; states the SHA-256 of the JSON report).',
    access: 'anyone',
    query: ratesQuery,
    response: rateReportSchema,
    responseFile: { mediaTypes: ['text/csv', 'application/pdf'], description: 'The rate report: JSON by default, a spreadsheet with format=csv, the PDF record with format=pdf' },
    handler: async ({ query, req, res }) => {
      const q = { from: query.from, to: query.to, centre: query.centre };
      if (query.format === 'csv') {
        await sendRatesCsv(reports, q, res);
        return undefined;
      }
      // The PDF prints the page the same query gives as JSON (and states that JSON's SHA-256).
      const report = await reports.rates({ ...q, limit: limitOf(query.limit), cursor: query.cursor });
      if (query.format === 'pdf') {
        const paging = `${query.limit !== undefined ? `&limit=${encodeURIComponent(query.limit)}` : ''}${query.cursor !== undefined ? `&cursor=${encodeURIComponent(query.cursor)}` : ''}`;
        const source = `/api/reports/rates?from=${query.from}&to=${query.to}${query.centre ? `&centre=${query.centre}` : ''}${paging}`;
        return sendPdf(req, res, await pdf.render(report, source, `rates-${query.from}-${query.to}.pdf`));
      }
      return report;
    },
  });

  registry.add(router, {
    method: 'post',
    path: '/api/reports/imports',
    tag: 'reports',
    summary:
      'Import historical awarded sections: the body is a CSV (text/csv, UTF-8) with the header centre,code,title,reference_price,award_amount,award_date[,reference_kind]; amounts in yuan, dates YYYY-MM-DD. All rows or none; 422 lists every error with its line.',
    access: "operator of each row's centre, admin",
    status: 201,
    openapi: { requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } } },
    response: importResponse,
    handler: async ({ ctx, req }) => imports.importHistory(ctx, await readCsvBody(req)),
  });

  return router;
}
