// Bid receipts (EB 27): canonical JSON signed by the platform's receipt key, carrying the log's
// signed promise to append the submission entry when bidding on the section closes (in CT's shape:
// an SCT now, the inclusion proof later). A bidder verifies offline that its bid was received and
// when; after the close it fetches the proof, and a promise the log never honours is evidence.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Signer } from '../core/signing';
import { promiseBreaches, promiseDueAt, promiseSignatureValid, PROMISE_FORMAT, type LogPromise } from '../audit/log-promise';

export const RECEIPT_FORMAT = 'etender-receipt/2';
/** Receipts of bids received before promises existed: the entry and its proof are inside. */
export const LEGACY_RECEIPT_FORMAT = 'etender-receipt/1';

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
  format: typeof RECEIPT_FORMAT | typeof LEGACY_RECEIPT_FORMAT;
  /** "submission" for an accepted bid, "withdrawal" for a withdrawn one. */
  kind: 'submission' | 'withdrawal';
  section: { id: string; code: string };
  bidder: { orgId: string; userId: string };
  certificate: string;
  bid: { id: string; version: number; ciphertextSha256: string; size: number; manifestSha256: string; nonce: string };
  /** Server time the upload completed (epoch ms); any time the client sent is ignored. */
  receivedAt: number;
  supersedes: string | null;
  /** The log's signed promise of the entry (etender-receipt/2). */
  promise?: LogPromise;
  /** The entry and its proof, in receipts of format /1 only. */
  log?: { index: number; entry: string; checkpoint: SignedCheckpoint; inclusionProof: string[] };
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

interface MerkleCheck {
  leafHash(entry: Buffer | string): Buffer;
  verifyInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean;
}

/** The entry, its position and the proof that the signed checkpoint includes it. */
interface LoggedEntry {
  index: number;
  entry: string;
  checkpoint: SignedCheckpoint;
  inclusionProof: string[];
}

