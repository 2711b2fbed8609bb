import { z } from 'zod';
import { instantSchema } from '../core/instant';
import { awardSchema } from '../formats/award';
import { yuanSchema } from '../tenders/tenders-schemas';

export const contractBody = z.strictObject({
  signedAt: instantSchema.describe('When the contract was signed: epoch ms or ISO 8601 with an offset.'),
  amount: yuanSchema.describe('The contract amount in yuan; it replaces the award amount in the rate reports.'),
});
export type ContractBody = z.infer<typeof contractBody>;

/** POST /api/sections/:id/contract: the award with the contract recorded. */
export const contractResponse = z.strictObject({ award: awardSchema });
