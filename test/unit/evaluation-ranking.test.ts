import { expect } from 'chai';
import { rankByPrice, rankByScore, responsiveBids, type RankedBid } from '../../modules/evaluation/ranking';

const bid = (seq: number, priceFen: bigint, receivedAt = seq): RankedBid => ({ bidId: `B${seq}`, seq, orgId: `O${seq}`, name: `N${seq}`, receivedAt, priceFen });
const score = (evaluator: string, bidId: string, criterion: string, s: string) => ({ evaluator, bidId, criterion, score: s, enteredBy: 'u', enteredAt: 0 });

describe('evaluation ranking', () => {
  it('lowest price: ascending, ties to the earlier receipt', () => {
    expect(rankByPrice([bid(1, 300n), bid(2, 100n, 20), bid(3, 100n, 10)], 'cost').map((b) => b.seq)).to.deep.equal([3, 2, 1]);
  });

  it('highest price: descending, ties to the earliest bid', () => {
    expect(rankByPrice([bid(1, 100n), bid(2, 300n, 20), bid(3, 300n, 10)], 'revenue').map((b) => b.seq)).to.deep.equal([3, 2, 1]);
  });

  it('scoring: equal totals go to the lower price', () => {
    // Price weight 50, 质量 50. X (100): 100/100×50 = 50 + 40×0.5 = 70; Y (200, received first): 25 + 90×0.5 = 70.
    const weights = { price: '50', criteria: { 质量: '50' } };
    const y = bid(1, 200n);
    const x = bid(2, 100n);
    const r = rankByScore([y, x], weights, [score('E', 'B1', '质量', '90'), score('E', 'B2', '质量', '40')], 'cost');
    expect(r.map((b) => [b.seq, b.score!.total])).to.deep.equal([
      [2, '70.00'],
      [1, '70.00'],
    ]);
  });

  it('only opened, valid bids with a readable price are responsive', () => {
    const base = { bidder: { orgId: 'o', name: 'n' }, receivedAt: 1, cause: null };
    const bids = [
      { ...base, seq: 1, bidId: 'a', status: 'opened', validity: 'valid' as const, price: { amount: '10.00' } },
      { ...base, seq: 2, bidId: 'b', status: 'opened', validity: 'invalid' as const, price: { amount: '10.00' } },
      { ...base, seq: 3, bidId: 'c', status: 'revoked', validity: null, price: null },
    ];
    expect(responsiveBids(bids).map((b) => [b.bidId, b.priceFen])).to.deep.equal([['a', 1000n]]);
  });
});
