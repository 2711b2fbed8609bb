// One certificate fingerprint everywhere: SHA-256 of the certificate's DER, lower-case hex without
// colons; and one way to read a fingerprint someone typed ("AB:CD…" is "abcd…").
import crypto from 'node:crypto';

export function certificateFingerprint(cert: string | Buffer | crypto.X509Certificate): string {
  const x509 = cert instanceof crypto.X509Certificate ? cert : new crypto.X509Certificate(cert);
  return crypto.createHash('sha256').update(x509.raw).digest('hex');
}

export function normaliseFingerprint(input: string): string {
  return input.replace(/:/g, '').trim().toLowerCase();
}
