// Streaming sealing (server/pages/client/seal-stream.ts), as the browser page runs it, here in Node:
// what it seals opens through the opening's own check (modules/opening/bid-check.ts), its plaintext
// is the tar the in-memory sealer writes, its size is known before any reading, and it reports
// progress up to the whole.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { Decrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import { tarArchive } from '../../modules/bids/tar-writer';
import { parseIdentity } from '../../modules/opening/age-native';
import { checkBid } from '../../modules/opening/bid-check';
import type { BidForm } from '../../server/pages/client/seal-core';
import { sealedSize, sealStreaming, type SealPhase } from '../../server/pages/client/seal-stream';

const SECTION = { id: '01JAAAAAAAAAAAAAAAAAAAAAAA', code: 'S-1', direction: 'cost' as const, referencePriceFen: 100_000_000n, referenceKind: 'budget' };
const ORG = '01JBBBBBBBBBBBBBBBBBBBBBBB';
const FORM: BidForm = {
  section: { id: SECTION.id, code: SECTION.code },
  bidder: { orgId: ORG, name: '测试公司', creditCode: '91110000000000000X' },
  price: { amount: '934567.80', durationDays: 120 },
};

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const bytesOf = async (blob: Blob) => Buffer.from(await blob.arrayBuffer());

describe('sealing a bid as a stream (the browser page)', () => {
  let identity: string;
  let recipient: string;
  // Sizes around age's 64 KiB chunks and tar's 512-byte blocks, and an empty file.
  const contents = [crypto.randomBytes(200_000), Buffer.alloc(0), crypto.randomBytes(65_536), crypto.randomBytes(513)];
  const names = ['技术方案.pdf', 'empty.txt', 'exact-64k.bin', `${'长文件名'.repeat(12)}.docx`];
  const files = () => contents.map((c, i) => new File([c], names[i]!));

  before(async () => {
    identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
  });

  it('seals what the opening opens: bid.json with the digests, then the attachments, valid and priced', async () => {
    const sealed = await sealStreaming(files(), FORM, recipient);
    const ciphertext = await bytesOf(sealed.ciphertext);
    expect([sealed.size, sealed.sha256]).to.deep.equal([ciphertext.length, sha(ciphertext)]);
    expect(sealed.document.attachments).to.deep.equal(contents.map((c, i) => ({ name: names[i], size: c.length, sha256: sha(c) })));

    const deps = { open: () => Readable.from([ciphertext]), exists: async () => true, checkCertificate: async () => {} };
    const bid = { id: 'b1', orgId: ORG, receivedAt: 0, ciphertextSha256: sealed.sha256, size: sealed.size, manifestSha256: '0'.repeat(64), receiptLogIndex: 0, certificateFingerprint: 'f' };
    const result = await checkBid(deps, SECTION, bid, 1, { name: '测试公司', creditCode: '91110000000000000X' }, parseIdentity(identity));
    expect([result.status, result.decryption, result.validity, result.cause]).to.deep.equal(['opened', 'ok', 'valid', null]);
    expect(result.price).to.deep.equal({ amount: '934567.80', durationDays: 120 });
    expect(result.attachments).to.deep.equal(sealed.document.attachments);
  });

  it('its plaintext is byte for byte the tar the in-memory sealer writes', async () => {
    const sealed = await sealStreaming(files(), FORM, recipient);
    const d = new Decrypter();
    d.addIdentity(identity);
    const plain = await d.decrypt(new Uint8Array(await bytesOf(sealed.ciphertext)));
    const json = Buffer.from(JSON.stringify(sealed.document, null, 2) + '\n');
    const expected = tarArchive([{ name: 'bid.json', data: json }, ...contents.map((c, i) => ({ name: names[i]!, data: c }))]);
    expect(Buffer.from(plain).equals(Buffer.from(expected))).to.equal(true);
  });

  it('knows the sealed size before reading a byte, and reports progress of both passes up to the whole', async () => {
    const predicted = await sealedSize(FORM, files(), recipient);
    const seen: Array<[SealPhase, number, number]> = [];
    const sealed = await sealStreaming(files(), FORM, recipient, (phase, done, total) => seen.push([phase, done, total]));
    expect(sealed.size).to.equal(predicted);
    const hashing = seen.filter(([p]) => p === 'hashing');
    const sealing = seen.filter(([p]) => p === 'sealing');
    const attachmentBytes = contents.reduce((n, c) => n + c.length, 0);
    expect(hashing.at(-1)).to.deep.equal(['hashing', attachmentBytes, attachmentBytes]);
    expect(sealing.at(-1)).to.deep.equal(['sealing', sealed.size, sealed.size]);
    // Phases in order, and never backwards.
    const phases = seen.map(([p]) => p);
    expect(phases.indexOf('sealing')).to.be.greaterThan(phases.lastIndexOf('hashing'));
    for (const list of [hashing, sealing]) for (let i = 1; i < list.length; i++) expect(list[i]![1]).to.be.at.least(list[i - 1]![1]);
  });

  it('seals a bid with no attachments, and refuses two attachments of one name (or one named bid.json) before reading', async () => {
    const bare = await sealStreaming([], FORM, recipient);
    expect(bare.document.attachments).to.deep.equal([]);
    expect(bare.size).to.equal(await sealedSize(FORM, [], recipient));
    let read = false;
    const watched = new File(['x'], 'a.pdf');
    const original = watched.stream.bind(watched);
    watched.stream = () => {
      read = true;
      return original();
    };
    for (const list of [[watched, new File(['y'], 'a.pdf')], [new File(['{}'], 'bid.json')]]) {
      let message = '';
      await sealStreaming(list, FORM, recipient).catch((err: Error) => {
        message = err.message;
      });
      expect(message).to.match(/^two attachments are named "(a\.pdf|bid\.json)" \(or one is named bid\.json\); rename one$/);
    }
    expect(read).to.equal(false);
  });
});
