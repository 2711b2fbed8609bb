// The published opening record as a table, shared by the section page and the opening hall.
import { html, type SafeHtml } from '../html';
import { shanghaiTime, yuan } from './format';
import type { Ctx } from './layout';
import type { OpeningRecordView } from './portal-views';
import type { TradeWords } from './trade-words';

const remarkText = (r: unknown) =>
  typeof r === 'string' ? r : r && typeof r === 'object' ? String((r as { message?: unknown; code?: unknown }).message ?? (r as { code?: unknown }).code ?? JSON.stringify(r)) : String(r);

/** The opening record's table; `w` names the bidders as the trade does (投标人 / 竞买人). */
export function recordTable(c: Ctx, sectionId: string, rec: OpeningRecordView, w: TradeWords): SafeHtml {
  return html`<p>${c.s.bidCount}: <span id="bid-count">${rec.freeze.bidCount}</span> · ${c.s.openingTime}: ${shanghaiTime(rec.openingTime)}</p>
<p class="links"><a href="/api/sections/${encodeURIComponent(sectionId)}/opening-record">${c.s.recordJson}</a> · <a href="/api/sections/${encodeURIComponent(sectionId)}/opening-record.pdf">${c.s.recordPdf}</a></p>
<table id="record-table" class="stacked">
${recordHead(c, w)}
<tbody id="record-bids">
${rec.bids.map(
  (
    b,
  ) => html`<tr id="bid-${b.bidId}"><td data-label="${c.s.seq}">${b.seq}</td><td class="bidder" data-label="${w.bidder}">${b.bidder.name}</td><td data-label="${c.s.receivedAt}">${shanghaiTime(b.receivedAt)}</td><td class="num price" data-label="${c.s.price}">${b.price ? yuan(b.price.amount, c.s) : '—'}</td><td data-label="${c.s.status}">${c.s.bidStatus[b.status] ?? b.status}</td><td data-label="${c.s.validity}">${b.validity ? (c.s.validityNames[b.validity] ?? b.validity) : '—'}</td><td data-label="${c.s.remarks}">${[...(b.cause ? [b.cause.message] : []), ...b.remarks.map(remarkText)].join('；')}</td><td data-label="${c.s.ciphertext}"><a href="/api/bids/${encodeURIComponent(b.bidId)}/ciphertext" title="SHA-256 ${b.ciphertextSha256}">${c.s.download}</a></td></tr>
`,
)}</tbody>
</table>`;
}

/**
 * The opening record's column heads. At phone width (portal.css, table.stacked) the heads are
 * hidden visually but stay for screen readers, and each cell shows its head (data-label) before
 * its value: every bid a block of label: value lines.
 */
export function recordHead(c: Ctx, w: TradeWords): SafeHtml {
  return html`<thead><tr><th scope="col">${c.s.seq}</th><th scope="col">${w.bidder}</th><th scope="col">${c.s.receivedAt}</th><th scope="col">${c.s.price}</th><th scope="col">${c.s.status}</th><th scope="col">${c.s.validity}</th><th scope="col">${c.s.remarks}</th><th scope="col">${c.s.ciphertext}</th></tr></thead>`;
}
