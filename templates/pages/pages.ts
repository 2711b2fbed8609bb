// The public portal pages as escaping templates (templates/html.ts): every value from the API is
// escaped; only markup written here is trusted. No inline script or style (the CSP forbids them):
// the hall's script and the stylesheet are static files under /portal-static/.
import type { Award } from '../../modules/formats/award';
import type { EvaluationResult } from '../../modules/formats/evaluation-report';
import type { ClarificationJson, Project, SectionDocumentJson } from '../../modules/formats/section';
import { byteSize } from '../byte-size';
import { html, raw, type SafeHtml } from '../html';
import { PORTAL_TIME_ZONE, shanghaiTime, yuan } from './format';
import { type Ctx, href, layout } from './layout';
import { fill } from './text';
import { recipientFingerprint } from '../../modules/formats/recipient-fingerprint';
import { type ObjectionsBlock, objectionsSection, showObjections } from './objection-pages';
import { failureReasonText } from './failure-reasons';
import { tradeWords } from './trade-words';
import { centreName, type CentreView, type OpeningKeyView, type OpeningRecordView, type SectionView } from './portal-views';
import { recordTable } from './opening-record-table';

export { type Ctx, ctxFor, href, layout } from './layout';
export { hallPage } from './hall-page';
export { centreName, type CentreView, type OpeningKeyView, type OpeningRecordView, type RecordBid, type SectionView } from './portal-views';
export { recordHead, recordTable } from './opening-record-table';
export { reportsPage, type RatesView } from './reports-page';

const stateName = (c: Ctx, state: string) => c.s.stateNames[state] ?? state;

/** Who holds the opening key until the opening, in words: the time lock's round, then the custodians. */
function keyParts(c: Ctx, key: OpeningKeyView): string[] {
  const holders = key.custodians.filter((m) => m !== 'time-lock');
  const names = holders.map((m) => (m === 'platform-timer' ? c.s.platformTimer : m.replace(/^user:/, ''))).join(c.lang === 'en' ? ', ' : '、');
  const lines: string[] = [];
  if (key.timeLock) {
    const local = key.timeLock.beacon === 'local';
    lines.push(fill(c.s.timeLockPart, { round: key.timeLock.round, at: shanghaiTime(key.timeLock.opensAt, true), beacon: local ? c.s.beaconLocal : c.s.beaconDrand }));
    lines.push(local ? c.s.timeLockLocal : c.s.timeLockDrand);
  }
  const k = key.threshold - (key.timeLock ? 1 : 0);
  const sharesLine = !key.timeLock ? c.s.sharesOnly : holders.length === 1 ? c.s.sharesWithLockOne : c.s.sharesWithLock;
  if (holders.length) lines.push(fill(sharesLine, { k, n: holders.length, names }));
  return lines;
}
function sectionTable(c: Ctx, centres: CentreView[], sections: SectionView[], id: string): SafeHtml {
  if (sections.length === 0) return html`<p class="empty" id="${id}">${c.s.none}</p>`;
  return html`<table id="${id}">
<thead><tr><th>${c.s.code}</th><th>${c.s.title}</th><th>${c.s.centre}</th><th>${c.s.referencePrice}</th><th>${c.s.deadline}</th><th>${c.s.state}</th></tr></thead>
<tbody>
${sections.map(
  (
    x,
  ) => html`<tr data-section="${x.id}"><td><a href="${href(c, `/sections/${encodeURIComponent(x.id)}`)}">${x.code}</a></td><td>${x.title}${x.projectTitle ? html`<div class="sub">${x.projectTitle}</div>` : ''}</td><td>${centreName(c, centres, x.centre)}</td><td class="num">${yuan(x.referencePrice, c.s)}</td><td>${shanghaiTime(x.bidDeadlineAt)}</td><td>${stateName(c, x.state)}</td></tr>
`,
)}</tbody>
</table>`;
}

