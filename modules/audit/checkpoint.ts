// The signed checkpoint of the audit log: a tree size, its RFC 6962 root, when and by which key it
// was signed. The signature is Ed25519 over the RFC 8785 canonical JSON of the checkpoint without
// its `signature` field, so anyone can check it with standard tools.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Signer } from '../core/signing';
import type { Checkpoint } from '../formats/checkpoint';

import { LOG_NAME } from './log-name';

export { LOG_NAME };

export { checkpointSchema, type Checkpoint } from '../formats/checkpoint';

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

/** The exact bytes that are signed: canonical JSON of every field but `signature`. */
export function checkpointSignedBytes(checkpoint: Record<string, unknown>): Buffer {
  const { signature: _signature, ...body } = checkpoint;
  return Buffer.from(canonicalize(body) as string, 'utf8');
}

export function signCheckpoint(body: UnsignedCheckpoint, signer: Signer): Checkpoint {
  return { ...body, signature: signer.sign(checkpointSignedBytes(body as unknown as Record<string, unknown>)).toString('base64') };
}

/** SHA-256 (hex) of a public key's SPKI DER: the keyId a checkpoint names. */
export function keyIdOf(publicKeyPem: string): string {
  const der = crypto.createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('hex');
}

/** True when `signature` is a valid signature of the rest of the checkpoint by this public key. */
export function verifyCheckpointSignature(checkpoint: Checkpoint | Record<string, unknown>, publicKeyPem: string): boolean {
  const cp = checkpoint as Record<string, unknown>;
  if (typeof cp.signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(cp.signature)) return false;
  try {
    const key = crypto.createPublicKey(publicKeyPem);
    return crypto.verify(null, checkpointSignedBytes(cp), key, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}
