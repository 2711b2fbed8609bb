// etender-key-backup/1 files: sealed with age's passphrase recipient and opened again; a wrong
// passphrase, a damaged file and a file that is no key backup each give their own error code; the
// CLI turns a keygen key into a backup and back (the same key), and Debian's `age -d` opens one.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import forge from 'node-forge';
import { KEY_BACKUP_FORMAT, keyBackupSchema, type KeyBackup } from '../../modules/formats/key-backup';
import { generateRsaKeyPair } from '../../modules/pki/client-keys';
import { asKeyBackup, KeyBackupError, openKeyBackup, sealKeyBackup } from '../../modules/pki/key-backup';
import { UsageError } from '../../server/commands/command';
import { keyExportBackupCommand, keyImportBackupCommand } from '../../server/commands/key-backup';
import { keygenCommand } from '../../server/commands/pki';
import { requireTool } from '../support/tools';

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

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(KeyBackupError);
    return (err as KeyBackupError).code;
  }
  throw new Error('expected a KeyBackupError');
}

const spkiOf = (k: crypto.KeyObject | string) => crypto.createPublicKey(k).export({ type: 'spki', format: 'der' }).toString('base64');

describe('key backups (etender-key-backup/1)', function () {
  this.timeout(60_000);
  let backup: KeyBackup;
  let sealed: string;
  const PASS = 'correct horse battery staple';

  before(async () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    backup = {
      format: KEY_BACKUP_FORMAT,
      username: 'bidder-a',
      kind: 'signing',
      algorithm: 'RSA-PSS-SHA256',
      createdAt: Date.parse('2026-12-01T01:00:00Z'),
      certificatePem: null,
      pkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    };
    sealed = await sealKeyBackup(backup, PASS, { workFactor: 12 });
  });

  it('is armored age for a passphrase (scrypt) and opens with it to the same JSON', async () => {
    expect(sealed).to.match(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(new TextDecoder().decode(armor.decode(sealed)).startsWith('age-encryption.org/v1\n-> scrypt ')).to.equal(true);
    expect(sealed).to.not.contain(backup.pkcs8.slice(0, 40));
    expect(await openKeyBackup(sealed, PASS)).to.deep.equal(backup);
    // As bytes too, armored or not.
    expect(await openKeyBackup(new TextEncoder().encode(sealed), PASS)).to.deep.equal(backup);
    expect(await openKeyBackup(armor.decode(sealed), PASS)).to.deep.equal(backup);
  });

  it('a wrong passphrase, a damaged file and a file that is no key backup give distinct codes', async () => {
    expect(await codeOf(openKeyBackup(sealed, 'wrong horse'))).to.equal('key_backup.wrong_passphrase');
    expect(await codeOf(openKeyBackup(sealed, ''))).to.equal('key_backup.no_passphrase');
    const binary = armor.decode(sealed);
    // Truncated, a flipped byte in the payload, a flipped byte in the header's MAC line.
    expect(await codeOf(openKeyBackup(sealed.slice(0, sealed.length - 60), PASS))).to.equal('key_backup.corrupted');
    const payload = binary.slice();
    payload[payload.length - 5]! ^= 1;
    expect(await codeOf(openKeyBackup(payload, PASS))).to.equal('key_backup.corrupted');
    const header = binary.slice();
    const mac = new TextDecoder().decode(header).indexOf('\n--- ') + 6;
    header[mac] = header[mac] === 0x41 ? 0x42 : 0x41;
    expect(await codeOf(openKeyBackup(header, PASS))).to.equal('key_backup.corrupted');
    expect(await codeOf(openKeyBackup('-----BEGIN AGE ENCRYPTED FILE-----\nnot base64 at all!\n-----END AGE ENCRYPTED FILE-----\n', PASS))).to.equal('key_backup.corrupted');
    // Not age at all; age to a recipient; age with a passphrase around something else.
    expect(await codeOf(openKeyBackup('{"format":"etender-key-backup/1"}', PASS))).to.equal('key_backup.not_a_key_backup');
    const toRecipient = new Encrypter();
    toRecipient.addRecipient(await identityToRecipient(await generateX25519Identity()));
    expect(await codeOf(openKeyBackup(await toRecipient.encrypt('x'), PASS))).to.equal('key_backup.not_a_key_backup');
    const other = new Encrypter();
    other.setPassphrase(PASS);
    other.setScryptWorkFactor(12);
    expect(await codeOf(openKeyBackup(await other.encrypt('{"hello":"world"}'), PASS))).to.equal('key_backup.not_a_key_backup');
    // The errors say nothing of the key or the passphrase.
    for (const attempt of [openKeyBackup(sealed, 'wrong horse'), openKeyBackup(payload, PASS)]) {
      const message = await attempt.then(
        () => '',
        (e: Error) => e.message,
      );
      expect(message).to.not.contain('horse');
      expect(message).to.not.contain(backup.pkcs8.slice(0, 20));
    }
  });

  it('the schema refuses an algorithm that does not fit the kind, and unknown fields', () => {
    expect(keyBackupSchema.safeParse({ ...backup, kind: 'encryption' }).success).to.equal(false);
    expect(keyBackupSchema.safeParse({ ...backup, kind: 'encryption', algorithm: 'RSA-OAEP-SHA256' }).success).to.equal(true);
    expect(keyBackupSchema.safeParse({ ...backup, extra: 1 }).success).to.equal(false);
    expect(keyBackupSchema.safeParse({ ...backup, pkcs8: 'not base64!' }).success).to.equal(false);
  });

  it("the browser's check without zod accepts exactly what the schema accepts", () => {
    const { format: _f, ...withoutFormat } = backup;
    const samples: unknown[] = [
      backup,
      { ...backup, kind: 'encryption', algorithm: 'RSA-OAEP-SHA256' },
      { ...backup, certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      { ...backup, kind: 'encryption' },
      { ...backup, algorithm: 'RSA-OAEP-SHA256' },
      { ...backup, kind: 'other' },
      { ...backup, format: 'etender-key-backup/2' },
      withoutFormat,
      { ...backup, extra: 1 },
      { ...backup, username: '' },
      { ...backup, username: 'x'.repeat(80) },
      { ...backup, username: 'x'.repeat(81) },
      { ...backup, username: 7 },
      { ...backup, createdAt: 1.5 },
      { ...backup, createdAt: '2026-12-01' },
      { ...backup, createdAt: Number.MAX_SAFE_INTEGER + 1 },
      { ...backup, certificatePem: 5 },
      { ...backup, certificatePem: 'x'.repeat(16_385) },
      { ...backup, pkcs8: '' },
      { ...backup, pkcs8: 'AAAA===' },
      { ...backup, pkcs8: 'A'.repeat(16_385) },
      { ...backup, pkcs8: 'not base64!' },
      null,
      [],
      'etender-key-backup/1',
    ];
    for (const sample of samples) expect(asKeyBackup(sample) !== null, JSON.stringify(sample)?.slice(0, 120)).to.equal(keyBackupSchema.safeParse(sample).success);
  });

  describe('etender key export-backup / import-backup', () => {
    let dir: string;
    const file = (name: string) => path.join(dir, name);
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-key-backup-'));
      fs.writeFileSync(file('key-pass.txt'), 'key passphrase\n');
      fs.writeFileSync(file('backup-pass.txt'), `${PASS}\n`);
      fs.writeFileSync(file('new-pass.txt'), 'another passphrase\n');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('a keygen key (encrypted) → backup → key: the same key, written encrypted again', async () => {
      await quietly(() => keygenCommand.run({ out: file('key.pem'), 'passphrase-file': file('key-pass.txt'), bits: '2048' }, []));
      const original = crypto.createPrivateKey({ key: fs.readFileSync(file('key.pem'), 'utf8'), passphrase: 'key passphrase' });
      const said = await quietly(() =>
        keyExportBackupCommand.run(
          {
            key: file('key.pem'),
            'passphrase-file': file('key-pass.txt'),
            'backup-passphrase-file': file('backup-pass.txt'),
            username: 'custodian',
            kind: 'encryption',
            out: file('k.age'),
            'work-factor': '12', // age's 18 is the default; it is slow under the test runner
          },
          [],
        ),
      );
      expect(said).to.contain(`Wrote the encryption key backup for custodian to ${file('k.age')}`);
      expect(fs.statSync(file('k.age')).mode & 0o777).to.equal(0o600);
      const opened = await openKeyBackup(fs.readFileSync(file('k.age'), 'utf8'), PASS);
      expect(opened).to.deep.include({ username: 'custodian', kind: 'encryption', algorithm: 'RSA-OAEP-SHA256', certificatePem: null });
      expect(new TextDecoder().decode(armor.decode(fs.readFileSync(file('k.age'), 'utf8')))).to.match(/^age-encryption\.org\/v1\n-> scrypt \S+ 12\n/);

      await quietly(() => keyImportBackupCommand.run({ in: file('k.age'), 'backup-passphrase-file': file('backup-pass.txt'), out: file('back.pem'), 'passphrase-file': file('new-pass.txt') }, []));
      const pem = fs.readFileSync(file('back.pem'), 'utf8');
      expect(pem).to.match(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      expect(fs.statSync(file('back.pem')).mode & 0o777).to.equal(0o600);
      const back = crypto.createPrivateKey({ key: pem, passphrase: 'another passphrase' });
      expect(back.export({ type: 'pkcs8', format: 'der' }).equals(original.export({ type: 'pkcs8', format: 'der' }))).to.equal(true);
    });

    it('carries the certificate along when given, and refuses one of another key', async () => {
      const pair = await generateRsaKeyPair(2048);
      fs.writeFileSync(file('plain.pem'), pair.privateKeyPem);
      const other = await generateRsaKeyPair(2048);
      const { cert } = selfSigned(pair.privateKeyPem);
      fs.writeFileSync(file('cert.pem'), cert);
      fs.writeFileSync(file('other-cert.pem'), selfSigned(other.privateKeyPem).cert);
      const args = { key: file('plain.pem'), 'backup-passphrase-file': file('backup-pass.txt'), username: 'bidder-a', kind: 'signing', 'work-factor': '12' };
      await expectUsage(keyExportBackupCommand.run({ ...args, cert: file('other-cert.pem'), out: file('c0.age') }, []), /is not for the key/);
      await quietly(() => keyExportBackupCommand.run({ ...args, cert: file('cert.pem'), out: file('c.age') }, []));
      await quietly(() => keyImportBackupCommand.run({ in: file('c.age'), 'backup-passphrase-file': file('backup-pass.txt'), out: file('c.pem'), 'cert-out': file('c-cert.pem') }, []));
      expect(fs.readFileSync(file('c-cert.pem'), 'utf8')).to.equal(cert);
      expect(spkiOf(fs.readFileSync(file('c.pem'), 'utf8'))).to.equal(spkiOf(pair.publicKeyPem));
    });

    it('says what is wrong: wrong passphrase, damaged file, bad kind, missing options, no overwriting', async () => {
      fs.writeFileSync(file('wrong.txt'), 'not it\n');
      await expectUsage(keyImportBackupCommand.run({ in: file('k.age'), 'backup-passphrase-file': file('wrong.txt'), out: file('x.pem') }, []), /key_backup\.wrong_passphrase/);
      const text = fs.readFileSync(file('k.age'), 'utf8');
      fs.writeFileSync(file('cut.age'), text.slice(0, text.length - 80));
      await expectUsage(keyImportBackupCommand.run({ in: file('cut.age'), 'backup-passphrase-file': file('backup-pass.txt'), out: file('x.pem') }, []), /key_backup\.corrupted/);
      expect(fs.existsSync(file('x.pem'))).to.equal(false);
      await expectUsage(
        keyExportBackupCommand.run({ key: file('plain.pem'), 'backup-passphrase-file': file('backup-pass.txt'), username: 'u', kind: 'other', out: file('y.age') }, []),
        /--kind must be/,
      );
      await expectUsage(keyExportBackupCommand.run({ key: file('plain.pem'), username: 'u', kind: 'signing', out: file('y.age') }, []), /--backup-passphrase-file is required/);
      await expectUsage(
        keyExportBackupCommand.run({ key: file('plain.pem'), 'backup-passphrase-file': file('backup-pass.txt'), username: 'u', kind: 'signing', out: file('y.age'), 'work-factor': '30' }, []),
        /--work-factor must be/,
      );
      await expectUsage(keyExportBackupCommand.run({ key: file('key.pem'), 'backup-passphrase-file': file('backup-pass.txt'), username: 'u', kind: 'signing', out: file('y.age') }, []), /passphrase/);
      await expectUsage(keyImportBackupCommand.run({ in: file('k.age'), 'backup-passphrase-file': file('backup-pass.txt'), out: file('back.pem') }, []), /already exists/);
    });

    it("Debian's age tool opens a backup with the passphrase (typed on a terminal)", async function () {
      requireTool(this, 'age', 'apt-get install age');
      // age reads a passphrase only from a terminal; util-linux `script` gives it one and types stdin into it.
      requireTool(this, 'script', 'apt-get install util-linux');
      const ok = await ageDecrypt(file('k.age'), file('k.json'), PASS);
      expect(ok.status, ok.output).to.equal(0);
      const json = JSON.parse(fs.readFileSync(file('k.json'), 'utf8'));
      expect(keyBackupSchema.parse(json)).to.deep.include({ username: 'custodian', kind: 'encryption' });
      const bad = await ageDecrypt(file('k.age'), file('k2.json'), 'wrong passphrase');
      expect(bad.status).to.not.equal(0);
      expect(bad.output).to.match(/incorrect passphrase|no identity matched/i);
    });

    /** age -d under a pseudo-terminal, the passphrase typed in. */
    function ageDecrypt(input: string, output: string, passphrase: string): Promise<{ status: number | null; output: string }> {
      return new Promise((resolve) => {
        const child = spawn('script', ['-qec', `age -d -o '${output}' '${input}'`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (out += c));
        child.stdin.end(`${passphrase}\n`);
        child.on('close', (status) => resolve({ status, output: out }));
      });
    }
  });
});

async function expectUsage(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await quietly(() => p.then(() => undefined));
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  throw new Error(`expected a UsageError matching ${pattern}`);
}

/** A self-signed certificate for a key (enough to check that the backup carries the right one). */
function selfSigned(privateKeyPem: string): { cert: string } {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2028-01-01T00:00:00Z');
  cert.setSubject([{ name: 'commonName', value: 'test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'test' }]);
  cert.sign(key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert) };
}
