// The opening reads each stored ciphertext once (modules/opening/bid-check.ts): the file is hashed
// as it is decrypted, and its digest is compared with the one received before anything decrypted
// from it is judged. A stored file changed after its receipt is the platform's fault (withdrawn,
// ciphertext_corrupted) however it was changed — even into another bid that decrypts perfectly — and
// only a file that is exactly what the bidder signed is judged as the bidder's (revoked).
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import { tarArchive } from '../../modules/bids/tar-writer';
import { type BidCheckDeps, type BidResult, checkBid } from '../../modules/opening/bid-check';
import { parseIdentity } from '../../modules/opening/age-native';

const SECTION = { id: '01JAAAAAAAAAAAAAAAAAAAAAAA', code: 'S-1', direction: 'cost' as const, referencePriceFen: 100_000_000n, referenceKind: 'budget' };
const ORG = '01JBBBBBBBBBBBBBBBBBBBBBBB';
const BIDDER = { name: '测试公司', creditCode: '91110000000000000X' };
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function packageOf(amount: string, attachment: Buffer): Uint8Array {
  const doc = {
    format: 'etender-bid/1',
    section: { id: SECTION.id, code: SECTION.code },
    bidder: { orgId: ORG, name: BIDDER.name, creditCode: BIDDER.creditCode },
    price: { amount },
    attachments: [{ name: 'a.pdf', size: attachment.length, sha256: sha(attachment) }],
  };
  return tarArchive([
    { name: 'bid.json', data: Buffer.from(JSON.stringify(doc)) },
    { name: 'a.pdf', data: attachment },
  ]);
}

describe('the opening reads each stored ciphertext once, and checks its digest before judging it', () => {
  let identity: string;
  let recipient: string;
  before(async () => {
    identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
  });

  async function seal(plain: Uint8Array): Promise<Buffer> {
    const e = new Encrypter();
    e.addRecipient(recipient);
    return Buffer.from(await e.encrypt(plain));
  }

  /** Judges the bid received as `received`, with `stored` as the bytes on the platform's disk; counts the reads. */
  async function judge(received: Buffer, stored: Buffer = received, piece = 64 * 1024): Promise<{ result: BidResult; reads: number }> {
    let reads = 0;
    const deps: BidCheckDeps = {
      open: () => {
        reads++;
        const pieces = function* () {
          for (let i = 0; i < stored.length; i += piece) yield stored.subarray(i, i + piece);
        };
        return Readable.from(pieces());
      },
      exists: async () => true,
      checkCertificate: async () => {},
    };
    const bid = { id: 'b1', orgId: ORG, receivedAt: 0, ciphertextSha256: sha(received), size: received.length, manifestSha256: '0'.repeat(64), receiptLogIndex: 0, certificateFingerprint: 'f' };
    return { result: await checkBid(deps, SECTION, bid, 1, BIDDER, parseIdentity(identity)), reads };
  }

  const withdrawn = (r: BidResult) => {
    expect([r.status, r.decryption, r.cause?.code, r.price, r.attachments, r.validity]).to.deep.equal(['withdrawn', 'failed', 'ciphertext_corrupted', null, null, null]);
    expect(r.remarks[0]).to.match(/^撤回/);
  };

  it('opens an intact bid with one read of its file', async () => {
    const file = await seal(packageOf('880000.00', crypto.randomBytes(200_000)));
    for (const piece of [7919, 64 * 1024, 256 * 1024, file.length]) {
      const { result, reads } = await judge(file, file, piece);
      expect([result.status, result.validity, result.price?.amount, reads]).to.deep.equal(['opened', 'valid', '880000.00', 1]);
    }
  });

  it('withdraws a bid whose stored file was replaced by another one that decrypts perfectly, and shows nothing of it', async () => {
    const attachment = crypto.randomBytes(100_000);
    const received = await seal(packageOf('880000.00', attachment));
    // The same bidder's package at another price, sealed to the same key: every chunk authenticates.
    const swapped = await seal(packageOf('123456.78', attachment));
    const { result, reads } = await judge(received, swapped);
    withdrawn(result);
    expect(reads).to.equal(1);
    expect(JSON.stringify(result)).to.not.contain('123456.78');
  });

  it('withdraws a bid whose stored file was damaged, truncated, extended or had its header changed, as before', async () => {
    const received = await seal(packageOf('880000.00', crypto.randomBytes(150_000)));
    const flipped = Buffer.from(received);
    flipped[flipped.length - 100]! ^= 0xff;
    const header = Buffer.from(received);
    header[30]! ^= 0x01;
    for (const stored of [flipped, header, received.subarray(0, received.length - 1), received.subarray(0, 64 * 1024), Buffer.concat([received, Buffer.from([0])]), Buffer.alloc(0)]) {
      withdrawn((await judge(received, stored)).result);
    }
  });

  it('still revokes a file the bidder sealed badly, once its digest is known to be the one received', async () => {
    const good = await seal(packageOf('880000.00', crypto.randomBytes(150_000)));
    const damaged = Buffer.from(good);
    damaged[damaged.length - 100]! ^= 0xff; // damaged before it was signed and sent
    const { result } = await judge(damaged);
    expect([result.status, result.cause?.code]).to.deep.equal(['revoked', 'damaged_ciphertext']);
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(await generateX25519Identity()));
    const foreign = Buffer.from(await e.encrypt(packageOf('880000.00', crypto.randomBytes(10))));
    expect((await judge(foreign)).result.cause?.code).to.equal('not_decryptable');
  });

  it('leaves a failing read of the storage to the caller (the section is tried again), never judging the bid on it', async () => {
    const file = await seal(packageOf('880000.00', crypto.randomBytes(150_000)));
    const deps: BidCheckDeps = {
      open: () =>
        new Readable({
          read() {
            this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' }));
          },
        }),
      exists: async () => true,
      checkCertificate: async () => {},
    };
    const bid = { id: 'b1', orgId: ORG, receivedAt: 0, ciphertextSha256: sha(file), size: file.length, manifestSha256: '0'.repeat(64), receiptLogIndex: 0, certificateFingerprint: 'f' };
    let thrown: unknown = null;
    try {
      await checkBid(deps, SECTION, bid, 1, BIDDER, parseIdentity(identity));
    } catch (err) {
      thrown = err;
    }
    expect((thrown as Error | null)?.message).to.match(/reading the stored ciphertext failed: EIO/);
  });
});
