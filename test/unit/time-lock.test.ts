// Timelock encryption through tlock-js against a local drand-format chain: shut before the round,
// open after it, a forged beacon refused, relays tried in turn.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ManualClock } from '../../modules/core/clock';
import { roundAtOrAfter, roundTimeMs } from '../../modules/timelock/beacon';
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
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
