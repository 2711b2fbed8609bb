// Bid receipts (EB 27): canonical JSON signed by the platform's receipt key, carrying the log's
// signed promise to append the submission entry when bidding on the section closes (in CT's shape:
// an SCT now, the inclusion proof later). A bidder verifies offline that its bid was received and
// when; after the close it fetches the proof, and a promise the log never honours is evidence.
// The signatures and proofs are checked here with node:crypto; what the receipt must say is in
// receipt-checks.ts, shared with the receipt page.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Signer } from '../core/signing';
import { promiseSignatureValid } from '../audit/promise-signing';
import {
  entryPositionProblems,
  inclusionVerdict,
  LEGACY_RECEIPT_FORMAT,
  receiptContentProblems,
  type InclusionVerdict,
  type LoggedEntry,
  type PromiseAnswer,
  type PublishedKeys,
  type Receipt,
  type ReceiptBody,
} from './receipt-checks';

export { LEGACY_RECEIPT_FORMAT, RECEIPT_FORMAT, type InclusionVerdict, type PromiseAnswer, type PublishedKeys, type Receipt, type ReceiptBody, type SignedCheckpoint } from './receipt-checks';

export function signReceipt(body: Omit<ReceiptBody, 'keyId'>, signer: Signer): Receipt {
  const withKey: ReceiptBody = { ...body, keyId: signer.keyId };
  const signature = signer.sign(Buffer.from(canonicalize(withKey) as string, 'utf8')).toString('base64');
  return { ...withKey, signature };
}

export function receiptSignatureValid(receipt: Receipt, publicKeyPem: string): boolean {
  return signedJsonValid(receipt, publicKeyPem);
}

/** An Ed25519 signature over the canonical JSON of every other field (receipts, checkpoints). */
function signedJsonValid(object: { signature: string }, publicKeyPem: string): boolean {
  const { signature, ...body } = object;
  try {
    return crypto.verify(null, Buffer.from(canonicalize(body) as string, 'utf8'), crypto.createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

interface MerkleCheck {
  leafHash(entry: Buffer | string): Buffer;
  verifyInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean;
}

/** Problems with an entry's inclusion in a checkpoint signed by the published log key. */
function inclusionProblems(logged: LoggedEntry, keys: PublishedKeys, merkle: MerkleCheck): string[] {
  const problems: string[] = [];
  const { checkpoint, entry, index, inclusionProof } = logged;
  if (!checkpoint || checkpoint.keyId !== keys.log.keyId || !signedJsonValid(checkpoint, keys.log.publicKeyPem)) {
    problems.push('the checkpoint signature does not verify with the published log key');
  }
  problems.push(...entryPositionProblems(logged));
  try {
    const ok =
      checkpoint &&
      merkle.verifyInclusion(
        merkle.leafHash(entry),
        index,
        checkpoint.size,
        inclusionProof.map((h) => Buffer.from(h, 'hex')),
        Buffer.from(checkpoint.root, 'hex'),
      );
    if (!ok) problems.push('the inclusion proof does not lead to the checkpoint root');
  } catch {
    problems.push('the inclusion proof is malformed');
  }
  return problems;
}

/**
 * Checks a receipt offline against the platform's published keys: the receipt signature and, for
 * /2, the log's signed promise and that it promises this bid's entry (for /1, the entry and its
 * inclusion proof inside). Optionally that a local file is the sealed bid it names.
 * Returns the problems found (none = valid).
 */
export function verifyReceipt(receipt: Receipt, keys: PublishedKeys, merkle: MerkleCheck, ciphertext?: { sha256: string; size: number }): string[] {
  const problems: string[] = [];
  if (receipt.keyId !== keys.receipt.keyId) problems.push('the receipt is signed with a key that is not the published receipt key');
  if (!receiptSignatureValid(receipt, keys.receipt.publicKeyPem)) problems.push('the receipt signature does not verify with the published receipt key');
  if (receipt.format === LEGACY_RECEIPT_FORMAT) problems.push(...inclusionProblems(receipt.log ?? ({} as LoggedEntry), keys, merkle));
  else if (receipt.promise && (receipt.promise.keyId !== keys.log.keyId || !promiseSignatureValid(receipt.promise, keys.log.publicKeyPem))) {
    problems.push('the promise signature does not verify with the published log key');
  }
  problems.push(...receiptContentProblems(receipt));
  if (ciphertext && (ciphertext.sha256 !== receipt.bid.ciphertextSha256 || ciphertext.size !== receipt.bid.size)) {
    problems.push('the sealed file given is not the one this receipt was issued for');
  }
  return problems;
}

/** Judges the log's answer about a /2 receipt's promise at `now` (see inclusionVerdict), checking the proof with node:crypto. */
export function judgeInclusion(
  receipt: Receipt,
  answer: PromiseAnswer,
  section: { bidDeadlineAt: number | null; cancelledAt: number | null },
  now: number,
  keys: PublishedKeys,
  merkle: MerkleCheck,
): InclusionVerdict {
  const proofProblems = answer && answer.state === 'merged' ? inclusionProblems(answer, keys, merkle) : [];
  return inclusionVerdict(receipt, answer, proofProblems, section, now);
}
