// The price form's bounds on bid.json (bid-package.ts): what a bidder's client refuses to seal, so
// that what the opening record prints of a bid stays small.
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { bidDocumentSchema, PRICE_FORM, writeBidTar } from '../../modules/bids/bid-package';

const ID = '01JBX5Z3Q8N6V0T2R4M7K9H1GD';
const doc = (price: Record<string, unknown>) => ({
  format: 'etender-bid/1',
  section: { id: ID, code: 'HF-1' },
  bidder: { orgId: ID, name: '甲', creditCode: '91350100M000100Y43' },
  price: { amount: '1.00', ...price },
  attachments: [],
});
const items = (n: number, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`item-${i}`, value]));

describe('the price form bounds bid.json', () => {
  it('accepts other items within the bounds', () => {
    expect(bidDocumentSchema.safeParse(doc({ other: items(PRICE_FORM.otherItems, 'x'.repeat(PRICE_FORM.otherValueChars)) })).success).to.equal(true);
    expect(bidDocumentSchema.safeParse(doc({ other: { ['名'.repeat(PRICE_FORM.otherKeyChars)]: '张三' }, quality: 'q'.repeat(PRICE_FORM.qualityChars) })).success).to.equal(true);
  });

  it('refuses too many other items, long names or values, a long quality, and fields outside the form', () => {
    const refused = [
      doc({ other: items(PRICE_FORM.otherItems + 1) }),
      doc({ other: { ['名'.repeat(PRICE_FORM.otherKeyChars + 1)]: 'x' } }),
      doc({ other: { a: 'x'.repeat(PRICE_FORM.otherValueChars + 1) } }),
      doc({ other: { a: 1 } }),
      doc({ quality: 'q'.repeat(PRICE_FORM.qualityChars + 1) }),
      doc({ colour: 'red' }),
    ];
    for (const d of refused) expect(bidDocumentSchema.safeParse(d).success, JSON.stringify(d.price).slice(0, 80)).to.equal(false);
    const issue = bidDocumentSchema.safeParse(doc({ other: items(PRICE_FORM.otherItems + 1) }));
    expect(issue.success ? '' : issue.error.issues[0]!.message).to.contain(`at most ${PRICE_FORM.otherItems} other items`);
  });

  it('sealing refuses a bid.json outside the form with a message naming the field', async () => {
    const { attachments: _none, ...document } = doc({ other: { 项目经理: 'x'.repeat(PRICE_FORM.otherValueChars + 1) } });
    let message = '';
    try {
      await writeBidTar(document as never, [], new PassThrough());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message)
      .to.match(/^bid\.json would be invalid: price\.other\.项目经理: /)
      .and.to.contain(String(PRICE_FORM.otherValueChars));
  });
});
