// The checks of the log's entries themselves, besides their hashes: each entry says its own
// position and is in RFC 8785 canonical form, and bid entries keep their order of receipt. Pure
// (no node: imports), so `etender audit verify` and the browser verifier (/audit/verify) apply the
// same rules.
import canonicalize from 'canonicalize';
import type { Checkpoint } from '../formats/checkpoint';
import { LOG_NAME } from './log-name';

/** What is wrong with an entry, as a key and values for a page to say in its own language. */
export interface EntryProblem {
  key: 'entryNotJson' | 'entrySaysIdx' | 'entryNotCanonical' | 'entryAfterFreeze' | 'entryOutOfOrder';
  values: Record<string, string | number>;
}
/** Each problem as an English sentence (the CLI's report) and as a key (the browser verifier's, in the page's language). */
export type EntryProblemSink = (message: string, problem: EntryProblem) => void;

/**
 * Bid entries are held back until their section's freeze and then appended in order of receipt:
 * within a section their promisedAt never goes back, and none follows the section's freeze entry.
 * A log that reordered or slipped in a bid later fails here.
 */
export function receiptOrder() {
  const lastPromised = new Map<string, number>();
  const frozen = new Set<string>();
  return {
    /** `parsed`: the entry as checkEntry answered it, so that a verifier parses each entry once. */
    check(text: string, position: number, problem: EntryProblemSink, parsed?: unknown): void {
      let e: { action?: string; object?: { id?: string }; data?: { section?: unknown; promisedAt?: unknown } };
      if (parsed !== undefined) e = parsed as typeof e;
      else {
        try {
          e = JSON.parse(text);
        } catch {
          return; // reported by checkEntry
        }
      }
      if (!e || typeof e !== 'object') return;
      if (e.action === 'section.bids_frozen' && e.object?.id) frozen.add(e.object.id);
      if (e.action !== 'bid.submitted' && e.action !== 'bid.withdrawn') return;
      const section = e.data?.section;
      const at = e.data?.promisedAt;
      if (typeof section !== 'string' || typeof at !== 'number') return; // entries from before promises
      const values = { position, action: e.action, section };
      if (frozen.has(section)) problem(`entry ${position}: a ${e.action} entry of section ${section} after its freeze`, { key: 'entryAfterFreeze', values });
      if (at < (lastPromised.get(section) ?? -Infinity)) problem(`entry ${position}: a ${e.action} entry of section ${section} out of the order of receipt`, { key: 'entryOutOfOrder', values });
      lastPromised.set(section, at);
    },
  };
}

/** Checks the entry's position and canonical form; answers the parsed entry (undefined: not JSON) for the other checks. */
export function checkEntry(text: string, position: number, problem: EntryProblemSink): unknown {
  let parsed: { idx?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    problem(`entry ${position} is not valid JSON`, { key: 'entryNotJson', values: { position } });
    return undefined;
  }
  if (parsed?.idx !== position) problem(`entry ${position} says it is entry ${String(parsed?.idx)}`, { key: 'entrySaysIdx', values: { position, idx: String(parsed?.idx) } });
  if (canonicalize(parsed) !== text) problem(`entry ${position} is not in RFC 8785 canonical form`, { key: 'entryNotCanonical', values: { position } });
  return parsed;
}

/** A checkpoint of this log in the published shape (its signature and root are checked elsewhere). */
export function isCheckpointShape(cp: unknown): cp is Checkpoint {
  const c = cp as Checkpoint;
  return (
    !!c &&
    c.v === 1 &&
    c.log === LOG_NAME &&
    Number.isSafeInteger(c.size) &&
    c.size >= 0 &&
    typeof c.root === 'string' &&
    /^[0-9a-f]{64}$/.test(c.root) &&
    Number.isSafeInteger(c.at) &&
    typeof c.keyId === 'string' &&
    typeof c.signature === 'string'
  );
}
