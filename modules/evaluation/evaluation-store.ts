// SQL for the evaluation: the sealed reserve, one evaluation row per section, the evaluators'
// scores (all kept) and the objections filed during the candidate publicity.
import type { Db } from '../../db/transactions';
import { toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';

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
  await db('evaluations').where({ section_id: sectionId }).update({ weights: JSON.stringify(weights) });
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
  const n = await db('evaluations').where({ section_id: sectionId, declines: JSON.stringify(before) }).update({ declines: JSON.stringify(after) });
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
  const rows = await db('evaluation_scores').where({ section_id: sectionId }).orderBy([{ column: 'evaluator' }, { column: 'bid_id' }, { column: 'criterion' }]);
  return rows.map((r: any) => ({ evaluator: toStr(r.evaluator), bidId: toStr(r.bid_id), criterion: toStr(r.criterion), score: toStr(r.score), enteredBy: toStr(r.entered_by), enteredAt: toMs(r.entered_at) }));
}

/** One score per evaluator, bid and criterion: a later entry replaces the earlier one (both are in the audit log). */
export async function saveScore(db: Db, id: string, sectionId: string, s: Score): Promise<void> {
  const key = { section_id: sectionId, evaluator: s.evaluator, bid_id: s.bidId, criterion: s.criterion };
  const n = await db('evaluation_scores').where(key).update({ score: s.score, entered_by: s.enteredBy, entered_at: s.enteredAt });
  if (Number(n) === 0) await db('evaluation_scores').insert({ id, ...key, score: s.score, entered_by: s.enteredBy, entered_at: s.enteredAt });
}

export interface Objection {
  id: string;
  sectionId: string;
  orgId: string;
  userId: string;
  text: string;
  raisedAt: number;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: number | null;
}

const mapObjection = (r: any): Objection => ({
  id: toStr(r.id),
  sectionId: toStr(r.section_id),
  orgId: toStr(r.org_id),
  userId: toStr(r.user_id),
  text: toStr(r.text),
  raisedAt: toMs(r.raised_at),
  answer: toStrOrNull(r.answer),
  answeredBy: toStrOrNull(r.answered_by),
  answeredAt: toMsOrNull(r.answered_at),
});

export async function insertObjection(db: Db, o: Objection): Promise<void> {
  await db('evaluation_objections').insert({ id: o.id, section_id: o.sectionId, org_id: o.orgId, user_id: o.userId, text: o.text, raised_at: o.raisedAt, answer: null, answered_by: null, answered_at: null });
}

export async function objectionsOf(db: Db, sectionId: string): Promise<Objection[]> {
  return (await db('evaluation_objections').where({ section_id: sectionId }).orderBy([{ column: 'raised_at' }, { column: 'id' }])).map(mapObjection);
}

export async function findObjection(db: Db, sectionId: string, id: string): Promise<Objection | null> {
  const r = await db('evaluation_objections').where({ section_id: sectionId, id }).first();
  return r ? mapObjection(r) : null;
}

/** Guarded: an objection is answered once. */
export async function answerObjection(db: Db, id: string, answer: string, by: string, at: number): Promise<boolean> {
  const n = await db('evaluation_objections').where({ id }).whereNull('answer').update({ answer, answered_by: by, answered_at: at });
  return Number(n) === 1;
}