export function homePage(c: Ctx, data: { centres: CentreView[]; open: SectionView[]; opened: SectionView[]; awarded: SectionView[] }): SafeHtml {
  const body = html`<h1>${c.s.siteName}</h1>
<p class="tagline">${c.s.tagline}</p>
<section><h2>${c.s.centres}</h2>
<ul class="centres" id="centres">${data.centres.map((x) => html`<li data-centre="${x.code}"><strong>${c.lang === 'en' ? x.nameEn : x.nameZh}</strong> <span class="sub">${c.lang === 'en' ? x.nameZh : x.nameEn}</span> <span class="sub">${c.s[x.settings.metric === 'value_added' ? 'value_added' : 'savings']}</span></li>`)}</ul>
</section>
<section><h2>${c.s.openForBids}</h2>${sectionTable(c, data.centres, data.open, 'open-sections')}</section>
<section><h2>${c.s.recentlyOpened}</h2>${sectionTable(c, data.centres, data.opened, 'opened-sections')}</section>
<section><h2>${c.s.recentlyAwarded}</h2>${sectionTable(c, data.centres, data.awarded, 'awarded-sections')}</section>
<p><a id="all-sections-link" href="${href(c, '/sections')}">${c.s.portal.sectionsTitle}</a> · <a id="archive-link" href="${href(c, '/archive')}">${c.s.portal.archiveLink}</a></p>
<p><a id="report-link" href="${href(c, '/reports')}">${c.s.rateReportLink}</a></p>`;
  return layout(c, c.s.home, body, { path: '/' });
}

export interface SectionPageData {
  centres: CentreView[];
  section: SectionView;
  project: Pick<Project, 'code' | 'title' | 'tenderee' | 'description'>;
  documents: Array<Pick<SectionDocumentJson, 'id' | 'name' | 'size' | 'sha256'>>;
  clarifications: Array<Pick<ClarificationJson, 'id' | 'issuedAt' | 'title' | 'body' | 'newDeadlineAt'>>;
  record: { kind: 'record'; value: OpeningRecordView } | { kind: 'pending' | 'in_progress' | 'failed'; message?: string };
  /** The public evaluation (modules/evaluation/evaluation-schemas.ts): its publicity and result. */
  evaluation: { publicity: { endsAt: number } | null; result: EvaluationResult | null } | null;
  award: Pick<Award, 'bidderName' | 'amount' | 'awardedAt' | 'contractSignedAt' | 'contractAmount'> | null;
  /** Objections to the candidates (from the publicity on), with the form for a bidder during it. */
  objections?: ObjectionsBlock | null;
}

/** What the section page offers about bidding: the way to the sealing page while bidding is open (for a bidder of an approved organisation; a sign-in link for visitors), or why it takes no bid. */
function bidAction(c: Ctx, x: SectionView): SafeHtml | '' {
  const bidPath = `/sections/${encodeURIComponent(x.id)}/bid`;
  if (x.state === 'published') return html`<p class="notice" id="bid-why">${c.s.bidNotYetOpen} ${shanghaiTime(x.bidOpensAt, true)}</p>`;
  if (x.state === 'cancelled') return html`<p class="notice" id="bid-why">${c.s.bidCancelled}</p>`;
  if (x.state !== 'bidding') return x.state === 'closed' ? html`<p class="notice" id="bid-why">${c.s.bidClosed}</p>` : '';
  const v = c.viewer;
  if (!v) return html`<p><a id="section-bid-link" href="${href(c, '/login', { next: bidPath })}">${c.s.signInToBid}</a></p>`;
  if (v.role !== 'bidder') return '';
  if (v.orgStatus !== 'approved') return html`<p class="notice" id="bid-why">${c.s.bidNeedsApproval}</p>`;
  return html`<p><a class="button" id="section-bid-link" href="${href(c, bidPath)}">${c.s.submitBid}</a></p>`;
}

/** The opening key's fingerprint as the notice prints it (modules/formats/recipient-fingerprint.ts), with how it is made. */
function fingerprintFacts(c: Ctx, recipient: string, id: string): SafeHtml {
  return html`<p>${c.s.bidDetails.fingerprint}: <code class="fingerprint" id="${id}">${recipientFingerprint(recipient)}</code></p>
<p class="sub">${c.s.bidDetails.fingerprintHelp}</p>`;
}

