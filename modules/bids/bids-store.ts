// SQL for sealed bids and supervisor signals.
import type { Db } from '../../db/transactions';
import { toInt, toIntOrNull, toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';
import type { DuplicateCiphertextSignal, OwnBid } from './bids-schemas';

export type BidStatus = OwnBid['status'];

export interface BidRow {
  id: string;
  sectionId: string;
  orgId: string;
  userId: string;
  version: number;
  status: BidStatus;
  supersedes: string | null;
  ciphertextSha256: string;
  size: number;
  manifest: string;
  manifestSha256: string;
  nonce: string;
  signature: string;
  certificateFingerprint: string;
  receivedAt: number;
  withdrawnAt: number | null;
  /** The submission's log index: null until bidding on the section closes and the entry is merged. */
  auditIdx: number | null;
  receipt: string | null;
}

const map = (r: any): BidRow => ({
  id: toStr(r.id),
  sectionId: toStr(r.section_id),
  orgId: toStr(r.org_id),
  userId: toStr(r.user_id),
  version: toInt(r.version),
  status: toStr(r.status) as BidStatus,
  supersedes: toStrOrNull(r.supersedes),
  ciphertextSha256: toStr(r.ciphertext_sha256),
  size: toInt(r.size),
  manifest: toStr(r.manifest),
  manifestSha256: toStr(r.manifest_sha256),
  nonce: toStr(r.nonce),
  signature: toStr(r.signature),
  certificateFingerprint: toStr(r.certificate_fingerprint),
  receivedAt: toMs(r.received_at),
  withdrawnAt: toMsOrNull(r.withdrawn_at),
  auditIdx: toIntOrNull(r.audit_idx),
  receipt: toStrOrNull(r.receipt),
});

export const activeKey = (sectionId: string, orgId: string) => `${sectionId}:${orgId}`;

/** A new version; `receipt` (its signed receipt's JSON) may be stored with it. */
export async function insertBid(db: Db, b: Omit<BidRow, 'receipt' | 'withdrawnAt'>, receipt: string | null = null): Promise<void> {
  await db('bids').insert({
    id: b.id,
    section_id: b.sectionId,
    org_id: b.orgId,
    user_id: b.userId,
    version: b.version,
    status: b.status,
    active_key: b.status === 'active' ? activeKey(b.sectionId, b.orgId) : null,
    supersedes: b.supersedes,
    ciphertext_sha256: b.ciphertextSha256,
    size: b.size,
    manifest: b.manifest,
    manifest_sha256: b.manifestSha256,
    nonce: b.nonce,
    signature: b.signature,
    certificate_fingerprint: b.certificateFingerprint,
    received_at: b.receivedAt,
    withdrawn_at: null,
    audit_idx: b.auditIdx,
    receipt,
  });
}

export async function findBid(db: Db, id: string): Promise<BidRow | null> {
  const r = await db('bids').where({ id }).first();
  return r ? map(r) : null;
}

/** The versions that count for a section at its deadline, in order of receipt. */
export async function activeBidsOfSection(db: Db, sectionId: string): Promise<BidRow[]> {
  return (
    await db('bids')
      .where({ section_id: sectionId, status: 'active' })
      .orderBy([{ column: 'received_at' }, { column: 'id' }])
  ).map(map);
}

export async function bidsOfOrg(db: Db, sectionId: string, orgId: string): Promise<BidRow[]> {
  return (await db('bids').where({ section_id: sectionId, org_id: orgId }).orderBy('version')).map(map);
}

/** Every version of an organisation's bids in every section, grouped by section, oldest first. */
export async function bidsOfOrgEverywhere(db: Db, orgId: string): Promise<BidRow[]> {
  return (
    await db('bids')
      .where({ org_id: orgId })
      .orderBy([{ column: 'section_id' }, { column: 'version' }])
  ).map(map);
}

/** Guarded: only the version that currently counts can be superseded or withdrawn. */
export async function retire(db: Db, id: string, to: 'superseded' | 'withdrawn', now: number): Promise<boolean> {
  const n = await db('bids')
    .where({ id, status: 'active' })
    .update({ status: to, active_key: null, ...(to === 'withdrawn' ? { withdrawn_at: now } : {}) });
  return Number(n) === 1;
}

export async function replayOf(db: Db, nonce: string, manifestSha256: string): Promise<boolean> {
  const r = await db('bids').where({ nonce }).orWhere({ manifest_sha256: manifestSha256 }).first('id');
  return !!r;
}

/**
 * For a new submission, in one statement: the organisation's version that counts now (if any), the
 * number of its next version, and other organisations' bids in the section with the same ciphertext.
 */
export async function submissionFacts(
  db: Db,
  sectionId: string,
  orgId: string,
  sha256: string,
): Promise<{ previous: { id: string } | null; version: number; twins: Array<{ id: string; orgId: string }> }> {
  const cols = ['id', 'org_id', 'version', 'status'];
  const rows: any[] = await db('bids')
    .select(cols)
    .where({ section_id: sectionId, org_id: orgId })
    .unionAll((u) => u.select(cols).from('bids').where({ section_id: sectionId, ciphertext_sha256: sha256 }).whereNot({ org_id: orgId }));
  let previous: { id: string } | null = null;
  let version = 0;
  const twins: Array<{ id: string; orgId: string }> = [];
  for (const r of rows) {
    if (toStr(r.org_id) !== orgId) {
      twins.push({ id: toStr(r.id), orgId: toStr(r.org_id) });
      continue;
    }
    version = Math.max(version, toInt(r.version));
    if (toStr(r.status) === 'active') previous = { id: toStr(r.id) };
  }
  return { previous, version: version + 1, twins };
}

export async function saveReceipt(db: Db, id: string, receipt: string): Promise<void> {
  await db('bids').where({ id }).whereNull('receipt').update({ receipt });
}

export async function insertSignal(db: Db, s: { id: string; sectionId: string; kind: string; detail: unknown; createdAt: number }): Promise<void> {
  await db('bid_signals').insert({ id: s.id, section_id: s.sectionId, kind: s.kind, detail: JSON.stringify(s.detail), created_at: s.createdAt });
}

export async function signalsOf(db: Db, sectionId: string): Promise<DuplicateCiphertextSignal[]> {
  return (await db('bid_signals').where({ section_id: sectionId }).orderBy('created_at')).map((r: any) => ({
    id: toStr(r.id),
    kind: toStr(r.kind) as DuplicateCiphertextSignal['kind'],
    detail: JSON.parse(toStr(r.detail)),
    createdAt: toMs(r.created_at),
  }));
}

/** The log index of a submission entry, once merged at the close of bidding. */
export async function setAuditIdx(db: Db, id: string, idx: number): Promise<void> {
  await db('bids').where({ id }).update({ audit_idx: idx });
}
