// An outsider's check of a time-locked opening key, from public data alone: the section's notice
// (recipient, the time lock's round, point and — after the deadline — its ciphertext) and the
// beacon's round. It re-derives the age identity and checks it against the published recipient,
// so nobody has to take the platform's word for the opening key.
import { identityToRecipient } from 'age-encryption';
import type { Clock } from '../core/clock';
import { DEFAULT_DRAND_RELAYS, QUICKNET, type ChainInfo } from '../timelock/beacon';
import { relaySource } from '../timelock/drand-relays';
import { identityOfScalar } from './feldman';
import { openTimeLock, recipientOfParts } from './opening-key';

export interface DeriveOptions {
  /** The platform, e.g. https://etender.example.org. */
  url: string;
  sectionId: string;
  /** Relays to read the beacon from; default: drand's public relays for quicknet, else `${url}/beacon`. */
  beaconUrls?: string[];
  clock: Clock;
  fetch?: typeof fetch;
}

export interface DerivedKey {
  recipient: string;
  identity: string;
  round: number;
  chainHash: string;
  /** True when the chain's public key is pinned here (quicknet), false when read from the beacon URL. */
  chainPinned: boolean;
}

export class DeriveError extends Error {}

async function getJson(f: typeof fetch, url: string): Promise<any> {
  let res: Response;
  try {
    res = await f(url, { headers: { Accept: 'application/json' } });
  } catch (err) {
    throw new DeriveError(`cannot reach ${url} (${(err as Error).message})`);
  }
  if (!res.ok) throw new DeriveError(`${url} answered ${res.status}`);
  return res.json();
}

export async function deriveOpeningKey(options: DeriveOptions): Promise<DerivedKey> {
  const f = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const body = await getJson(f, `${base}/api/sections/${encodeURIComponent(options.sectionId)}`);
  const key = body?.section?.openingKey;
  if (!key) throw new DeriveError('the section has no published opening key');
  const lock = key.timeLock as { round: number; chainHash: string; point: string; ciphertext?: string } | null;
  if (!lock) throw new DeriveError('this opening key has no time lock: it is held by custodians only, and its identity is published in the opening record');
  if ((key.custodians as string[]).some((c) => c !== 'time-lock')) {
    throw new DeriveError(`this key needs custodians' shares too (${(key.custodians as string[]).join(', ')}); its identity is published in the opening record`);
  }
  if (!lock.ciphertext) throw new DeriveError(`the time lock's ciphertext is published at the bid deadline; round ${lock.round} is not due yet`);
  if (recipientOfParts([], lock.point) !== key.recipient) throw new DeriveError("the published recipient is not the one of the time lock's point T");
  let info: ChainInfo;
  let chainPinned = false;
  let urls = options.beaconUrls;
  if (lock.chainHash === QUICKNET.hash) {
    info = QUICKNET;
    chainPinned = true;
    urls ??= DEFAULT_DRAND_RELAYS;
  } else {
    urls ??= [`${base}/beacon`];
    info = await getJson(f, `${urls[0]!.replace(/\/+$/, '')}/${lock.chainHash}/info`);
    if (info?.hash !== lock.chainHash) throw new DeriveError(`the beacon at ${urls[0]} serves chain ${info?.hash}, not ${lock.chainHash}`);
  }
  const opened = await openTimeLock(relaySource({ urls, info, clock: options.clock, fetch: f }), { round: lock.round, chainHash: lock.chainHash, point: lock.point, ciphertext: lock.ciphertext });
  if (opened.status !== 'opened') throw new DeriveError(`the time lock did not open: ${opened.message}`);
  const identity = identityOfScalar(opened.t);
  if (!identity || (await identityToRecipient(identity)) !== key.recipient) throw new DeriveError('the time lock opened, but its scalar does not give the published recipient');
  return { recipient: key.recipient, identity, round: lock.round, chainHash: lock.chainHash, chainPinned };
}
