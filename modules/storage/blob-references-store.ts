// SQL of the blob sweeper: which stored files a row still names. Every column that holds the
// SHA-256 of a file in the blob store is listed here; a new one must be added, or the sweeper
// would remove its files.
import { toStr } from '../../db/row';
import type { Db } from '../../db/transactions';

export const BLOB_REFERENCES: ReadonlyArray<{ table: string; column: string }> = [
  { table: 'bids', column: 'ciphertext_sha256' }, // sealed bids, every version and status
  { table: 'section_documents', column: 'sha256' }, // tender documents
  { table: 'record_pdfs', column: 'pdf_sha256' }, // rendered PDF records
];

/** Of the given digests, those that some row names. */
export async function referencedBlobs(db: Db, digests: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < digests.length; i += 500) {
    const chunk = digests.slice(i, i + 500);
    for (const { table, column } of BLOB_REFERENCES) {
      for (const r of await db(table).distinct(column).whereIn(column, chunk)) found.add(toStr(r[column]));
    }
  }
  return found;
}
