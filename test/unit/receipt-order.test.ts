// `etender audit verify` checks that held-back bid entries were appended in order of receipt and
// never after their section's freeze.
import { expect } from 'chai';
import { receiptOrder } from '../../modules/audit/audit-verify';

const bid = (section: string, promisedAt: number, action = 'bid.submitted') => JSON.stringify({ action, object: { type: 'bid', id: 'b' }, data: { section, promisedAt } });
const frozen = (section: string) => JSON.stringify({ action: 'section.bids_frozen', object: { type: 'section', id: section }, data: {} });

function problemsOf(entries: string[]): string[] {
  const order = receiptOrder();
  const problems: string[] = [];
  for (const [i, e] of entries.entries()) order.check(e, i, (m) => problems.push(m));
  return problems;
}

describe('the order of held-back bid entries', () => {
  it('accepts entries in order of receipt per section, interleaved sections and legacy entries', () => {
    expect(
      problemsOf([bid('S', 1), bid('T', 0), bid('S', 1), bid('S', 5, 'bid.withdrawn'), frozen('S'), JSON.stringify({ action: 'bid.submitted', data: {} }), bid('T', 3), frozen('T')]),
    ).to.deep.equal([]);
  });
  it('reports an entry out of the order of receipt, and one after its freeze', () => {
    expect(problemsOf([bid('S', 5), bid('S', 4)])).to.deep.equal(['entry 1: a bid.submitted entry of section S out of the order of receipt']);
    expect(problemsOf([bid('S', 1), frozen('S'), bid('S', 2)])).to.deep.equal(['entry 2: a bid.submitted entry of section S after its freeze']);
  });
});
