// What GET /api/audit/events answers: entries as parsed JSON (the proofs and the exact leaves are
// published formats in formats/checkpoint.ts).
import { z } from 'zod';
import { auditEntrySchema } from '../formats/dossier';

export const auditEventsResponse = z.strictObject({ events: z.array(auditEntrySchema) });
