// etender-bid/1 (bid.json): the first member of the bid package tar (modules/bids/bid-package.ts).
import { z } from 'zod';
import { ID_PATTERN } from '../core/ids';
import { parseYuan } from '../core/money';

export const BID_FORMAT = 'etender-bid/1';

const yuan = z.string().refine((v) => parseYuan(v).ok, 'must be an amount in yuan with at most two decimals, e.g. "1234567.80"');

/**
 * The price form's bounds: what a bid may say besides its amount. Everything a bid says there is
 * printed in the public opening record, so it is bounded; a bid outside the form is invalid at
 * the opening (and the parts outside it are not copied into the record).
 */
export const PRICE_FORM = { otherItems: 16, otherKeyChars: 40, otherValueChars: 200, qualityChars: 200 } as const;

export const priceOtherSchema = z
  .record(z.string().min(1).max(PRICE_FORM.otherKeyChars), z.string().max(PRICE_FORM.otherValueChars))
  .refine((o) => Object.keys(o).length <= PRICE_FORM.otherItems, `at most ${PRICE_FORM.otherItems} other items`);

export const bidDocumentSchema = z.strictObject({
  format: z.literal(BID_FORMAT),
  section: z.strictObject({ id: z.string().regex(ID_PATTERN), code: z.string().max(64) }),
  bidder: z.strictObject({ orgId: z.string().regex(ID_PATTERN), name: z.string().max(200), creditCode: z.string().length(18) }),
  price: z.strictObject({
    amount: yuan.describe('The bid price (cost side) or offer (revenue side) in yuan.'),
    durationDays: z.int().min(0).max(36500).optional().describe('Construction period or delivery time in days, when the section asks for it.'),
    quality: z.string().max(PRICE_FORM.qualityChars).optional(),
    other: priceOtherSchema
      .optional()
      .describe(
        `Other items named by the tender documents: at most ${PRICE_FORM.otherItems}, names of at most ${PRICE_FORM.otherKeyChars} and values of at most ${PRICE_FORM.otherValueChars} characters.`,
      ),
  }),
  attachments: z.array(z.strictObject({ name: z.string().min(1).max(200), size: z.int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).max(1000),
});
export type BidDocument = z.infer<typeof bidDocumentSchema>;
