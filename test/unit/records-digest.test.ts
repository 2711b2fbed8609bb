// The evaluation report's digest is computed with the stored opening record spliced in, unparsed:
// it must equal the digest of the whole document canonicalized at once.
import canonicalize from 'canonicalize';
import { expect } from 'chai';
import { canonicalDigest, canonicalWithRecord } from '../../modules/records/digest';

describe('records: a canonical document with a canonical record spliced in', () => {
  it('is the canonical JSON of the whole document, whatever the keys around it', () => {
    const record = { section: { id: 'S', code: 'HF-1' }, bids: [{ price: { amount: '1.00', other: { 'z"\\': '\u2028', a: 'b' } } }], n: 1e21, f: 0.1 };
    for (const rest of [{ format: 'x', section: { b: 1, a: [2, { d: 3, c: null }] }, evaluation: { zz: 'openingRecord' } }, {}, { openingRecorc: 1, openingRecordz: 2 }]) {
      const spliced = canonicalWithRecord(rest, canonicalize(record) as string);
      const whole = canonicalDigest({ ...rest, openingRecord: record });
      expect(spliced.canonical).to.equal(whole.canonical);
      expect(spliced.sha256).to.equal(whole.sha256);
    }
  });
});
