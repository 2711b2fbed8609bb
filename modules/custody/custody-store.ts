// SQL for opening keys and their encrypted shares.
import type { Db } from '../../db/transactions';
import { toInt, toMs, toMsOrNull, toStr } from '../../db/row';

import type { KEY_SCHEMES, KEY_SOURCES } from './custody-schemas';

export type KeySource = (typeof KEY_SOURCES)[number];
/** 'shamir-gf256': earlier keys (identity string split bytewise); 'feldman-ed25519': verifiable shares of a scalar. */
export type KeyScheme = (typeof KEY_SCHEMES)[number];

export interface TimeLockRow {
  round: number;
  chainHash: string;
  /** hex of T = t·B. */
  point: string;
  /** Armored tlock ciphertext of t (possibly wrapped again for a later deadline). */
  ciphertext: string;
}

export interface OpeningKeyRow {
  sectionId: string;
  recipient: string;
  threshold: number;
  members: number;
  source: KeySource;
  createdAt: number;
  publishedAt: number | null;
  scheme: KeyScheme;
  /** Feldman commitments (hex points) to the share holders' polynomial; [] when only the time lock holds it. */
  commitments: string[];
  timeLock: TimeLockRow | null;
  /** The user whose offline ceremony made the shares. */
  ceremonyBy: string | null;
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
  confirmation?: 'verified' | 'failed' | null;
  confirmedAt?: number | null;
}

const mapKey = (r: any): OpeningKeyRow => ({
  sectionId: toStr(r.section_id),
  recipient: toStr(r.recipient),
  threshold: toInt(r.threshold),
  members: toInt(r.members),
  source: toStr(r.source) as KeySource,
  createdAt: toMs(r.created_at),
  publishedAt: toMsOrNull(r.published_at),
  scheme: toStr(r.scheme) as KeyScheme,
  commitments: r.commitments == null ? [] : (JSON.parse(toStr(r.commitments)) as string[]),
  timeLock: r.time_lock_round == null ? null : { round: toInt(r.time_lock_round), chainHash: toStr(r.time_lock_chain), point: toStr(r.time_lock_point), ciphertext: toStr(r.time_lock_ciphertext) },
  ceremonyBy: r.ceremony_by == null ? null : toStr(r.ceremony_by),
});

const mapShare = (r: any): KeyShareRow => ({
  sectionId: toStr(r.section_id),
  shareIndex: toInt(r.share_index),
  custodian: toStr(r.custodian),
  custodianLabel: toStr(r.custodian_label),
  certificateFingerprint: toStr(r.certificate_fingerprint),
  encryptedShare: toStr(r.encrypted_share),
  releasedAt: toMsOrNull(r.released_at),
  confirmation: r.confirmation == null ? null : (toStr(r.confirmation) as 'verified' | 'failed'),
  confirmedAt: toMsOrNull(r.confirmed_at),
});

export async function findKey(db: Db, sectionId: string): Promise<OpeningKeyRow | null> {
  const r = await db('opening_keys').where({ section_id: sectionId }).first();
  return r ? mapKey(r) : null;
}

export async function sharesOf(db: Db, sectionId: string): Promise<KeyShareRow[]> {
  return (await db('key_shares').where({ section_id: sectionId }).orderBy('share_index')).map(mapShare);
}

/** Every share a user custodian holds, in any section. */
export async function sharesOfCustodian(db: Db, custodian: string): Promise<KeyShareRow[]> {
  return (
    await db('key_shares')
      .where({ custodian })
      .orderBy([{ column: 'section_id' }, { column: 'share_index' }])
  ).map(mapShare);
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
    scheme: key.scheme,
    commitments: key.scheme === 'feldman-ed25519' ? JSON.stringify(key.commitments) : null,
    time_lock_round: key.timeLock?.round ?? null,
    time_lock_chain: key.timeLock?.chainHash ?? null,
    time_lock_point: key.timeLock?.point ?? null,
    time_lock_ciphertext: key.timeLock?.ciphertext ?? null,
    ceremony_by: key.ceremonyBy,
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

/**
 * Fixes an uploaded ceremony key at publication, with the time lock added then (the recipient
 * changes with it): a guarded update on the recipient it had, so it happens once.
 */
export async function markPublished(db: Db, sectionId: string, uploadedRecipient: string, finalRecipient: string, timeLock: TimeLockRow | null, at: number): Promise<boolean> {
  const n = await db('opening_keys')
    .where({ section_id: sectionId, recipient: uploadedRecipient })
    .whereNull('published_at')
    .update({
      published_at: at,
      recipient: finalRecipient,
      time_lock_round: timeLock?.round ?? null,
      time_lock_chain: timeLock?.chainHash ?? null,
      time_lock_point: timeLock?.point ?? null,
      time_lock_ciphertext: timeLock?.ciphertext ?? null,
    });
  return Number(n) === 1;
}

/** A later deadline: the time lock wrapped again for its round (guarded on the round it had). */
export async function moveTimeLock(db: Db, sectionId: string, fromRound: number, to: { round: number; ciphertext: string }): Promise<boolean> {
  const n = await db('opening_keys').where({ section_id: sectionId, time_lock_round: fromRound }).update({ time_lock_round: to.round, time_lock_ciphertext: to.ciphertext });
  return Number(n) === 1;
}

/** A custodian's word on its ceremony share, once, before publication. */
export async function confirmShare(db: Db, sectionId: string, shareIndex: number, confirmation: 'verified' | 'failed', at: number): Promise<boolean> {
  const n = await db('key_shares').where({ section_id: sectionId, share_index: shareIndex }).whereNull('confirmation').update({ confirmation, confirmed_at: at });
  return Number(n) === 1;
}

/**
 * Records one custodian's release (guarded: once per share). The share itself is stored only
 * re-encrypted to the platform timer, so the database alone never holds it in the clear.
 */
export async function markReleased(db: Db, sectionId: string, shareIndex: number, encryptedToTimer: string, by: string, at: number): Promise<boolean> {
  const n = await db('key_shares').where({ section_id: sectionId, share_index: shareIndex }).whereNull('released_at').update({ released_at: at, released_share: encryptedToTimer, released_by: by });
  return Number(n) === 1;
}

/** The released shares (encrypted to the platform timer), in share order. */
export async function releasedShares(db: Db, sectionId: string): Promise<Array<{ shareIndex: number; custodianLabel: string; releasedAt: number; releasedShare: string }>> {
  const rows = await db('key_shares').where({ section_id: sectionId }).whereNotNull('released_share').orderBy('share_index');
  return rows.map((r: any) => ({ shareIndex: toInt(r.share_index), custodianLabel: toStr(r.custodian_label), releasedAt: toMs(r.released_at), releasedShare: toStr(r.released_share) }));
}
