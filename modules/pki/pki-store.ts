import type { Db } from '../../db/transactions';
import { toMs, toMsOrNull, toStr, toStrOrNull } from '../../db/row';

import type { CertificateRecord } from './pki-schemas';

export type { CertificateRecord };
export type CertificateUsage = CertificateRecord['usage'];
/** The platform CA issued it, or a user registered it from a CA trusted by configuration. */
export type CertificateIssuer = CertificateRecord['issuer'];

/** The issuer column: 'platform', or the fingerprint of the trusted CA (serials are unique per issuer). */
const PLATFORM = 'platform';

function map(r: any): CertificateRecord {
  return {
    fingerprint: toStr(r.fingerprint).trim(),
    serial: toStr(r.serial),
    userId: toStr(r.user_id),
    orgId: toStrOrNull(r.org_id),
    subject: toStr(r.subject),
    usage: toStr(r.usage) as CertificateUsage,
    pem: toStr(r.pem),
    notBefore: toMs(r.not_before),
    notAfter: toMs(r.not_after),
    issuedAt: toMs(r.issued_at),
    revokedAt: toMsOrNull(r.revoked_at),
    revocationReason: toStrOrNull(r.revocation_reason),
    ...issuerOf(toStr(r.issuer ?? PLATFORM)),
  };
}

function issuerOf(column: string): { issuer: CertificateIssuer; issuerFingerprint: string | null } {
  return column === PLATFORM ? { issuer: 'platform', issuerFingerprint: null } : { issuer: 'trusted', issuerFingerprint: column.trim() };
}

export async function insertCertificate(db: Db, c: CertificateRecord): Promise<void> {
  if (c.issuer === 'trusted' && !c.issuerFingerprint) throw new Error('a registered certificate needs the fingerprint of its trusted CA');
  await db('certificates').insert({
    fingerprint: c.fingerprint,
    serial: c.serial,
    user_id: c.userId,
    org_id: c.orgId,
    subject: c.subject,
    usage: c.usage,
    pem: c.pem,
    not_before: c.notBefore,
    not_after: c.notAfter,
    issued_at: c.issuedAt,
    revoked_at: null,
    revocation_reason: null,
    issuer: c.issuer === 'platform' ? PLATFORM : c.issuerFingerprint,
  });
}

export async function findCertificate(db: Db, fingerprint: string): Promise<CertificateRecord | null> {
  const r = await db('certificates').where({ fingerprint }).first();
  return r ? map(r) : null;
}

export async function listCertificates(db: Db, where: { userId?: string } = {}): Promise<CertificateRecord[]> {
  const q = db('certificates').orderBy([{ column: 'issued_at', order: 'desc' }, { column: 'fingerprint' }]);
  if (where.userId) q.where({ user_id: where.userId });
  return (await q).map(map);
}

/** The newest certificate of a user for a usage that is valid and not revoked at `at`. */
export async function newestValidCertificate(db: Db, userId: string, usage: CertificateUsage, at: number): Promise<CertificateRecord | null> {
  const r = await db('certificates')
    .where({ user_id: userId, usage })
    .andWhere('not_before', '<=', at)
    .andWhere('not_after', '>=', at)
    .andWhere((q) => q.whereNull('revoked_at').orWhere('revoked_at', '>', at))
    .orderBy([{ column: 'not_before', order: 'desc' }, { column: 'issued_at', order: 'desc' }, { column: 'fingerprint' }])
    .first();
  return r ? map(r) : null;
}

/** Guarded revocation: true only for the call that revoked it. */
export async function revokeCertificate(db: Db, fingerprint: string, at: number, reason: string): Promise<boolean> {
  const n = await db('certificates').where({ fingerprint }).whereNull('revoked_at').update({ revoked_at: at, revocation_reason: reason });
  return Number(n) === 1;
}

export interface ChallengeRow {
  challenge: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

export async function insertChallenge(db: Db, c: ChallengeRow): Promise<void> {
  await db('certificate_challenges').insert({ challenge: c.challenge, user_id: c.userId, created_at: c.createdAt, expires_at: c.expiresAt });
}

export async function findChallenge(db: Db, challenge: string): Promise<ChallengeRow | null> {
  const r = await db('certificate_challenges').where({ challenge }).first();
  return r ? { challenge: toStr(r.challenge), userId: toStr(r.user_id), createdAt: toMs(r.created_at), expiresAt: toMs(r.expires_at) } : null;
}

/** Uses a challenge up: true only for the one call that deletes it while it is still valid. */
export async function consumeChallenge(db: Db, challenge: string, userId: string, now: number): Promise<boolean> {
  const n = await db('certificate_challenges').where({ challenge, user_id: userId }).andWhere('expires_at', '>', now).delete();
  return Number(n) === 1;
}

/** Clears challenges that expired before `cutoff` (kept a while so that a late use hears "expired"). */
export async function deleteChallengesExpiredBefore(db: Db, cutoff: number): Promise<void> {
  await db('certificate_challenges').where('expires_at', '<', cutoff).delete();
}
