// The section lifecycle (docs/rules.md, "The lifecycle") as data: which state may follow which. Every change of state
// goes through `transition` (lifecycle-engine.ts) as a guarded conditional update plus one audit entry.

export const SECTION_STATES = ['draft', 'published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived', 'cancelled', 'failed'] as const;
export type SectionState = (typeof SECTION_STATES)[number];

/** Side exit "cancelled": any time before the award. */
const CANCELLABLE: SectionState[] = ['draft', 'published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity'];
/** Side exit "failed": too few bids, all invalid, all over budget or under the reserve. */
const FAILABLE: SectionState[] = ['closed', 'opening', 'opened', 'evaluating', 'publicity'];

const MAIN_LINE: Array<[SectionState, SectionState]> = [
  ['draft', 'published'],
  ['published', 'bidding'],
  ['bidding', 'closed'],
  ['closed', 'opening'],
  ['opening', 'opened'],
  ['opened', 'evaluating'],
  ['evaluating', 'publicity'],
  ['publicity', 'awarded'],
  ['awarded', 'contracted'],
  ['contracted', 'archived'],
];

const ALLOWED = new Map<SectionState, Set<SectionState>>();
for (const [from, to] of MAIN_LINE) (ALLOWED.get(from) ?? ALLOWED.set(from, new Set()).get(from)!).add(to);
for (const from of CANCELLABLE) (ALLOWED.get(from) ?? ALLOWED.set(from, new Set()).get(from)!).add('cancelled');
for (const from of FAILABLE) (ALLOWED.get(from) ?? ALLOWED.set(from, new Set()).get(from)!).add('failed');

export function canTransition(from: SectionState, to: SectionState): boolean {
  return ALLOWED.get(from)?.has(to) ?? false;
}

export function nextStates(from: SectionState): SectionState[] {
  return [...(ALLOWED.get(from) ?? [])];
}

/** Before the notice is out only staff may see a section; after that it is public. */
export function isPublicState(state: SectionState, publishedAt: number | null): boolean {
  return state !== 'draft' && publishedAt !== null;
}

/** States before the bid deadline has closed bidding: nothing about bids may be shown in them (EB 21). */
const BEFORE_DEADLINE: readonly string[] = ['draft', 'published', 'bidding'];

export function isBeforeDeadline(state: string): boolean {
  return BEFORE_DEADLINE.includes(state);
}
