// SQL for imported historical results (imported_results).
import type { Db } from '../../db/transactions';
import { readExactSum, withExactSums } from '../../db/exact-sum';
import { listIndex } from '../../db/dialect';
import { REFERENCE_KINDS } from '../centres/centre-rules';
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

/** The sums of one bucket of a report: the imported results in it, summed in SQL. */
export interface BucketSums {
  count: number;
  referenceFen: bigint;
  finalFen: bigint;
}

/**
 * The imported results of one centre per bucket, bucket i holding the award dates (YYYY-MM-DD, the
 * date as imported) from starts[i] up to starts[i + 1] (the last up to and including `to`): count,
 * Σ reference, Σ award amount, and the reference kinds among them. One UNION ALL of a plain
 * aggregate per bucket, each a covering index range (imported_centre_totals_idx), exact integer
 * sums (db/exact-sum.ts); each kind one index seek (imported_centre_kind_idx).
 */
export async function importTotals(db: Db, centre: string, starts: readonly string[], to: string): Promise<{ buckets: BucketSums[]; kinds: string[] }> {
  const rows = await withExactSums(db, (sum) => {
    const parts = starts.map((from, i) => {
      const q = db('imported_results')
        .select(db.raw(`${i} AS bucket`), db.raw('COUNT(*) AS n'), ...sum('reference_price_fen', 'ref'), ...sum('award_amount_fen', 'fin'))
        .where('centre_code', centre)
        .where('award_date', '>=', from);
      return i + 1 < starts.length ? q.where('award_date', '<', starts[i + 1]!) : q.where('award_date', '<=', to);
    });
    return parts.length > 1 ? parts[0]!.unionAll(parts.slice(1), false) : parts[0]!;
  });
  const buckets = starts.map(() => ({ count: 0, referenceFen: 0n, finalFen: 0n }));
  for (const r of rows as any[]) buckets[toInt(r.bucket)] = { count: toInt(r.n), referenceFen: readExactSum(r, 'ref'), finalFen: readExactSum(r, 'fin') };
  const kinds: string[] = [];
  for (const kind of REFERENCE_KINDS) {
    const hit = await db('imported_results').first(db.raw('1 AS hit')).where({ centre_code: centre, reference_kind: kind }).where('award_date', '>=', starts[0]!).where('award_date', '<=', to);
    if (hit) kinds.push(kind);
  }
  return { buckets, kinds };
}

/**
 * Up to `limit` imported results of `centres` with an award date in [from, to], in (awarded_at,
 * code) order from `after` on. awarded_at is the award date's local midnight, so [lo, hi) (the
 * period with a margin) bounds the walk of imported_list_idx; the date itself decides.
 */
export async function importsPage(
  db: Db,
  q: { centres: readonly string[]; from: string; to: string; lo: number; hi: number },
  after: { awardedAt: number; code: string; inclusive: boolean } | null,
  limit: number,
): Promise<ImportedResult[]> {
  if (q.centres.length === 0) return [];
  const query = db
    .from(listIndex(db, 'imported_results', 'imported_list_idx'))
    // The walk starts at the cursor's instant: the OR below alone would not bound the index range.
    .where('awarded_at', '>=', Math.max(q.lo, after?.awardedAt ?? Number.MIN_SAFE_INTEGER))
    .where('awarded_at', '<', q.hi)
    .whereIn('centre_code', [...q.centres])
    .where('award_date', '>=', q.from)
    .where('award_date', '<=', q.to);
  if (after) {
    query.where((w) => w.where('awarded_at', '>', after.awardedAt).orWhere((o) => o.where('awarded_at', after.awardedAt).where('code', after.inclusive ? '>=' : '>', after.code)));
  }
  const rows = await query.orderBy([{ column: 'awarded_at' }, { column: 'code' }]).limit(limit);
  return rows.map(mapRow);
}

/** The rows of one import, in file order. */
export async function resultsOfImport(db: Db, importId: string): Promise<ImportedResult[]> {
  const rows = await db('imported_results').where('import_id', importId).orderBy('line_no');
  return rows.map(mapRow);
}
