// The arithmetic of the rate reports: weighted rates over integer fen, round half up, the base
// named, exact beyond 2^53; and the checked figures of docs/rules.md.
import { expect } from 'chai';
import { aggregate, baseOf, headline, percentOf } from '../../modules/reports/rates';
import { addDays, isCalendarDate, localMidnight } from '../../modules/reports/period';
import { csvField, parseCsv, toCsv } from '../../modules/reports/csv';

/** 亿元 (10^8 yuan) with two decimals → fen: 343.83亿 = 3 438 300 000 000 fen. */
const yi = (s: string) => BigInt(s.replace('.', '')) * 1_000_000_00n;

describe('rates: savings and value-added arithmetic', () => {
  it('Hefei 2011 works: (343.83 − 227.15) / 343.83 = 33.9 %', () => {
    expect(yi('343.83')).to.equal(3_438_300_000_000n);
    const a = aggregate('cost', [{ referenceFen: yi('343.83'), finalFen: yi('227.15'), referenceKind: 'control_price' }]);
    expect(a.rate).to.deep.equal({ percent: '33.94', numerator: '11668000000.00', denominator: '34383000000.00', base: 'control_price' });
    expect(a.rate.percent!.startsWith('33.9')).to.equal(true);
  });

  it('Hefei 2011 land: 28.12 / 147.04 = 19.12 %', () => {
    const a = aggregate('revenue', [{ referenceFen: yi('147.04'), finalFen: yi('147.04') + yi('28.12'), referenceKind: 'starting_price' }]);
    expect(a.rate).to.deep.equal({ percent: '19.12', numerator: '2812000000.00', denominator: '14704000000.00', base: 'starting_price' });
  });

  it('Hefei 2021 land: 110.65 / (850.23 − 110.65) = 14.96 % (the base is the starting price, not the deal)', () => {
    const a = aggregate('revenue', [{ referenceFen: yi('850.23') - yi('110.65'), finalFen: yi('850.23'), referenceKind: 'starting_price' }]);
    expect(a.rate.percent).to.equal('14.96');
    expect(a.rate.denominator).to.equal('73958000000.00');
    // Dividing by the deal instead would give 13.01 %: the base matters.
    expect(percentOf(yi('110.65'), yi('850.23'))).to.equal('13.01');
  });

  it('is a weighted rate, never an average of rates', () => {
    const a = aggregate('cost', [
      { referenceFen: 10_000n, finalFen: 5_000n, referenceKind: 'budget' }, // 50 %
      { referenceFen: 90_000n, finalFen: 90_000n, referenceKind: 'budget' }, // 0 %
    ]);
    expect(a.rate.percent).to.equal('5.00'); // the average of rates would be 25.00
    expect(a.rate.numerator).to.equal('50.00');
    expect(a.rate.denominator).to.equal('1000.00');
  });

  it('rounds half up to two decimals (0.125 % → 0.13, not 0.12)', () => {
    expect(percentOf(1n, 800n)).to.equal('0.13');
    expect(percentOf(1n, 3n)).to.equal('33.33');
    expect(percentOf(2n, 3n)).to.equal('66.67');
    expect(percentOf(-1n, 800n)).to.equal('-0.13');
    expect(percentOf(0n, 0n)).to.equal(null);
  });

  it('stays exact beyond 2^53 fen and beyond the BIGINT range of a sum', () => {
    const big = 2n ** 53n + 1n; // 9007199254740993 fen: not representable as a double
    const a = aggregate('cost', [
      { referenceFen: big, finalFen: big - 1n, referenceKind: 'budget' },
      { referenceFen: big, finalFen: big - 1n, referenceKind: 'budget' },
    ]);
    expect(a.rate.numerator).to.equal('0.02');
    expect(a.rate.denominator).to.equal('180143985094819.86');
    const huge = 5_000_000_000_000_000_000n; // two of these exceed 2^63 − 1
    const b = aggregate('revenue', [
      { referenceFen: huge, finalFen: huge + 1n, referenceKind: 'listing_price' },
      { referenceFen: huge, finalFen: huge + 1n, referenceKind: 'listing_price' },
    ]);
    expect(b.referenceTotalFen).to.equal(10_000_000_000_000_000_000n);
    expect(b.rate).to.deep.equal({ percent: '0.00', numerator: '0.02', denominator: '100000000000000000.00', base: 'listing_price' });
  });

  it('an empty set has no rate: percent null over "0.00"', () => {
    expect(aggregate('cost', []).rate).to.deep.equal({ percent: null, numerator: '0.00', denominator: '0.00', base: null });
  });

  it('names the base, or the list of bases when they are mixed', () => {
    expect(baseOf(['budget', 'budget'])).to.equal('budget');
    expect(baseOf(['control_price', 'budget', 'control_price'])).to.deep.equal(['budget', 'control_price']);
  });

  it("prints the model centre's 2007 headline", () => {
    const cost = aggregate('cost', [{ referenceFen: 10_000_000n, finalFen: 8_483_000n, referenceKind: 'budget' }]).rate;
    const revenue = aggregate('revenue', [{ referenceFen: 10_000_000n, finalFen: 12_073_000n, referenceKind: 'starting_price' }]).rate;
    const h = headline(cost, revenue);
    expect(h.en).to.equal('construction and procurement savings rate 15.17%; property rights and land value-added rate 20.73%');
    expect(h.zh).to.equal('建设工程和政府采购资金节约率 15.17%；产权交易和土地出让增值率 20.73%');
  });
});

describe('report periods: dates in the centre time zone', () => {
  it('local midnight in Asia/Shanghai, whatever the process zone', () => {
    expect(localMidnight('2007-01-01', 'Asia/Shanghai')).to.equal(Date.parse('2007-01-01T00:00:00+08:00'));
    expect(localMidnight('2027-01-01', 'Asia/Shanghai')).to.equal(Date.parse('2026-12-31T16:00:00Z'));
    expect(localMidnight('2027-01-01', 'UTC')).to.equal(Date.parse('2027-01-01T00:00:00Z'));
  });

  it('checks calendar dates and adds days', () => {
    expect(isCalendarDate('2024-02-29')).to.equal(true);
    expect(isCalendarDate('2023-02-29')).to.equal(false);
    expect(isCalendarDate('2023-2-28')).to.equal(false);
    expect(addDays('2026-12-31', 1)).to.equal('2027-01-01');
  });
});

describe('csv reader and writer', () => {
  it('reads quotes, doubled quotes, CRLF, a BOM, and the line each record starts on', () => {
    const recs = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n');
    expect(recs).to.deep.equal([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', 'z'] },
    ]);
  });

  it('writes a BOM, quotes when needed and defuses formulas in text cells', () => {
    expect(toCsv([[csvField('a,b'), csvField('=1+1', { text: true }), csvField('-1.00')]])).to.equal('\ufeff"a,b",\'=1+1,-1.00\r\n');
  });
});