export function sectionPage(c: Ctx, d: SectionPageData): SafeHtml {
  const x = d.section;
  const id = encodeURIComponent(x.id);
  const rec = d.record;
  const w = tradeWords(c, x);
  const failure = failureReasonText(c.lang, x.failureReason, w);
  const body = html`<h1><span class="code">${x.code}</span> ${x.title}</h1>
<p class="sub">${c.s.project}: ${d.project.title} (${d.project.code}) · ${w.tenderee}: ${d.project.tenderee} · ${c.s.centre}: ${centreName(c, d.centres, x.centre)}</p>
<p>${c.s.state}: <strong id="section-state">${stateName(c, x.state)}</strong>${failure ? html` — <span id="failure-reason">${failure}</span>` : ''}${x.cancelReason ? html` — ${x.cancelReason}` : ''}</p>
<p><a class="button" id="hall-link" href="${href(c, `/sections/${id}/hall`)}">${c.s.enterHall}</a></p>
${bidAction(c, x)}
<section><h2 id="notice-heading">${w.notice}</h2>
<dl class="facts">
<dt>${c.s.referencePrice}</dt><dd>${yuan(x.referencePrice, c.s)}</dd>
<dt>${w.deposit}</dt><dd>${yuan(x.bidBond, c.s)}</dd>
<dt>${c.s.procedure}</dt><dd>${c.s.procedureNames[x.procedure] ?? x.procedure}</dd>
<dt>${c.s.evaluationMethod}</dt><dd>${c.s.evaluationMethodNames[x.evaluationMethod] ?? x.evaluationMethod}</dd>
</dl>
${d.project.description ? html`<p>${d.project.description}</p>` : ''}
</section>
<section><h2>${c.s.timeline}</h2>
<dl class="facts" id="timeline">
<dt>${c.s.publishedAt}</dt><dd>${shanghaiTime(x.publishedAt)}</dd>
<dt>${c.s.bidOpensAt}</dt><dd>${shanghaiTime(x.bidOpensAt)}</dd>
${x.clarificationDeadlineAt ? html`<dt>${c.s.clarificationDeadlineAt}</dt><dd>${shanghaiTime(x.clarificationDeadlineAt)}</dd>` : ''}
<dt>${w.deadline}</dt><dd id="deadline">${shanghaiTime(x.bidDeadlineAt, true)}</dd>
${x.closedAt ? html`<dt>${c.s.closedAt}</dt><dd>${shanghaiTime(x.closedAt)}</dd>` : ''}
</dl>
</section>
<section><h2>${c.s.recipient}</h2>
${
  x.openingKey
    ? html`<p><code id="recipient">${x.openingKey.recipient}</code></p>
${fingerprintFacts(c, x.openingKey.recipient, 'recipient-fingerprint')}
<p class="sub">${c.s.recipientHelp}</p>
<ul class="sub" id="key-parts">${keyParts(c, x.openingKey).map((line) => html`<li>${line}</li>`)}</ul>`
    : html`<p>${c.s.none}</p>`
}
</section>
<section><h2>${w.documents}</h2>
${d.documents.length ? html`<ul id="documents">${d.documents.map((doc) => html`<li><a href="/api/sections/${id}/documents/${encodeURIComponent(doc.id)}">${doc.name}</a> <span class="sub">(${doc.size} B, SHA-256 ${doc.sha256})</span></li>`)}</ul>` : html`<p>${c.s.none}</p>`}
</section>
<section><h2>${c.s.clarifications}</h2>
${d.clarifications.length ? html`<ul id="clarifications">${d.clarifications.map((k) => html`<li><span class="sub">${shanghaiTime(k.issuedAt)}</span> <strong>${k.title}</strong> ${k.body}${k.newDeadlineAt ? html` → ${w.deadline}: ${shanghaiTime(k.newDeadlineAt)}` : ''}</li>`)}</ul>` : html`<p>${c.s.none}</p>`}
</section>
<section id="opening-record"><h2>${c.s.openingRecord}</h2>
${rec.kind === 'record' ? recordTable(c, x.id, rec.value, w) : html`<p>${rec.kind === 'pending' ? c.s.openingRecordPending : rec.kind === 'in_progress' ? c.s.openingInProgress : html`${c.s.sectionFailed}${rec.message ? html`: ${failureReasonText(c.lang, rec.message, w)}` : ''}`}</p>`}
</section>
${
  d.evaluation?.result
    ? html`<section id="evaluation"><h2>${c.s.evaluation}</h2>
${d.evaluation.publicity ? html`<p>${c.s.publicityEndsAt}: ${shanghaiTime(d.evaluation.publicity.endsAt)}</p>` : ''}
${d.evaluation.result.reason ? html`<p>${d.evaluation.result.reason}</p>` : ''}
${d.evaluation.result.candidates?.length ? html`<table><thead><tr><th>${c.s.rank}</th><th>${w.bidder}</th><th>${c.s.price}</th></tr></thead><tbody>${d.evaluation.result.candidates.map((k) => html`<tr><td>${k.rank}</td><td>${k.bidder?.name ?? '—'}</td><td class="num">${yuan(k.price, c.s)}</td></tr>`)}</tbody></table>` : ''}
<p class="links"><a href="/api/sections/${id}/evaluation-report">JSON</a> · <a href="/api/sections/${id}/evaluation-report.pdf">${c.s.evaluationReportPdf}</a></p>
</section>`
    : ''
}
${showObjections(d.objections) ? objectionsSection(c, x.id, d.objections, w.bidder) : ''}
${
  d.award
    ? html`<section id="award"><h2>${c.s.award}</h2>
<dl class="facts"><dt>${w.winner}</dt><dd>${d.award.bidderName}</dd><dt>${w.awardAmount}</dt><dd>${yuan(d.award.amount, c.s)}</dd><dt>${c.s.awardedAt}</dt><dd>${shanghaiTime(d.award.awardedAt)}</dd>
${d.award.contractSignedAt ? html`<dt>${c.s.contract}</dt><dd>${shanghaiTime(d.award.contractSignedAt)} · ${yuan(d.award.contractAmount, c.s)}</dd>` : ''}</dl>
<p class="links"><a href="/api/sections/${id}/award-notice.pdf">${w.awardLetter} PDF</a></p>
</section>`
    : ''
}`;
  return layout(c, `${x.code} ${x.title}`, body, { path: `/sections/${id}` });
}

