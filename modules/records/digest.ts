// The digest a PDF record states: SHA-256 (hex) of the RFC 8785 canonical JSON of the document the
// JSON endpoint serves, so that anyone can fetch the JSON, canonicalize it and compare.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';

export interface CanonicalDigest {
  canonical: string;
  sha256: string;
}

export function canonicalDigest(json: unknown): CanonicalDigest {
  // Through JSON first, so that what is hashed is exactly what an HTTP client receives
  // (undefined fields dropped, Dates as strings).
  const plain = JSON.parse(JSON.stringify(json)) as unknown;
  const canonical = canonicalize(plain);
  if (canonical === undefined) throw new Error('The record has no JSON form to digest.');
  return { canonical, sha256: crypto.createHash('sha256').update(canonical, 'utf8').digest('hex') };
}

/**
 * The canonical JSON of `{...rest, [key]: <the document whose canonical JSON is inner>}` without
 * parsing `inner` again: canonical JSON nests, so the inner text can stand in for a placeholder.
 * Used for the evaluation report, whose large opening record is stored canonical already.
 */
export function canonicalWithRecord(rest: Record<string, unknown>, inner: string, key = 'openingRecord'): CanonicalDigest {
  const token = `etender-splice-${crypto.randomBytes(16).toString('hex')}`;
  const outer = canonicalDigest({ ...rest, [key]: token }).canonical;
  const canonical = outer.replace(JSON.stringify(token), () => inner);
  return { canonical, sha256: crypto.createHash('sha256').update(canonical, 'utf8').digest('hex') };
}
