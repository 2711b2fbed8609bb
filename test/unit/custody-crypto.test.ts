import crypto from 'node:crypto';
import { Decrypter, Encrypter } from 'age-encryption';
import { expect } from 'chai';
import { AppError } from '../../modules/core/errors';
import { decryptShare, encryptShare, isAgeRecipient, rebuildIdentity, sealNewOpeningKey, splitSecret } from '../../modules/custody/custody-crypto';

// RSA-2048 keeps the test quick; the platform uses 3072-bit keys, which changes nothing here.
const keys = Array.from({ length: 3 }, () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
const custodians = keys.map((k, i) => ({ label: i === 0 ? 'platform-timer' : `user:custodian-${i}`, publicKey: k.publicKey }));

async function expectAppError(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(AppError);
    expect((err as AppError).code).to.equal(code);
    return err as AppError;
  }
  throw new Error(`expected ${code}`);
}

function openShares(sealed: Awaited<ReturnType<typeof sealNewOpeningKey>>): Uint8Array[] {
  return sealed.shares.map((s, i) => decryptShare(s.encryptedShare, keys[i]!.privateKey));
}

describe('custody crypto: opening keys split k-of-n and sealed to custodians', () => {
  it('seals a 2-of-3 key; any two shares rebuild the identity of the published recipient', async () => {
    const sealed = await sealNewOpeningKey(custodians, 2);
    expect(isAgeRecipient(sealed.recipient)).to.equal(true);
    expect(sealed.threshold).to.equal(2);
    expect(sealed.shares.map((s) => [s.index, s.label])).to.deep.equal([
      [1, 'platform-timer'],
      [2, 'user:custodian-1'],
      [3, 'user:custodian-2'],
    ]);
    expect(JSON.stringify(sealed)).to.not.contain('AGE-SECRET-KEY');
    const shares = openShares(sealed);
    for (const pair of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      const identity = await rebuildIdentity(
        pair.map((i) => shares[i]!),
        2,
        sealed.recipient,
      );
      expect(identity).to.match(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    }
    // All three work too.
    const identity = await rebuildIdentity(shares, 2, sealed.recipient);
    // The rebuilt identity opens what was sealed to the recipient.
    const e = new Encrypter();
    e.addRecipient(sealed.recipient);
    const ciphertext = await e.encrypt('投标报价 1234567.89');
    const d = new Decrypter();
    d.addIdentity(identity);
    expect(await d.decrypt(ciphertext, 'text')).to.equal('投标报价 1234567.89');
  });

  it('a 1-of-1 key (the platform timer alone) rebuilds from its one share', async () => {
    const sealed = await sealNewOpeningKey(custodians.slice(0, 1), 1);
    const [share] = openShares(sealed);
    expect(await rebuildIdentity([share!], 1, sealed.recipient)).to.match(/^AGE-SECRET-KEY-1/);
  });

  it('a 1-of-2 key rebuilds from either share, and steps around a corrupted one', async () => {
    const sealed = await sealNewOpeningKey(custodians.slice(0, 2), 1);
    const shares = openShares(sealed);
    const a = await rebuildIdentity([shares[0]!], 1, sealed.recipient);
    const b = await rebuildIdentity([shares[1]!], 1, sealed.recipient);
    expect(a).to.equal(b);
    const bad = new Uint8Array(shares[0]!);
    bad[3]! ^= 0x01;
    expect(await rebuildIdentity([bad, shares[1]!], 1, sealed.recipient)).to.equal(a);
  });

  it('refuses fewer shares than the threshold (a share released twice counts once)', async () => {
    const sealed = await sealNewOpeningKey(custodians, 2);
    const shares = openShares(sealed);
    const err = await expectAppError(rebuildIdentity([shares[0]!], 2, sealed.recipient), 'custody.not_enough_shares');
    expect(err.status).to.equal(422);
    await expectAppError(rebuildIdentity([shares[1]!, new Uint8Array(shares[1]!)], 2, sealed.recipient), 'custody.not_enough_shares');
    await expectAppError(rebuildIdentity([], 2, sealed.recipient), 'custody.not_enough_shares');
  });

  it('refuses a corrupted share (one byte flipped) by the recipient check', async () => {
    const sealed = await sealNewOpeningKey(custodians, 2);
    const shares = openShares(sealed);
    for (const position of [0, 20, shares[0]!.length - 1]) {
      const bad = new Uint8Array(shares[0]!);
      bad[position]! ^= 0x40;
      const err = await expectAppError(rebuildIdentity([bad, shares[1]!], 2, sealed.recipient), 'custody.share_mismatch');
      expect(err.status).to.equal(422);
    }
    // Truncated or empty shares are refused the same way, not with a library error.
    await expectAppError(rebuildIdentity([shares[0]!.slice(1), shares[1]!], 2, sealed.recipient), 'custody.share_mismatch');
    await expectAppError(rebuildIdentity([new Uint8Array(0), shares[1]!], 2, sealed.recipient), 'custody.share_mismatch');
  });

  it("refuses shares of another section's key, alone or mixed", async () => {
    const one = await sealNewOpeningKey(custodians, 2);
    const other = await sealNewOpeningKey(custodians, 2);
    const a = openShares(one);
    const b = openShares(other);
    await expectAppError(rebuildIdentity([b[0]!, b[1]!], 2, one.recipient), 'custody.share_mismatch');
    await expectAppError(rebuildIdentity([a[0]!, b[1]!], 2, one.recipient), 'custody.share_mismatch');
  });

  it('never puts a share or the secret into an error message', async () => {
    const sealed = await sealNewOpeningKey(custodians, 2);
    const shares = openShares(sealed);
    const identity = await rebuildIdentity(shares.slice(0, 2), 2, sealed.recipient);
    const bad = new Uint8Array(shares[0]!);
    bad[bad.length - 2]! ^= 0x01;
    const errors = [
      await expectAppError(rebuildIdentity([bad, shares[1]!], 2, sealed.recipient), 'custody.share_mismatch'),
      await expectAppError(rebuildIdentity([shares[0]!], 2, sealed.recipient), 'custody.not_enough_shares'),
      await expectAppError(rebuildIdentity(shares.slice(0, 2), 2, 'age1' + 'q'.repeat(58)), 'custody.share_mismatch'),
    ];
    for (const err of errors) {
      const text = `${err.message} ${JSON.stringify(err.details ?? [])} ${err.stack}`;
      expect(text).to.not.contain('AGE-SECRET-KEY');
      expect(text).to.not.contain(identity.slice(16, 40));
      for (const s of shares) {
        expect(text).to.not.contain(Buffer.from(s).toString('base64'));
        expect(text).to.not.contain(Buffer.from(s).toString('hex'));
      }
    }
  });

  it('encrypts shares with RSA-OAEP SHA-256 (readable with a standard OAEP decryption) and checks recipients', async () => {
    const share = crypto.randomBytes(75);
    const ct = encryptShare(share, keys[1]!.publicKey);
    expect(Buffer.from(ct, 'base64')).to.have.length(256);
    const plain = crypto.privateDecrypt({ key: keys[1]!.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(ct, 'base64'));
    expect(plain.equals(share)).to.equal(true);
    expect(() => decryptShare(ct, keys[2]!.privateKey)).to.throw();
    expect((await splitSecret(new Uint8Array([1, 2, 3]), 3, 1)).map((s) => Array.from(s.slice(0, 3)))).to.deep.equal([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const sealed = await sealNewOpeningKey(custodians.slice(0, 1), 1);
    expect(isAgeRecipient(sealed.recipient)).to.equal(true);
    expect(isAgeRecipient(sealed.recipient.slice(0, -1) + (sealed.recipient.endsWith('q') ? 'p' : 'q'))).to.equal(false);
    expect(isAgeRecipient('age1pq1' + 'q'.repeat(55))).to.equal(false);
    expect(isAgeRecipient('AGE-SECRET-KEY-1' + 'Q'.repeat(58))).to.equal(false);
  });
});
