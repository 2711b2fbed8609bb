// SQL of the records module: which stored file holds the PDF of a record's JSON (record_pdfs), and
// the per-day counts of anonymous downloads (record_downloads).
import { incrementCounter } from '../../db/counters';
import { toInt, toStr } from '../../db/row';
import { isUniqueViolation, type Db } from '../../db/transactions';

export interface StoredPdfRow {
  pdfSha256: string;
  size: number;
}

export async function findPdf(db: Db, kind: string, jsonSha256: string, layout: number): Promise<StoredPdfRow | null> {
  const row = await db('record_pdfs').where({ kind, json_sha256: jsonSha256, layout }).first('pdf_sha256', 'size');
  return row ? { pdfSha256: toStr(row.pdf_sha256), size: toInt(row.size) } : null;
}

/** Notes a rendered PDF; another process that rendered the same record first keeps its row (which is returned). */
export async function insertPdf(db: Db, row: { kind: string; jsonSha256: string; layout: number; pdfSha256: string; size: number; createdAt: number }): Promise<StoredPdfRow> {
  try {
    await db('record_pdfs').insert({ kind: row.kind, json_sha256: row.jsonSha256, layout: row.layout, pdf_sha256: row.pdfSha256, size: row.size, created_at: row.createdAt });
    return { pdfSha256: row.pdfSha256, size: row.size };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return (await findPdf(db, row.kind, row.jsonSha256, row.layout))!;
  }
}

/** A stored row whose file is gone (e.g. a restored database without its blobs): rendered anew. */
export async function deletePdf(db: Db, kind: string, jsonSha256: string, layout: number): Promise<void> {
  await db('record_pdfs').where({ kind, json_sha256: jsonSha256, layout }).delete();
}

export async function countDownload(db: Db, kind: string, sectionId: string, day: string): Promise<void> {
  await incrementCounter(db, 'record_downloads', { kind, section_id: sectionId, day }, 'downloads');
}

export async function downloadCounts(db: Db, sectionId: string): Promise<Array<{ kind: string; day: string; downloads: number }>> {
  const rows = await db('record_downloads')
    .where({ section_id: sectionId })
    .orderBy([{ column: 'day' }, { column: 'kind' }])
    .select('kind', 'day', 'downloads');
  return rows.map((r: Record<string, unknown>) => ({ kind: toStr(r.kind), day: toStr(r.day), downloads: toInt(r.downloads) }));
}
