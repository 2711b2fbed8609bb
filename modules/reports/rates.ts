// The arithmetic of the rate reports, free of any database: savings rate (cost side) and
// value-added rate (revenue side). An aggregate is Σ(difference) ÷ Σ(reference) over integer fen —
// a weighted rate, never an average of rates — and only the final division uses decimal.js.
import Decimal from 'decimal.js';
import { formatYuan } from '../core/money';

export type Direction = 'cost' | 'revenue';

/** Enough digits that rounding the quotient of two BIGINT sums to 2 decimals is exact. */
const D = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP });

export interface RateInput {
  referenceFen: bigint;
  finalFen: bigint;
  referenceKind: string;
}

export interface Rate {
  /** Percent with two decimals, round half up; null when there is no reference to divide by. */
  percent: string | null;
  /** Σ(reference − final) on the cost side, Σ(final − reference) on the revenue side, in yuan. */
  numerator: string;
  /** Σ(reference), in yuan. */
  denominator: string;
  /** The reference price used as the base: one kind, a list when they are mixed, null when empty. */
  base: string | string[] | null;
}

export interface Aggregate {
  count: number;
  referenceTotalFen: bigint;
  finalTotalFen: bigint;
  numeratorFen: bigint;
  rate: Rate;
}

/** (numerator ÷ denominator) × 100 to two decimals, round half up; null for a zero denominator. */
export function percentOf(numeratorFen: bigint, denominatorFen: bigint): string | null {
  if (denominatorFen === 0n) return null;
  return new D(numeratorFen.toString()).div(denominatorFen.toString()).mul(100).toFixed(2, Decimal.ROUND_HALF_UP);
}

export function difference(direction: Direction, referenceFen: bigint, finalFen: bigint): bigint {
  return direction === 'cost' ? referenceFen - finalFen : finalFen - referenceFen;
}

export function baseOf(kinds: Iterable<string>): string | string[] | null {
  const distinct = [...new Set(kinds)].sort();
  if (distinct.length === 0) return null;
  return distinct.length === 1 ? distinct[0]! : distinct;
}

/** Sums already made (in SQL): a count, the two totals and the reference kinds seen. */
export interface Sums {
  count: number;
  referenceTotalFen: bigint;
  finalTotalFen: bigint;
  kinds: Iterable<string>;
}

export function aggregateOfSums(direction: Direction, sums: Sums): Aggregate {
  const { count, referenceTotalFen, finalTotalFen } = sums;
  const numeratorFen = difference(direction, referenceTotalFen, finalTotalFen);
  return {
    count,
    referenceTotalFen,
    finalTotalFen,
    numeratorFen,
    rate: {
      percent: percentOf(numeratorFen, referenceTotalFen),
      numerator: formatYuan(numeratorFen),
      denominator: formatYuan(referenceTotalFen),
      base: baseOf(sums.kinds),
    },
  };
}

export function aggregate(direction: Direction, items: readonly RateInput[]): Aggregate {
  let referenceTotalFen = 0n;
  let finalTotalFen = 0n;
  for (const item of items) {
    referenceTotalFen += item.referenceFen;
    finalTotalFen += item.finalFen;
  }
  return aggregateOfSums(direction, { count: items.length, referenceTotalFen, finalTotalFen, kinds: items.map((i) => i.referenceKind) });
}

/** The two lines the unified centre prints for a year (docs/rules.md: 15.17% and 20.73% for 2007). */
export function headline(cost: Rate, revenue: Rate): { en: string; zh: string } {
  const en = (r: Rate) => (r.percent === null ? 'n/a' : `${r.percent}%`);
  const zh = (r: Rate) => (r.percent === null ? '无数据' : `${r.percent}%`);
  return {
    en: `construction and procurement savings rate ${en(cost)}; property rights and land value-added rate ${en(revenue)}`,
    zh: `建设工程和政府采购资金节约率 ${zh(cost)}；产权交易和土地出让增值率 ${zh(revenue)}`,
  };
}
