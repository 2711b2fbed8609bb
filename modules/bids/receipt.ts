// Bid receipts (EB 27): canonical JSON signed by the platform's receipt key, carrying the audit-log
// entry of the submission, a signed checkpoint and the inclusion proof, so that a bidder can verify
// offline that its bid was received, when, and that the log cannot later deny it.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Signer } from '../core/signing';

export const RECEIPT_FORMAT = 'etender-receipt/1';

export interface SignedCheckpoint {
  v: 1;
  log: string;
  size: number;
  root: string;
  at: number;
  keyId: string;
  signature: string;
}

export interface ReceiptBody {
  format: typeof RECEIPT_FORMAT;
  /** "submission" for an accepted bid, "withdrawal" for a withdrawn one. */
  kind: 'submission' | 'withdrawal';
  section: { id: string; code: string };
  bidder: { orgId: string; userId: string };
  certificate: string;
  bid: { id: string; version: number; ciphertextSha256: string; size: number; manifestSha256: string; nonce: string };
  /** Server time the upload completed (epoch ms); any time the client sent is ignored. */
  receivedAt: number;
  supersedes: string | null;
  log: { index: number; entry: string; checkpoint: SignedCheckpoint; inclusionProof: string[] };
  keyId: string;
}

export interface Receipt extends ReceiptBody {
  signature: string;
}

export function signReceipt(body: Omit<ReceiptBody, 'keyId'>, signer: Signer): Receipt {
  const withKey: ReceiptBody = { ...body, keyId: signer.keyId };
  const signature = signer.sign(Buffer.from(canonicalize(withKey) as string, 'utf8')).toString('base64');
  return { ...withKey, signature };
}

export function receiptSignatureValid(receipt: Receipt, publicKeyPem: string): boolean {
  const { signature, ...body } = receipt;
  try {
    return crypto.verify(null, Buffer.from(canonicalize(body) as string, 'utf8'), crypto.createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function signedJsonValid(object: { signature: string }, publicKeyPem: string): boolean {
  const { signature, ...body } = object;
  try {
    return crypto.verify(null, Buffer.from(canonicalize(body) as string, 'utf8'), crypto.createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export interface PublishedKeys {
  receipt: { keyId: string; publicKeyPem: string };
  log: { keyId: string; publicKeyPem: string };
}

/**
 * Checks a receipt offline against the platform's published keys: the receipt signature, the
 * checkpoint signature, that the log entry is the one this receipt describes, and that the entry
 * is included in the checkpointed tree. Optionally that a local file is the sealed bid it names.
 * Returns the problems found (none = valid).
 */
export function verifyReceipt(
  receipt: Receipt,
  keys: PublishedKeys,
  merkle: {
    leafHash(entry: Buffer | string): Buffer;
    verifyInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean;
  },
  ciphertext?: { sha256: string; size: number },
): string[] {
  const problems: string[] = [];
  if (receipt.format !== RECEIPT_FORMAT) problems.push(`unknown receipt format "${receipt.format}"`);
  if (receipt.keyId !== keys.receipt.keyId) problems.push('the receipt is signed with a key that is not the published receipt key');
  if (!receiptSignatureValid(receipt, keys.receipt.publicKeyPem)) problems.push('the receipt signature does not verify with the published receipt key');
  const { checkpoint, entry, index, inclusionProof } = receipt.log ?? ({} as ReceiptBody['log']);
  if (!checkpoint || checkpoint.keyId !== keys.log.keyId || !signedJsonValid(checkpoint, keys.log.publicKeyPem)) {
    problems.push('the checkpoint signature does not verify with the published log key');
  }
  let parsed: { idx?: number; action?: string; object?: { id?: string }; data?: { manifestSha256?: string; ciphertextSha256?: string } } = {};
  try {
    parsed = JSON.parse(entry);
  } catch {
    problems.push('the log entry is not JSON');
  }
  const expectedAction = receipt.kind === 'withdrawal' ? 'bid.withdrawn' : 'bid.submitted';
  if (parsed.idx !== index) problems.push('the log entry is not at the index the receipt names');
  if (parsed.action !== expectedAction || parsed.object?.id !== receipt.bid?.id) problems.push(`the log entry is not the ${expectedAction} entry of this bid`);
  if (parsed.data?.manifestSha256 !== receipt.bid?.manifestSha256) problems.push('the log entry names another manifest');
  if (receipt.kind === 'submission' && parsed.data?.ciphertextSha256 !== receipt.bid?.ciphertextSha256) problems.push('the log entry names another ciphertext');
  if (checkpoint && !(index < checkpoint.size)) problems.push('the checkpoint does not cover the entry');
  try {
    const ok =
      checkpoint &&
      merkle.verifyInclusion(merkle.leafHash(entry), index, checkpoint.size, inclusionProof.map((h) => Buffer.from(h, 'hex')), Buffer.from(checkpoint.root, 'hex'));
    if (!ok) problems.push('the inclusion proof does not lead to the checkpoint root');
  } catch {
    problems.push('the inclusion proof is malformed');
  }
  if (ciphertext && (ciphertext.sha256 !== receipt.bid.ciphertextSha256 || ciphertext.size !== receipt.bid.size)) {
    problems.push('the sealed file given is not the one this receipt was issued for');
  }
  return problems;
}
