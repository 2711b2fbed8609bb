// Moving a key between the command line and the browser: `etender key export-backup` turns a key
// made by `etender keygen` into an etender-key-backup/1 file (the browser's key vault imports it),
// and `etender key import-backup` turns such a file — made in the browser or here — back into a
// PEM key. The key is never written in plain unless the person asks for no passphrase.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { KEY_ALGORITHMS, KEY_BACKUP_FORMAT, KEY_KINDS, type KeyKind } from '../../modules/formats/key-backup';
import { loadPrivateKey } from '../../modules/pki/client-keys';
import { KeyBackupError, openKeyBackup, sealKeyBackup } from '../../modules/pki/key-backup';
import { UsageError, type CliCommand } from './command';
import { need, passphrase, readText, str, writeNew, type Values } from './pki';

function backupPassphrase(values: Values, example: string): string {
  need(values, 'backup-passphrase-file', example);
  return passphrase(values, 'backup-passphrase-file')!;
}

function kindOf(values: Values, example: string): KeyKind {
  const kind = need(values, 'kind', example);
  if (!(KEY_KINDS as readonly string[]).includes(kind)) throw new UsageError("--kind must be signing (a bidder's key) or encryption (a custodian's key).");
  return kind as KeyKind;
}

export const keyExportBackupCommand: CliCommand = {
  name: 'key export-backup',
  summary: 'turn a key made by keygen into a passphrase-protected backup file the browser can import',
  help: `etender key export-backup — write your key as an etender-key-backup/1 file: the key and its
certificate, encrypted with age to a backup passphrase (scrypt). The key page in the browser imports
it; "age -d" opens it too.

Options:
  --key FILE                      your private key (from etender keygen)
  --passphrase-file FILE          the key's passphrase, if it is encrypted
  --backup-passphrase-file FILE   the passphrase for the backup (first line of FILE; choose a long one)
  --username NAME                 your account (the browser keeps keys per account)
  --kind KIND                     signing (a bidder's key) or encryption (a custodian's key)
  --cert FILE                     the key's certificate (PEM), to carry along (optional)
  --out FILE                      where to write the backup (never overwritten)
  --work-factor N                 scrypt's cost, log2 N, 10 to 20 (default 18, as age uses); lower
                                  only for tests: each step down halves a guesser's work

Example:
  etender key export-backup --key key.pem --passphrase-file ~/.etender-pass \\
    --backup-passphrase-file backup-pass.txt --username bidder-a --kind signing --cert cert.pem --out bidder-a.key.age`,
  options: {
    key: { type: 'string' },
    'passphrase-file': { type: 'string' },
    'backup-passphrase-file': { type: 'string' },
    username: { type: 'string' },
    kind: { type: 'string' },
    cert: { type: 'string' },
    out: { type: 'string' },
    'work-factor': { type: 'string' },
  },
  async run(values) {
    const example = 'etender key export-backup --key key.pem --backup-passphrase-file backup-pass.txt --username bidder-a --kind signing --out bidder-a.key.age';
    const keyFile = need(values, 'key', example);
    const username = need(values, 'username', example).trim();
    const kind = kindOf(values, example);
    const out = need(values, 'out', example);
    const secret = backupPassphrase(values, example);
    const workFactor = str(values, 'work-factor') === undefined ? undefined : Number(str(values, 'work-factor'));
    if (workFactor !== undefined && !(Number.isInteger(workFactor) && workFactor >= 10 && workFactor <= 20)) throw new UsageError('--work-factor must be a whole number from 10 to 20 (default 18).');
    if (fs.existsSync(out)) throw new UsageError(`${out} already exists; choose another --out (the backup is not overwritten)`);
    let key: crypto.KeyObject;
    try {
      key = loadPrivateKey(readText(keyFile, 'key file'), passphrase(values));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot use the key "${keyFile}": ${(err as Error).message}`);
    }
    if (key.asymmetricKeyType !== 'rsa') throw new UsageError(`the key "${keyFile}" is ${key.asymmetricKeyType}; the platform uses RSA keys only`);
    let certificatePem: string | null = null;
    const certFile = str(values, 'cert');
    if (certFile) {
      certificatePem = readText(certFile, 'certificate');
      let cert: crypto.X509Certificate;
      try {
        cert = new crypto.X509Certificate(certificatePem);
      } catch (err) {
        throw new UsageError(`"${certFile}" is not an X.509 certificate: ${(err as Error).message}`);
      }
      const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
      if (!spki(cert.publicKey).equals(spki(crypto.createPublicKey(key)))) throw new UsageError(`the certificate "${certFile}" is not for the key "${keyFile}"`);
    }
    const der = key.export({ type: 'pkcs8', format: 'der' });
    const armored = await sealKeyBackup({ format: KEY_BACKUP_FORMAT, username, kind, algorithm: KEY_ALGORITHMS[kind], createdAt: Date.now(), certificatePem, pkcs8: der.toString('base64') }, secret, {
      workFactor,
    });
    der.fill(0);
    writeNew(out, armored, 0o600, 'backup');
    process.stdout.write(`Wrote the ${kind} key backup for ${username} to ${out} (age, passphrase-protected). Import it on the key page of the platform, or with etender key import-backup.\n`);
  },
};

export const keyImportBackupCommand: CliCommand = {
  name: 'key import-backup',
  summary: 'turn a key backup file (from the browser or export-backup) back into a PEM key',
  help: `etender key import-backup — open an etender-key-backup/1 file with its passphrase and write the
key as PKCS#8 PEM (encrypted with --passphrase-file, recommended), and its certificate if it has one.

Options:
  --in FILE                       the backup file
  --backup-passphrase-file FILE   the backup's passphrase (first line of FILE)
  --out FILE                      where to write the private key (mode 0600; never overwritten)
  --passphrase-file FILE          encrypt the written key with the first line of FILE
  --cert-out FILE                 also write the key's certificate (PEM), if the backup has one

Example:
  etender key import-backup --in bidder-a.key.age --backup-passphrase-file backup-pass.txt \\
    --out key.pem --passphrase-file ~/.etender-pass --cert-out cert.pem`,
  options: { in: { type: 'string' }, 'backup-passphrase-file': { type: 'string' }, out: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'cert-out': { type: 'string' } },
  async run(values) {
    const example = 'etender key import-backup --in bidder-a.key.age --backup-passphrase-file backup-pass.txt --out key.pem --passphrase-file pass.txt';
    const inFile = need(values, 'in', example);
    const out = need(values, 'out', example);
    const secret = backupPassphrase(values, example);
    const keyPass = passphrase(values);
    if (fs.existsSync(out)) throw new UsageError(`${out} already exists; choose another --out (the key is not overwritten)`);
    let file: Buffer;
    try {
      file = fs.readFileSync(inFile);
    } catch (err) {
      throw new UsageError((err as NodeJS.ErrnoException).code === 'ENOENT' ? `the backup file "${inFile}" does not exist` : `cannot read "${inFile}" (${(err as Error).message})`);
    }
    let backup: Awaited<ReturnType<typeof openKeyBackup>>;
    try {
      backup = await openKeyBackup(new Uint8Array(file), secret);
    } catch (err) {
      if (err instanceof KeyBackupError) throw new UsageError(`${inFile}: ${err.message} (${err.code})`);
      throw err;
    }
    const der = Buffer.from(backup.pkcs8, 'base64');
    let key: crypto.KeyObject;
    try {
      key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      throw new UsageError(`${inFile}: the key inside the backup cannot be read (key_backup.corrupted)`);
    } finally {
      der.fill(0);
    }
    const pem = keyPass ? (key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: keyPass }) as string) : (key.export({ type: 'pkcs8', format: 'pem' }) as string);
    writeNew(out, pem, 0o600, 'key');
    const certOut = str(values, 'cert-out');
    if (certOut && backup.certificatePem) writeNew(certOut, backup.certificatePem, 0o644, 'certificate');
    process.stdout.write(
      `Wrote ${backup.username}'s ${backup.kind} key to ${out}${keyPass ? ' (encrypted with the passphrase)' : ' (NOT encrypted: consider --passphrase-file)'}.\n` +
        (certOut ? (backup.certificatePem ? `Certificate: ${certOut}\n` : 'The backup has no certificate; none was written.\n') : ''),
    );
  },
};

export const KEY_BACKUP_COMMANDS: CliCommand[] = [keyExportBackupCommand, keyImportBackupCommand];
