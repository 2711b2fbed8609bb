// SQL for awards and contracts.
import type { Db } from '../../db/transactions';
import { readExactSum, withExactSums } from '../../db/exact-sum';
import { listIndex } from '../../db/dialect';
import { REFERENCE_KINDS } from '../centres/centre-rules';
import { fenParam, toFen, toFenOrNull, toInt, toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';

export interface Award {
  sectionId: string;
  centre: string;
  code: string;
  title: string;
  referenceKind: string;
  referencePriceFen: bigint;
  orgId: string | null;
  bidderName: string;
  amountFen: bigint;
  awardedAt: number;
  notice: string | null;
  contractSignedAt: number | null;
  contractAmountFen: bigint | null;
  createdBy: string | null;
  createdAt: number;
}

const mapAward = (r: any): Award => ({
  sectionId: toStr(r.section_id),
  centre: toStr(r.centre_code),
  code: toStr(r.code),
  title: toStr(r.title),
  referenceKind: toStr(r.reference_kind),
  referencePriceFen: toFen(r.reference_price_fen),
  orgId: toStrOrNull(r.org_id),
  bidderName: toStr(r.bidder_name),
  amountFen: toFen(r.amount_fen),
  awardedAt: toMs(r.awarded_at),
  notice: toStrOrNull(r.notice),
  contractSignedAt: toMsOrNull(r.contract_signed_at),
  contractAmountFen: toFenOrNull(r.contract_amount_fen),
  createdBy: toStrOrNull(r.created_by),
  createdAt: toMs(r.created_at),
});

export async function insertAward(db: Db, a: Award): Promise<void> {
  await db('awards').insert({
    section_id: a.sectionId,
    centre_code: a.centre,
    code: a.code,
    title: a.title,
    reference_kind: a.referenceKind,
    reference_price_fen: fenParam(a.referencePriceFen),
    org_id: a.orgId,
    bidder_name: a.bidderName,
    amount_fen: fenParam(a.amountFen),
    awarded_at: a.awardedAt,
    notice: a.notice,
    contract_signed_at: null,
    contract_amount_fen: null,
    created_by: a.createdBy,
    created_at: a.createdAt,
  });
}

export async function findAward(db: Db, sectionId: string): Promise<Award | null> {
  const r = await db('awards').where({ section_id: sectionId }).first();
  return r ? mapAward(r) : null;
}

/** Records the contract once: false if one was recorded meanwhile. */
export async function setContract(db: Db, sectionId: string, signedAt: number, amountFen: bigint, by: string): Promise<boolean> {
  const n = await db('awards')
    .where({ section_id: sectionId })
    .whereNull('contract_signed_at')
    .update({ contract_signed_at: signedAt, contract_amount_fen: fenParam(amountFen), contract_recorded_by: by });
  return Number(n) === 1;
}

/** The sums of one bucket of a report: the awards in it, summed in SQL. */
export interface BucketSums {
  count: number;
  referenceFen: bigint;
  finalFen: bigint;
}

/**
 * The awards of one centre per bucket, bucket i holding bounds[i] <= awarded_at < bounds[i + 1]:
 * count, Σ reference and Σ final (the contract amount once signed, else the award amount), and the
 * reference kinds among them. One UNION ALL of a plain aggregate per bucket, each a covering index
 * range (awards_centre_totals_idx, no sort); exact integer sums on both engines (db/exact-sum.ts).
 * Each kind is one index seek (awards_centre_kind_idx) that stops at its first row.
 */
export async function awardTotals(db: Db, centre: string, bounds: readonly number[]): Promise<{ buckets: BucketSums[]; kinds: string[] }> {
  const rows = await withExactSums(db, (sum) => {
    const parts = bounds.slice(0, -1).map((from, i) =>
      db('awards')
        .select(db.raw(`${i} AS bucket`), db.raw('COUNT(*) AS n'), ...sum('reference_price_fen', 'ref'), ...sum('COALESCE(contract_amount_fen, amount_fen)', 'fin'))
        .where('centre_code', centre)
        .where('awarded_at', '>=', from)
        .where('awarded_at', '<', bounds[i + 1]!),
    );
    return parts.length > 1 ? parts[0]!.unionAll(parts.slice(1), false) : parts[0]!;
  });
  const buckets = bounds.slice(0, -1).map(() => ({ count: 0, referenceFen: 0n, finalFen: 0n }));
  for (const r of rows as any[]) buckets[toInt(r.bucket)] = { count: toInt(r.n), referenceFen: readExactSum(r, 'ref'), finalFen: readExactSum(r, 'fin') };
  const kinds: string[] = [];
  for (const kind of REFERENCE_KINDS) {
    const hit = await db('awards')
      .first(db.raw('1 AS hit'))
      .where({ centre_code: centre, reference_kind: kind })
      .where('awarded_at', '>=', bounds[0]!)
      .where('awarded_at', '<', bounds[bounds.length - 1]!);
    if (hit) kinds.push(kind);
  }
  return { buckets, kinds };
}

/** Where a page of the award list starts: after (awardedAt, code), or at it when `inclusive`. */
export interface ListCursor {
  awardedAt: number;
  code: string;
  inclusive: boolean;
}

/**
 * Up to `limit` awards in (awarded_at, code) order from `after` on, each in its centre's range
 * [from, to): a walk of awards_list_idx that stops after `limit` rows.
 */
export async function awardsPage(db: Db, ranges: ReadonlyArray<{ centre: string; from: number; to: number }>, after: ListCursor | null, limit: number): Promise<Award[]> {
  if (ranges.length === 0) return [];
  const q = db
    .from(listIndex(db, 'awards', 'awards_list_idx'))
    // The walk starts at the cursor's instant: the OR below alone would not bound the index range.
    .where('awarded_at', '>=', Math.max(Math.min(...ranges.map((r) => r.from)), after?.awardedAt ?? Number.MIN_SAFE_INTEGER))
    .where('awarded_at', '<', Math.max(...ranges.map((r) => r.to)))
    .where((w) => {
      for (const r of ranges) w.orWhere((o) => o.where('centre_code', r.centre).where('awarded_at', '>=', r.from).where('awarded_at', '<', r.to));
    });
  if (after) {
    q.where((w) => w.where('awarded_at', '>', after.awardedAt).orWhere((o) => o.where('awarded_at', after.awardedAt).where('code', after.inclusive ? '>=' : '>', after.code)));
  }
  const rows = await q.orderBy([{ column: 'awarded_at' }, { column: 'code' }]).limit(limit);
  return rows.map(mapAward);
}
