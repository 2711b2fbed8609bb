// Signing a promise of inclusion with the log key, and checking one, on the server and the CLI.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Signer } from '../core/signing';
import { LOG_NAME } from './log-name';
import { PROMISE_FORMAT, promiseSignedBytes, type LogPromise } from './log-promise';

export function signPromise(body: Omit<LogPromise, 'format' | 'log' | 'keyId' | 'signature'>, signer: Signer): LogPromise {
  const unsigned = { format: PROMISE_FORMAT, log: LOG_NAME, ...body, keyId: signer.keyId } as const;
  return { ...unsigned, signature: signer.sign(Buffer.from(promiseSignedBytes(unsigned), 'utf8')).toString('base64') };
}

/** SHA-256 (hex) of the promise's canonical JSON, signature included: how it is looked up. */
export function promiseDigest(promise: LogPromise): string {
  return crypto
    .createHash('sha256')
    .update(canonicalize(promise) as string, 'utf8')
    .digest('hex');
}

export function promiseSignatureValid(promise: LogPromise, logKeyPem: string): boolean {
  if (typeof promise?.signature !== 'string') return false;
  try {
    return crypto.verify(null, Buffer.from(promiseSignedBytes(promise as unknown as Record<string, unknown>), 'utf8'), crypto.createPublicKey(logKeyPem), Buffer.from(promise.signature, 'base64'));
  } catch {
    return false;
  }
}