/** Problems with an entry's inclusion in a checkpoint signed by the published log key. */
function inclusionProblems(logged: LoggedEntry, keys: PublishedKeys, merkle: MerkleCheck): string[] {
  const problems: string[] = [];
  const { checkpoint, entry, index, inclusionProof } = logged;
  if (!checkpoint || checkpoint.keyId !== keys.log.keyId || !signedJsonValid(checkpoint, keys.log.publicKeyPem)) {
    problems.push('the checkpoint signature does not verify with the published log key');
  }
  let parsed: { idx?: number } = {};
  try {
    parsed = JSON.parse(entry);
  } catch {
    problems.push('the log entry is not JSON');
  }
  if (parsed.idx !== index) problems.push('the log entry is not at the index given');
  if (checkpoint && !(index < checkpoint.size)) problems.push('the checkpoint does not cover the entry');
  try {
    const ok =
      checkpoint &&
      merkle.verifyInclusion(merkle.leafHash(entry), index, checkpoint.size, inclusionProof.map((h) => Buffer.from(h, 'hex')), Buffer.from(checkpoint.root, 'hex'));
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
  if (receipt.format !== RECEIPT_FORMAT && receipt.format !== LEGACY_RECEIPT_FORMAT) problems.push(`unknown receipt format "${receipt.format}"`);
  if (receipt.keyId !== keys.receipt.keyId) problems.push('the receipt is signed with a key that is not the published receipt key');
  if (!receiptSignatureValid(receipt, keys.receipt.publicKeyPem)) problems.push('the receipt signature does not verify with the published receipt key');
  const expectedAction = receipt.kind === 'withdrawal' ? 'bid.withdrawn' : 'bid.submitted';
  if (receipt.format === LEGACY_RECEIPT_FORMAT) {
    const log = receipt.log ?? ({} as LoggedEntry);
    problems.push(...inclusionProblems(log, keys, merkle));
    const parsed = parseEntry(log.entry);
    if (parsed.action !== expectedAction || parsed.object?.id !== receipt.bid?.id) problems.push(`the log entry is not the ${expectedAction} entry of this bid`);
    if (parsed.data?.manifestSha256 !== receipt.bid?.manifestSha256) problems.push('the log entry names another manifest');
    if (receipt.kind === 'submission' && parsed.data?.ciphertextSha256 !== receipt.bid?.ciphertextSha256) problems.push('the log entry names another ciphertext');
  } else {
    const p = receipt.promise;
    if (!p || p.format !== PROMISE_FORMAT) problems.push('the receipt carries no promise of inclusion');
    else {
      if (p.keyId !== keys.log.keyId || !promiseSignatureValid(p, keys.log.publicKeyPem)) problems.push('the promise signature does not verify with the published log key');
      if (p.entry?.action !== expectedAction || p.entry?.object?.id !== receipt.bid?.id) problems.push(`the promise is not of the ${expectedAction} entry of this bid`);
      if (p.entry?.data?.manifestSha256 !== receipt.bid?.manifestSha256) problems.push('the promise names another manifest');
      if (receipt.kind === 'submission' && (p.entry?.data?.ciphertextSha256 !== receipt.bid?.ciphertextSha256 || p.entry?.data?.size !== receipt.bid?.size)) problems.push('the promise names another ciphertext');
      if (p.mergeAfter?.section !== receipt.section?.id) problems.push('the promise is released by another section than the receipt names');
      if (p.at !== receipt.receivedAt) problems.push('the promise was given at another time than the receipt states');
    }
  }
  if (ciphertext && (ciphertext.sha256 !== receipt.bid.ciphertextSha256 || ciphertext.size !== receipt.bid.size)) {
    problems.push('the sealed file given is not the one this receipt was issued for');
  }
  return problems;
}

function parseEntry(entry: string | undefined): { action?: string; object?: { id?: string }; data?: { manifestSha256?: string; ciphertextSha256?: string } } {
  try {
    return JSON.parse(entry ?? '');
  } catch {
    return {};
  }
}

/** What the log answers about a promise (GET /api/audit/promises/:digest); null when it denies knowing it. */
export type PromiseAnswer = { state: 'waiting' } | ({ state: 'merged' } & LoggedEntry) | null;

export type InclusionVerdict =
  | { verdict: 'included'; index: number; checkpointSize: number }
  | { verdict: 'not_yet_due'; dueAt: number | null }
  | { verdict: 'broken'; problems: string[] };

/**
 * Judges the log's answer about a /2 receipt's promise, at `now`, with the section's public facts:
 * included (entry honours the promise, proof verifies), not yet due (bidding has not closed, or the
 * merge delay has not passed), or broken — the signed promise plus this answer is evidence.
 */
export function judgeInclusion(
  receipt: Receipt,
  answer: PromiseAnswer,
  section: { bidDeadlineAt: number | null; cancelledAt: number | null },
  now: number,
  keys: PublishedKeys,
  merkle: MerkleCheck,
): InclusionVerdict {
  const promise = receipt.promise!;
  if (answer && answer.state === 'merged') {
    const problems = [...inclusionProblems(answer, keys, merkle), ...promiseBreaches(answer.entry, promise)];
    return problems.length ? { verdict: 'broken', problems } : { verdict: 'included', index: answer.index, checkpointSize: answer.checkpoint.size };
  }
  const dueAt = promiseDueAt(promise, section);
  if (dueAt === null || now < dueAt) return { verdict: 'not_yet_due', dueAt };
  return {
    verdict: 'broken',
    problems: [
      `the log promised (signed ${new Date(promise.at).toISOString()}) to include this entry within ${promise.maxMergeDelayMs / 60000} minutes of the close of bidding, i.e. by ${new Date(dueAt).toISOString()}, and ${answer ? 'still holds it back' : 'denies knowing the promise'}`,
    ],
  };
}
