// The historical import page: GET shows the upload form (and, after an import, what it stored);
// POST takes the CSV as a plain file upload, hands it to the imports service exactly as the API does
// (all rows or none), and on a refusal lists every row error with its line number.
import crypto from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { AppError, forbidden } from '../../modules/core/errors';
import { formatYuan } from '../../modules/core/money';
import { CENTRE_CODES } from '../../modules/centres/centre-rules';
import { MAX_IMPORT_BYTES } from '../../modules/reports/reports-routes';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { href } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { IMPORT_PATH, type ImportPageData, type RowError, staffImportPage } from '../../templates/pages/staff-import-page';
import { fill } from '../../templates/pages/text';
import { toAppError } from '../http/errors';
import { filesOf, multipartForm } from './multipart';
import { failureOf, seeOther, sendPage } from './respond';
import { signedIn } from './signed-in';
import { one, type StaffWorkKit } from './staff-work-kit';

export function staffImportRoutes(kit: StaffWorkKit): Router {
  const { services, tokens, context } = kit;
  const router = Router();

  const mayImport = (req: Request) => {
    const role = req.ctx.actor?.role;
    if (role !== 'operator' && role !== 'admin') throw forbidden('Only centre operators and admins import historical results.');
  };

  const page = async (req: Request, res: Response, status: number, form: FormState, rowErrors: ImportPageData['rowErrors'] = null) => {
    const c = await context(req, res, { form: true });
    const names: Record<string, string> = {};
    for (const code of CENTRE_CODES) {
      const r = await services.centres.rules(code);
      names[code] = c.lang === 'en' ? r.nameEn : r.nameZh;
    }
    let imported: ImportPageData['imported'] = null;
    const id = status === 200 ? one(req, 'imported') : undefined;
    if (id) {
      const rows = await services.imports.resultsOfImport(id);
      imported = {
        sha256: null,
        rows: rows.map((r) => ({
          centre: r.centre,
          code: r.code,
          title: r.title,
          referenceKind: r.referenceKind,
          referencePrice: formatYuan(r.referencePriceFen),
          awardAmount: formatYuan(r.awardAmountFen),
          awardDate: r.awardDate,
        })),
      };
    }
    sendPage(res, status, staffImportPage(c, { form, rowErrors, imported, centreNames: names }));
  };

  router.get(IMPORT_PATH, signedIn, async (req, res) => {
    mayImport(req);
    await page(req, res, 200, emptyForm());
  });

  router.post(
    IMPORT_PATH,
    multipartForm(MAX_IMPORT_BYTES + 64 * 1024),
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      mayImport(req);
      const c = await context(req, res, { form: true });
      const w = c.s.staffWork;
      const file = filesOf(req).find((f) => f.field === 'csv');
      if (!file || (file.filename === '' && file.bytes.length === 0)) return page(req, res, 422, { values: {}, errors: { csv: w.csvRequired } });
      if (file.bytes.length > MAX_IMPORT_BYTES) return page(req, res, 413, { values: {}, errors: { csv: w.csvTooLarge } });
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
      } catch {
        return page(req, res, 422, { values: {}, errors: { csv: w.csvNotUtf8 } });
      }
      let result: { import: { id: string } };
      try {
        result = await services.imports.importHistory(req.ctx, { text, sha256: crypto.createHash('sha256').update(file.bytes).digest('hex') });
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        const lines: RowError[] = (err.details ?? []).flatMap((d) =>
          typeof d.line === 'number'
            ? [
                {
                  line: d.line,
                  field: String(d.field ?? ''),
                  message: d.message,
                  ...(typeof d.rule === 'string' ? { rule: d.rule } : {}),
                  ...(d.params && typeof d.params === 'object' ? { params: d.params as Record<string, string | number> } : {}),
                },
              ]
            : [],
        );
        if (err.status === 422 && lines.length) {
          const total = Number(/has (\d+) /.exec(err.message)?.[1] ?? lines.length);
          return page(req, res, 422, { values: {}, errors: { csv: fill(w.importErrorsField, { n: total }) } }, { total, shown: lines });
        }
        return page(req, res, err.status, { values: {}, errors: { csv: failureText(c.lang, failureOf(err, res)) } });
      }
      seeOther(res, href(c, IMPORT_PATH, { imported: result.import.id }));
    },
    async (error: unknown, req: Request, res: Response, next: (e?: unknown) => void) => {
      const err = toAppError(error);
      if (!err || err.status >= 500 || err.status === 404 || err.code === 'cross_site_request' || !req.ctx?.actor || !['operator', 'admin'].includes(req.ctx.actor.role)) return next(error);
      const c = await context(req, res, { form: true });
      const text = err.status === 413 ? c.s.staffWork.csvTooLarge : failureText(c.lang, failureOf(err, res));
      await page(req, res, err.status, { values: {}, errors: { csv: text } });
    },
  );

  return router;
}
