// The platform's own keys, kept as files in the certs directory: the certificate authority, the
// receipt- and log-signing keys, and the platform-timer custodian. Made at first start; files a
// deployment put there itself are used as they are, after checking that they fit together.
//
// Several processes may start at once on a fresh directory: every file is written to a temporary
// name and hard-linked into place (which fails if the name exists), then read back, so all of them
// end up with the same keys whichever wrote first.
import crypto, { type KeyObject, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Signer } from '../core/signing';
import { addYears, ATTR, issueCertificate } from './certificate-authority';
import { keyUsageOf } from './x509-der';
import { ensurePrivateDir } from '../core/private-files';
import { certificateFingerprint } from '../core/fingerprint';

export const CA_COMMON_NAME = 'etender platform CA';
export const TIMER_COMMON_NAME = 'platform-timer';

export const FILES = {
  caKey: 'ca.key.pem',
  caCert: 'ca.cert.pem',
  receiptKey: 'receipt.key.pem',
  logKey: 'log.key.pem',
  timerKey: 'timer.key.pem',
  timerCert: 'timer.cert.pem',
} as const;

/** Certificates made here start a day early, so a server whose clock lags a little accepts them. */
const BACKDATE_MS = 24 * 3600 * 1000;

/** The platform keys cannot be used as they are; the message says which file and what to do. */
export class PlatformKeysError extends Error {
  override name = 'PlatformKeysError';
}

export interface CertifiedKey {
  certPem: string;
  cert: X509Certificate;
  /** SHA-256 (hex) of the certificate's DER. */
  fingerprint: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export interface PlatformKeys {
  certsDir: string;
  /** The platform certificate authority (RSA). */
  ca: CertifiedKey;
  /** Signs bid receipts (Ed25519). */
  receipt: Signer;
  /** Signs audit-log checkpoints (Ed25519). */
  log: Signer;
  /** The platform-timer custodian: an RSA key with a certificate from the CA (encryption and signing). */
  timer: CertifiedKey;
}

export function sha256Hex(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** A Signer over an Ed25519/Ed448 private key; keyId is the SHA-256 of the SPKI DER public key. */
export function signerFromKey(privateKey: KeyObject): Signer {
  const publicKey = crypto.createPublicKey(privateKey);
  return {
    keyId: sha256Hex(publicKey.export({ type: 'spki', format: 'der' })),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    sign: (data: Buffer) => crypto.sign(null, data, privateKey),
  };
}

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PlatformKeysError(`${file} cannot be read (${(err as Error).message}); check its owner and permissions.`);
  }
}

/** Writes `content` to `file` unless it exists; returns what the file holds afterwards (ours or a rival's). */
function createExclusive(file: string, content: string, mode: number): string {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      // A file system without hard links: an exclusive create is the next best thing.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
      try {
        fs.writeFileSync(file, content, { flag: 'wx', mode });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.readFileSync(file, 'utf8');
}

function loadOrCreate(dir: string, name: string, make: () => string, mode: number): string {
  const file = path.join(dir, name);
  return readIfExists(file) ?? createExclusive(file, make(), mode);
}

function parsePrivateKey(dir: string, name: string, pem: string): KeyObject {
  try {
    return crypto.createPrivateKey(pem);
  } catch (err) {
    throw new PlatformKeysError(
      `${path.join(dir, name)} is not a readable unencrypted private key in PEM (${(err as Error).message}). ` + 'Restore it from your backup, or see certs/README.md for how to supply your own.',
    );
  }
}

function parseCertificate(dir: string, name: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new PlatformKeysError(
      `${path.join(dir, name)} is not a readable X.509 certificate in PEM (${(err as Error).message}). ` + 'Restore it from your backup, or see certs/README.md for how to supply your own.',
    );
  }
}

function rsaPrivateKeyPem(bits: number): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function ed25519PrivateKeyPem(): string {
  return crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function requireRsa(dir: string, name: string, key: KeyObject, minBits = 2048): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < minBits) {
    throw new PlatformKeysError(`${path.join(dir, name)} must be an RSA key of at least ${minBits} bits; it is ${key.asymmetricKeyType} ${bits || ''}`.trim() + '.');
  }
}

