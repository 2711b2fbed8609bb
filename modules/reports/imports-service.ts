// Historical results: a centre that adopts the platform imports its earlier awarded sections from
// CSV so that the rate reports cover those years too. Validated row by row (every error names its
// line), stored all-or-nothing in one transaction, recorded in the audit log, and flagged as
// imported in every report.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { requireActor, type RequestContext } from '../core/context';
import { type AppError, conflict, forbidden, validationFailed, type ErrorDetail } from '../core/errors';
import { newId } from '../core/ids';
import { parseYuan } from '../core/money';
import { isUniqueViolation, type InTransaction } from '../../db/transactions';
import type { AuditedTx } from '../audit/audit-service';
import { localDate } from '../centres/calendar';
import { CENTRE_CODES, type CentreCode } from '../centres/centre-rules';
import type { CentreRules, CentresService } from '../centres/centres-service';
import type { SectionFacts } from '../tenders/section-facts';
import { CsvSyntaxError, parseCsv } from './csv';
import * as store from './imports-store';
import { isCalendarDate, localMidnight } from './period';
import { textProblem } from '../core/text';

export const REQUIRED_COLUMNS = ['centre', 'code', 'title', 'reference_price', 'award_amount', 'award_date'] as const;
export const OPTIONAL_COLUMNS = ['reference_kind'] as const;
export const MAX_IMPORT_ROWS = 50_000;
/** At most this many details in one answer; the message gives the total. */
const MAX_DETAILS = 500;

type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

export interface ImportDetail extends ErrorDetail {
  line: number;
  field: string;
  /** What is wrong (a key), with `params`, for a page to say in its own language; `message` is the English. */
  rule: string;
  params?: Record<string, string | number>;
}

export interface ImportsDeps {
  knex: Knex;
  clock: Clock;
  inTransaction: InTransaction<AuditedTx>;
  centres: Pick<CentresService, 'rules'>;
  sections: Pick<SectionFacts, 'existingCodes'>;
}

function invalid(details: ImportDetail[], what: string): AppError {
  const shown = details.slice(0, MAX_DETAILS);
  const first = details[0]!;
  return validationFailed(
    `The CSV has ${details.length} ${what}; nothing was imported. First: ${first.message}${details.length > shown.length ? ` (the first ${shown.length} are listed)` : ''}`,
    shown,
  );
}

