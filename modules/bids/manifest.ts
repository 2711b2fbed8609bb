// The bid manifest: a small RFC 8785 canonical JSON document that binds the sealed bid (its
// SHA-256 and size) to a section, a bidder, the section's opening recipient and a fresh nonce,
// signed with RSA-PSS by the representative's certificate key. Used by the server and the CLI.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { AGE_RECIPIENT_PATTERN } from '../core/age-recipient';
import { ID_PATTERN } from '../core/ids';

export const MANIFEST_FORMAT = 'etender-manifest/1';
const HEX64 = /^[0-9a-f]{64}$/;

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  section: z.string().regex(ID_PATTERN, 'must be the section id'),
  bidder: z.string().regex(ID_PATTERN, "must be the bidder organisation's id"),
  ciphertext: z.strictObject({
    sha256: z.string().regex(HEX64, 'must be the lowercase hex SHA-256 of the sealed file'),
    size: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  }),
  recipient: z.string().regex(AGE_RECIPIENT_PATTERN, "must be the section's age recipient (age1…)"),
  nonce: z.string().regex(/^[0-9a-f]{32,64}$/, 'must be 16 to 32 random bytes in lowercase hex'),
  certificate: z.string().regex(HEX64, "must be the SHA-256 fingerprint (hex) of the signer's certificate"),
});
export type Manifest = z.infer<typeof manifestSchema>;

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
