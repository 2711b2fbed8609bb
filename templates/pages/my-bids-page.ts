// "My bids" (/account/bids): per section every version the bidder's organisation submitted, with its
// time, size, digests and status; the receipt to download and to verify in the page
// (client/my-bids-page.js, the receipt check of the /receipt page); withdraw (a confirmation form)
// and replace (the sealing page) while bidding is open; after the opening, the bid's line in the record.
import { html, raw, type SafeHtml } from '../html';
import type { MyBids } from '../../modules/bids/bids-schemas';
import { PORTAL_TIME_ZONE, shanghaiTime } from './format';
import { errorSummary, type FormState, notice, postForm } from './forms';
import { scriptData } from './keys-page';
import { type Ctx, href, layout } from './layout';
import { fill } from './text';

type SectionBids = MyBids['sections'][number];
type Version = SectionBids['versions'][number];

/** States after which the opening record is published (the section page shows it). */
const RECORD_STATES = new Set(['opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'archived']);

/** Whether the bidder can still withdraw or replace in this section, by the server's clock. */
export const biddingOpen = (section: SectionBids['section'], now: number): boolean => section.state === 'bidding' && section.bidDeadlineAt !== null && now < section.bidDeadlineAt;

const sectionPath = (id: string) => `/sections/${encodeURIComponent(id)}`;

function versionItem(c: Ctx, s: SectionBids, v: Version): SafeHtml {
  const m = c.s.mine;
  const open = biddingOpen(s.section, c.now);
  const actions: SafeHtml[] = [];
  if (v.status === 'current' && open) actions.push(html`<a href="${href(c, `/account/bids/${encodeURIComponent(v.id)}/withdraw`)}" class="withdraw-link">${m.withdraw}</a>`);
  if (v.status === 'current' && RECORD_STATES.has(s.section.state)) {
    actions.push(html`<a href="${href(c, sectionPath(s.section.id))}#bid-${v.id}" class="record-link">${m.inRecord}</a>`);
  }
  return html`<li class="card version ${v.status}" id="version-${v.id}" data-bid="${v.id}">
<h3>${m.version} ${v.version} · <span class="version-status">${m.versionStatusNames[v.status] ?? v.status}</span></h3>
<dl class="facts">
<dt>${m.receivedAt}</dt><dd>${shanghaiTime(v.receivedAt, true)}</dd>
${v.withdrawnAt !== null ? html`<dt>${m.versionStatusNames.withdrawn}</dt><dd>${shanghaiTime(v.withdrawnAt, true)}</dd>` : ''}
<dt>${m.size}</dt><dd>${fill(m.bytes, { n: v.size.toLocaleString('en-US') })}</dd>
<dt>${m.digests}</dt><dd>${m.ciphertextDigest}: <code>${v.ciphertextSha256}</code><br>${m.manifestDigest}: <code>${v.manifestSha256}</code></dd>
<dt>${m.receipt}</dt><dd><a href="${href(c, `/account/bids/${encodeURIComponent(v.id)}/receipt`)}" download class="receipt-link">${m.downloadReceipt}</a>
<button type="button" class="verify-button" data-receipt="${v.receiptUrl}" aria-controls="verdict-${v.id}" hidden>${m.verify}</button>
<div class="verdict" id="verdict-${v.id}" role="status" aria-live="polite"></div></dd>
${v.status === 'withdrawn' ? withdrawalReceipt(c, v) : ''}
</dl>
${actions.length ? html`<p class="actions">${actions.map((a, i) => html`${i ? ' · ' : ''}${a}`)}</p>` : ''}
</li>`;
}

/** A withdrawn version's withdrawal receipt: the download and the check in the page, as for the submission's. */
function withdrawalReceipt(c: Ctx, v: Version): SafeHtml {
  const p = c.s.bidDetails;
  const id = encodeURIComponent(v.id);
  return html`<dt>${p.withdrawalReceipt}</dt><dd><a href="${href(c, `/account/bids/${id}/withdrawal-receipt`)}" download class="withdrawal-receipt-link">${p.downloadWithdrawalReceipt}</a>
<button type="button" class="verify-button" data-receipt="/api/bids/${id}/withdrawal-receipt" aria-controls="verdict-withdrawal-${v.id}" hidden>${p.verifyWithdrawal}</button>
<div class="verdict" id="verdict-withdrawal-${v.id}" role="status" aria-live="polite"></div></dd>`;
}

function sectionBlock(c: Ctx, s: SectionBids): SafeHtml {
  const m = c.s.mine;
  const x = s.section;
  const open = biddingOpen(x, c.now);
  // After a withdrawal nothing of the organisation's counts: said plainly, and the link submits anew.
  const none = !s.versions.some((v) => v.status === 'current');
  return html`<section class="my-section" aria-labelledby="sec-${x.id}" data-section="${x.id}">
<h2 id="sec-${x.id}"><a href="${href(c, sectionPath(x.id))}">${x.code}</a> ${x.title}</h2>
<p>${m.state}: ${c.s.stateNames[x.state] ?? x.state} · ${m.deadline}: ${shanghaiTime(x.bidDeadlineAt, true)}${
    open ? html` · <a href="${href(c, `${sectionPath(x.id)}/bid`)}" class="replace-link">${none ? m.submitBid : m.replace}</a>` : ''
  }</p>
${open && none ? html`<p class="notice" id="no-current-${x.id}">${m.noCurrentBid}</p>` : ''}
<ol class="cards">${s.versions.map((v) => versionItem(c, s, v))}</ol>
</section>`;
}

/** The receipt checker's findings and their words, in the page's language (client/receipt-findings.ts reads them). */
export function findingStrings(c: Ctx): SafeHtml {
  return html`${Object.entries(c.s.bidDetails)
    .filter(([k]) => k.startsWith('msg'))
    .map(([k, v]) => html` ${raw(`data-${k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`)}="${v}"`)}`;
}

export function myBidsPage(c: Ctx, d: { bids: MyBids; notice: string | null }): SafeHtml {
  const m = c.s.mine;
  const body = html`<h1>${m.bidsTitle}</h1>
${notice(d.notice)}
<p>${m.bidsIntro}</p>
<div id="my-bids"${scriptData(m)}${findingStrings(c)} data-lang="${c.lang}" data-time-zone="${PORTAL_TIME_ZONE}">
${d.bids.sections.length ? d.bids.sections.map((s) => sectionBlock(c, s)) : html`<p id="no-bids">${m.noBids} <a href="${href(c, '/bid')}">${m.submitBid}</a></p>`}
<section aria-labelledby="check-file-title" id="check-file" hidden>
<h2 id="check-file-title">${m.checkFileTitle}</h2>
<form id="receipt-file-form" class="stacked" novalidate>
<div class="field"><label for="f-receiptFile">${m.checkFile}</label><input type="file" id="f-receiptFile" accept="application/json,.json" required aria-required="true"></div>
<button type="submit" id="check-file-button">${m.checkButton}</button>
</form>
<div class="verdict" id="verdict-file" role="status" aria-live="polite"></div>
</section>
</div>`;
  return layout(c, m.bidsTitle, body, { path: '/account/bids', scripts: ['/portal-static/my-bids.js'] });
}

/** The confirmation before a withdrawal (and the page again, with the problem, after a refused post). */
export function withdrawPage(c: Ctx, d: { bidId: string; code: string; version: number; form: FormState; allowed: boolean }): SafeHtml {
  const m = c.s.mine;
  const body = html`<h1>${m.withdrawTitle}</h1>
${errorSummary(c, d.form, {})}
${
  d.allowed
    ? html`<p>${fill(m.withdrawConfirm, { code: d.code, version: d.version })}</p>
${postForm(c, `/account/bids/${encodeURIComponent(d.bidId)}/withdraw`, 'withdraw-form', html`<button type="submit" id="withdraw-button">${m.withdrawButton}</button>`)}`
    : notice(m.withdrawNotNow, 'withdraw-not-now')
}
<p><a href="${href(c, '/account/bids')}" id="withdraw-cancel">${m.withdrawCancel}</a></p>`;
  return layout(c, m.withdrawTitle, body, { path: `/account/bids/${encodeURIComponent(d.bidId)}/withdraw` });
}
