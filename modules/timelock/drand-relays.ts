// Beacons fetched over HTTP from drand relays (or a local beacon served in drand's format), one
// relay after another until one answers. The chain's parameters are pinned by configuration, never
// taken from a relay, so a relay can at worst withhold a beacon, not forge one (tlock verifies the
// signature against the pinned public key).
import type { Beacon, BeaconMiss, BeaconSource, ChainInfo } from './beacon';
import { roundTimeMs } from './beacon';
import type { Clock } from '../core/clock';

export interface RelayOptions {
  urls: string[];
  info: ChainInfo;
  kind?: 'local' | 'drand';
  /** Per relay and request. */
  timeoutMs?: number;
  clock: Clock;
  fetch?: typeof fetch;
}

function isBeacon(v: unknown, round: number): v is Beacon {
  const b = v as Beacon | null;
  return !!b && b.round === round && typeof b.signature === 'string' && /^[0-9a-f]+$/i.test(b.signature) && typeof b.randomness === 'string';
}

export function relaySource(options: RelayOptions): BeaconSource {
  const f = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const urls = options.urls.map((u) => u.replace(/\/+$/, ''));
  const info = options.info;
  return {
    info,
    kind: options.kind ?? 'drand',
    urls,
    async beacon(round: number): Promise<Beacon | BeaconMiss> {
      // Before its time no relay can have it: ask none (this also spares relays a flood of polls).
      const at = roundTimeMs(info, round);
      if (options.clock.now() < at) return { status: 'too_early', message: `round ${round} is published at ${new Date(at).toISOString()}` };
      const failures: string[] = [];
      for (const base of urls) {
        try {
          const res = await f(`${base}/${info.hash}/public/${round}`, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
          if (!res.ok) {
            failures.push(`${base}: HTTP ${res.status}`);
            continue;
          }
          const body = await res.json();
          if (isBeacon(body, round)) return body;
          failures.push(`${base}: not a beacon of round ${round}`);
        } catch (err) {
          failures.push(`${base}: ${(err as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (err as Error).message}`);
        }
      }
      return { status: 'unreachable', message: `no relay gave round ${round} (${failures.join('; ') || 'no relays configured'})` };
    },
  };
}
