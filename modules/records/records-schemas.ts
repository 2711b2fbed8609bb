// What the record routes answer besides the published formats (formats/): the anonymous download counts.
import { z } from 'zod';

export const downloadCountsResponse = z.strictObject({
  section: z.string(),
  /** The zone the days are counted in. */
  timeZone: z.string(),
  counts: z.array(z.strictObject({ kind: z.string().describe('which record, e.g. opening-record'), day: z.iso.date(), downloads: z.int().min(0) })),
});
