// Beacons fetched over HTTP from drand relays (or a local beacon served in drand's format). All
// relays are asked at once and the first beacon that verifies against the pinned chain wins, so a
// slow or lying relay costs nothing while another answers. The chain's parameters are pinned by
// configuration, never taken from a relay.
//
// A beacon never changes once published, so a verified one is kept; a round that no relay could
// give is not asked for again for a few seconds of real time, so a scheduler polling every second
// does not wait out every relay's timeout on every tick while drand is unreachable.
import type { Beacon, BeaconMiss, BeaconSource, ChainInfo } from './beacon';
import { roundTimeMs } from './beacon';
import { beaconVerifies } from './beacon-verify';
import type { Clock } from '../core/clock';

export interface RelayOptions {
  urls: string[];
  info: ChainInfo;
  kind?: 'local' | 'drand';
  /** Per relay and request. */
  timeoutMs?: number;
  /** How long (real time) a round no relay gave is not asked for again. */
  retryAfterMs?: number;
  clock: Clock;
  fetch?: typeof fetch;
}

const KEEP_BEACONS = 1024;

export function relaySource(options: RelayOptions): BeaconSource {
  const f = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const retryAfterMs = options.retryAfterMs ?? 10_000;
  const urls = options.urls.map((u) => u.replace(/\/+$/, ''));
  const info = options.info;
  const verified = new Map<number, Beacon>();
  const missed = new Map<number, { until: number; miss: BeaconMiss }>();

  async function fromRelay(base: string, round: number): Promise<Beacon> {
    let res: Response;
    try {
      res = await f(`${base}/${info.hash}/public/${round}`, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new Error(`${base}: ${(err as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (err as Error).message}`);
    }
    if (!res.ok) throw new Error(`${base}: HTTP ${res.status}`);
    const body = (await res.json().catch(() => null)) as Beacon | null;
    if (!body || typeof body.signature !== 'string' || typeof body.randomness !== 'string' || !beaconVerifies(info, body, round)) {
      throw new Error(`${base}: not a valid beacon of round ${round} of chain ${info.hash}`);
    }
    return { round, randomness: body.randomness, signature: body.signature };
  }

  return {
    info,
    kind: options.kind ?? 'drand',
    urls,
    async beacon(round: number): Promise<Beacon | BeaconMiss> {
      // Before its time no relay can have it: ask none (this also spares relays a flood of polls).
      const at = roundTimeMs(info, round);
      if (options.clock.now() < at) return { status: 'too_early', message: `round ${round} is published at ${new Date(at).toISOString()}` };
      const known = verified.get(round);
      if (known) return known;
      const recent = missed.get(round);
      if (recent && performance.now() < recent.until) return recent.miss;
      if (urls.length === 0) return { status: 'unreachable', message: 'no relays configured' };
      try {
        const beacon = await Promise.any(urls.map((u) => fromRelay(u, round)));
        if (verified.size >= KEEP_BEACONS) verified.delete(verified.keys().next().value!);
        verified.set(round, beacon);
        missed.delete(round);
        return beacon;
      } catch (err) {
        const reasons = (err as AggregateError).errors?.map((e: Error) => e.message) ?? [(err as Error).message];
        const miss: BeaconMiss = { status: 'unreachable', message: `no relay gave round ${round} (${reasons.join('; ')})` };
        if (missed.size >= KEEP_BEACONS) missed.clear();
        missed.set(round, { until: performance.now() + retryAfterMs, miss });
        return miss;
      }
    },
  };
}
