// Key handling on the bidder's own machine (the CLI), with no server involved: make an RSA key
// pair, write a CSR for it, and sign a proof-of-possession challenge. The private key never leaves
// this machine; node:crypto does every private-key operation, node-forge only lays out the CSR.
import crypto, { type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { buildCsr } from './certificate-authority';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface RsaKeyPairPem {
  /** PKCS#8 PEM; "ENCRYPTED PRIVATE KEY" (PBES2 with AES-256-CBC) when a passphrase was given. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** A new RSA key pair (3072 bits by default), the private key optionally encrypted with a passphrase. */
export async function generateRsaKeyPair(bits = 3072, options: { passphrase?: string } = {}): Promise<RsaKeyPairPem> {
  if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) throw new Error(`an RSA key needs 2048 to 16384 bits; got ${bits}`);
  const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  const privateKeyPem = options.passphrase
    ? (privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.passphrase }) as string)
    : (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  return { privateKeyPem, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

/** Reads a PEM private key, encrypted or not; a readable message when the passphrase is missing or wrong. */
export function loadPrivateKey(privateKeyPem: string, passphrase?: string): KeyObject {
  const encrypted = privateKeyPem.includes('ENCRYPTED');
  if (encrypted && !passphrase) throw new Error('the private key is encrypted; give its passphrase (--passphrase-file)');
  try {
    return crypto.createPrivateKey(encrypted ? { key: privateKeyPem, format: 'pem', passphrase } : privateKeyPem);
  } catch (err) {
    if (encrypted) throw new Error('the private key cannot be decrypted: the passphrase is wrong');
    throw new Error(`not a PEM private key (${(err as Error).message})`);
  }
}

/**
 * A PKCS#10 certificate request for the key, signed with it. The common name is only a hint: the
 * platform sets the subject of the certificate from the account that asks for it.
 */
export function createCsr(privateKeyPem: string, subject: { commonName: string }, options: { passphrase?: string } = {}): string {
  const key = loadPrivateKey(privateKeyPem, options.passphrase);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`the key is ${key.asymmetricKeyType}; the platform certifies RSA keys only`);
  if (!subject.commonName.trim()) throw new Error('a CSR needs a name (the common name)');
  return buildCsr(key, subject.commonName.trim());
}

/**
 * The proof of possession for POST /api/pki/certificates/from-key: a base64 RSA-PSS (SHA-256, salt
 * length 32) signature over the UTF-8 bytes of the challenge — what WebCrypto's
 * sign({ name: 'RSA-PSS', saltLength: 32 }, key, new TextEncoder().encode(challenge)) makes.
 */
export function signChallenge(privateKeyPem: string, challenge: string, options: { passphrase?: string } = {}): string {
  const key = loadPrivateKey(privateKeyPem, options.passphrase);
  return crypto.sign('sha256', Buffer.from(challenge, 'utf8'), { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64');
}
