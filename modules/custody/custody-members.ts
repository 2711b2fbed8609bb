// Who holds a section's opening key: the centre's custody set resolved to share holders, each with
// the public key its share is encrypted to (the platform timer's certificate in certs/, or a staff
// user's valid encryption certificate). The time lock holds no share: it is the key's other part.
import crypto, { type KeyObject } from 'node:crypto';
import { AppError, ruleViolation } from '../core/errors';
import type { Actor } from '../core/context';
import type { CustodySettings } from '../centres/centre-rules';
import { TIME_LOCK } from '../centres/centre-rules';
import { certificateFingerprint, normaliseFingerprint } from '../core/fingerprint';

export const PLATFORM_TIMER = 'platform-timer';

type Usage = 'signing' | 'encryption';
type MaybePromise<T> = T | Promise<T>;

/** What custody needs of the PKI service. */
export interface CustodyPki {
  certificateOfUser(userId: string, usage: Usage, at: number): MaybePromise<{ fingerprint: string; pem: string } | null>;
  checkCertificate(pemOrDer: string | Buffer, options: { at: number; usage: Usage }): MaybePromise<{ fingerprint: string; publicKey: KeyObject }>;
}

export interface ResolvedCustodian {
  member: string;
  /** 'platform-timer' or a user id. */
  custodian: string;
  label: string;
  fingerprint: string;
  publicKey: KeyObject;
}

/** Each share holder of the set with its public key; one 422 listing every problem. */
export async function resolveShareHolders(
  custody: CustodySettings,
  now: number,
  deps: { timerCertPem: string; pki: CustodyPki; actorByUsername(username: string): Promise<Actor | null> },
): Promise<ResolvedCustodian[]> {
  const resolved: ResolvedCustodian[] = [];
  const problems: string[] = [];
  for (const member of custody.members) {
    if (member === TIME_LOCK) continue;
    if (member === PLATFORM_TIMER) {
      const cert = new crypto.X509Certificate(deps.timerCertPem);
      resolved.push({ member, custodian: PLATFORM_TIMER, label: PLATFORM_TIMER, fingerprint: certificateFingerprint(deps.timerCertPem), publicKey: cert.publicKey });
      continue;
    }
    const username = member.slice('user:'.length);
    const actor = await deps.actorByUsername(username);
    if (!actor || actor.role === 'bidder') {
      problems.push(`custodian ${member} is not an active staff account`);
      continue;
    }
    const cert = await deps.pki.certificateOfUser(actor.userId, 'encryption', now);
    if (!cert) {
      problems.push(`custodian ${member} has no valid encryption certificate`);
      continue;
    }
    try {
      const checked = await deps.pki.checkCertificate(cert.pem, { at: now, usage: 'encryption' });
      resolved.push({ member, custodian: actor.userId, label: member, fingerprint: normaliseFingerprint(checked.fingerprint), publicKey: checked.publicKey });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problems.push(`custodian ${member} has no usable encryption certificate (${err.message})`);
    }
  }
  if (problems.length) {
    throw ruleViolation(
      'custody.certificates',
      `${problems.join('; ')}. Each custodian needs a valid 'encryption' certificate before a section can be published: have them send a CSR and get it issued, or change the centre's custody set (PUT /api/centres/:code/settings, "custody").`,
      { custodians: problems },
    );
  }
  return resolved;
}
