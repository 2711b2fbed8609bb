// Checks a beacon against a chain's pinned public key before it is believed: the signature is the
// chain's BLS signature (G1, RFC 9380 hash-to-curve) over SHA-256(round), and the randomness is
// SHA-256(signature). @noble/curves does the pairing check.
import crypto from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { roundMessage, type Beacon, type ChainInfo } from './beacon';

export const G1_RFC9380_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

const short = bls12_381.shortSignatures;

export function beaconVerifies(info: Pick<ChainInfo, 'public_key' | 'schemeID'>, beacon: Beacon, round: number): boolean {
  if (info.schemeID !== 'bls-unchained-g1-rfc9380' || beacon.round !== round) return false;
  try {
    const signature = Buffer.from(beacon.signature, 'hex');
    if (crypto.createHash('sha256').update(signature).digest('hex') !== beacon.randomness.toLowerCase()) return false;
    const msg = crypto.createHash('sha256').update(roundMessage(round)).digest();
    return short.verify(signature, short.hash(msg, G1_RFC9380_DST), Buffer.from(info.public_key, 'hex'));
  } catch {
    return false;
  }
}
