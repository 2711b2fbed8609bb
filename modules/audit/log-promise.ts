// A signed promise of inclusion, in the shape of Certificate Transparency's SCT (RFC 6962 §3.2):
// the log signs, at once, the exact entry it will append later and when. Bid submissions are held
// back from the public log until bidding on their section closes, so the log counts no bids before
// the deadline; the promise is what the bidder holds meanwhile. An entry that never appears, or
// appears changed, is proven misbehaviour: the promise carries the log's own signature.
// No node: imports here — the receipt page checks promises in the browser with these functions;
// signing and the node-side signature check are in promise-signing.ts.
import canonicalize from 'canonicalize';
import type { LogPromise } from '../formats/log-promise';

export { PROMISE_FORMAT } from '../formats/names';

/**
 * How long after bidding on the section closes (its deadline, or its cancellation) the entry is
 * in the log at the latest. The freeze at the deadline merges at once; the margin covers a
 * scheduler that was down for a while.
 */
export const MAX_MERGE_DELAY_MS = 60 * 60 * 1000;

export type { LogPromise } from '../formats/log-promise';

/** The exact bytes the log signs: canonical JSON of every field but `signature`. */
export function promiseSignedBytes(promise: Record<string, unknown>): string {
  const { signature: _signature, ...body } = promise;
  return canonicalize(body) as string;
}

/** The entry data the log appends for a promise: what was promised, plus when it was promised. */
export function promisedData(promise: Pick<LogPromise, 'entry' | 'at'>): Record<string, unknown> {
  return { ...promise.entry.data, promisedAt: promise.at };
}

/**
 * The ways a log entry (its exact canonical JSON) departs from the promise; none = honoured.
 * Order is judged elsewhere (the entries of a section follow promisedAt).
 */
export function promiseBreaches(entryJson: string, promise: LogPromise): string[] {
  let entry: { id?: unknown; action?: unknown; object?: unknown; data?: unknown };
  try {
    entry = JSON.parse(entryJson);
  } catch {
    return ['the log entry is not JSON'];
  }
  const same = (a: unknown, b: unknown) => canonicalize(a) === canonicalize(b);
  const problems: string[] = [];
  if (entry.id !== promise.entry.id) problems.push('the log entry has another id than the promised one');
  if (entry.action !== promise.entry.action || !same(entry.object, promise.entry.object))
    problems.push(`the log entry is not the promised ${promise.entry.action} entry of ${promise.entry.object.id}`);
  if (!same(entry.data, promisedData(promise))) problems.push('the log entry carries other data than the promise (digests, size or time)');
  return problems;
}

/** When the promise is broken if its entry is still not in the log: close of bidding + the delay. */
export function promiseDueAt(promise: LogPromise, section: { bidDeadlineAt: number | null; cancelledAt: number | null }): number | null {
  const closes = [section.bidDeadlineAt, section.cancelledAt].filter((t): t is number => typeof t === 'number');
  if (!closes.length) return null;
  return Math.min(...closes) + promise.maxMergeDelayMs;
}
