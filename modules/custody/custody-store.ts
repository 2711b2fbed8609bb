// SQL for opening keys and their encrypted shares.
import type { Db } from '../../db/transactions';
import { toInt, toMs, toMsOrNull, toStr } from '../../db/row';

export type KeySource = 'server' | 'ceremony';

export interface OpeningKeyRow {
  sectionId: string;
  recipient: string;
  threshold: number;
  members: number;
  source: KeySource;
  createdAt: number;
  publishedAt: number | null;
}

export interface KeyShareRow {
  sectionId: string;
  shareIndex: number;
  /** 'platform-timer' or a user id. */
  custodian: string;
  /** 'platform-timer' or 'user:<username>'. */
  custodianLabel: string;
  certificateFingerprint: string;
  encryptedShare: string;
  releasedAt: number | null;
}

const mapKey = (r: any): OpeningKeyRow => ({
  sectionId: toStr(r.section_id),
  recipient: toStr(r.recipient),
  threshold: toInt(r.threshold),
  members: toInt(r.members),
  source: toStr(r.source) as KeySource,
  createdAt: toMs(r.created_at),
  publishedAt: toMsOrNull(r.published_at),
});

const mapShare = (r: any): KeyShareRow => ({
  sectionId: toStr(r.section_id),
  shareIndex: toInt(r.share_index),
  custodian: toStr(r.custodian),
  custodianLabel: toStr(r.custodian_label),
  certificateFingerprint: toStr(r.certificate_fingerprint),
  encryptedShare: toStr(r.encrypted_share),
  releasedAt: toMsOrNull(r.released_at),
});

export async function findKey(db: Db, sectionId: string): Promise<OpeningKeyRow | null> {
  const r = await db('opening_keys').where({ section_id: sectionId }).first();
  return r ? mapKey(r) : null;
}

export async function sharesOf(db: Db, sectionId: string): Promise<KeyShareRow[]> {
  return (await db('key_shares').where({ section_id: sectionId }).orderBy('share_index')).map(mapShare);
}

export async function insertKey(db: Db, key: OpeningKeyRow, shares: KeyShareRow[]): Promise<void> {
  await db('opening_keys').insert({
    section_id: key.sectionId,
    recipient: key.recipient,
    threshold: key.threshold,
    members: key.members,
    source: key.source,
    created_at: key.createdAt,
    published_at: key.publishedAt,
  });
  for (const s of shares) {
    await db('key_shares').insert({
      section_id: s.sectionId,
      share_index: s.shareIndex,
      custodian: s.custodian,
      custodian_label: s.custodianLabel,
      certificate_fingerprint: s.certificateFingerprint,
      encrypted_share: s.encryptedShare,
      released_at: s.releasedAt,
    });
  }
}

/** Removes a key that is not yet fixed by publication (an uploaded ceremony key being replaced). */
export async function deleteUnpublishedKey(db: Db, sectionId: string): Promise<boolean> {
  const key = await db('opening_keys').where({ section_id: sectionId }).whereNull('published_at').first();
  if (!key) return false;
  await db('key_shares').where({ section_id: sectionId }).delete();
  return (await db('opening_keys').where({ section_id: sectionId }).whereNull('published_at').delete()) === 1;
}

/** Fixes a key at publication: a guarded update, so it happens once and only for the expected recipient. */
export async function markPublished(db: Db, sectionId: string, recipient: string, at: number): Promise<boolean> {
  const n = await db('opening_keys').where({ section_id: sectionId, recipient }).whereNull('published_at').update({ published_at: at });
  return n === 1;
}

/**
 * Records one custodian's release (guarded: once per share). The share itself is stored only
 * re-encrypted to the platform timer, so the database alone never holds it in the clear.
 */
export async function markReleased(db: Db, sectionId: string, shareIndex: number, encryptedToTimer: string, by: string, at: number): Promise<boolean> {
  const n = await db('key_shares')
    .where({ section_id: sectionId, share_index: shareIndex })
    .whereNull('released_at')
    .update({ released_at: at, released_share: encryptedToTimer, released_by: by });
  return Number(n) === 1;
}

/** The released shares (encrypted to the platform timer), in share order. */
export async function releasedShares(db: Db, sectionId: string): Promise<Array<{ shareIndex: number; custodianLabel: string; releasedAt: number; releasedShare: string }>> {
  const rows = await db('key_shares').where({ section_id: sectionId }).whereNotNull('released_share').orderBy('share_index');
  return rows.map((r: any) => ({ shareIndex: toInt(r.share_index), custodianLabel: toStr(r.custodian_label), releasedAt: toMs(r.released_at), releasedShare: toStr(r.released_share) }));
}
