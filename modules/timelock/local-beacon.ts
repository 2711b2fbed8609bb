// A local beacon: a drand-format chain whose BLS key sits in a file, its rounds published when the
// platform's (injectable) clock reaches them. For tests, the demo and fully offline trials — whoever
// holds the key file can sign any future round, so custody under it trusts that host. Served in
// drand's HTTP format so that the same relay client, and outsiders, read it like drand.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { Clock } from '../core/clock';
import { PRIVATE_DIR_MODE } from '../core/private-files';
import { roundMessage, roundTimeMs, type Beacon, type BeaconMiss, type BeaconSource, type ChainInfo } from './beacon';
import { G1_RFC9380_DST } from './beacon-verify';

/** 2020-01-01T00:00:00Z with one-second rounds: any deadline a test or demo uses has a round. */
const LOCAL_GENESIS = 1577836800;
const LOCAL_PERIOD = 1;

const short = bls12_381.shortSignatures;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class LocalBeacon {
  readonly info: ChainInfo;

  private constructor(private readonly secretKey: Uint8Array) {
    const publicKey = hex(short.getPublicKey(secretKey).toBytes());
    const groupHash = crypto.createHash('sha256').update(`local:${publicKey}`).digest('hex');
    const hash = crypto.createHash('sha256').update(`${LOCAL_PERIOD}:${LOCAL_GENESIS}:${publicKey}:${groupHash}:bls-unchained-g1-rfc9380:local`).digest('hex');
    this.info = { public_key: publicKey, period: LOCAL_PERIOD, genesis_time: LOCAL_GENESIS, hash, groupHash, schemeID: 'bls-unchained-g1-rfc9380', metadata: { beaconID: 'local' } };
  }

  /** A fresh key, not kept anywhere (tests that play "the drand network" outside the host). */
  static generate(): LocalBeacon {
    return new LocalBeacon(bls12_381.utils.randomSecretKey());
  }

  /** The key in `file` (hex, mode 0600), made on first use; concurrent first starts agree on one. */
  static loadOrCreate(file: string): LocalBeacon {
    const read = () => {
      const text = fs.readFileSync(file, 'utf8').trim();
      if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} is not a local beacon key (64 hex digits); remove it to make a new one.`);
      return new LocalBeacon(Uint8Array.from(Buffer.from(text, 'hex')));
    };
    if (fs.existsSync(file)) return read();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, `${hex(bls12_381.utils.randomSecretKey())}\n`, { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return read();
  }

  /** The beacon of a round, whatever the time: only for the owner of the key. */
  sign(round: number): Beacon {
    const msg = crypto.createHash('sha256').update(roundMessage(round)).digest();
    const signature = short.sign(short.hash(msg, G1_RFC9380_DST), this.secretKey).toBytes();
    return { round, randomness: crypto.createHash('sha256').update(signature).digest('hex'), signature: hex(signature) };
  }

  /** The beacon of `round` once `clock` has reached its time. */
  published(round: number, clock: Clock): Beacon | BeaconMiss {
    if (!Number.isSafeInteger(round) || round < 1) return { status: 'unreachable', message: `round ${round} does not exist` };
    const at = roundTimeMs(this.info, round);
    if (clock.now() < at) return { status: 'too_early', message: `round ${round} is published at ${new Date(at).toISOString()}` };
    return this.sign(round);
  }

  /** A source that reads this beacon in process, as a relay would serve it. */
  source(clock: Clock, urls: readonly string[] = []): BeaconSource {
    return { info: this.info, kind: 'local', urls, beacon: async (round) => this.published(round, clock) };
  }

  /**
   * drand's HTTP API for this chain, rooted wherever it is mounted: /info, /chains,
   * /{hash}/info, /{hash}/public/latest and /{hash}/public/{round}. A future round is 425 Too Early.
   */
  httpHandler(clock: Clock): (req: IncomingMessage, res: ServerResponse, path: string) => void {
    return (req, res, urlPath) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': status === 200 ? 'public, max-age=60' : 'no-store' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'only GET' });
      const parts = urlPath.split('/').filter(Boolean);
      if (parts[0] === this.info.hash) parts.shift();
      if (parts.length === 1 && parts[0] === 'info') return send(200, this.info);
      if (parts.length === 1 && parts[0] === 'chains') return send(200, [this.info.hash]);
      if (parts.length === 2 && parts[0] === 'public') {
        const latest = Math.max(1, Math.floor((clock.now() / 1000 - this.info.genesis_time) / this.info.period) + 1);
        const round = parts[1] === 'latest' ? latest : /^\d{1,15}$/.test(parts[1]!) ? Number(parts[1]) : NaN;
        const b = this.published(round, clock);
        if ('signature' in b) return send(200, b);
        return send(b.status === 'too_early' ? 425 : 404, { error: b.message });
      }
      return send(404, { error: 'not found' });
    };
  }
}
