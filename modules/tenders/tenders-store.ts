// SQL for projects, sections, their documents and clarifications.
import type { Knex } from 'knex';
import type { Db } from '../../db/transactions';
import { fenParam, toBool, toFen, toInt, toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';
import type { EvaluationMethod, Procedure, ReferenceKind } from '../centres/centre-rules';
import type { SectionState } from '../lifecycle/lifecycle';

export interface Project {
  id: string;
  centre: string;
  code: string;
  title: string;
  tenderee: string;
  description: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface Section {
  id: string;
  projectId: string;
  centre: string;
  code: string;
  lotNo: number;
  round: number;
  previousSectionId: string | null;
  title: string;
  state: SectionState;
  procedure: Procedure;
  evaluationMethod: EvaluationMethod;
  referenceKind: ReferenceKind;
  referencePriceFen: bigint;
  bidBondFen: bigint;
  publishedAt: number | null;
  bidOpensAt: number | null;
  clarificationDeadlineAt: number | null;
  bidDeadlineAt: number | null;
  closedAt: number | null;
  cancelledAt: number | null;
  cancelReason: string | null;
  /** Published reason of a 'failed' section (e.g. too few bids to open). */
  failureReason?: string | null;
  version: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface SectionDocument {
  id: string;
  sectionId: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: number;
}

export interface Clarification {
  id: string;
  sectionId: string;
  seq: number;
  title: string;
  body: string;
  affectsBids: boolean;
  previousDeadlineAt: number;
  newDeadlineAt: number | null;
  issuedBy: string;
  issuedAt: number;
}

const mapProject = (r: any): Project => ({
  id: toStr(r.id),
  centre: toStr(r.centre_code),
  code: toStr(r.code),
  title: toStr(r.title),
  tenderee: toStr(r.tenderee),
  description: toStrOrNull(r.description),
  createdBy: toStr(r.created_by),
  createdAt: toMs(r.created_at),
  updatedAt: toMs(r.updated_at),
});

export const mapSection = (r: any): Section => ({
  id: toStr(r.id),
  projectId: toStr(r.project_id),
  centre: toStr(r.centre_code),
  code: toStr(r.code),
  lotNo: toInt(r.lot_no),
  round: toInt(r.round),
  previousSectionId: toStrOrNull(r.previous_section_id),
  title: toStr(r.title),
  state: toStr(r.state) as SectionState,
  procedure: toStr(r.procedure) as Procedure,
  evaluationMethod: toStr(r.evaluation_method) as EvaluationMethod,
  referenceKind: toStr(r.reference_kind) as ReferenceKind,
  referencePriceFen: toFen(r.reference_price_fen),
  bidBondFen: toFen(r.bid_bond_fen),
  publishedAt: toMsOrNull(r.published_at),
  bidOpensAt: toMsOrNull(r.bid_opens_at),
  clarificationDeadlineAt: toMsOrNull(r.clarification_deadline_at),
  bidDeadlineAt: toMsOrNull(r.bid_deadline_at),
  closedAt: toMsOrNull(r.closed_at),
  cancelledAt: toMsOrNull(r.cancelled_at),
  cancelReason: toStrOrNull(r.cancel_reason),
  failureReason: toStrOrNull(r.failure_reason),
  version: toInt(r.version),
  createdBy: toStr(r.created_by),
  createdAt: toMs(r.created_at),
  updatedAt: toMs(r.updated_at),
});

export async function nextCounter(db: Db, scope: string): Promise<number> {
  const bumped = await db('code_counters').where({ scope }).increment('last_value', 1);
  if (Number(bumped) === 0) {
    // First code of this scope; a concurrent first insert fails on the primary key and the
    // surrounding transaction is retried by the caller.
    await db('code_counters').insert({ scope, last_value: 1 });
    return 1;
  }
  const row = await db('code_counters').where({ scope }).first('last_value');
  return toInt(row.last_value);
}

export async function insertProject(db: Db, p: Project): Promise<void> {
  await db('projects').insert({
    id: p.id,
    centre_code: p.centre,
    code: p.code,
    title: p.title,
    tenderee: p.tenderee,
    description: p.description,
    created_by: p.createdBy,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  });
}

export async function updateProject(db: Db, id: string, patch: Partial<Pick<Project, 'title' | 'tenderee' | 'description'>>, now: number) {
  await db('projects')
    .where({ id })
    .update({ ...patch, updated_at: now });
}

export async function findProject(db: Db, id: string): Promise<Project | null> {
  const r = await db('projects').where({ id }).first();
  return r ? mapProject(r) : null;
}

export async function listProjects(db: Db, centres: string[] | 'all'): Promise<Project[]> {
  const q = db('projects').orderBy('created_at', 'desc');
  if (centres !== 'all') q.whereIn('centre_code', centres);
  return (await q).map(mapProject);
}

export function sectionRow(s: Section): Record<string, unknown> {
  return {
    id: s.id,
    project_id: s.projectId,
    centre_code: s.centre,
    code: s.code,
    lot_no: s.lotNo,
    round: s.round,
    previous_section_id: s.previousSectionId,
    title: s.title,
    state: s.state,
    procedure: s.procedure,
    evaluation_method: s.evaluationMethod,
    reference_kind: s.referenceKind,
    reference_price_fen: fenParam(s.referencePriceFen),
    bid_bond_fen: fenParam(s.bidBondFen),
    published_at: s.publishedAt,
    bid_opens_at: s.bidOpensAt,
    clarification_deadline_at: s.clarificationDeadlineAt,
    bid_deadline_at: s.bidDeadlineAt,
    closed_at: s.closedAt,
    cancelled_at: s.cancelledAt,
    cancel_reason: s.cancelReason,
    version: s.version,
    created_by: s.createdBy,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export async function insertSection(db: Db, s: Section): Promise<void> {
  await db('sections').insert(sectionRow(s));
}

export async function findSection(db: Db, id: string): Promise<Section | null> {
  const r = await db('sections').where({ id }).first();
  return r ? mapSection(r) : null;
}

export async function sectionsOfProject(db: Db, projectId: string): Promise<Section[]> {
  return (await db('sections').where({ project_id: projectId }).orderBy(['lot_no', 'round'])).map(mapSection);
}

export async function maxLotNo(db: Db, projectId: string): Promise<number> {
  const r = await db('sections').where({ project_id: projectId }).max({ n: 'lot_no' }).first();
  return r?.n === null || r?.n === undefined ? 0 : toInt(r.n);
}

export interface SectionQuery {
  centre?: string;
  state?: SectionState;
  /** Centres whose drafts the caller may also see; 'all' for overseers. */
  draftCentres: string[] | 'all';
  limit: number;
  offset: number;
}

export async function listSections(db: Db, q: SectionQuery): Promise<Array<Section & { projectTitle: string; tenderee: string }>> {
  const query = db('sections as s')
    .join('projects as p', 'p.id', 's.project_id')
    .select('s.*', 'p.title as project_title', 'p.tenderee as tenderee')
    .orderBy([
      { column: 's.created_at', order: 'desc' },
      { column: 's.id', order: 'desc' },
    ])
    .limit(q.limit)
    .offset(q.offset);
  if (q.centre) query.where('s.centre_code', q.centre);
  if (q.state) query.where('s.state', q.state);
  query.where((w) => {
    w.whereNotNull('s.published_at');
    if (q.draftCentres === 'all') w.orWhereNotNull('s.id');
    else if (q.draftCentres.length) w.orWhereIn('s.centre_code', q.draftCentres);
  });
  return (await query).map((r: any) => ({ ...mapSection(r), projectTitle: toStr(r.project_title), tenderee: toStr(r.tenderee) }));
}

export async function insertDocument(db: Db, d: SectionDocument): Promise<void> {
  await db('section_documents').insert({
    id: d.id,
    section_id: d.sectionId,
    name: d.name,
    media_type: d.mediaType,
    size: d.size,
    sha256: d.sha256,
    uploaded_by: d.uploadedBy,
    uploaded_at: d.uploadedAt,
  });
}

const mapDocument = (r: any): SectionDocument => ({
  id: toStr(r.id),
  sectionId: toStr(r.section_id),
  name: toStr(r.name),
  mediaType: toStr(r.media_type),
  size: toInt(r.size),
  sha256: toStr(r.sha256),
  uploadedBy: toStr(r.uploaded_by),
  uploadedAt: toMs(r.uploaded_at),
});

export async function documentsOf(db: Db, sectionId: string): Promise<SectionDocument[]> {
  return (await db('section_documents').where({ section_id: sectionId }).orderBy('uploaded_at')).map(mapDocument);
}

export async function findDocument(db: Db, sectionId: string, id: string): Promise<SectionDocument | null> {
  const r = await db('section_documents').where({ section_id: sectionId, id }).first();
  return r ? mapDocument(r) : null;
}

export async function insertClarification(db: Db, c: Clarification): Promise<void> {
  await db('clarifications').insert({
    id: c.id,
    section_id: c.sectionId,
    seq: c.seq,
    title: c.title,
    body: c.body,
    affects_bids: c.affectsBids,
    previous_deadline_at: c.previousDeadlineAt,
    new_deadline_at: c.newDeadlineAt,
    issued_by: c.issuedBy,
    issued_at: c.issuedAt,
  });
}

export async function clarificationsOf(db: Db, sectionId: string): Promise<Clarification[]> {
  return (await db('clarifications').where({ section_id: sectionId }).orderBy('seq')).map((r: any) => ({
    id: toStr(r.id),
    sectionId: toStr(r.section_id),
    seq: toInt(r.seq),
    title: toStr(r.title),
    body: toStr(r.body),
    affectsBids: toBool(r.affects_bids),
    previousDeadlineAt: toMs(r.previous_deadline_at),
    newDeadlineAt: toMsOrNull(r.new_deadline_at),
    issuedBy: toStr(r.issued_by),
    issuedAt: toMs(r.issued_at),
  }));
}

export async function nextClarificationSeq(db: Db, sectionId: string): Promise<number> {
  const r = await db('clarifications').where({ section_id: sectionId }).max({ n: 'seq' }).first();
  return (r?.n === null || r?.n === undefined ? 0 : toInt(r.n)) + 1;
}

/**
 * Taken by every bid transaction: bumps a counter only while the section is open for bids and
 * its deadline is still ahead. The row lock serialises it with the deadline transition, so a bid
 * is either in before the section closes or refused.
 */
export async function lockForBid(db: Db, id: string, now: number): Promise<boolean> {
  const n = await db('sections')
    .where({ id, state: 'bidding' })
    .where('bid_deadline_at', '>', now)
    .update({ bid_seq: db.raw('bid_seq + 1') });
  return Number(n) === 1;
}

/** Which of `codes` are already section codes. */
export async function existingSectionCodes(db: Db, codes: string[]): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await db('sections')
      .select('code')
      .whereIn('code', codes.slice(i, i + 500));
    found.push(...rows.map((r: any) => toStr(r.code)));
  }
  return found;
}

/** States a section reaches only after its bids were opened. */
const OPENED_OR_LATER: SectionState[] = ['opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived'];

/**
 * How many sections of one centre were published, opened (the bid deadline, EB 29, of a section
 * that got that far) and failed (the last change of a failed section) in [from, to): counted in
 * SQL, each an index range (migration 0027), so a report never loads the section rows.
 */
export async function lifecycleCounts(db: Db, centre: string, from: number, to: number) {
  const count = async (q: Knex.QueryBuilder) => Number(((await q.count({ n: '*' }).first()) as any)?.n ?? 0);
  const [published, opened, failed] = await Promise.all([
    count(db('sections').where('centre_code', centre).where('published_at', '>=', from).where('published_at', '<', to)),
    count(db('sections').where('centre_code', centre).where('bid_deadline_at', '>=', from).where('bid_deadline_at', '<', to).whereIn('state', OPENED_OR_LATER)),
    count(db('sections').where('centre_code', centre).where('state', 'failed').where('updated_at', '>=', from).where('updated_at', '<', to)),
  ]);
  return { published, opened, failed };
}
