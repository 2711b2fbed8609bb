// SQL for imported historical results (imported_results).
import type { Db } from '../../db/transactions';
import { fenParam, toFen, toInt, toMs, toStr } from '../../db/row';

export interface ImportedResult {
  id: string;
  centre: string;
  code: string;
  title: string;
  referenceKind: string;
  referencePriceFen: bigint;
  awardAmountFen: bigint;
  awardDate: string;
  awardedAt: number;
  importId: string;
  lineNo: number;
  importedBy: string;
  importedAt: number;
}

const mapRow = (r: any): ImportedResult => ({
  id: toStr(r.id),
  centre: toStr(r.centre_code),
  code: toStr(r.code),
  title: toStr(r.title),
  referenceKind: toStr(r.reference_kind),
  referencePriceFen: toFen(r.reference_price_fen),
  awardAmountFen: toFen(r.award_amount_fen),
  awardDate: toStr(r.award_date),
  awardedAt: toMs(r.awarded_at),
  importId: toStr(r.import_id),
  lineNo: toInt(r.line_no),
  importedBy: toStr(r.imported_by),
  importedAt: toMs(r.imported_at),
});

export async function insertResults(db: Db, rows: ImportedResult[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db('imported_results').insert(
      rows.slice(i, i + 200).map((r) => ({
        id: r.id,
        centre_code: r.centre,
        code: r.code,
        title: r.title,
        reference_kind: r.referenceKind,
        reference_price_fen: fenParam(r.referencePriceFen),
        award_amount_fen: fenParam(r.awardAmountFen),
        award_date: r.awardDate,
        awarded_at: r.awardedAt,
        import_id: r.importId,
        line_no: r.lineNo,
        imported_by: r.importedBy,
        imported_at: r.importedAt,
      })),
    );
  }
}

export async function existingImportCodes(db: Db, codes: string[]): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await db('imported_results')
      .select('code')
      .whereIn('code', codes.slice(i, i + 500));
    found.push(...rows.map((r: any) => toStr(r.code)));
  }
  return found;
}

/** Imported results with awarded_at in [from, to). */
export async function resultsBetween(db: Db, from: number, to: number): Promise<ImportedResult[]> {
  const rows = await db('imported_results')
    .whereBetween('awarded_at', [from, to - 1])
    .orderBy([{ column: 'awarded_at' }, { column: 'code' }]);
  return rows.map(mapRow);
}
