// What the browser's sealing page computes besides the sealing itself (seal-stream.ts): the price
// as the server takes it, the RFC 8785 canonical manifest that the representative signs, the
// signing key and its signatures, and the check of the log's promise in a receipt (formats:
// docs/sealed-bids.md). No DOM and no node: imports; WebCrypto via globalThis.
import canonicalize from 'canonicalize';
import type { webcrypto } from 'node:crypto';

// Type-only (erased by the bundler): the WebCrypto key types as @types/node names them.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface BidForm {
  section: { id: string; code: string };
  bidder: { orgId: string; name: string; creditCode: string };
  price: { amount: string; durationDays?: number };
}

export interface ManifestFields {
  section: string;
  bidder: string;
  ciphertext: { sha256: string; size: number };
  recipient: string;
  certificate: string;
}

const hex = (b: ArrayBuffer | Uint8Array): string => Array.from(b instanceof Uint8Array ? b : new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Yuan with at most two decimals (what the server accepts), normalised to two decimals. */
export function normaliseAmount(input: string): string | null {
  const v = input.trim().replace(/,/g, '');
  const m = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(v);
  if (!m) return null;
  return `${BigInt(m[1]!).toString()}.${(m[2] ?? '').padEnd(2, '0')}`;
}

export function randomNonce(): string {
  return hex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** The manifest (docs/sealed-bids.md §4) and its canonical bytes. */
export function buildManifest(fields: ManifestFields, nonce = randomNonce()): { manifest: Record<string, unknown>; bytes: Uint8Array } {
  const manifest = { format: 'etender-manifest/1', ...fields, nonce };
  return { manifest, bytes: new TextEncoder().encode(canonicalize(manifest) as string) };
}

export const PSS = { name: 'RSA-PSS', saltLength: 32 } as const;

/** RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) signature, base64. */
export async function signPss(privateKey: CryptoKey, data: Uint8Array): Promise<string> {
  return toBase64(new Uint8Array(await globalThis.crypto.subtle.sign(PSS, privateKey, data as Uint8Array<ArrayBuffer>)));
}

/** A new RSA-PSS 3072 key pair; the private key cannot be exported. */
export async function newSigningKey(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey({ name: 'RSA-PSS', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify']);
}

export async function publicKeyPem(key: CryptoKey): Promise<string> {
  const b64 = toBase64(new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', key)));
  return `-----BEGIN PUBLIC KEY-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END PUBLIC KEY-----\n`;
}

/**
 * Checks the log's signed promise in a receipt (Ed25519 over the canonical JSON of every field but
 * `signature`, modules/audit/log-promise.ts) with the published log key. Returns null when this
 * browser's WebCrypto has no Ed25519.
 */
export async function promiseSignatureValid(promise: Record<string, unknown>, logKeyPem: string): Promise<boolean | null> {
  const { signature, ...body } = promise;
  if (typeof signature !== 'string') return false;
  const der = Uint8Array.from(atob(logKeyPem.replace(/-----[A-Z ]+-----|\s+/g, '')), (c) => c.charCodeAt(0));
  let key: CryptoKey;
  try {
    key = await globalThis.crypto.subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
  const sig = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
  return globalThis.crypto.subtle.verify({ name: 'Ed25519' }, key, sig, new TextEncoder().encode(canonicalize(body) as string));
}
