// Making and rebuilding verifiable opening keys (scheme 'feldman-ed25519'), free of the database so
// that the server and the offline ceremony (the CLI) run the same code. The secret is a scalar
// s = t + c (mod ℓ): t is the time lock's part (tlock-encrypted to the deadline's beacon round; its
// point T = t·B is public), c is the share holders' part (dealt k-of-n with Feldman commitments,
// C_0 = c·B). The age recipient is u(T + C_0). Either part may be absent (then it is 0).
import crypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { TimeLockRow } from './custody-store';
import type { BeaconSource } from '../timelock/beacon';
import { timeLockDecrypt, timeLockEncrypt, timeLockTarget } from '../timelock/time-lock';
import { encryptShare, wipe, type CustodianKey } from './custody-crypto';
import { deal, identityOfScalar, parsePoint, pointHex, pointOf, randomScalar, recipientOfPoint, scalarFromBytes, scalarToBytes, combine, verifyShare, type Point } from './feldman';

export const VSS_SCHEME = 'feldman-ed25519';

export interface DealtHolders {
  commitments: string[];
  shares: Array<{ index: number; label: string; encryptedShare: string }>;
}

/** Deals c among the share holders (share i at x = i), each share encrypted to its holder. */
export function dealToHolders(c: bigint, holders: CustodianKey[], threshold: number): DealtHolders {
  const dealt = deal(c, holders.length, threshold);
  try {
    return { commitments: dealt.commitments, shares: holders.map((h, i) => ({ index: i + 1, label: h.label, encryptedShare: encryptShare(dealt.shares[i]!, h.publicKey) })) };
  } finally {
    wipe(...dealt.shares);
  }
}

/** The parsed commitments, or the position of the first that is not a prime-order point. */
export function parseCommitments(hexes: string[]): { points: Point[] } | { bad: number } {
  const points: Point[] = [];
  for (let i = 0; i < hexes.length; i++) {
    const p = parsePoint(hexes[i]!);
    if (!p || (i === 0 && p.equals(ed25519.Point.ZERO))) return { bad: i };
    points.push(p);
  }
  return { points };
}

/** The recipient of the key whose public parts are the commitments (C_0) and the time lock's T. */
export function recipientOfParts(commitments: string[], timeLockPoint: string | null): string {
  let p = ed25519.Point.ZERO;
  if (commitments.length) p = p.add(parsePoint(commitments[0]!)!);
  if (timeLockPoint) p = p.add(parsePoint(timeLockPoint)!);
  return recipientOfPoint(p);
}

/** t, locked to `round` of the source's chain. The caller wipes nothing: t leaves only as the ciphertext. */
export async function lockScalar(source: BeaconSource, round: number, t: bigint): Promise<TimeLockRow> {
  const bytes = scalarToBytes(t);
  try {
    return { round, chainHash: source.info.hash, point: pointHex(pointOf(t)), ciphertext: await timeLockEncrypt(source, round, bytes) };
  } finally {
    wipe(bytes);
  }
}

/** A time lock moved to a later round: the ciphertext wrapped once more (t is never needed). */
export async function rewrapTimeLock(source: BeaconSource, lock: TimeLockRow, round: number): Promise<TimeLockRow> {
  return { ...lock, round, ciphertext: await timeLockEncrypt(source, round, new TextEncoder().encode(lock.ciphertext)) };
}

export interface NewVerifiableKey {
  recipient: string;
  commitments: string[];
  shares: DealtHolders['shares'];
  timeLock: TimeLockRow | null;
}

/**
 * A fresh key made on the server: t for the time lock (if `lockTo`), c dealt to the holders (if
 * any). s = t + c is drawn again in the rare case (2^-128) that no age identity represents it.
 */
export async function sealNewVerifiableKey(holders: CustodianKey[], threshold: number, lockTo: { source: BeaconSource; round: number } | null): Promise<NewVerifiableKey> {
  if (!lockTo && holders.length === 0) throw new RangeError('a key needs a time lock or share holders');
  for (;;) {
    const t = lockTo ? randomScalar() : 0n;
    const c = holders.length ? randomScalar() : 0n;
    if (identityOfScalar(t + c) === null) continue;
    const dealt = holders.length ? dealToHolders(c, holders, threshold) : { commitments: [], shares: [] };
    const timeLock = lockTo ? await lockScalar(lockTo.source, lockTo.round, t) : null;
    return { recipient: recipientOfParts(dealt.commitments, timeLock?.point ?? null), ...dealt, timeLock };
  }
}

/** The CLI's ceremony: c made and dealt on the operator's machine, so that the server never has it. */
export function dealCeremonyKey(holders: CustodianKey[], threshold: number): DealtHolders & { recipient: string } {
  for (;;) {
    const c = randomScalar();
    // Without a time lock, c is the whole secret and must have an age identity.
    if (identityOfScalar(c) === null) continue;
    const dealt = dealToHolders(c, holders, threshold);
    return { ...dealt, recipient: recipientOfParts(dealt.commitments, null) };
  }
}

export type TimeLockOpening = { status: 'opened'; t: bigint } | { status: 'too_early' | 'unreachable' | 'invalid'; message: string };

/** Opens the time lock (every wrapping layer) and checks t against T. */
export async function openTimeLock(source: BeaconSource, lock: TimeLockRow): Promise<TimeLockOpening> {
  let ciphertext = lock.ciphertext;
  for (let layer = 0; layer < 16; layer++) {
    const opened = await timeLockDecrypt(source, ciphertext);
    if (opened.status !== 'opened') return opened;
    const text = new TextDecoder().decode(opened.plaintext);
    if (opened.plaintext.length !== 32 && timeLockTarget(text)) {
      ciphertext = text; // an earlier deadline's lock, wrapped for the later one
      continue;
    }
    const t = scalarFromBytes(opened.plaintext);
    wipe(opened.plaintext);
    if (t === null || pointHex(pointOf(t)) !== lock.point) {
      return { status: 'invalid', message: `the time lock of round ${lock.round} does not hold the scalar of its public point T` };
    }
    return { status: 'opened', t };
  }
  return { status: 'invalid', message: 'the time lock is wrapped more than 16 times' };
}

/** True when `share` (32 bytes) is share `index` of the committed polynomial. */
export function shareVerifies(commitments: string[], index: number, share: Uint8Array): boolean {
  const parsed = parseCommitments(commitments);
  return 'points' in parsed && verifyShare(parsed.points, index, share);
}

/**
 * The age identity of s = t + c, c combined from verified shares; null in the rare case that no age
 * identity represents s. The caller checks it against the published recipient.
 */
export function rebuildVerifiable(t: bigint, shares: Array<{ index: number; value: Uint8Array }>): string | null {
  return identityOfScalar(t + (shares.length ? combine(shares) : 0n));
}

/** SHA-256 of the commitments as stored (the custodians confirm against this). */
export function commitmentsDigest(commitments: string[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(commitments)).digest('hex');
}
