// Which keys the platform will certify or register (RSA, 2048–16384 bits), and proof that the caller
// holds the private key: single-use challenges bound to a user, and the signature over one.
import crypto, { type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { MINUTE } from '../core/clock';
import { requireActor, type Actor, type RequestContext } from '../core/context';
import { certError, iso } from './certificate-errors';
import * as store from './pki-store';

const CHALLENGE_TTL_MS = 5 * MINUTE;
const CHALLENGE_PREFIX = 'etender-pki-challenge.';
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;

/** RSA of 2048–16384 bits, or a 422 that says what to do. */
export function requireAcceptableKey(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw certError('key_not_rsa', `The key is ${key.asymmetricKeyType}; the platform certifies RSA keys only. Make one with "etender keygen" (RSA 3072 bits).`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
    throw certError(
      'key_too_weak',
      bits < MIN_RSA_BITS
        ? `The RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required (3072 recommended). Make a new key with "etender keygen".`
        : `The RSA key has ${bits} bits; at most ${MAX_RSA_BITS} are accepted.`,
    );
  }
}

export function createProofOfPossession(deps: { knex: Knex; clock: Clock }) {
  const { knex, clock } = deps;

  /** A single-use challenge bound to the signed-in user, valid for 5 minutes. */
  async function createChallenge(ctx: RequestContext): Promise<{ challenge: string; expiresAt: number }> {
    const actor = requireActor(ctx);
    const now = clock.now();
    const row = { challenge: CHALLENGE_PREFIX + crypto.randomBytes(32).toString('base64url'), userId: actor.userId, createdAt: now, expiresAt: now + CHALLENGE_TTL_MS };
    await store.deleteChallengesExpiredBefore(knex, now - 24 * 60 * MINUTE);
    await store.insertChallenge(knex, row);
    return { challenge: row.challenge, expiresAt: row.expiresAt };
  }

  /**
   * Uses up a challenge of the actor's and checks the signature over it with `publicKey`: proof
   * that the caller holds the private key. A failed proof still uses the challenge up.
   */
  async function proveFreshPossession(actor: Actor, challenge: string, signatureB64: string, publicKey: KeyObject, whose: string): Promise<void> {
    const now = clock.now();
    if (!(await store.consumeChallenge(knex, challenge, actor.userId, now))) {
      const row = await store.findChallenge(knex, challenge);
      if (row && row.userId === actor.userId && row.expiresAt <= now) {
        throw certError('challenge_expired', `The challenge expired at ${iso(row.expiresAt)}; ask for a new one (POST /api/pki/challenges) and sign it at once.`);
      }
      throw certError('challenge_invalid', 'The challenge is unknown, was issued to someone else, or was already used; ask for a new one (POST /api/pki/challenges).');
    }
    const ok = crypto.verify('sha256', Buffer.from(challenge, 'utf8'), { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(signatureB64, 'base64'));
    if (!ok) {
      throw certError(
        'proof_of_possession_failed',
        `The signature over the challenge does not verify with ${whose} (RSA-PSS, SHA-256, salt length 32, over the UTF-8 bytes of the challenge). The challenge is used up; ask for a new one.`,
      );
    }
  }

  return { createChallenge, proveFreshPossession };
}

export type ProofOfPossessionService = ReturnType<typeof createProofOfPossession>;
