// Verifiable secret sharing for opening keys (Feldman, as election key ceremonies use it): Shamir
// over Ed25519's scalar field ℓ, with public commitments C_j = a_j·B to the polynomial's
// coefficients. Anyone can check a share against the commitments (s_i·B = Σ C_j·i^j), and the
// commitments against the age recipient, because X25519 on the prime-order subgroup depends only
// on the scalar mod ℓ: the recipient of secret s is the Montgomery u-coordinate of s·B, and the
// age identity is the clamped 32-byte scalar congruent to ±s mod ℓ (u(P) = u(−P)).
//
// Point arithmetic and the Edwards→Montgomery map are @noble/curves'; nothing here is a primitive.
import crypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bech32 } from '@scure/base';

const Point = ed25519.Point;
type Point = InstanceType<typeof Point>;
const Fn = Point.Fn;
export const ORDER = Fn.ORDER;

/** A uniformly random scalar mod ℓ (64 random bytes reduced: bias below 2^-250). */
export function randomScalar(): bigint {
  return Fn.create(BigInt(`0x${crypto.randomBytes(64).toString('hex')}`));
}

export function scalarToBytes(s: bigint): Uint8Array {
  return Fn.toBytes(Fn.create(s)); // 32 bytes, little-endian
}

/** A canonical 32-byte little-endian scalar below ℓ, or null. */
export function scalarFromBytes(b: Uint8Array): bigint | null {
  if (b.length !== 32) return null;
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v < ORDER ? v : null;
}

export function pointOf(s: bigint): Point {
  return s === 0n ? Point.ZERO : Point.BASE.multiply(s);
}

export const pointHex = (p: Point): string => Buffer.from(p.toBytes()).toString('hex');

/** A point of the prime-order subgroup from its 32-byte hex encoding, or null (small order and mixed points refused). */
export function parsePoint(h: string): Point | null {
  if (!/^[0-9a-f]{64}$/.test(h)) return null;
  try {
    const p = Point.fromHex(h);
    return p.isTorsionFree() && pointHex(p) === h ? p : null;
  } catch {
    return null;
  }
}

export interface Dealt {
  /** hex of C_0 … C_{k-1}. */
  commitments: string[];
  /** f(1) … f(n), each 32 bytes little-endian. */
  shares: Uint8Array[];
}

/** Deals `secret` k-of-n: a random polynomial of degree k−1 with f(0) = secret, shares at x = 1…n. */
export function deal(secret: bigint, n: number, k: number): Dealt {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 1 || n < k || n > 255) throw new RangeError(`cannot deal ${k} of ${n} shares`);
  const coefficients = [Fn.create(secret)];
  for (let j = 1; j < k; j++) coefficients.push(randomScalar());
  const shares: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) {
    let y = 0n;
    for (let j = k - 1; j >= 0; j--) y = Fn.add(Fn.mul(y, BigInt(i)), coefficients[j]!);
    shares.push(scalarToBytes(y));
  }
  const commitments = coefficients.map((a) => pointHex(pointOf(a)));
  coefficients.fill(0n);
  return { commitments, shares };
}

/** Σ C_j·i^j: the public image s_i·B that share i must have. */
export function expectedSharePoint(commitments: Point[], index: number): Point {
  let acc = Point.ZERO;
  let power = 1n;
  for (const c of commitments) {
    acc = acc.add(power === 1n ? c : c.multiply(power));
    power = Fn.mul(power, BigInt(index));
  }
  return acc;
}

/** True when share `index` (its 32 bytes) lies on the committed polynomial. */
export function verifyShare(commitments: Point[], index: number, share: Uint8Array): boolean {
  const s = scalarFromBytes(share);
  return s !== null && pointOf(s).equals(expectedSharePoint(commitments, index));
}

/** f(0) from k shares at distinct x = index (Lagrange interpolation mod ℓ). */
export function combine(shares: Array<{ index: number; value: Uint8Array }>): bigint {
  let secret = 0n;
  for (const { index: i, value } of shares) {
    const y = scalarFromBytes(value);
    if (y === null) throw new RangeError('a share is not a scalar');
    let num = 1n;
    let den = 1n;
    for (const { index: j } of shares) {
      if (j === i) continue;
      num = Fn.mul(num, BigInt(j));
      den = Fn.mul(den, Fn.sub(BigInt(j), BigInt(i)));
    }
    secret = Fn.add(secret, Fn.mul(y, Fn.div(num, den)));
  }
  return secret;
}

/** The age X25519 recipient (age1…) of the key whose public point is `p`. */
export function recipientOfPoint(p: Point): string {
  const u = ed25519.utils.toMontgomery(p.toBytes());
  return bech32.encode('age', bech32.toWords(u), false);
}

const isClamped = (c: bigint) => c % 8n === 0n && c >= 1n << 254n && c < 1n << 255n;

/**
 * The age identity (AGE-SECRET-KEY-1…) for secret scalar s: the 32-byte little-endian clamped
 * scalar c ≡ s or c ≡ −s (mod ℓ). X25519 clamps, so only such c keep their value; one exists for
 * all but about 2^-128 of the scalars (null for those).
 */
export function identityOfScalar(s: bigint): string | null {
  const r = Fn.create(s);
  for (const base of [r, Fn.neg(r)]) {
    for (let k = 0n; k < 16n; k++) {
      const c = base + k * ORDER;
      if (!isClamped(c)) continue;
      const bytes = new Uint8Array(32);
      let v = c;
      for (let i = 0; i < 32; i++) {
        bytes[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      const identity = bech32.encode('AGE-SECRET-KEY-', bech32.toWords(bytes), false).toUpperCase();
      bytes.fill(0);
      return identity;
    }
  }
  return null;
}

export type { Point };
