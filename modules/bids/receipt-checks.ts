// What a receipt must say, checked without any cryptography of its own: the format, that its
// promise is of this bid's entry, and the verdict on what the log answers about the promise. The
// signatures and the Merkle proof are checked by the caller — with node:crypto on the server and in
// the CLI (receipt.ts), with WebCrypto on the receipt page — which hands the problems found here.
import { promiseBreaches, promiseDueAt, PROMISE_FORMAT } from '../audit/log-promise';
import type { LoggedEntry } from '../formats/checkpoint';
import { LEGACY_RECEIPT_FORMAT, RECEIPT_FORMAT } from '../formats/names';
import type { Receipt } from '../formats/receipt';

// The formats themselves are zod schemas in modules/formats; the old names stay exported here
// (types and zod-free constants only: this file is in the receipt page's bundle).
export { LEGACY_RECEIPT_FORMAT, RECEIPT_FORMAT } from '../formats/names';
export type { Receipt, ReceiptBody } from '../formats/receipt';
export type { Checkpoint as SignedCheckpoint, LoggedEntry } from '../formats/checkpoint';

/** The published keys a receipt is checked against (GET /api/pki/keys has more). */
export type { ReceiptKeys as PublishedKeys } from '../formats/receipt';

/** What the log answers about a promise (GET /api/audit/promises/:digest); null when it denies knowing it. */
export type PromiseAnswer = { state: 'waiting' } | ({ state: 'merged' } & LoggedEntry) | null;

export type InclusionVerdict = { verdict: 'included'; index: number; checkpointSize: number } | { verdict: 'not_yet_due'; dueAt: number | null } | { verdict: 'broken'; problems: string[] };

const expectedAction = (receipt: Receipt) => (receipt.kind === 'withdrawal' ? 'bid.withdrawn' : 'bid.submitted');

/** Problems with what the receipt states (not its signatures): the format and the entry it promises or carries. */
export function receiptContentProblems(receipt: Receipt): string[] {
  const problems: string[] = [];
  const action = expectedAction(receipt);
  if (receipt.format === LEGACY_RECEIPT_FORMAT) {
    let parsed: { action?: string; object?: { id?: string }; data?: { manifestSha256?: string; ciphertextSha256?: string } } = {};
    try {
      parsed = JSON.parse(receipt.log?.entry ?? '');
    } catch {
      return ['the log entry is not JSON'];
    }
    if (parsed.action !== action || parsed.object?.id !== receipt.bid?.id) problems.push(`the log entry is not the ${action} entry of this bid`);
    if (parsed.data?.manifestSha256 !== receipt.bid?.manifestSha256) problems.push('the log entry names another manifest');
    if (receipt.kind === 'submission' && parsed.data?.ciphertextSha256 !== receipt.bid?.ciphertextSha256) problems.push('the log entry names another ciphertext');
    return problems;
  }
  if (receipt.format !== RECEIPT_FORMAT) return [`unknown receipt format "${receipt.format}"`];
  const p = receipt.promise;
  if (!p || p.format !== PROMISE_FORMAT) return ['the receipt carries no promise of inclusion'];
  if (p.entry?.action !== action || p.entry?.object?.id !== receipt.bid?.id) problems.push(`the promise is not of the ${action} entry of this bid`);
  if (p.entry?.data?.manifestSha256 !== receipt.bid?.manifestSha256) problems.push('the promise names another manifest');
  if (receipt.kind === 'submission' && (p.entry?.data?.ciphertextSha256 !== receipt.bid?.ciphertextSha256 || p.entry?.data?.size !== receipt.bid?.size))
    problems.push('the promise names another ciphertext');
  if (p.mergeAfter?.section !== receipt.section?.id) problems.push('the promise is released by another section than the receipt names');
  if (p.at !== receipt.receivedAt) problems.push('the promise was given at another time than the receipt states');
  return problems;
}

/**
 * The verdict on the log's answer about a /2 receipt's promise at `now`, given the section's public
 * facts and the problems the caller found with the answer's checkpoint signature and inclusion
 * proof: included, not yet due (bidding has not closed, or the merge delay has not passed), or
 * broken — the signed promise plus this answer is evidence.
 */
export function inclusionVerdict(
  receipt: Receipt,
  answer: PromiseAnswer,
  proofProblems: string[],
  section: { bidDeadlineAt: number | null; cancelledAt: number | null },
  now: number,
): InclusionVerdict {
  const promise = receipt.promise!;
  if (answer && answer.state === 'merged') {
    const problems = [...proofProblems, ...promiseBreaches(answer.entry, promise)];
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

/** Problems with where an entry sits: its own idx, and that the checkpoint covers it (the proof itself is the caller's). */
export function entryPositionProblems(logged: LoggedEntry): string[] {
  const problems: string[] = [];
  let parsed: { idx?: number } = {};
  try {
    parsed = JSON.parse(logged.entry);
  } catch {
    return ['the log entry is not JSON'];
  }
  if (parsed.idx !== logged.index) problems.push('the log entry is not at the index given');
  if (logged.checkpoint && !(logged.index < logged.checkpoint.size)) problems.push('the checkpoint does not cover the entry');
  return problems;
}
