// Pieces shared by the format schemas. No node: imports anywhere in modules/formats: the receipt
// page's bundle (server/pages/client) imports the receipt, promise and checkpoint schemas.
import { z } from 'zod';

export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (SHA-256)');
/** UTC epoch milliseconds. */
export const epochMs = z.int().describe('UTC epoch ms');
/** A decimal amount in yuan with at most two decimals, as the platform writes it. */
export const yuanText = z.string().regex(/^-?\d+(\.\d{1,2})?$/);

/**
 * JSON text read back (a stored record, a file): checked against its format's schema, then the
 * parsed value itself is returned — not zod's copy — so that its key order, and so the bytes it
 * is served or hashed as, stay exactly those stored. The schemas have no defaults or transforms.
 */
export function parseChecked<S extends z.ZodType>(schema: S, json: string): z.infer<S> {
  return checked(schema, JSON.parse(json));
}

/** A value checked against a schema and returned as it is (see parseChecked); throws when it does not conform. */
export function checked<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  schema.parse(value);
  return value as z.infer<S>;
}
