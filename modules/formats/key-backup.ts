// etender-key-backup/1: a user's private key (signing or custodian encryption) as a file that only
// its passphrase opens — this JSON, encrypted with age's passphrase (scrypt) recipient, ASCII-armored.
// The browser's key vault writes and reads it, and so do `etender key export-backup / import-backup`;
// `age -d` opens it too. See docs/keys.md.
import { z } from 'zod';
import { epochMs } from './common';
import { KEY_ALGORITHMS, KEY_BACKUP_FORMAT, KEY_KINDS, type KeyKind } from './names';

export { KEY_ALGORITHMS, KEY_BACKUP_FORMAT, KEY_KINDS, type KeyKind };

export const keyBackupSchema = z
  .strictObject({
    format: z.literal(KEY_BACKUP_FORMAT),
    username: z.string().min(1).max(80).describe('The account the key belongs to.'),
    kind: z.enum(KEY_KINDS).describe('"signing" (a bidder signs manifests) or "encryption" (a custodian receives key shares).'),
    algorithm: z.enum([KEY_ALGORITHMS.signing, KEY_ALGORITHMS.encryption]).describe('RSA-PSS-SHA256 for a signing key, RSA-OAEP-SHA256 for an encryption key.'),
    createdAt: epochMs.describe('When the key was made (UTC epoch ms).'),
    certificatePem: z.string().max(16_384).nullable().describe("The key's platform certificate (PEM), when it had one at backup time."),
    pkcs8: z
      .string()
      .min(1)
      .max(16_384)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
      .describe('The RSA private key, PKCS#8 DER, base64 (not encrypted: the age layer is the protection).'),
  })
  .refine((b) => b.algorithm === KEY_ALGORITHMS[b.kind], { message: 'algorithm does not match kind', path: ['algorithm'] });
// modules/pki/key-backup.ts checks the same rules without zod (the browser bundle stays small);
// test/unit/key-backup.test.ts holds the two to agreement.
export type KeyBackup = z.infer<typeof keyBackupSchema>;
