import { expect } from 'chai';
import { SECTION_STATES, canTransition, isPublicState, nextStates, type SectionState } from '../../modules/lifecycle/lifecycle';

const MAIN_LINE: SectionState[] = ['draft', 'published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived'];
const BEFORE_AWARD: SectionState[] = ['draft', 'published', 'bidding', 'closed', 'opening', 'opened', 'evaluating', 'publicity'];
const FAILABLE: SectionState[] = ['closed', 'opening', 'opened', 'evaluating', 'publicity'];

/** The whole transition table of docs/rules.md "The lifecycle", written out independently of the module. */
function expectedNext(from: SectionState): SectionState[] {
  const next: SectionState[] = [];
  const i = MAIN_LINE.indexOf(from);
  if (i >= 0 && i < MAIN_LINE.length - 1) next.push(MAIN_LINE[i + 1]!);
  if (BEFORE_AWARD.includes(from)) next.push('cancelled');
  if (FAILABLE.includes(from)) next.push('failed');
  return next;
}

describe('section lifecycle', () => {
  it('has exactly the 13 states of docs/rules.md', () => {
    expect([...SECTION_STATES].sort()).to.deep.equal([...MAIN_LINE, 'cancelled', 'failed'].sort());
    expect(SECTION_STATES).to.have.length(13);
  });

  it('allows each step of the main line draft → … → archived', () => {
    for (let i = 0; i < MAIN_LINE.length - 1; i++) {
      expect(canTransition(MAIN_LINE[i]!, MAIN_LINE[i + 1]!), `${MAIN_LINE[i]} → ${MAIN_LINE[i + 1]}`).to.equal(true);
    }
  });

  it('refuses skipping ahead on the main line', () => {
    const skips: Array<[SectionState, SectionState]> = [
      ['draft', 'bidding'],
      ['draft', 'opened'],
      ['published', 'closed'],
      ['bidding', 'opening'],
      ['bidding', 'opened'],
      ['closed', 'opened'],
      ['opening', 'evaluating'],
      ['opened', 'publicity'],
      ['evaluating', 'awarded'],
      ['publicity', 'contracted'],
      ['awarded', 'archived'],
      ['draft', 'archived'],
    ];
    for (const [from, to] of skips) expect(canTransition(from, to), `${from} → ${to}`).to.equal(false);
    // and every skip of two or more steps, systematically
    for (let i = 0; i < MAIN_LINE.length; i++) {
      for (let j = i + 2; j < MAIN_LINE.length; j++) {
        expect(canTransition(MAIN_LINE[i]!, MAIN_LINE[j]!), `${MAIN_LINE[i]} → ${MAIN_LINE[j]}`).to.equal(false);
      }
    }
  });

  it('refuses going back and staying put', () => {
    for (let i = 0; i < MAIN_LINE.length; i++) {
      for (let j = 0; j <= i; j++) {
        expect(canTransition(MAIN_LINE[i]!, MAIN_LINE[j]!), `${MAIN_LINE[i]} → ${MAIN_LINE[j]}`).to.equal(false);
      }
    }
    expect(canTransition('cancelled', 'cancelled')).to.equal(false);
    expect(canTransition('failed', 'failed')).to.equal(false);
  });

  it('allows cancelling from every state before the award', () => {
    for (const from of BEFORE_AWARD) expect(canTransition(from, 'cancelled'), from).to.equal(true);
  });

  it('refuses cancelling from awarded, contracted, archived, cancelled and failed', () => {
    for (const from of ['awarded', 'contracted', 'archived', 'cancelled', 'failed'] as const) {
      expect(canTransition(from, 'cancelled'), from).to.equal(false);
    }
  });

  it('allows failing only from closed through publicity', () => {
    for (const from of SECTION_STATES) {
      expect(canTransition(from, 'failed'), from).to.equal(FAILABLE.includes(from));
    }
    expect(canTransition('draft', 'failed')).to.equal(false);
    expect(canTransition('published', 'failed')).to.equal(false);
    expect(canTransition('bidding', 'failed')).to.equal(false);
    expect(canTransition('awarded', 'failed')).to.equal(false);
  });

  it('has no exits from archived, cancelled or failed (a failed tender is re-tendered as a new round, not reopened)', () => {
    for (const from of ['archived', 'cancelled', 'failed'] as const) {
      expect(nextStates(from), from).to.deep.equal([]);
      for (const to of SECTION_STATES) expect(canTransition(from, to), `${from} → ${to}`).to.equal(false);
    }
  });

  it('matches the full transition table of docs/rules.md, pair by pair', () => {
    let allowed = 0;
    for (const from of SECTION_STATES) {
      const expected = expectedNext(from);
      expect([...nextStates(from)].sort(), from).to.deep.equal([...expected].sort());
      for (const to of SECTION_STATES) {
        expect(canTransition(from, to), `${from} → ${to}`).to.equal(expected.includes(to));
        if (expected.includes(to)) allowed++;
      }
    }
    expect(allowed).to.equal(10 + 8 + 5);
  });

  it('lists the next states of a few states concretely', () => {
    expect(nextStates('draft').sort()).to.deep.equal(['cancelled', 'published']);
    expect(nextStates('bidding').sort()).to.deep.equal(['cancelled', 'closed']);
    expect(nextStates('closed').sort()).to.deep.equal(['cancelled', 'failed', 'opening']);
    expect(nextStates('publicity').sort()).to.deep.equal(['awarded', 'cancelled', 'failed']);
    expect(nextStates('awarded')).to.deep.equal(['contracted']);
    expect(nextStates('contracted')).to.deep.equal(['archived']);
  });

  it('returns a fresh array from nextStates (callers cannot change the table)', () => {
    const a = nextStates('draft');
    a.push('archived');
    expect(canTransition('draft', 'archived')).to.equal(false);
    expect(nextStates('draft')).to.not.include('archived');
  });

  describe('isPublicState', () => {
    const at = Date.parse('2026-03-06T10:00:00+08:00');

    it('keeps a draft private, even with a publication time', () => {
      expect(isPublicState('draft', null)).to.equal(false);
      expect(isPublicState('draft', at)).to.equal(false);
    });

    it('makes a section public once it is past draft and has a publication time', () => {
      for (const state of SECTION_STATES) {
        if (state === 'draft') continue;
        expect(isPublicState(state, at), state).to.equal(true);
      }
    });

    it('keeps a section private without a publication time (e.g. cancelled while still a draft)', () => {
      for (const state of SECTION_STATES) expect(isPublicState(state, null), state).to.equal(false);
    });

    it('treats publication time 0 (the epoch) as published, not as missing', () => {
      expect(isPublicState('published', 0)).to.equal(true);
    });
  });
});
