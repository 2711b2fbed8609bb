// The bid manifest: a small RFC 8785 canonical JSON document that binds the sealed bid (its
// SHA-256 and size) to a section, a bidder, the section's opening recipient and a fresh nonce,
// signed with RSA-PSS by the representative's certificate key. Used by the server and the CLI.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Manifest } from '../formats/manifest';

export { MANIFEST_FORMAT, manifestSchema, type Manifest } from '../formats/manifest';

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value) as string, 'utf8');
}

/** RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt: what WebCrypto and OpenSSL both produce. */
const PSS = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

export function signManifest(manifest: Manifest, privateKey: crypto.KeyLike): string {
  return crypto.sign('sha256', canonicalBytes(manifest), { key: privateKey as crypto.KeyObject, ...PSS }).toString('base64');
}

export function verifyManifestSignature(bytes: Buffer, signatureB64: string, publicKey: crypto.KeyObject): boolean {
  try {
    return crypto.verify('sha256', bytes, { key: publicKey, ...PSS }, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

export function newNonce(): string {
  return crypto.randomBytes(16).toString('hex');
}

export function sha256Hex(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
