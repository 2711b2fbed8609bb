// Timelock encryption to a beacon round (tlock, on drand's IBE over BLS12-381), through the drand
// project's own `tlock-js`. The output is an age file whose only stanza is `tlock <round> <chain>`:
// before that round's beacon exists nobody can decrypt it; after, anyone can, with tlock-js, the Go
// `tle` tool or this code.
import type { ChainClient } from 'tlock-js';
import type { Beacon, BeaconMiss, BeaconSource } from './beacon';

// tlock-js (with its BLS12-381 code, about 10 MiB of a running process) loads on the first time-lock
// operation, at a publication or an opening, not when the server starts (idle RSS, issue 12).
let tlock: Promise<typeof import('tlock-js')> | undefined;
const tlockJs = () => (tlock ??= import('tlock-js'));

// tlock-js prints every beacon it fetches with console.log. Beacons are public, but the line is
// noise in a structured log: drop exactly that line, nothing else.
const originalLog = console.log.bind(console);
console.log = (...args: unknown[]) => {
  if (args.length === 1 && typeof args[0] === 'string' && args[0].startsWith('beacon received: ')) return;
  originalLog(...args);
};

export type TimeLockOpen = { status: 'opened'; plaintext: Uint8Array } | BeaconMiss | { status: 'invalid'; message: string };

const TLOCK_HEADER = /^-> tlock (\d{1,15}) ([0-9a-f]{64})$/m;

/** The round and chain hash a tlock ciphertext names (null if it is not one). */
export function timeLockTarget(armored: string): { round: number; chainHash: string } | null {
  const body = armored.replace(/-----(BEGIN|END) AGE ENCRYPTED FILE-----/g, '').replace(/\s+/g, '');
  let header: string;
  try {
    header = Buffer.from(body, 'base64').toString('latin1');
  } catch {
    return null;
  }
  if (!header.startsWith('age-encryption.org/v1\n')) return null;
  const m = TLOCK_HEADER.exec(header);
  return m ? { round: Number(m[1]), chainHash: m[2]! } : null;
}

/** tlock-js's view of a source: the pinned parameters, and beacons through `beacon()`. */
function chainClient(source: BeaconSource, fetched: Beacon | null): ChainClient {
  // tlock-js refuses to decrypt while the round's time is ahead of the real Date.now(). Under an
  // injected clock that check is wrong; the real gate is whether the beacon exists, and it is
  // checked before this client is used. Genesis at 0 makes the library's own check pass; nothing
  // else in decryption reads it (the beacon is verified against the pinned public key and scheme).
  const info = fetched ? { ...source.info, genesis_time: 0 } : source.info;
  return {
    options: { disableBeaconVerification: false, noCache: true },
    chain: () => ({ baseUrl: source.urls[0] ?? 'local', info: async () => info }),
    get: async (round: number) => {
      if (fetched && fetched.round === round) return fetched;
      throw new Error(`round ${round} was not fetched`);
    },
    latest: async () => {
      throw new Error('not used');
    },
  } as unknown as ChainClient;
}

/** Encrypts `payload` to `round` of the source's chain. Needs only the pinned parameters, no network. */
export async function timeLockEncrypt(source: BeaconSource, round: number, payload: Uint8Array): Promise<string> {
  const { timelockEncrypt } = await tlockJs();
  return timelockEncrypt(round, Buffer.from(payload) as never, chainClient(source, null));
}

/**
 * Decrypts a tlock ciphertext once its round's beacon can be had from `source`; the beacon is
 * verified against the pinned public key (a forged one fails as 'invalid', like a damaged file).
 */
export async function timeLockDecrypt(source: BeaconSource, armored: string): Promise<TimeLockOpen> {
  const target = timeLockTarget(armored);
  if (!target) return { status: 'invalid', message: 'not a tlock ciphertext' };
  if (target.chainHash !== source.info.hash) return { status: 'invalid', message: `time-locked to chain ${target.chainHash}, not the configured ${source.info.hash}` };
  const beacon = await source.beacon(target.round);
  if ('status' in beacon) return beacon;
  const { timelockDecrypt } = await tlockJs();
  try {
    const plaintext = await timelockDecrypt(armored, chainClient(source, beacon));
    return { status: 'opened', plaintext: new Uint8Array(plaintext) };
  } catch (err) {
    return { status: 'invalid', message: `round ${target.round}: ${(err as Error).message}` };
  }
}
