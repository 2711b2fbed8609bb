import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import forge from 'node-forge';
import { createCsr, generateRsaKeyPair, loadPrivateKey, signChallenge } from '../../modules/pki/client-keys';
import { parseCsr } from '../../modules/pki/certificate-authority';
import { UsageError } from '../../server/commands/command';
import { certRequestCommand, csrCommand, keygenCommand } from '../../server/commands/pki';

const spki = (k: crypto.KeyObject) => (k.type === 'private' ? crypto.createPublicKey(k) : k).export({ type: 'spki', format: 'pem' });

async function quietly(work: () => Promise<void>): Promise<string> {
  const write = process.stdout.write;
  let printed = '';
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = write;
  }
  return printed;
}

describe('client keys (bidder side)', () => {
  let plain: { privateKeyPem: string; publicKeyPem: string };
  before(async () => {
    plain = await generateRsaKeyPair(2048);
  });

  it('makes an RSA key pair: PKCS#8 private key, SPKI public key of the same key, 3072 bits by default', async () => {
    expect(plain.privateKeyPem).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(plain.publicKeyPem).to.match(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(spki(crypto.createPrivateKey(plain.privateKeyPem))).to.equal(plain.publicKeyPem);
    expect(crypto.createPrivateKey(plain.privateKeyPem).asymmetricKeyDetails!.modulusLength).to.equal(2048);
    const dflt = await generateRsaKeyPair();
    expect(crypto.createPublicKey(dflt.publicKeyPem).asymmetricKeyDetails!.modulusLength).to.equal(3072);
    await generateRsaKeyPair(1024).then(
      () => expect.fail('a 1024-bit key was made'),
      (err: Error) => expect(err.message).to.match(/2048 to 16384/),
    );
  });

  it('encrypts the private key with a passphrase, and needs the right one to use it', async () => {
    const pair = await generateRsaKeyPair(2048, { passphrase: 'correct horse' });
    expect(pair.privateKeyPem).to.match(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(() => loadPrivateKey(pair.privateKeyPem)).to.throw(/encrypted; give its passphrase/);
    expect(() => loadPrivateKey(pair.privateKeyPem, 'wrong')).to.throw(/passphrase is wrong/);
    expect(spki(loadPrivateKey(pair.privateKeyPem, 'correct horse'))).to.equal(pair.publicKeyPem);
    const csr = createCsr(pair.privateKeyPem, { commonName: 'bidder-a' }, { passphrase: 'correct horse' });
    expect(spki(parseCsr(csr).publicKey)).to.equal(pair.publicKeyPem);
  });

  it('writes a CSR for the key that verifies, with the name asked for', () => {
    const pem = createCsr(plain.privateKeyPem, { commonName: '张三' });
    expect(pem).to.match(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const csr = forge.pki.certificationRequestFromPem(pem);
    expect(csr.verify()).to.equal(true);
    expect(csr.subject.getField('CN').value).to.equal(forge.util.encodeUtf8('张三'));
    expect(csr.signatureOid).to.equal(forge.pki.oids.sha256WithRSAEncryption);
    const parsed = parseCsr(pem);
    expect(parsed.signatureValid).to.equal(true);
    expect(spki(parsed.publicKey)).to.equal(plain.publicKeyPem);
    expect(() => createCsr('not a key', { commonName: 'x' })).to.throw(/not a PEM private key/);
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => createCsr(ec, { commonName: 'x' })).to.throw(/RSA keys only/);
  });

  it('signs a challenge with RSA-PSS SHA-256, salt length 32', () => {
    const challenge = 'etender-pki-challenge.abc';
    const sig = Buffer.from(signChallenge(plain.privateKeyPem, challenge), 'base64');
    const pub = crypto.createPublicKey(plain.publicKeyPem);
    const verify = (data: string, saltLength: number) => crypto.verify('sha256', Buffer.from(data), { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
    expect(verify(challenge, 32)).to.equal(true);
    expect(verify(challenge, 20)).to.equal(false);
    expect(verify(`${challenge}.`, 32)).to.equal(false);
  });

  describe('the keygen and csr commands', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-keygen-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('keygen writes an encrypted key readable by its owner only, and never overwrites it', async () => {
      const pass = path.join(dir, 'pass.txt');
      fs.writeFileSync(pass, 'open sesame\n');
      const out = path.join(dir, 'key.pem');
      const printed = await quietly(() => keygenCommand.run({ out, 'passphrase-file': pass, bits: '2048', 'public-out': path.join(dir, 'key.pub') }, []));
      expect(printed).to.match(/RSA-2048 private key .* \(encrypted with the passphrase\)/);
      expect(fs.statSync(out).mode & 0o777).to.equal(0o600);
      expect(spki(loadPrivateKey(fs.readFileSync(out, 'utf8'), 'open sesame'))).to.equal(fs.readFileSync(path.join(dir, 'key.pub'), 'utf8'));
      const before = fs.readFileSync(out, 'utf8');
      await keygenCommand.run({ out }, []).then(
        () => expect.fail('overwrote the key'),
        (err: Error) => {
          expect(err).to.be.instanceOf(UsageError);
          expect(err.message).to.match(/already exists/);
        },
      );
      expect(fs.readFileSync(out, 'utf8')).to.equal(before);

      const csrOut = path.join(dir, 'req.csr');
      await quietly(() => csrCommand.run({ key: out, 'passphrase-file': pass, name: 'bidder-a', out: csrOut }, []));
      expect(parseCsr(fs.readFileSync(csrOut, 'utf8')).signatureValid).to.equal(true);
      await csrCommand.run({ key: out, name: 'bidder-a', out: csrOut }, []).then(
        () => expect.fail('used an encrypted key without its passphrase'),
        (err: Error) => expect(err.message).to.match(/encrypted; give its passphrase/),
      );
    });

    it('says clearly what is missing', async () => {
      const cases: Array<[Promise<void>, RegExp]> = [
        [keygenCommand.run({}, []), /--out is required\. Example: etender keygen/],
        [csrCommand.run({ key: path.join(dir, 'nope.pem'), name: 'x', out: path.join(dir, 'x.csr') }, []), /key file ".*nope\.pem" does not exist/],
        [keygenCommand.run({ out: path.join(dir, 'k2.pem'), 'passphrase-file': path.join(dir, 'nope.txt') }, []), /passphrase file ".*nope\.txt" does not exist/],
        [certRequestCommand.run({ url: 'http://127.0.0.1:1', token: 'etk_x', csr: path.join(dir, 'nope.csr'), usage: 'signing', out: 'x' }, []), /certificate request ".*nope\.csr" does not exist/],
        [certRequestCommand.run({ url: 'http://127.0.0.1:1', token: 'etk_x', csr: 'x', usage: 'sealing', out: 'x' }, []), /--usage must be signing or encryption/],
      ];
      for (const [work, message] of cases) {
        await work.then(
          () => expect.fail(`expected ${message}`),
          (err: Error) => {
            expect(err).to.be.instanceOf(UsageError);
            expect(err.message).to.match(message);
          },
        );
      }
      for (const c of [keygenCommand, csrCommand, certRequestCommand]) expect(c.help).to.match(/Example:\n {2}.*etender /);
    });
  });
});