/**
 * The bidder's page (GET /bid, /sections/:id/bid): the form only; /portal-static/bid.js makes the
 * key, seals, signs and submits in the browser. Its messages travel as data-msg-* attributes.
 */
export function bidPage(c: Ctx, d: { centres: CentreView[]; open: SectionView[]; selected: string | null; maxBidBytes: number | null }): SafeHtml {
  const b = c.s.bid;
  const messages = [messageData(b), messageData(c.s.bidDetails)];
  // The server's limit on the sealed file, which the script checks before it reads anything.
  const limit = d.maxBidBytes === null ? '' : html` data-max-bid-bytes="${String(d.maxBidBytes)}"`;
  // A signed-in bidder seals with their session (the page's requests carry the cookie); others give an API token.
  const bySession = c.viewer?.role === 'bidder';
  const body = html`<h1>${b.title}</h1>
<p>${b.intro}</p>
<p class="sub" id="session-key-note">${b.sessionKey} ${b.cliNote}</p>
${d.open.length === 0 ? html`<p class="empty" id="no-open-sections">${b.noOpen}</p>` : ''}
<form id="bid-form" autocomplete="off"${messages}${limit} data-lang="${c.lang}" data-time-zone="${PORTAL_TIME_ZONE}"${bySession ? html` data-session="1" data-username="${c.viewer!.username}"` : ''}>
${bySession ? '' : html`<p><label>${b.token}<br><input type="password" id="token" autocomplete="off" spellcheck="false" required size="60"></label><br><span class="sub">${b.tokenHelp}</span></p>`}
<p><label>${b.section}<br><select id="section" required>
<option value="">${b.choose}</option>
${d.open.map(
  (
    x,
  ) => html`<option value="${x.id}"${x.id === d.selected ? raw(' selected') : ''}${x.openingKey ? html` data-recipient="${x.openingKey.recipient}" data-fingerprint="${recipientFingerprint(x.openingKey.recipient)}"` : ''}>${x.code} ${x.title} — ${centreName(c, d.centres, x.centre)} — ${c.s.deadline} ${shanghaiTime(x.bidDeadlineAt)}</option>
`,
)}</select></label></p>
${sealToBlock(c, d.open.find((x) => x.id === d.selected)?.openingKey?.recipient ?? null)}
<p><label>${b.price}<br><input type="text" id="price" inputmode="decimal" pattern="[0-9,]+(\.[0-9]{1,2})?" required placeholder="1180000.00"></label></p>
<p><label>${b.duration}<br><input type="number" id="duration" min="0" max="36500" step="1"></label></p>
<p><label>${b.files}<br><input type="file" id="files" multiple${d.maxBidBytes === null ? '' : raw(' aria-describedby="files-limit"')}></label>${d.maxBidBytes === null ? '' : html`<br><span class="sub" id="files-limit">${b.filesLimit.replace('{limit}', byteSize(d.maxBidBytes))}</span>`}</p>
<p><button type="submit" id="seal-button">${b.seal}</button></p>
</form>
<p id="certificate-info" hidden>${b.certificate}: <code id="certificate-fingerprint"></code></p>
<section><h2>${b.progress}</h2>
<p><label for="seal-progress" id="seal-phase">${b.progressIdle}</label><br><progress id="seal-progress" max="1000" value="0">0 %</progress> <span id="seal-percent">0 %</span></p>
<ol id="bid-status" aria-live="polite"></ol><p class="error" id="bid-error" role="alert" hidden></p></section>
<section id="receipt" hidden><h2>${b.receipt}</h2>
<dl class="facts">
<dt>${b.receiptBid}</dt><dd id="receipt-bid"></dd>
<dt>${b.receiptTime}</dt><dd id="receipt-time"></dd>
<dt>${b.receiptLog}</dt><dd id="receipt-log"></dd>
<dt>${b.receiptSha}</dt><dd><code id="receipt-sha256"></code></dd>
</dl>
<p><a id="receipt-download" class="button" href="#">${b.receiptDownload}</a></p>
<p class="sub">${b.receiptHelp}</p>
</section>`;
  const path = d.selected ? `/sections/${encodeURIComponent(d.selected)}/bid` : '/bid';
  return layout(c, b.title, body, { path, scripts: ['/portal-static/bid.js'] });
}

