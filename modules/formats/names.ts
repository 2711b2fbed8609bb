// The format names, without zod: the receipt page's bundle needs these and the types only, and
// stays a few KB instead of carrying the schema library (types are erased from the bundle).
export const RECEIPT_FORMAT = 'etender-receipt/2';
/** Receipts of bids received before promises existed: the entry and its proof are inside. */
export const LEGACY_RECEIPT_FORMAT = 'etender-receipt/1';
export const PROMISE_FORMAT = 'etender-log-promise/1';
