// The opening's judgement of a decrypted package (modules/opening/bid-check.ts): hostile and broken
// tars are revoked with the codes the opening has always used (bad_package, bad_bid_json,
// attachment_mismatch), and a package the CLI sealed with tar-stream before still opens.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import { tarArchive } from '../../modules/bids/tar-writer';
import { type BidResult, checkBid } from '../../modules/opening/bid-check';
import { parseIdentity } from '../../modules/opening/age-native';
import { rawArchive, rawHeader } from '../support/raw-tar';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tar');
const SECTION = { id: '01JAAAAAAAAAAAAAAAAAAAAAAA', code: 'S-1', direction: 'cost' as const, referencePriceFen: 100_000_000n, referenceKind: 'budget' };
const ORG = '01JBBBBBBBBBBBBBBBBBBBBBBB';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function bidJson(attachments: Array<{ name: string; data: Buffer }>): Buffer {
  const doc = {
    format: 'etender-bid/1',
    section: { id: SECTION.id, code: SECTION.code },
    bidder: { orgId: ORG, name: '测试公司', creditCode: '91110000000000000X' },
    price: { amount: '1000.00' },
    attachments: attachments.map((a) => ({ name: a.name, size: a.data.length, sha256: sha(a.data) })),
  };
  return Buffer.from(JSON.stringify(doc));
}

describe('the opening reads a decrypted package', () => {
  let identity: string;
  let recipient: string;

  before(async () => {
    identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
  });

  async function judge(plain: Uint8Array): Promise<BidResult> {
    const e = new Encrypter();
    e.addRecipient(recipient);
    const sealed = Buffer.from(await e.encrypt(plain));
    const digest = sha(sealed);
    const deps = { open: () => Readable.from([sealed]), exists: async () => true, checkCertificate: async () => {} };
    const bid = { id: 'b1', orgId: ORG, receivedAt: 0, ciphertextSha256: digest, size: sealed.length, manifestSha256: '0'.repeat(64), receiptLogIndex: 0, certificateFingerprint: 'f' };
    return checkBid(deps, SECTION, bid, 1, { name: '测试公司', creditCode: '91110000000000000X' }, parseIdentity(identity));
  }

  const expectRevoked = (r: BidResult, code: string, message: string | RegExp) => {
    expect([r.status, r.cause?.code]).to.deep.equal(['revoked', code]);
    if (typeof message === 'string') expect(r.cause!.message).to.equal(message);
    else expect(r.cause!.message).to.match(message);
  };

  it('opens a package the writer made, and one the CLI sealed with tar-stream before (pax names)', async () => {
    const attachment = { name: '技术方案.pdf', data: crypto.randomBytes(5000) };
    const made = await judge(tarArchive([{ name: 'bid.json', data: bidJson([attachment]) }, attachment]));
    expect([made.status, made.validity, made.attachments]).to.deep.equal(['opened', 'valid', [{ name: attachment.name, size: 5000, sha256: sha(attachment.data) }]]);
    // The fixture's bid.json names its own section and bidder, which are these.
    const old = await judge(fs.readFileSync(path.join(FIXTURES, 'tar-stream-bid-package.tar')));
    expect([old.status, old.validity, old.attachments?.length]).to.deep.equal(['opened', 'valid', 5]);
  });

  it('revokes links, "../" names, duplicate names and directories as bad_package', async () => {
    const json = bidJson([]);
    const first = { header: rawHeader({ name: 'bid.json', size: json.length }), data: json };
    const prefix = 'the decrypted package is not a valid tar archive: ';
    expectRevoked(
      await judge(rawArchive([first, { header: rawHeader({ name: 'x', size: 0, type: '2', linkname: '/etc/passwd' }) }])),
      'bad_package',
      `${prefix}member "x" is a symbolic link; a bid package holds regular files only`,
    );
    expectRevoked(
      await judge(rawArchive([first, { header: rawHeader({ name: '../x', size: 1 }), data: Buffer.from('x') }])),
      'bad_package',
      `${prefix}member "../x" has an unsafe name: it has a ".." component`,
    );
    expectRevoked(
      await judge(rawArchive([first, { header: rawHeader({ name: '/tmp/x', size: 1 }), data: Buffer.from('x') }])),
      'bad_package',
      `${prefix}member "/tmp/x" has an unsafe name: it is an absolute path`,
    );
    expectRevoked(await judge(rawArchive([first, first])), 'bad_package', `${prefix}two members are named "bid.json"`);
    expectRevoked(
      await judge(rawArchive([first, { header: rawHeader({ name: 'd', size: 0, type: '5' }) }])),
      'bad_package',
      `${prefix}member "d" is a directory; a bid package holds regular files only`,
    );
  });

  it('revokes truncated archives, lying and huge sizes as bad_package', async () => {
    const a = { name: 'a.pdf', data: crypto.randomBytes(3000) };
    const whole = tarArchive([{ name: 'bid.json', data: bidJson([a]) }, a]);
    expectRevoked(await judge(whole.subarray(0, whole.length - 1024 - 1024)), 'bad_package', /is truncated: it ends inside member "a.pdf"$/);
    expectRevoked(await judge(whole.subarray(0, whole.length - 1024)), 'bad_package', /without its end-of-archive blocks/);
    const json = bidJson([a]);
    const lying = Buffer.concat([rawHeader({ name: 'bid.json', size: json.length }), json, Buffer.alloc(512 - json.length), rawHeader({ name: 'a.pdf', size: 200 }), a.data, Buffer.alloc(1024)]);
    expectRevoked(await judge(lying), 'bad_package', /wrong checksum/);
    const huge = rawArchive([{ header: rawHeader({ name: 'bid.json', size: json.length }), data: json }, { header: rawHeader({ name: 'a.pdf', size: 0o77777777777 }) }]);
    expectRevoked(await judge(huge), 'bad_package', /^the decrypted package is not a valid tar archive: member "a.pdf" declares 8589934591 bytes, more than the limit of \d+$/);
  });

  it('keeps the checks it had: bid.json first, at most 1 MiB, JSON, and exactly the listed attachments', async () => {
    const a = { name: 'a.pdf', data: crypto.randomBytes(100) };
    expectRevoked(await judge(tarArchive([a, { name: 'bid.json', data: bidJson([]) }])), 'bad_package', 'the first member of the package is "a.pdf", not bid.json');
    expectRevoked(await judge(tarArchive([{ name: 'bid.json', data: Buffer.alloc(1024 * 1024 + 1, 0x20) }])), 'bad_bid_json', 'bid.json is larger than 1 MiB');
    expectRevoked(await judge(tarArchive([{ name: 'bid.json', data: Buffer.from('{') }])), 'bad_bid_json', 'bid.json is not JSON');
    expectRevoked(await judge(tarArchive([])), 'bad_package', 'the package is empty');
    expectRevoked(
      await judge(tarArchive([{ name: 'bid.json', data: bidJson([a]) }])),
      'attachment_mismatch',
      'the attachments in the package do not match the sizes and SHA-256 digests listed in bid.json (listed 1, found 0)',
    );
  });
});
