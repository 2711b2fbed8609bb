// The attack of issue 7, as a script: with everything the server host holds — the database, the data
// directory and certs/ — try to open a bid before the deadline. Under the default time lock it must
// fail; at the deadline, public data alone (the beacon's round, the notice, the ciphertexts) opens it.
// The beacon here plays the drand network: its key is in this test's memory, never on the "host".
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Decrypter, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import { HOUR, MINUTE } from '../../modules/core/clock';
import { deriveOpeningKey } from '../../modules/custody/derive-opening-key';
import { identityOfScalar } from '../../modules/custody/feldman';
import { openTimeLock } from '../../modules/custody/opening-key';
import { relaySource } from '../../modules/timelock/drand-relays';
import { LocalBeacon } from '../../modules/timelock/local-beacon';
import { approvedBidder, placeBid, publishedSection, type Bidder, type PublishedSection } from '../support/bidding';
import { createTestApp, T0, type TestApp } from '../support/test-app';

const walk = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])) : [];

/** Everything the host has, as the attacker sees it: every file, and every row of every table. */
async function hostContents(t: TestApp): Promise<{ files: Map<string, Buffer>; rows: Record<string, any[]> }> {
  const files = new Map<string, Buffer>();
  for (const f of [...walk(t.config.dataDir), ...walk(t.config.certsDir)]) files.set(f, fs.readFileSync(f));
  const rows: Record<string, any[]> = {};
  for (const table of ['opening_keys', 'key_shares', 'bids', 'audit_log', 'sections']) rows[table] = await t.tdb.db.knex(table).select('*');
  return { files, rows };
}

async function tryDecrypt(identity: string, ciphertext: Buffer): Promise<Buffer | null> {
  try {
    const d = new Decrypter();
    d.addIdentity(identity);
    return Buffer.from(await d.decrypt(ciphertext));
  } catch {
    return null;
  }
}

/**
 * The attack: every age identity written anywhere on the host; every key share decrypted with every
 * private key in certs/; the time lock opened through the network's relay. Answers an identity that
 * opens `ciphertext`, or null.
 */
async function attack(t: TestApp, relayUrl: string, ciphertext: Buffer): Promise<string | null> {
  const { files, rows } = await hostContents(t);
  const texts = [...[...files.values()].map((b) => b.toString('latin1')), JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))];
  for (const text of texts) {
    for (const m of text.matchAll(/AGE-SECRET-KEY-1[0-9A-Z]{58}/g)) if (await tryDecrypt(m[0], ciphertext)) return m[0];
  }
  const privateKeys = [...files.values()].flatMap((b) => b.toString('latin1').match(/-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/g) ?? []);
  for (const share of rows.key_shares!) {
    for (const pem of privateKeys) {
      try {
        crypto.privateDecrypt({ key: pem, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(String(share.encrypted_share), 'base64'));
        return 'a share opened';
      } catch {
        // not this key
      }
    }
  }
  for (const k of rows.opening_keys!) {
    if (k.time_lock_ciphertext == null) continue;
    const info = (await (await fetch(`${relayUrl}/${k.time_lock_chain}/info`)).json()) as any;
    const lock = { round: Number(k.time_lock_round), chainHash: String(k.time_lock_chain), point: String(k.time_lock_point), ciphertext: String(k.time_lock_ciphertext) };
    // The relay itself is asked, with the real clock of the network (the test's clock).
    const opened = await openTimeLock(relaySource({ urls: [relayUrl], info, clock: t.clock }), lock);
    if (opened.status === 'opened') {
      const identity = identityOfScalar(opened.t)!;
      if (await tryDecrypt(identity, ciphertext)) return identity;
    }
  }
  return null;
}

describe('nobody reads early, not even the host: the time lock against everything on the host', () => {
  let t: TestApp;
  let network: LocalBeacon;
  let relay: http.Server;
  let relayUrl: string;
  let section: PublishedSection;
  const bidders: Bidder[] = [];
  before(async () => {
    network = LocalBeacon.generate();
    let clockOf: () => number = () => T0;
    const handler = network.httpHandler({ now: () => clockOf() });
    relay = http.createServer((req, res) => handler(req, res, new URL(req.url!, 'http://x').pathname)).listen(0, '127.0.0.1');
    await new Promise((resolve) => relay.once('listening', resolve));
    relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    t = await createTestApp({ timeLockBeacon: 'drand', drandUrls: [relayUrl], drandChain: network.info });
    clockOf = () => t.clock.now();
    section = await publishedSection(t);
    for (const [i, name] of ['甲公司', '乙公司', '丙公司'].entries()) {
      bidders.push(await approvedBidder(t, name, 'early'));
      t.clock.set(T0 + (i + 1) * HOUR);
      await placeBid(t, section, bidders[i]!, `${880000 + i}.00`);
    }
  });
  after(async () => {
    await t.close();
    await new Promise((resolve) => relay.close(resolve));
  });

  it('12 minutes before the deadline, the database, the data directory and certs/ open no bid', async () => {
    t.clock.set(section.deadline - 12 * MINUTE);
    const blob = (await t.tdb.db.knex('bids').where({ section_id: section.id }).first()) as any;
    const ciphertext = [...(await hostContents(t)).files.entries()].find(([f]) => f.includes(String(blob.ciphertext_sha256)))![1];
    expect(await attack(t, relayUrl, ciphertext)).to.equal(null);
    // The network refuses the round outright.
    const row = await t.tdb.db.knex('opening_keys').where({ section_id: section.id }).first();
    const res = await fetch(`${relayUrl}/${row.time_lock_chain}/public/${row.time_lock_round}`);
    expect(res.status).to.equal(425);
    // The notice does not publish the lock's ciphertext yet.
    expect((await t.req().get(`/api/sections/${section.id}`)).body.section.openingKey.timeLock).to.not.have.property('ciphertext');
  });

  it('at the deadline the same attack succeeds, and an outsider derives the key from public data alone', async () => {
    t.clock.set(section.deadline);
    const rows = await t.tdb.db.knex('bids').where({ section_id: section.id }).orderBy('received_at');
    const files = (await hostContents(t)).files;
    const ciphertexts = rows.map((r: any) => [...files.entries()].find(([f]) => f.includes(String(r.ciphertext_sha256)))![1]);
    const identity = await attack(t, relayUrl, ciphertexts[0]!);
    expect(identity).to.match(/^AGE-SECRET-KEY-1/);

    // The outsider: the public notice and the beacon, through a server listening like any other.
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const derived = await deriveOpeningKey({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sectionId: section.id, beaconUrls: [relayUrl], clock: t.clock });
      expect(derived.identity).to.equal(identity);
      expect(derived.recipient).to.equal(section.recipient);
      expect(await identityToRecipient(derived.identity)).to.equal(section.recipient);
      const prices: string[] = [];
      for (const c of ciphertexts) {
        const plain = await tryDecrypt(derived.identity, c);
        expect(plain).to.not.equal(null);
        prices.push(/"amount":\s*"([0-9.]+)"/.exec(plain!.toString('latin1'))![1]!);
      }
      expect(prices).to.deep.equal(['880000.00', '880001.00', '880002.00']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // And the platform opens it by itself, through the same relay.
    await t.services.lifecycle.advanceDue();
    expect(await t.services.opening.openDue()).to.deep.equal([{ id: section.id, outcome: 'opened' }]);
  });
});
