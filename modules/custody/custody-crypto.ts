// Share encryption for every opening key (RSA-OAEP, SHA-256, to one custodian's certificate), and
// the earlier key scheme 'shamir-gf256': an age identity string split bytewise k-of-n with Shamir,
// without commitments. New keys are verifiable (opening-key.ts); the earlier scheme is kept so that
// sections published with it still open, and sealNewOpeningKey only so that tests can make one.
//
// A share is the byte layout of `shamir-secret-sharing`: the y-values followed by one byte, the
// x-coordinate. For a threshold of 1 (which that library refuses) every share is the secret itself
// followed by a distinct x, which is the same thing: a polynomial of degree 0.
import crypto, { type KeyObject } from 'node:crypto';
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { combine, split } from 'shamir-secret-sharing';
import { AGE_RECIPIENT_PATTERN } from '../core/age-recipient';
import { AppError } from '../core/errors';

export interface CustodianKey {
  /** 'platform-timer' or 'user:<username>' — what the share is labelled with. */
  label: string;
  /** The RSA public key of the custodian's encryption certificate. */
  publicKey: KeyObject | string;
}

export interface SealedShare {
  /** 1-based position of the custodian in the set. */
  index: number;
  label: string;
  /** RSA-OAEP(SHA-256) ciphertext of the share, base64. */
  encryptedShare: string;
}

export interface SealedOpeningKey {
  recipient: string;
  threshold: number;
  shares: SealedShare[];
}

const OAEP = { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/** Overwrites a buffer that held a secret or a share. */
export function wipe(...buffers: Array<Uint8Array | null | undefined>): void {
  for (const b of buffers) b?.fill(0);
}

/** True when `s` is a well-formed age X25519 recipient with a valid checksum. */
export function isAgeRecipient(s: string): boolean {
  // Only native X25519 recipients: the ones every age implementation (and Debian's `age`) reads.
  if (!AGE_RECIPIENT_PATTERN.test(s)) return false;
  try {
    new Encrypter().addRecipient(s);
    return true;
  } catch {
    return false;
  }
}

/** Splits `secret` into n shares of which any k rebuild it (1 ≤ k ≤ n ≤ 255). */
export async function splitSecret(secret: Uint8Array, n: number, k: number): Promise<Uint8Array[]> {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 1 || n < k || n > 255) throw new RangeError(`cannot split into ${k} of ${n} shares`);
  // The library checks `constructor === Uint8Array`: a Buffer would be refused.
  const plain = new Uint8Array(secret);
  try {
    if (k >= 2) return await split(plain, n, k);
    const xs = new Set<number>();
    while (xs.size < n) xs.add(1 + crypto.randomInt(255));
    return [...xs].map((x) => {
      const share = new Uint8Array(plain.length + 1);
      share.set(plain);
      share[plain.length] = x;
      return share;
    });
  } finally {
    wipe(plain);
  }
}

export function encryptShare(share: Uint8Array, publicKey: KeyObject | string): string {
  return crypto.publicEncrypt({ key: publicKey, ...OAEP }, share).toString('base64');
}

/** Decrypts one share with the custodian's private key; a plain Uint8Array (not a Buffer). */
export function decryptShare(encryptedShareB64: string, privateKey: KeyObject | string): Uint8Array {
  const buf = crypto.privateDecrypt({ key: privateKey, ...OAEP }, Buffer.from(encryptedShareB64, 'base64'));
  const share = new Uint8Array(buf);
  wipe(buf);
  return share;
}

/**
 * Makes a fresh opening key and hands back only its public recipient and the encrypted shares.
 * The identity and the plain shares live in this function only; their buffers are zeroed before it
 * returns. (The identity string that age-encryption returns cannot be wiped: JavaScript strings are
 * immutable; it is dropped with the last reference.)
 */
export async function sealNewOpeningKey(custodians: CustodianKey[], threshold: number): Promise<SealedOpeningKey> {
  if (custodians.length < threshold || threshold < 1) throw new RangeError(`a threshold of ${threshold} needs at least that many custodians`);
  let identity: string | null = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const secret = new TextEncoder().encode(identity);
  identity = null;
  let shares: Uint8Array[] = [];
  try {
    shares = await splitSecret(secret, custodians.length, threshold);
    return {
      recipient,
      threshold,
      shares: custodians.map((c, i) => ({ index: i + 1, label: c.label, encryptedShare: encryptShare(shares[i]!, c.publicKey) })),
    };
  } finally {
    wipe(secret, ...shares);
  }
}

const notEnough = (have: number, threshold: number) =>
  new AppError(422, 'custody.not_enough_shares', `The opening key needs ${threshold} shares; only ${have} ${have === 1 ? 'was' : 'were'} given.`, [
    { rule: 'custody.threshold', message: `${threshold} shares are needed`, required: threshold, actual: have },
  ]);

const mismatch = () =>
  new AppError(
    422,
    'custody.share_mismatch',
    'The shares do not rebuild the published opening key: at least one share is corrupted or belongs to another key. Ask the custodians to release their shares again.',
  );

/** The identity that `shares` rebuild if its recipient is `expectedRecipient`; null otherwise. */
async function attempt(shares: Uint8Array[], expectedRecipient: string): Promise<string | null> {
  let secret: Uint8Array | null = null;
  let identity: string;
  try {
    const length = shares[0]!.length;
    if (length < 2 || shares.some((s) => s.length !== length)) return null;
    if (shares.length === 1) {
      secret = shares[0]!.slice(0, length - 1);
    } else {
      if (new Set(shares.map((s) => s[length - 1])).size !== shares.length) return null;
      secret = await combine(shares.map((s) => new Uint8Array(s)));
    }
    identity = new TextDecoder().decode(secret);
  } catch {
    return null;
  } finally {
    wipe(secret);
  }
  if (!identity.startsWith('AGE-SECRET-KEY-1')) return null;
  try {
    // identityToRecipient's own errors quote the identity: they must not escape.
    return (await identityToRecipient(identity)) === expectedRecipient ? identity : null;
  } catch {
    return null;
  }
}

function* subsets<T>(items: T[], k: number, from = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - k; i++) for (const rest of subsets(items, k - 1, i + 1)) yield [items[i]!, ...rest];
}

/**
 * Rebuilds the identity ("AGE-SECRET-KEY-1…") from decrypted shares and checks it against the
 * published recipient. With more shares than the threshold, a bad one is stepped around by trying
 * the subsets of threshold size. Errors never carry a share or the secret: only counts and a fixed text.
 */
export async function rebuildIdentity(decryptedShares: Uint8Array[], threshold: number, expectedRecipient: string): Promise<string> {
  // The same share released twice counts once.
  const unique: Uint8Array[] = [];
  for (const s of decryptedShares) if (!unique.some((u) => Buffer.compare(u, s) === 0)) unique.push(s);
  if (unique.length < threshold) throw notEnough(unique.length, threshold);
  const all = await attempt(unique, expectedRecipient);
  if (all !== null) return all;
  if (unique.length > threshold) {
    let tried = 0;
    for (const subset of subsets(unique, threshold)) {
      if (++tried > 5000) break;
      const identity = await attempt(subset, expectedRecipient);
      if (identity !== null) return identity;
    }
  }
  throw mismatch();
}
