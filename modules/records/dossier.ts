// The section dossier as JSON: every audit entry of the section and of its bids (found through the
// bids' ids and their receipts' log indexes), each with its RFC 6962 leaf hash, and the signed
// checkpoint that covers them all. Stable between calls: record downloads are logged against the
// record, not the section, and the checkpoint is the first stored one that covers the entries.
import canonicalize from 'canonicalize';
import type { AuditEntry, AuditService } from '../audit/audit-service';
import { leafHash, toHex } from '../audit/merkle';
import { checkpointSchema } from '../formats/checkpoint';
import { checked } from '../formats/common';
import { DOSSIER_FORMAT, type Dossier } from '../formats/dossier';

export { DOSSIER_FORMAT, type Dossier } from '../formats/dossier';

export type SectionBidRef = Dossier['bids'][number];
export type DossierSection = Dossier['section'];
export type DossierEntry = Dossier['entries'][number];

/** Every entry of one object, in log order, in pages of the audit service's maximum. */
/** The reads of the log a dossier is made of. */
export type DossierLog = Pick<AuditService, 'list' | 'entries' | 'checkpoints' | 'checkpoint'>;

async function entriesOf(audit: DossierLog, objectType: string, objectId: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let fromIdx = 0;
  for (;;) {
    const page = await audit.list({ objectType, objectId, fromIdx, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    fromIdx = page[page.length - 1]!.idx + 1;
  }
}

export async function buildDossier(deps: { audit: DossierLog; section: DossierSection; bids: SectionBidRef[]; recordCheckpoints: unknown[]; verify: string[] }): Promise<Dossier> {
  const { audit, section, bids } = deps;
  const byIndex = new Map<number, AuditEntry>();
  for (const e of await entriesOf(audit, 'section', section.id)) byIndex.set(e.idx, e);
  for (const bid of bids) {
    for (const e of await entriesOf(audit, 'bid', bid.bidId)) byIndex.set(e.idx, e);
    const idx = bid.receiptLogIndex;
    if (typeof idx === 'number' && !byIndex.has(idx)) {
      const [row] = await audit.entries(idx, idx + 1);
      if (row) byIndex.set(idx, JSON.parse(row.entry) as AuditEntry);
    }
  }
  const entries = [...byIndex.values()]
    .sort((a, b) => a.idx - b.idx)
    // The stored leaf is the entry's canonical JSON, so canonicalizing the parsed entry gives its bytes back.
    .map((entry) => ({ index: entry.idx, leafHash: toHex(leafHash(canonicalize(entry) as string)), entry }));
  const needed = entries.length ? entries[entries.length - 1]!.index + 1 : 1;
  const [stored] = await audit.checkpoints(needed, 1);
  const checkpoint = stored ?? (await audit.checkpoint());
  return { format: DOSSIER_FORMAT, section, bids, entries, checkpoint, recordCheckpoints: deps.recordCheckpoints.map((c) => checked(checkpointSchema, c)), verify: deps.verify };
}
