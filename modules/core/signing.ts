// What a module needs to sign something with one of the platform's keys (receipts, log
// checkpoints), without knowing where the key lives.
export interface Signer {
  /** Stable identifier of the key: SHA-256 (hex) of its SPKI DER public key. */
  keyId: string;
  /** The public key in SPKI PEM, as published at /api/pki/keys. */
  publicKeyPem: string;
  sign(data: Buffer): Buffer;
}