function loadCa(dir: string, now: number): CertifiedKey {
  const certFile = path.join(dir, FILES.caCert);
  if (!fs.existsSync(path.join(dir, FILES.caKey)) && fs.existsSync(certFile)) {
    throw new PlatformKeysError(
      `${certFile} is there but ${FILES.caKey} is missing: the CA certificate cannot be used without its private key. ` +
        `Put the key beside it as ${FILES.caKey}, or remove ${FILES.caCert} to have a new CA made.`,
    );
  }
  const privateKey = parsePrivateKey(
    dir,
    FILES.caKey,
    loadOrCreate(dir, FILES.caKey, () => rsaPrivateKeyPem(3072), 0o600),
  );
  requireRsa(dir, FILES.caKey, privateKey);
  const publicKey = crypto.createPublicKey(privateKey);
  const certPem = loadOrCreate(
    dir,
    FILES.caCert,
    () => {
      const notBefore = Math.floor((now - BACKDATE_MS) / 1000) * 1000;
      return issueCertificate(
        { self: true, privateKey },
        {
          subject: [{ type: ATTR.commonName, value: CA_COMMON_NAME }],
          publicKey,
          notBefore,
          notAfter: addYears(notBefore, 10),
          extensions: [
            { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
            { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
            { name: 'subjectKeyIdentifier' },
          ],
        },
      );
    },
    0o600,
  );
  const cert = parseCertificate(dir, FILES.caCert, certPem);
  if (!cert.ca) throw new PlatformKeysError(`${certFile} is not a CA certificate (basicConstraints CA:TRUE is missing); supply the certificate of a certificate authority.`);
  const usage = keyUsageOf(cert.raw);
  if (usage && !usage.has('keyCertSign')) throw new PlatformKeysError(`${certFile} may not sign certificates (its keyUsage lacks keyCertSign).`);
  if (!cert.checkPrivateKey(privateKey)) {
    throw new PlatformKeysError(`${FILES.caKey} and ${FILES.caCert} in ${dir} do not belong together: the certificate is for another key.`);
  }
  return { certPem, cert, fingerprint: certificateFingerprint(cert), publicKey, privateKey };
}

function loadTimer(dir: string, ca: CertifiedKey, now: number): CertifiedKey {
  const certFile = path.join(dir, FILES.timerCert);
  if (!fs.existsSync(path.join(dir, FILES.timerKey)) && fs.existsSync(certFile)) {
    throw new PlatformKeysError(`${certFile} is there but ${FILES.timerKey} is missing; put the key beside it, or remove ${FILES.timerCert} to have a new one made.`);
  }
  const privateKey = parsePrivateKey(
    dir,
    FILES.timerKey,
    loadOrCreate(dir, FILES.timerKey, () => rsaPrivateKeyPem(3072), 0o600),
  );
  requireRsa(dir, FILES.timerKey, privateKey);
  const publicKey = crypto.createPublicKey(privateKey);
  const certPem = loadOrCreate(
    dir,
    FILES.timerCert,
    () => {
      const notBefore = Math.floor((now - BACKDATE_MS) / 1000) * 1000;
      const caNotAfter = Date.parse(ca.cert.validTo);
      return issueCertificate(
        { certDer: ca.cert.raw, privateKey: ca.privateKey },
        {
          subject: [{ type: ATTR.commonName, value: TIMER_COMMON_NAME }],
          publicKey,
          notBefore,
          notAfter: Math.min(addYears(notBefore, 10), caNotAfter),
          extensions: [{ name: 'basicConstraints', cA: false, critical: true }, { name: 'keyUsage', keyEncipherment: true, digitalSignature: true, critical: true }, { name: 'subjectKeyIdentifier' }],
        },
      );
    },
    0o600,
  );
  const cert = parseCertificate(dir, FILES.timerCert, certPem);
  if (!cert.checkPrivateKey(privateKey)) {
    throw new PlatformKeysError(`${FILES.timerKey} and ${FILES.timerCert} in ${dir} do not belong together: the certificate is for another key.`);
  }
  if (!cert.checkIssued(ca.cert) || !cert.verify(ca.publicKey)) {
    throw new PlatformKeysError(`${certFile} was not issued by the platform CA in ${FILES.caCert}; remove ${FILES.timerCert} to have a new one issued.`);
  }
  return { certPem, cert, fingerprint: certificateFingerprint(cert), publicKey, privateKey };
}

function loadSigner(dir: string, name: string): Signer {
  const key = parsePrivateKey(dir, name, loadOrCreate(dir, name, ed25519PrivateKeyPem, 0o600));
  if (key.asymmetricKeyType !== 'ed25519' && key.asymmetricKeyType !== 'ed448') {
    throw new PlatformKeysError(`${path.join(dir, name)} must be an Ed25519 (or Ed448) private key; it is ${key.asymmetricKeyType}.`);
  }
  return signerFromKey(key);
}

/**
 * Loads the platform keys from `certsDir`, creating whatever is missing. `now` dates the
 * certificates made here (default: the system clock).
 */
export function loadOrCreatePlatformKeys(certsDir: string, options: { now?: number } = {}): PlatformKeys {
  const now = options.now ?? Date.now();
  try {
    ensurePrivateDir(certsDir);
  } catch (err) {
    throw new PlatformKeysError(`The certs directory ${certsDir} cannot be created (${(err as Error).message}).`);
  }
  const ca = loadCa(certsDir, now);
  return {
    certsDir,
    ca,
    receipt: loadSigner(certsDir, FILES.receiptKey),
    log: loadSigner(certsDir, FILES.logKey),
    timer: loadTimer(certsDir, ca, now),
  };
}
