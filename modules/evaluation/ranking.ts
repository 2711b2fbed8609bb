// The evaluation methods as pure functions over the opening record's bids: lowest price (cost side),
// highest price (revenue side) and comprehensive scoring (evaluators' scores per criterion with
// weights, the price score by the benchmark formula). All arithmetic on decimal.js, never floats.
import Decimal from 'decimal.js';
import { formatYuan, parseYuan } from '../core/money';
import type { Score, Weights } from './evaluation-store';

/** At most this many ranked candidates (TBLS 53). */
export const MAX_CANDIDATES = 3;

/** A responsive bid: opened, valid, with its price. */
export interface RankedBid {
  bidId: string;
  seq: number;
  orgId: string;
  name: string;
  receivedAt: number;
  priceFen: bigint;
}

export interface ScoreDetail {
  priceScore: string;
  /** Per evaluator: the score (0–100) per criterion and the weighted sum. */
  evaluators: Record<string, { scores: Record<string, string>; weighted: string }>;
  /** The mean of the evaluators' weighted sums, to two decimals. */
  evaluatorsMean: string;
  total: string;
}

export type Ranked = RankedBid & { score?: ScoreDetail };

/** The opening record's bid as this module reads it. */
export interface RecordBid {
  seq: number;
  bidId: string;
  bidder: { orgId: string; name: string };
  receivedAt: number;
  status: string;
  validity: 'valid' | 'invalid' | null;
  price: { amount: string } | null;
  cause: { code: string; message: string } | null;
  remarks?: string[];
}

export function responsiveBids(bids: RecordBid[]): RankedBid[] {
  const out: RankedBid[] = [];
  for (const b of bids) {
    if (b.status !== 'opened' || b.validity !== 'valid' || !b.price) continue;
    const p = parseYuan(b.price.amount);
    if (!p.ok) continue;
    out.push({ bidId: b.bidId, seq: b.seq, orgId: b.bidder.orgId, name: b.bidder.name, receivedAt: b.receivedAt, priceFen: p.fen });
  }
  return out;
}

const byReceipt = (a: RankedBid, b: RankedBid) => a.receivedAt - b.receivedAt || a.seq - b.seq;
const cmpFen = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Lowest price first (cost side) or highest first (revenue side); ties to the earlier receipt. */
export function rankByPrice(bids: RankedBid[], direction: 'cost' | 'revenue'): Ranked[] {
  const sign = direction === 'cost' ? 1 : -1;
  return [...bids].sort((a, b) => sign * cmpFen(a.priceFen, b.priceFen) || byReceipt(a, b));
}

const two = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/**
 * Comprehensive scoring. Weights are points out of 100 (price + criteria = 100); each evaluator
 * scores each criterion of each bid 0–100, weighted as score × weight ÷ 100. Price score =
 * benchmark ÷ price × price weight, benchmark = the lowest responsive price (cost side; on the
 * revenue side price ÷ highest × weight), to two decimals. Total = price score + the mean of the
 * evaluators' weighted sums (two decimals). Ties to the lower price, then the earlier receipt.
 */
export function rankByScore(bids: RankedBid[], weights: Weights, scores: Score[], direction: 'cost' | 'revenue'): Ranked[] {
  if (bids.length === 0) return [];
  const prices = bids.map((b) => new Decimal(b.priceFen.toString()));
  const benchmark = direction === 'cost' ? Decimal.min(...prices) : Decimal.max(...prices);
  const evaluators = [...new Set(scores.map((s) => s.evaluator))].sort();
  const criteria = Object.keys(weights.criteria);
  const ranked = bids.map((b) => {
    const price = new Decimal(b.priceFen.toString());
    const ratio = direction === 'cost' ? benchmark.div(price) : price.div(benchmark);
    const priceScore = two(ratio.mul(weights.price));
    const perEvaluator: ScoreDetail['evaluators'] = {};
    let sum = new Decimal(0);
    for (const e of evaluators) {
      const mine: Record<string, string> = {};
      let weighted = new Decimal(0);
      for (const c of criteria) {
        const s = scores.find((x) => x.evaluator === e && x.bidId === b.bidId && x.criterion === c)!;
        mine[c] = s.score;
        weighted = weighted.plus(new Decimal(s.score).mul(weights.criteria[c]!).div(100));
      }
      perEvaluator[e] = { scores: mine, weighted: weighted.toString() };
      sum = sum.plus(weighted);
    }
    const mean = evaluators.length ? two(sum.div(evaluators.length)) : new Decimal(0);
    const total = priceScore.plus(mean);
    return { ...b, score: { priceScore: priceScore.toFixed(2), evaluators: perEvaluator, evaluatorsMean: mean.toFixed(2), total: total.toFixed(2) }, _total: total };
  });
  ranked.sort((a, b) => b._total.cmp(a._total) || cmpFen(a.priceFen, b.priceFen) || byReceipt(a, b));
  return ranked.map(({ _total, ...r }) => r);
}

/** What is missing before the scores can be ranked: every evaluator scores every criterion of every bid. */
export function missingScores(bids: RankedBid[], weights: Weights | null, scores: Score[]): string[] {
  if (!weights) return ['the weights'];
  const evaluators = [...new Set(scores.map((s) => s.evaluator))];
  if (evaluators.length === 0) return ["any evaluator's scores"];
  const missing: string[] = [];
  for (const e of evaluators)
    for (const b of bids)
      for (const c of Object.keys(weights.criteria)) if (!scores.some((s) => s.evaluator === e && s.bidId === b.bidId && s.criterion === c)) missing.push(`${e}: bid ${b.seq} ${c}`);
  return missing;
}

export function rankedJson(r: Ranked, rank: number) {
  return {
    rank,
    bidId: r.bidId,
    seq: r.seq,
    bidder: { orgId: r.orgId, name: r.name },
    receivedAt: r.receivedAt,
    price: formatYuan(r.priceFen),
    ...(r.score ? { score: r.score } : {}),
  };
}