/**
 * The opening key the sealing page seals to, printed as the section page prints it; bid.js shows
 * the chosen section's here and refuses to seal to any other key than the one printed.
 */
function sealToBlock(c: Ctx, recipient: string | null): SafeHtml {
  const p = c.s.bidDetails;
  return html`<div id="seal-to" class="seal-to" aria-live="polite">
<p><strong>${p.sealTo}</strong></p>
<p id="seal-to-none"${recipient ? raw(' hidden') : ''}>${p.sealToNone}</p>
<dl class="facts" id="seal-to-key"${recipient ? '' : raw(' hidden')}>
<dt>${c.s.recipient}</dt><dd><code id="bid-recipient">${recipient ?? ''}</code></dd>
<dt>${p.fingerprint}</dt><dd><code class="fingerprint" id="bid-recipient-fingerprint">${recipient ? recipientFingerprint(recipient) : ''}</code></dd>
</dl>
<p class="sub">${p.fingerprintHelp}</p>
</div>`;
}

/** Data attributes carrying a page's msg* strings to its script. */
function messageData(strings: Record<string, string>) {
  return Object.entries(strings)
    .filter(([k]) => k.startsWith('msg'))
    .map(([k, v]) => html` ${raw(`data-${k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`)}="${v}"`);
}

/**
 * The receipt page (GET /receipt): /portal-static/receipt.js checks a receipt file in the browser
 * (signatures with WebCrypto, then the log's answer about its promise); nothing is uploaded.
 */
export function receiptPage(c: Ctx): SafeHtml {
  const r = c.s.receiptCheck;
  const body = html`<h1>${r.title}</h1>
<p>${r.intro}</p>
<form id="receipt-form"${messageData(r)}>
<p><label>${r.file}<br><input type="file" id="receipt-file" accept="application/json,.json" required></label></p>
<p><button type="submit" id="check-button">${r.check}</button></p>
</form>
<section aria-live="polite"><p id="receipt-result" role="status"></p><ul id="receipt-problems"></ul></section>`;
  return layout(c, r.title, body, { path: '/receipt', scripts: ['/portal-static/receipt.js'] });
}

export function errorPage(c: Ctx, status: number, message: string): SafeHtml {
  const title = status === 404 ? c.s.notFound : status < 500 ? c.s.badRequest : c.s.error;
  return layout(c, title, html`<h1>${title}</h1><p class="error">${message}</p><p><a href="${href(c, '/')}">${c.s.home}</a></p>`, { path: '/' });
}
