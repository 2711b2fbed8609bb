// The receipt checker's findings in the page's language: the checker (receipt-check.ts and the
// shared rules in modules/bids/receipt-checks.ts, modules/audit/log-promise.ts) words its problems
// in English for the CLI and the logs; a page turns each into a key of its own strings
// (data-msg-finding-* attributes, templates/pages/bid-detail-strings.ts) with its values, and
// prints times in the centre's zone for the page's language. A problem this table does not know
// becomes the generic finding, never English on a Chinese page. No DOM and no node: imports.

export interface Finding {
  /** The page string's key, e.g. msgFindingReceiptSignature. */
  key: string;
  /** Values for its {placeholders}; instants are UTC ms under `times`. */
  values?: Record<string, string | number>;
  times?: Record<string, number>;
}

const FIXED: Record<string, string> = {
  'the receipt signature does not verify with the published receipt key': 'msgFindingReceiptSignature',
  'the promise signature does not verify with the published log key': 'msgFindingPromiseSignature',
  'the checkpoint signature does not verify with the published log key': 'msgFindingCheckpointSignature',
  'the inclusion proof does not lead to the checkpoint root': 'msgFindingInclusionProof',
  'this is not a receipt': 'msgFindingNotReceipt',
  'the log entry is not JSON': 'msgFindingEntryNotJson',
  'the log entry names another manifest': 'msgFindingEntryOtherManifest',
  'the log entry names another ciphertext': 'msgFindingEntryOtherCiphertext',
  'the receipt carries no promise of inclusion': 'msgFindingNoPromise',
  'the promise names another manifest': 'msgFindingPromiseOtherManifest',
  'the promise names another ciphertext': 'msgFindingPromiseOtherCiphertext',
  'the promise is released by another section than the receipt names': 'msgFindingPromiseOtherSection',
  'the promise was given at another time than the receipt states': 'msgFindingPromiseOtherTime',
  'the log entry is not at the index given': 'msgFindingEntryIndex',
  'the checkpoint does not cover the entry': 'msgFindingCheckpointCover',
  'the log entry has another id than the promised one': 'msgFindingBreachId',
  'the log entry carries other data than the promise (digests, size or time)': 'msgFindingBreachData',
};

/** The log actions a finding names, as keys of the page's strings. */
const ACTIONS: Record<string, string> = { 'bid.submitted': 'msgActionSubmitted', 'bid.withdrawn': 'msgActionWithdrawn' };

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => Finding]> = [
  [/^the log entry is not the (\S+) entry of this bid$/, (m) => ({ key: 'msgFindingEntryNotAction', values: { action: `@${m[1]}` } })],
  [/^the promise is not of the (\S+) entry of this bid$/, (m) => ({ key: 'msgFindingPromiseNotAction', values: { action: `@${m[1]}` } })],
  [/^unknown receipt format "(.*)"$/, (m) => ({ key: 'msgFindingUnknownFormat', values: { format: m[1]! } })],
  [/^the log entry is not the promised (\S+) entry of (\S+)$/, (m) => ({ key: 'msgFindingBreachEntry', values: { action: `@${m[1]}`, id: m[2]! } })],
  // inclusionVerdict's overdue promise: its instants come back as numbers, printed in the page's zone.
  [
    /^the log promised \(signed (\S+)\) to include this entry within ([\d.]+) minutes of the close of bidding, i\.e\. by (\S+), and (still holds it back|denies knowing the promise)$/,
    (m) => ({
      key: m[4] === 'still holds it back' ? 'msgFindingOverdueHeld' : 'msgFindingOverdueDenied',
      values: { minutes: m[2]! },
      times: { promisedAt: Date.parse(m[1]!), dueAt: Date.parse(m[3]!) },
    }),
  ],
];

/** The finding a checker's problem stands for. */
export function findingOf(problem: string): Finding {
  const key = FIXED[problem];
  if (key) return { key };
  for (const [re, make] of PATTERNS) {
    const m = re.exec(problem);
    if (m) return make(m);
  }
  return { key: 'msgFindingOther' };
}

/** "2026年12月1日 09:00:00 (UTC+8)" / "1 December 2026, 09:00:00 (UTC+8)": an instant in `timeZone` for `lang`. */
export function zonedTime(ms: number, lang: string, timeZone: string): string {
  if (!Number.isFinite(ms)) return '—';
  const date = new Date(ms);
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'shortOffset',
    })
      .formatToParts(date)
      .map((x) => [x.type, x.value]),
  );
  const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT/, 'UTC').replace(/^UTC$/, 'UTC+0');
  const clock = `${p.hour}:${p.minute}:${p.second}`;
  if (lang === 'en') {
    const month = new Intl.DateTimeFormat('en-GB', { timeZone, month: 'long' }).format(date);
    return `${p.day} ${month} ${p.year}, ${clock} (${offset})`;
  }
  return `${p.year}年${p.month}月${p.day}日 ${clock}（${offset}）`;
}

/** A finding's text from the page's strings (`t`: the script root's dataset). */
export function findingText(f: Finding, t: Record<string, string | undefined>, lang: string, timeZone: string): string {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.values ?? {})) {
    const s = String(v);
    values[k] = s.startsWith('@') ? (t[ACTIONS[s.slice(1)] ?? ''] ?? s.slice(1)) : s;
  }
  for (const [k, ms] of Object.entries(f.times ?? {})) values[k] = zonedTime(ms, lang, timeZone);
  const text = t[f.key] ?? t.msgFindingOther ?? f.key;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
}
