// Timelock encryption through tlock-js against a local drand-format chain: shut before the round,
// open after it, a forged beacon refused, relays tried in turn.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ManualClock } from '../../modules/core/clock';
import { roundAtOrAfter, roundTimeMs } from '../../modules/timelock/beacon';
import { beaconVerifies } from '../../modules/timelock/beacon-verify';
import { relaySource } from '../../modules/timelock/drand-relays';
import { LocalBeacon } from '../../modules/timelock/local-beacon';
import { timeLockDecrypt, timeLockEncrypt, timeLockTarget } from '../../modules/timelock/time-lock';

describe('time lock: tlock to a beacon round', () => {
  const clock = new ManualClock(Date.parse('2026-12-01T01:00:00Z'));
  const beacon = LocalBeacon.generate();
  const deadline = Date.parse('2026-12-26T01:00:00Z');
  const round = roundAtOrAfter(beacon.info, deadline);
  let ciphertext: string;
  before(async () => {
    ciphertext = await timeLockEncrypt(beacon.source(clock), round, new Uint8Array([7, 8, 9]));
  });

  it('picks the first round at or after the deadline', () => {
    expect(roundTimeMs(beacon.info, round)).to.be.at.least(deadline);
    expect(roundTimeMs(beacon.info, round - 1)).to.be.below(deadline);
    expect(timeLockTarget(ciphertext)).to.deep.equal({ round, chainHash: beacon.info.hash });
  });

  it('is shut before the round and opens at it, under an injected clock', async () => {
    clock.set(deadline - 1);
    expect((await timeLockDecrypt(beacon.source(clock), ciphertext)).status).to.equal('too_early');
    clock.set(deadline);
    const opened = await timeLockDecrypt(beacon.source(clock), ciphertext);
    expect(opened.status).to.equal('opened');
    expect(Array.from((opened as { plaintext: Uint8Array }).plaintext)).to.deep.equal([7, 8, 9]);
  });

  it('refuses a beacon signed by another key, and a ciphertext of another chain', async () => {
    clock.set(deadline);
    const other = LocalBeacon.generate();
    const forged = { ...beacon.source(clock), beacon: async (r: number) => other.sign(r) };
    expect((await timeLockDecrypt(forged, ciphertext)).status).to.equal('invalid');
    expect((await timeLockDecrypt(other.source(clock), ciphertext)).status).to.equal('invalid');
  });

  it('believes a relay only when its beacon verifies against the pinned key: a lying relay is stepped around', async () => {
    const liar = LocalBeacon.generate();
    const serve = (b: LocalBeacon) => {
      const handler = b.httpHandler(clock);
      // The liar answers under the honest chain's hash, with its own signatures.
      return http.createServer((req, res) => handler(req, res, req.url!.replace(beacon.info.hash, b.info.hash))).listen(0, '127.0.0.1');
    };
    const bad = serve(liar);
    const good = serve(beacon);
    await Promise.all([bad, good].map((s) => new Promise((resolve) => s.once('listening', resolve))));
    const at = (s: http.Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      clock.set(deadline);
      expect(beaconVerifies(beacon.info, beacon.sign(round), round)).to.equal(true);
      expect(beaconVerifies(beacon.info, liar.sign(round), round)).to.equal(false);
      expect(beaconVerifies(beacon.info, beacon.sign(round), round + 1)).to.equal(false);
      const onlyLiar = relaySource({ urls: [at(bad)], info: beacon.info, clock });
      expect(await onlyLiar.beacon(round)).to.include({ status: 'unreachable' });
      const both = relaySource({ urls: [at(bad), at(good)], info: beacon.info, clock });
      expect((await timeLockDecrypt(both, ciphertext)).status).to.equal('opened');
    } finally {
      await Promise.all([bad, good].map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });

  it('reads beacons over drand HTTP, falling back from a relay that is down; 425 before the round', async () => {
    const handler = beacon.httpHandler(clock);
    const server = http.createServer((req, res) => handler(req, res, req.url!)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const relays = relaySource({ urls: ['http://127.0.0.1:9', url], info: beacon.info, clock, timeoutMs: 2000 });
      clock.set(deadline);
      expect((await timeLockDecrypt(relays, ciphertext)).status).to.equal('opened');
      expect((await fetch(`${url}/${beacon.info.hash}/info`).then((r) => r.json())) as unknown).to.deep.equal(beacon.info);
      clock.set(deadline - 1000);
      expect((await fetch(`${url}/${beacon.info.hash}/public/${round}`)).status).to.equal(425);
      const down = relaySource({ urls: ['http://127.0.0.1:9'], info: beacon.info, clock: new ManualClock(deadline), timeoutMs: 1000 });
      expect((await timeLockDecrypt(down, ciphertext)).status).to.equal('unreachable');
      // A round no relay gave is not asked for again at once: the next call answers from memory.
      let asked = 0;
      const counting = relaySource({
        urls: ['http://127.0.0.1:9'],
        info: beacon.info,
        clock: new ManualClock(deadline),
        fetch: ((u: string, i: RequestInit) => (asked++, fetch(u, i))) as typeof fetch,
      });
      expect(await counting.beacon(round)).to.include({ status: 'unreachable' });
      expect(await counting.beacon(round)).to.include({ status: 'unreachable' });
      expect(asked).to.equal(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
