import { z } from 'zod';
import { multiLineText, oneLineText } from '../core/text';
import { officialsSchema, openingObjectionSchema } from '../formats/opening-record';

const person = oneLineText(1, 100);

export const officialsBody = z.strictObject({
  presiding: person.describe('Who presides over the opening (主持人).'),
  recording: person.describe('Who records it (记录人).'),
  supervising: person.describe('Who supervises it (监督人).'),
});

export const objectionBody = z.strictObject({ text: multiLineText(1, 2000) });
export const answerBody = z.strictObject({ answer: multiLineText(1, 2000) });
export const shareBody = z.strictObject({
  share: z.string().trim().min(4).max(4096).describe('The decrypted share in base64, as `etender share decrypt` prints it.'),
});

// What the opening routes answer besides the record (formats/opening-record.ts).

/** The officials as set (PUT answers what was set, without the source). */
export const setOfficialsResponse = z.strictObject({ officials: officialsSchema });
/** GET: the officials named, or the defaults (source "default"). */
export const officialsResponse = z.strictObject({ officials: officialsSchema.extend({ source: z.enum(['set', 'default']) }) });
export const objectionResponse = z.strictObject({ objection: openingObjectionSchema });
export const objectionsResponse = z.strictObject({ objections: z.array(openingObjectionSchema) });
