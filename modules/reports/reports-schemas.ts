// What the report routes answer besides the rate report (formats/rate-report.ts): a historical import.
import { z } from 'zod';
import { CENTRE_CODES } from '../centres/centre-rules';
import { hex64 } from '../formats/common';

/** POST /api/reports/imports: the import's id, its rows in all and per centre, and the SHA-256 of the CSV as sent. */
export const importResponse = z.strictObject({
  import: z.strictObject({ id: z.string(), rows: z.int().min(0), sha256: hex64, centres: z.partialRecord(z.enum(CENTRE_CODES), z.int().min(0)) }),
});