export function createImportsService(deps: ImportsDeps) {
  const { knex, clock, inTransaction, centres, sections } = deps;

  return {
    async importHistory(ctx: RequestContext, csv: { text: string; sha256: string }) {
      const actor = requireActor(ctx);
      if (actor.role !== 'admin' && actor.role !== 'operator') {
        throw forbidden(`Only centre operators and admins may import historical results; you are signed in as ${actor.role}.`);
      }
      const line1 = (message: string, rule: string, params?: ImportDetail['params'], field = 'header'): ImportDetail => ({
        line: 1,
        field,
        message: `line 1: ${message}`,
        rule,
        ...(params ? { params } : {}),
      });

      let records: ReturnType<typeof parseCsv>;
      try {
        records = parseCsv(csv.text);
      } catch (err) {
        if (err instanceof CsvSyntaxError) throw invalid([{ line: err.line, field: '(row)', message: err.message, rule: err.rule }], 'syntax error');
        throw err;
      }
      if (records.length === 0) throw invalid([line1(`the file is empty; the first line must be the header ${REQUIRED_COLUMNS.join(',')}[,reference_kind]`, 'emptyFile')], 'error');

      // The header: the required columns in any order, plus the optional ones.
      const header = records[0]!;
      const names = header.fields.map((f) => f.trim().toLowerCase());
      const known = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
      const headerErrors: ImportDetail[] = [];
      for (const n of names) if (!known.has(n)) headerErrors.push(line1(`unknown column "${n}"; the columns are ${[...known].join(', ')}`, 'unknownColumn', { name: n }));
      for (const c of REQUIRED_COLUMNS) if (!names.includes(c)) headerErrors.push(line1(`the column "${c}" is missing`, 'missingColumn', { name: c }));
      if (new Set(names).size !== names.length) headerErrors.push(line1('a column appears twice', 'duplicateColumn'));
      if (headerErrors.length) throw invalid(headerErrors, 'header errors');
      const rowsIn = records.slice(1);
      if (rowsIn.length === 0) throw invalid([line1('there are no rows after the header', 'noRows')], 'error');
      if (rowsIn.length > MAX_IMPORT_ROWS)
        throw invalid([line1(`at most ${MAX_IMPORT_ROWS} rows per import; got ${rowsIn.length}`, 'tooManyRows', { max: MAX_IMPORT_ROWS, got: rowsIn.length })], 'error');

      const rules = new Map<string, CentreRules>();
      for (const code of CENTRE_CODES) rules.set(code, await centres.rules(code));

      const errors: ImportDetail[] = [];
      const refused: number[] = [];
      const now = clock.now();
      const importId = newId();
      const parsed: store.ImportedResult[] = [];
      const firstLineOfCode = new Map<string, number>();

      for (const rec of rowsIn) {
        const line = rec.line;
        const err = (field: string, message: string, rule: string, params?: ImportDetail['params']) =>
          errors.push({ line, field, message: `line ${line}: ${field} ${message}`, rule, ...(params ? { params } : {}) });
        if (rec.fields.length !== names.length) {
          errors.push({
            line,
            field: '(row)',
            message: `line ${line}: has ${rec.fields.length} fields; the header has ${names.length}`,
            rule: 'fieldCount',
            params: { got: rec.fields.length, want: names.length },
          });
          continue;
        }
        const v = Object.fromEntries(names.map((n, i) => [n, rec.fields[i]!.trim()])) as Partial<Record<Column, string>>;
        const before = errors.length;

        const centre = v.centre ?? '';
        const r = rules.get(centre);
        if (!r) err('centre', `"${centre}" is not a centre; use one of ${CENTRE_CODES.join(', ')}`, 'badCentre', { value: centre });
        else if (actor.role !== 'admin' && !actor.centres.includes(centre)) refused.push(line);

        const code = v.code ?? '';
        if (code === '' || code.length > 48) err('code', 'must be 1 to 48 characters', 'codeLength');
        // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
        else if (/[\u0000-\u001f\u007f]/.test(code)) err('code', 'must not contain control characters', 'codeControl');
        else {
          // Case-insensitive, as MySQL's collation compares the unique index.
          const key = code.toUpperCase();
          const seen = firstLineOfCode.get(key);
          if (seen !== undefined) err('code', `"${code}" is also on line ${seen}; each code is imported once`, 'codeRepeated', { value: code, first: seen });
          else firstLineOfCode.set(key, line);
        }

        const title = v.title ?? '';
        // Titles of old records may run over two lines; invisible characters are refused all the same.
        const titleProblem = textProblem(title.replace(/\r\n/g, '\n'), true);
        if (title === '' || title.length > 200) err('title', 'must be 1 to 200 characters', 'titleLength');
        else if (titleProblem) err('title', titleProblem, 'titleText');

        const reference = parseYuan(v.reference_price ?? '');
        if (!reference.ok) err('reference_price', `"${v.reference_price}" ${reference.reason} (yuan)`, 'yuanInvalid', { value: v.reference_price ?? '' });
        else if (reference.fen === 0n) err('reference_price', 'must be more than zero', 'amountZero');

        const award = parseYuan(v.award_amount ?? '');
        if (!award.ok) err('award_amount', `"${v.award_amount}" ${award.reason} (yuan)`, 'yuanInvalid', { value: v.award_amount ?? '' });
        else if (award.fen === 0n) err('award_amount', 'must be more than zero', 'amountZero');

        const date = v.award_date ?? '';
        if (!isCalendarDate(date) || date < '1900-01-01') err('award_date', `"${date}" is not a date written YYYY-MM-DD`, 'dateInvalid', { value: date });
        else if (r && date > localDate(now, r.settings.timeZone)) err('award_date', `${date} is in the future`, 'dateFuture', { value: date });

        let kind = v.reference_kind ?? '';
        if (r) {
          if (kind === '') kind = r.settings.referenceKinds[0]!;
          else if (!(r.settings.referenceKinds as string[]).includes(kind)) {
            err('reference_kind', `"${kind}" is not a reference price of the ${centre} centre; use one of ${r.settings.referenceKinds.join(', ')}`, 'kindInvalid', {
              value: kind,
              centre,
              kinds: r.settings.referenceKinds.join(', '),
            });
          }
        }

        if (errors.length === before && r && reference.ok && award.ok) {
          parsed.push({
            id: newId(),
            centre,
            code,
            title,
            referenceKind: kind,
            referencePriceFen: reference.fen,
            awardAmountFen: award.fen,
            awardDate: date,
            awardedAt: localMidnight(date, r.settings.timeZone),
            importId,
            lineNo: line,
            importedBy: actor.userId,
            importedAt: now,
          });
        }
      }

      if (refused.length) {
        const lines = refused.slice(0, 20).join(', ') + (refused.length > 20 ? ', …' : '');
        throw forbidden(`You may import results only for your own centres (${actor.centres.join(', ') || 'none'}); lines ${lines} belong to other centres. Nothing was imported.`);
      }

      // Codes must be new: neither imported before nor the code of a section on the platform.
      const codes = parsed.map((p) => p.code);
      const taken = new Set([...(await sections.existingCodes(codes)), ...(await store.existingImportCodes(knex, codes))].map((c) => c.toUpperCase()));
      for (const p of parsed) {
        if (taken.has(p.code.toUpperCase())) {
          errors.push({
            line: p.lineNo,
            field: 'code',
            message: `line ${p.lineNo}: code "${p.code}" already exists (an earlier import or a section on the platform)`,
            rule: 'codeTaken',
            params: { value: p.code },
          });
        }
      }
      if (errors.length)
        throw invalid(
          errors.sort((a, b) => a.line - b.line),
          errors.length === 1 ? 'invalid row' : 'invalid rows',
        );

      const byCentre: Record<string, number> = {};
      for (const p of parsed) byCentre[p.centre] = (byCentre[p.centre] ?? 0) + 1;
      try {
        await inTransaction(async (tx) => {
          await store.insertResults(tx.db, parsed);
          await tx.audit.append(ctx, {
            action: 'reports.history_imported',
            objectType: 'import',
            objectId: importId,
            data: { rows: parsed.length, sha256: csv.sha256, centres: byCentre, importer: actor.username },
          });
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw conflict('Another import with some of the same codes was stored meanwhile; nothing was imported. Check the codes and send the file again.');
        throw e;
      }
      return { import: { id: importId, rows: parsed.length, sha256: csv.sha256, centres: byCentre as Partial<Record<CentreCode, number>> } };
    },

    /** For the reports: one centre's imported results summed per bucket of dates (store.importTotals). */
    importTotals(centre: string, starts: readonly string[], to: string) {
      return store.importTotals(knex, centre, starts, to);
    },

    /** For the reports: a page of imported results in (awardedAt, code) order (store.importsPage). */
    importedPage(q: Parameters<typeof store.importsPage>[1], after: Parameters<typeof store.importsPage>[2], limit: number) {
      return store.importsPage(knex, q, after, limit);
    },

    /** The rows of one import, in file order. */
    resultsOfImport(importId: string) {
      return store.resultsOfImport(knex, importId);
    },
  };
}

export type ImportsService = ReturnType<typeof createImportsService>;
