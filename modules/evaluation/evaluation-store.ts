// SQL for the evaluation: the sealed reserve, one evaluation row per section, the evaluators'
// scores (all kept) and the objections filed during the candidate publicity.
import type { Db } from '../../db/transactions';
import { objectionsTable } from '../../db/objections-table';
import { toMs, toMsOrNull, toStr } from '../../db/row';

export interface Reserve {
  sectionId: string;
  sealed: string;
  sealedSha256: string;
  setBy: string;
  setAt: number;
}

export async function findReserve(db: Db, sectionId: string): Promise<Reserve | null> {
  const r = await db('section_reserves').where({ section_id: sectionId }).first();
  return r ? { sectionId: toStr(r.section_id), sealed: toStr(r.sealed), sealedSha256: toStr(r.sealed_sha256), setBy: toStr(r.set_by), setAt: toMs(r.set_at) } : null;
}

export async function saveReserve(db: Db, r: Reserve): Promise<void> {
  const row = { sealed: r.sealed, sealed_sha256: r.sealedSha256, set_by: r.setBy, set_at: r.setAt };
  const n = await db('section_reserves').where({ section_id: r.sectionId }).update(row);
  if (Number(n) === 0) await db('section_reserves').insert({ section_id: r.sectionId, ...row });
}

export interface Weights {
  price: string;
  criteria: Record<string, string>;
}

export interface Decline {
  rank: number;
  reason: string;
  by: string;
  at: number;
}

export interface Evaluation {
  sectionId: string;
  method: string;
  startedBy: string;
  startedAt: number;
  weights: Weights | null;
  result: any | null;
  concludedAt: number | null;
  publicityEndsAt: number | null;
  declines: Decline[];
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.parse(toStr(v)));

const mapEvaluation = (r: any): Evaluation => ({
  sectionId: toStr(r.section_id),
  method: toStr(r.method),
  startedBy: toStr(r.started_by),
  startedAt: toMs(r.started_at),
  weights: json(r.weights),
  result: json(r.result),
  concludedAt: toMsOrNull(r.concluded_at),
  publicityEndsAt: toMsOrNull(r.publicity_ends_at),
  declines: json(r.declines) ?? [],
});

export async function findEvaluation(db: Db, sectionId: string): Promise<Evaluation | null> {
  const r = await db('evaluations').where({ section_id: sectionId }).first();
  return r ? mapEvaluation(r) : null;
}

export async function insertEvaluation(db: Db, e: Pick<Evaluation, 'sectionId' | 'method' | 'startedBy' | 'startedAt'>): Promise<void> {
  await db('evaluations').insert({ section_id: e.sectionId, method: e.method, started_by: e.startedBy, started_at: e.startedAt, declines: '[]' });
}

export async function setWeights(db: Db, sectionId: string, weights: Weights): Promise<void> {
  await db('evaluations')
    .where({ section_id: sectionId })
    .update({ weights: JSON.stringify(weights) });
}

/** Guarded: the result is written once. */
export async function conclude(db: Db, sectionId: string, result: unknown, at: number, publicityEndsAt: number | null): Promise<boolean> {
  const n = await db('evaluations')
    .where({ section_id: sectionId })
    .whereNull('concluded_at')
    .update({ result: JSON.stringify(result), concluded_at: at, publicity_ends_at: publicityEndsAt });
  return Number(n) === 1;
}

/** Guarded on the previous list (optimistic): false if another decline came in meanwhile. */
export async function setDeclines(db: Db, sectionId: string, before: Decline[], after: Decline[]): Promise<boolean> {
  const n = await db('evaluations')
    .where({ section_id: sectionId, declines: JSON.stringify(before) })
    .update({ declines: JSON.stringify(after) });
  return Number(n) === 1;
}

export interface Score {
  evaluator: string;
  bidId: string;
  criterion: string;
  score: string;
  enteredBy: string;
  enteredAt: number;
}

export async function scoresOf(db: Db, sectionId: string): Promise<Score[]> {
  const rows = await db('evaluation_scores')
    .where({ section_id: sectionId })
    .orderBy([{ column: 'evaluator' }, { column: 'bid_id' }, { column: 'criterion' }]);
  return rows.map((r: any) => ({
    evaluator: toStr(r.evaluator),
    bidId: toStr(r.bid_id),
    criterion: toStr(r.criterion),
    score: toStr(r.score),
    enteredBy: toStr(r.entered_by),
    enteredAt: toMs(r.entered_at),
  }));
}

/** One score per evaluator, bid and criterion: a later entry replaces the earlier one (both are in the audit log). */
export async function saveScore(db: Db, id: string, sectionId: string, s: Score): Promise<void> {
  const key = { section_id: sectionId, evaluator: s.evaluator, bid_id: s.bidId, criterion: s.criterion };
  const n = await db('evaluation_scores').where(key).update({ score: s.score, entered_by: s.enteredBy, entered_at: s.enteredAt });
  if (Number(n) === 0) await db('evaluation_scores').insert({ id, ...key, score: s.score, entered_by: s.enteredBy, entered_at: s.enteredAt });
}

export type { Objection } from '../../db/objections-table';

// The objections raised during the candidate publicity: the shared shape, on this module's own table.
export const { insertObjection, objectionsOf, findObjection, answerObjection } = objectionsTable('evaluation_objections');

/** A bid the committee excluded from the ranking, with its reason. */
export interface Exclusion {
  bidId: string;
  reason: string;
  by: string;
  at: number;
}

export async function exclusionsOf(db: Db, sectionId: string): Promise<Exclusion[]> {
  const rows = await db('evaluation_exclusions').where({ section_id: sectionId }).orderBy('excluded_at');
  return rows.map((r: any) => ({ bidId: toStr(r.bid_id), reason: toStr(r.reason), by: toStr(r.excluded_by), at: toMs(r.excluded_at) }));
}

export async function insertExclusion(db: Db, sectionId: string, e: Exclusion): Promise<void> {
  await db('evaluation_exclusions').insert({ section_id: sectionId, bid_id: e.bidId, reason: e.reason, excluded_by: e.by, excluded_at: e.at });
}
