// The format names, without zod: the receipt page's bundle needs these and the types only, and
// stays a few KB instead of carrying the schema library (types are erased from the bundle).
export const RECEIPT_FORMAT = 'etender-receipt/2';
/** Receipts of bids received before promises existed: the entry and its proof are inside. */
export const LEGACY_RECEIPT_FORMAT = 'etender-receipt/1';
export const PROMISE_FORMAT = 'etender-log-promise/1';

/** A private key in a passphrase file (modules/formats/key-backup.ts has its schema). */
export const KEY_BACKUP_FORMAT = 'etender-key-backup/1';
export const KEY_KINDS = ['signing', 'encryption'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];
/** The WebCrypto algorithm each kind of key is used with (RSA, SHA-256): bid manifests and challenges are signed, key shares decrypted. */
export const KEY_ALGORITHMS = { signing: 'RSA-PSS-SHA256', encryption: 'RSA-OAEP-SHA256' } as const satisfies Record<KeyKind, string>;
