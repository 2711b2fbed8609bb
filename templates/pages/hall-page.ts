// The opening hall (/sections/:id/hall): a countdown to the opening on the server's clock and the
// record as soon as it is published (/portal-static/hall.js, server-sent events). A cancelled section
// has no countdown and says so, with its reason; a failed one says why in the page's language.
import { html, type SafeHtml } from '../html';
import { tradeKindOf } from '../../modules/centres/centre-words';
import { failureReasonText } from './failure-reasons';
import { remaining, shanghaiTime } from './format';
import { type Ctx, href, layout } from './layout';
import { type ObjectionsBlock, objectionsSection, showObjections } from './objection-pages';
import { recordHead, recordTable } from './opening-record-table';
import { type CentreView, centreName, type OpeningRecordView, type SectionView } from './portal-views';
import { tradeWords, type TradeWords } from './trade-words';

export interface HallPageData {
  centres: CentreView[];
  section: SectionView;
  record: OpeningRecordView | null;
  objections?: ObjectionsBlock | null;
  /**
   * The objection block as it will be once the window opens, rendered hidden (with its form and
   * token) for a bidder watching before it; static/hall.js shows it when the live state says this
   * viewer may raise an objection.
   */
  objectionsLater?: ObjectionsBlock | null;
}

const stateName = (c: Ctx, state: string) => c.s.stateNames[state] ?? state;

/** A section that will not open (or failed after opening): what happened, instead of a countdown. */
function endedBlock(c: Ctx, x: SectionView, w: TradeWords): SafeHtml {
  const p = c.s.portal;
  if (x.state === 'cancelled') {
    return html`<section class="ended" id="hall-ended" data-ended="cancelled"><h2>${p.cancelledTitle}</h2>
<dl class="facts"><dt>${p.cancelledAt}</dt><dd id="cancelled-at">${shanghaiTime(x.cancelledAt, true)}</dd>${x.cancelReason ? html`<dt>${p.cancelReason}</dt><dd id="cancel-reason">${x.cancelReason}</dd>` : ''}</dl>
<p>${p.cancelledNote}</p></section>`;
  }
  return html`<section class="ended" id="hall-ended" data-ended="failed"><h2>${p.failedTitle}</h2>
<dl class="facts"><dt>${p.failedWhy}</dt><dd id="failure-reason">${failureReasonText(c.lang, x.failureReason, w) ?? '—'}</dd></dl>
<p>${tradeKindOf(x.centre) === 'sale' ? p.failedNoteSale : p.failedNote}</p></section>`;
}

export function hallPage(c: Ctx, d: HallPageData): SafeHtml {
  const x = d.section;
  const id = encodeURIComponent(x.id);
  const w = tradeWords(c, x);
  const openingAt = x.openingAt ?? x.bidDeadlineAt;
  const heading = html`<h1>${c.s.hall}: <span class="code">${x.code}</span> ${x.title}</h1>
<p class="sub">${centreName(c, d.centres, x.centre)} · ${x.projectTitle ?? ''} · <a href="${href(c, `/sections/${id}`)}">${w.notice}</a></p>`;
  if (x.state === 'cancelled' || x.state === 'failed') {
    const body = html`<div id="hall" data-state="${x.state}">
${heading}
<p>${c.s.portal.stateSince}: <strong id="hall-state">${stateName(c, x.state)}</strong> · ${c.s.openingTime}: ${shanghaiTime(openingAt, true)}</p>
${endedBlock(c, x, w)}
${d.record ? html`<section id="hall-record"><h2>${c.s.openingRecord}</h2>${recordTable(c, x.id, d.record, w)}</section>` : ''}
${showObjections(d.objections) ? objectionsSection(c, x.id, d.objections, w.bidder) : ''}
</div>`;
    return layout(c, `${c.s.hall} ${x.code}`, body, { path: `/sections/${id}/hall` });
  }
  const body = html`<div id="hall" data-events="${href(c, `/sections/${id}/hall/events`)}" data-server-now="${c.now}" data-opening-at="${openingAt}" data-state="${x.state}"
 data-days="${c.s.days}" data-waiting="${c.s.waitingForRecord}" data-disconnected="${c.s.disconnected}" data-live="${c.s.live}" data-yuan="${c.s.yuan}">
${heading}
<div class="clock">
 <div><div class="label">${c.s.countdown}</div><div class="big" id="countdown">${remaining(openingAt - c.now, c.s)}</div></div>
 <div><div class="label">${c.s.openingTime}</div><div id="opening-time">${shanghaiTime(openingAt, true)}</div></div>
 <div><div class="label">${c.s.serverTime}</div><div id="server-time">${shanghaiTime(c.now, true)}</div></div>
 <div><div class="label">${c.s.state}</div><div id="hall-state">${stateName(c, x.state)}</div></div>
</div>
<p class="sub">${c.s.countdownNote} <span id="connection"></span></p>
<section id="hall-record"${d.record ? '' : html` hidden`}><h2>${c.s.openingRecord}</h2>
${
  d.record
    ? recordTable(c, x.id, d.record, w)
    : html`<p>${c.s.bidCount}: <span id="bid-count"></span></p>
<p class="links"><a href="/api/sections/${id}/opening-record">${c.s.recordJson}</a> · <a href="/api/sections/${id}/opening-record.pdf">${c.s.recordPdf}</a></p>
<table id="record-table" class="stacked">${recordHead(c, w)}<tbody id="record-bids"></tbody></table>`
}
</section>
${showObjections(d.objections) ? objectionsSection(c, x.id, d.objections, w.bidder) : ''}
${d.objectionsLater && !showObjections(d.objections) ? html`<p id="objections-opened" role="status" data-text="${c.s.bidDetails.hallFormShown}"></p><div id="objections-later" hidden>${objectionsSection(c, x.id, d.objectionsLater, w.bidder)}</div>` : ''}
</div>`;
  return layout(c, `${c.s.hall} ${x.code}`, body, { path: `/sections/${id}/hall`, scripts: ['/portal-static/hall.js'] });
}
