// Time-lock beacons in drand's format: a chain's public parameters, its rounds, and where beacons
// come from. A beacon for round r is the chain's BLS signature over SHA-256(r as 8 bytes big-endian);
// once it is published, anything time-locked to round r can be decrypted by anyone, and before it
// by no one (drand: a threshold network; a local beacon: whoever holds its key).

/** drand's /info document (the fields tlock-js reads). */
export interface ChainInfo {
  public_key: string;
  period: number;
  genesis_time: number;
  hash: string;
  groupHash: string;
  schemeID: string;
  metadata: { beaconID: string };
}

export interface Beacon {
  round: number;
  randomness: string;
  signature: string;
}

/** Why a beacon is not at hand: its round is still in the future, or no source answered. */
export type BeaconMiss = { status: 'too_early' | 'unreachable'; message: string };

export interface BeaconSource {
  /** Pinned parameters: the public key and scheme that beacons are verified against. */
  readonly info: ChainInfo;
  /** 'local' (its key on this host) or 'drand' (a threshold network reached over relays). */
  readonly kind: 'local' | 'drand';
  /** Where outsiders fetch this chain's beacons (drand HTTP format). */
  readonly urls: readonly string[];
  /** The beacon of `round`, or why it cannot be had now. Not yet verified: tlock verifies it. */
  beacon(round: number): Promise<Beacon | BeaconMiss>;
}

/** Timelock encryption needs an unchained scheme; quicknet's is the one tested here. */
export const SUPPORTED_SCHEMES = ['bls-unchained-g1-rfc9380'] as const;

/**
 * drand's quicknet (League of Entropy, 3-second rounds, signatures on G1 per RFC 9380), the chain
 * production time-locks to unless configured otherwise. Its parameters are pinned here, so that a
 * relay cannot substitute another chain.
 */
export const QUICKNET: ChainInfo = {
  public_key:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  period: 3,
  genesis_time: 1692803367,
  hash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
  groupHash: 'f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e',
  schemeID: 'bls-unchained-g1-rfc9380',
  metadata: { beaconID: 'quicknet' },
};

/** Public relays of the League of Entropy serving quicknet; any one of them is enough. */
export const DEFAULT_DRAND_RELAYS = ['https://api.drand.sh', 'https://api2.drand.sh', 'https://api3.drand.sh', 'https://drand.cloudflare.com'];

/** The instant (ms) at which round `round` is published. */
export function roundTimeMs(info: Pick<ChainInfo, 'genesis_time' | 'period'>, round: number): number {
  return (info.genesis_time + (round - 1) * info.period) * 1000;
}

/** The first round published at or after `ms`: time-locking to it opens no earlier than `ms`. */
export function roundAtOrAfter(info: Pick<ChainInfo, 'genesis_time' | 'period'>, ms: number): number {
  const periods = Math.ceil((ms - info.genesis_time * 1000) / (info.period * 1000));
  return Math.max(1, periods + 1);
}

/** The SHA-256 message a round's beacon signs: the round as 8 bytes big-endian. */
export function roundMessage(round: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(round));
  return b;
}
