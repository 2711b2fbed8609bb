// etender-manifest/1: binds a sealed bid to a section, a bidder, the recipient and a nonce; signed
// with RSA-PSS by the representative (modules/bids/manifest.ts signs and checks it).
import { z } from 'zod';
import { AGE_RECIPIENT_PATTERN } from '../core/age-recipient';
import { ID_PATTERN } from '../core/ids';

export const MANIFEST_FORMAT = 'etender-manifest/1';
const HEX64 = /^[0-9a-f]{64}$/;

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  section: z.string().regex(ID_PATTERN, 'must be the section id'),
  bidder: z.string().regex(ID_PATTERN, "must be the bidder organisation's id"),
  ciphertext: z.strictObject({
    sha256: z.string().regex(HEX64, 'must be the lowercase hex SHA-256 of the sealed file'),
    size: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  }),
  recipient: z.string().regex(AGE_RECIPIENT_PATTERN, "must be the section's age recipient (age1…)"),
  nonce: z.string().regex(/^[0-9a-f]{32,64}$/, 'must be 16 to 32 random bytes in lowercase hex'),
  certificate: z.string().regex(HEX64, "must be the SHA-256 fingerprint (hex) of the signer's certificate"),
});
export type Manifest = z.infer<typeof manifestSchema>;
