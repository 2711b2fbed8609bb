// The native age decrypter against the age-encryption package on the same files: sizes around the
// 64 KiB chunk boundary, several recipients, and every kind of damage.
import crypto from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { AgeError, type AgeDecryptOptions, ageDecryptStream, parseIdentity } from '../../modules/opening/age-native';

async function seal(plain: Uint8Array, recipients: string[]): Promise<Buffer> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return Buffer.from(await e.encrypt(plain));
}

/** Feeds `file` in pieces of `piece` bytes through the native decrypter. */
async function nativeDecrypt(file: Buffer, identity: string, piece = 7919, options: AgeDecryptOptions = {}): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces = function* () {
    for (let i = 0; i < file.length; i += piece) yield file.subarray(i, i + piece);
  };
  await pipeline(
    Readable.from(pieces()),
    ageDecryptStream(identity, options),
    new Writable({
      write(c, _e, d) {
        out.push(c);
        d();
      },
    }),
  );
  return Buffer.concat(out);
}

async function failsWith(p: Promise<unknown>, code: string) {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(AgeError);
    expect((err as AgeError).code, (err as Error).message).to.equal(code);
    return;
  }
  throw new Error(`expected AgeError ${code}`);
}

describe('native age decryption (node:crypto) against age-encryption', () => {
  let identity: string;
  let recipient: string;
  before(async () => {
    identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
  });

  it('reads the X25519 scalar of an AGE-SECRET-KEY-1 identity', () => {
    const id = parseIdentity(identity);
    expect(id.publicKey).to.have.length(32);
  });

  for (const size of [0, 1, 1000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 2 * 64 * 1024, 3 * 64 * 1024 + 12345]) {
    it(`decrypts ${size} bytes exactly like age-encryption`, async () => {
      const plain = crypto.randomBytes(size);
      const file = await seal(plain, [recipient]);
      const d = new Decrypter();
      d.addIdentity(identity);
      const reference = Buffer.from(await d.decrypt(file));
      expect(reference.equals(plain)).to.equal(true);
      for (const piece of [size <= 2000 ? 1 : 997, 4096, 65_552, file.length || 1]) {
        const native = await nativeDecrypt(file, identity, piece);
        expect(native.equals(plain), `piece ${piece}`).to.equal(true);
      }
    });
  }

  it('finds its stanza among several recipients', async () => {
    const other = await identityToRecipient(await generateX25519Identity());
    const plain = crypto.randomBytes(70_000);
    const file = await seal(plain, [other, recipient]);
    expect((await nativeDecrypt(file, identity)).equals(plain)).to.equal(true);
  });

  it('refuses a file sealed to another key', async () => {
    const other = await identityToRecipient(await generateX25519Identity());
    await failsWith(nativeDecrypt(await seal(Buffer.from('x'), [other]), identity), 'no_identity_matched');
  });

  it('refuses a corrupted chunk, a changed header, a truncated file, a dropped last chunk', async () => {
    const plain = crypto.randomBytes(3 * 64 * 1024 + 10);
    const file = await seal(plain, [recipient]);
    const headerEnd = file.indexOf('\n---') + 1;
    const macEnd = file.indexOf('\n', headerEnd) + 1;
    // A flipped bit in the second chunk.
    const flipped = Buffer.from(file);
    flipped[macEnd + 16 + 65_552 + 100]! ^= 0x01;
    await failsWith(nativeDecrypt(flipped, identity), 'payload');
    // A flipped bit in the payload nonce changes the key: the first chunk fails.
    const badNonce = Buffer.from(file);
    badNonce[macEnd + 3]! ^= 0x01;
    await failsWith(nativeDecrypt(badNonce, identity), 'payload');
    // The header MAC.
    const badMac = Buffer.from(file);
    badMac[headerEnd + 6] = badMac[headerEnd + 6] === 0x41 ? 0x42 : 0x41;
    await failsWith(nativeDecrypt(badMac, identity), 'header_mac');
    // Truncated in the middle of a chunk, and cut exactly after a full chunk (the last-chunk flag is missing).
    await failsWith(nativeDecrypt(file.subarray(0, file.length - 5), identity), 'payload');
    await failsWith(nativeDecrypt(file.subarray(0, macEnd + 16 + 2 * 65_552), identity), 'payload');
    await failsWith(nativeDecrypt(file.subarray(0, macEnd + 8), identity), 'truncated');
    await failsWith(nativeDecrypt(Buffer.from('not an age file at all\n'), identity), 'bad_header');
  });

  it('decrypts the same whatever the sizes of the pieces it is fed (chunks inside one piece or across several)', async () => {
    const plain = crypto.randomBytes(5 * 64 * 1024 + 777);
    const file = await seal(plain, [recipient]);
    const sealedChunk = 64 * 1024 + 16;
    for (const piece of [1, 16, 4096, sealedChunk - 1, sealedChunk, sealedChunk + 1, 3 * sealedChunk + 5, 256 * 1024, file.length]) {
      expect((await nativeDecrypt(file, identity, piece)).equals(plain), `pieces of ${piece} bytes`).to.equal(true);
    }
    // A full last chunk, cut into pieces that end exactly at the chunk boundaries.
    const exact = crypto.randomBytes(2 * 64 * 1024);
    const exactFile = await seal(exact, [recipient]);
    for (const piece of [sealedChunk, 2 * sealedChunk, exactFile.length]) expect((await nativeDecrypt(exactFile, identity, piece)).equals(exact), `pieces of ${piece} bytes`).to.equal(true);
  });

  it('hashes every input byte on the way in, and says whether it saw the whole file', async () => {
    const file = await seal(crypto.randomBytes(3 * 64 * 1024 + 99), [recipient]);
    for (const piece of [7919, 256 * 1024]) {
      const hash = crypto.createHash('sha256');
      await nativeDecrypt(file, identity, piece, { hash });
      expect(hash.digest('hex')).to.equal(crypto.createHash('sha256').update(file).digest('hex'));
    }
    const whole = ageDecryptStream(identity);
    expect(whole.complete).to.equal(false);
    await pipeline(Readable.from([file]), whole, new Writable({ write: (_c, _e, d) => d() }));
    expect(whole.complete).to.equal(true);
    const cut = ageDecryptStream(identity);
    await failsWith(pipeline(Readable.from([file.subarray(0, file.length - 5)]), cut, new Writable({ write: (_c, _e, d) => d() })), 'payload');
    expect(cut.complete).to.equal(false);
  });
});
