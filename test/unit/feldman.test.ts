// The reasoning the verifiable opening keys stand on, checked before anything is built on it:
// X25519 on the prime-order subgroup depends only on the scalar mod ℓ, so the age recipient of
// secret s is u(s·B), and a clamped scalar ≡ ±s (mod ℓ) is an age identity for it.
import { Decrypter, Encrypter, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import {
  combine,
  deal,
  expectedSharePoint,
  identityOfScalar,
  ORDER,
  parsePoint,
  pointOf,
  randomScalar,
  recipientOfPoint,
  scalarFromBytes,
  scalarToBytes,
  verifyShare,
} from '../../modules/custody/feldman';
import { recipientOfParts } from '../../modules/custody/opening-key';

const points = (hexes: string[]) => hexes.map((h) => parsePoint(h)!);

describe('feldman: verifiable shares of an age X25519 key', () => {
  it('the recipient of s is u(s·B), and the clamped identity ≡ ±s opens what is sealed to it', async () => {
    for (let i = 0; i < 40; i++) {
      const s = randomScalar();
      const identity = identityOfScalar(s);
      expect(identity).to.match(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
      expect(await identityToRecipient(identity!)).to.equal(recipientOfPoint(pointOf(s)));
      // −s has the same recipient (u(P) = u(−P)).
      expect(recipientOfPoint(pointOf(ORDER - s))).to.equal(recipientOfPoint(pointOf(s)));
    }
    const s = randomScalar();
    const e = new Encrypter();
    e.addRecipient(recipientOfPoint(pointOf(s)));
    const d = new Decrypter();
    d.addIdentity(identityOfScalar(s)!);
    expect(await d.decrypt(await e.encrypt('底价'), 'text')).to.equal('底价');
  });

  it('X25519 with a clamped c equals the Montgomery image of (c mod ℓ)·B (the fact identityOfScalar relies on)', () => {
    const s = randomScalar();
    const id = identityOfScalar(s)!;
    // Decode the identity's 32 bytes and run X25519 directly.
    const words = id.toLowerCase().slice('age-secret-key-1'.length, -6);
    const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    let acc = 0;
    let bits = 0;
    const bytes: number[] = [];
    for (const ch of words) {
      acc = (acc << 5) | alphabet.indexOf(ch);
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        bytes.push((acc >> bits) & 0xff);
      }
    }
    const c = Uint8Array.from(bytes.slice(0, 32));
    expect(c[0]! & 7).to.equal(0); // clamped: a multiple of 8 …
    expect(c[31]! & 0xc0).to.equal(0x40); // … with bit 254 set and 255 clear
    expect(Buffer.from(x25519.getPublicKey(c)).equals(Buffer.from(ed25519.utils.toMontgomery(pointOf(s).toBytes())))).to.equal(true);
  });

  it('deals k of n: every share verifies against the commitments; any k rebuild the secret; k−1 or a changed share do not', () => {
    const secret = randomScalar();
    const { commitments, shares } = deal(secret, 5, 3);
    expect(commitments).to.have.length(3);
    const C = points(commitments);
    expect(C[0]!.equals(pointOf(secret))).to.equal(true);
    for (const [i, s] of shares.entries()) expect(verifyShare(C, i + 1, s)).to.equal(true);
    const at = (i: number) => ({ index: i, value: shares[i - 1]! });
    for (const set of [
      [1, 2, 3],
      [2, 4, 5],
      [1, 3, 5],
    ])
      expect(combine(set.map(at))).to.equal(secret);
    expect(combine([at(1), at(2)])).to.not.equal(secret);
    const changed = Uint8Array.from(shares[1]!);
    changed[0]! ^= 1;
    expect(verifyShare(C, 2, changed)).to.equal(false);
    expect(verifyShare(C, 3, shares[1]!)).to.equal(false); // a share at the wrong position
    // A share of another polynomial with the same secret does not verify either.
    expect(verifyShare(C, 2, deal(secret, 5, 3).shares[1]!)).to.equal(false);
    expect(expectedSharePoint(C, 4).equals(pointOf(scalarFromBytes(shares[3]!)!))).to.equal(true);
  });

  it('the recipient of t + c is u(T + C_0): the public parts fix the recipient without the secret', () => {
    const t = randomScalar();
    const c = randomScalar();
    const { commitments } = deal(c, 3, 2);
    const T = pointOf(t).toBytes();
    expect(recipientOfParts(commitments, Buffer.from(T).toString('hex'))).to.equal(recipientOfPoint(pointOf(ed25519.Point.Fn.create(t + c))));
  });

  it('refuses points that are not canonical prime-order points, and scalars that are not below ℓ', () => {
    const eightTorsion = 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'; // a point of order 8
    expect(parsePoint(eightTorsion)).to.equal(null);
    expect(parsePoint('zz'.repeat(32))).to.equal(null);
    expect(parsePoint(Buffer.from(pointOf(randomScalar()).toBytes()).toString('hex'))).to.not.equal(null);
    expect(scalarFromBytes(scalarToBytes(ORDER - 1n))).to.equal(ORDER - 1n);
    const l = new Uint8Array(32);
    let v = ORDER;
    for (let i = 0; i < 32; i++) {
      l[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    expect(scalarFromBytes(l)).to.equal(null);
  });
});
