// The audit log browser (/audit/log): entries page by page, newest first, each read as a person
// reads it (audit-entry-view.ts) with its inclusion proof checked in the page by
// client/audit-verify-page.js against the newest signed checkpoint; then the checkpoint history.
// And the verifier (/audit/verify): the whole log checked in the browser, as `etender audit verify`.
import { html, type SafeHtml } from '../html';
import type { Checkpoint } from '../../modules/formats/checkpoint';
import type { AuditEntry } from '../../modules/formats/dossier';
import { zonedTime } from './format';
import { actionName, actorName, entryData, type KnownNames, objectText, zoneOf } from './audit-entry-view';
import { pager } from './audit-desk-page';
import { type Ctx, layout } from './layout';
import { fill } from './text';

export interface LogPageData {
  /** Newest first: each entry with its exact canonical JSON (the Merkle leaf). */
  entries: Array<{ text: string; entry: AuditEntry }>;
  names: KnownNames;
  /** Entries in the log now, and in the newest signed checkpoint. */
  size: number;
  signedSize: number;
  perPage: number;
  page: number;
  hasNext: boolean;
  /** The checkpoint history, newest first, and whether there are older ones. */
  checkpoints: Checkpoint[];
  checkpointPage: number;
  olderCheckpoints: boolean;
}

/** The script's texts, in the page's language. */
function scriptStrings(c: Ctx): string {
  const a = c.s.audit;
  return JSON.stringify({
    proofWaiting: a.proofWaiting,
    proofOk: a.proofOk,
    proofBad: a.proofBad,
    proofUnsigned: a.proofUnsigned,
    proofNoCheckpoint: a.proofNoCheckpoint,
    proofError: a.proofError,
  });
}

function entryCard(c: Ctx, d: LogPageData, item: LogPageData['entries'][number]): SafeHtml {
  const a = c.s.audit;
  const e = item.entry;
  return html`<li class="card log-entry" id="entry-${e.idx}" data-index="${e.idx}" data-leaf="${item.text}">
<h2>${fill(a.entryHeading, { idx: e.idx, action: actionName(c, e.action) })}</h2>
<dl class="facts">
<dt>${a.at}</dt><dd class="entry-at">${zonedTime(e.at, zoneOf(e, d.names))}</dd>
<dt>${a.actor}</dt><dd class="entry-actor">${actorName(c, e, d.names)}</dd>
<dt>${a.action}</dt><dd class="entry-action">${actionName(c, e.action)} <code>${e.action}</code></dd>
<dt>${a.object}</dt><dd class="entry-object">${objectText(c, e, d.names)}</dd>
${e.ip ? html`<dt>${a.ip}</dt><dd>${e.ip}</dd>` : ''}
<dt>${a.data}</dt><dd class="entry-details">${entryData(c, e, d.names)}</dd>
<dt>${a.proof}</dt><dd><div class="verdict proof-verdict" id="proof-${e.idx}" role="status" aria-live="polite"></div></dd>
</dl>
</li>`;
}

function checkpointTable(c: Ctx, d: LogPageData): SafeHtml {
  const a = c.s.audit;
  if (!d.checkpoints.length) return html`<p id="no-checkpoints">${a.noCheckpoints}</p>`;
  return html`<div class="table-wrap"><table id="checkpoint-table">
<caption class="visually-hidden">${a.checkpointsTitle}</caption>
<thead><tr><th scope="col">${a.size}</th><th scope="col">${a.signedAt}</th><th scope="col">${a.root}</th></tr></thead>
<tbody>${d.checkpoints.map((cp) => html`<tr data-size="${cp.size}"><td class="num">${cp.size.toLocaleString('en-US')}</td><td>${zonedTime(cp.at)}</td><td><code class="hash">${cp.root}</code></td></tr>`)}</tbody>
</table></div>
${d.olderCheckpoints || d.checkpointPage > 1 ? checkpointPager(c, d, d.page > 1 ? { page: String(d.page) } : {}) : ''}`;
}

function checkpointPager(c: Ctx, d: LogPageData, q: Record<string, string>): SafeHtml {
  const a = c.s.audit;
  const to = (p: number) => {
    const query = new URLSearchParams({ ...q, ...(p > 1 ? { cp: String(p) } : {}), ...(c.lang === 'en' ? { lang: 'en' } : {}) }).toString();
    return `/audit/log${query ? `?${query}` : ''}#checkpoints`;
  };
  return html`<nav class="pager" aria-label="${a.checkpointsTitle}">${d.checkpointPage > 1 ? html`<a href="${to(d.checkpointPage - 1)}" id="newer-checkpoints">${a.previous}</a> ` : ''}${
    d.olderCheckpoints ? html`<a href="${to(d.checkpointPage + 1)}" id="older-checkpoints">${a.olderCheckpoints}</a>` : ''
  }</nav>`;
}

export function auditLogPage(c: Ctx, d: LogPageData): SafeHtml {
  const a = c.s.audit;
  const query: Record<string, string> = d.checkpointPage > 1 ? { cp: String(d.checkpointPage) } : {};
  const body = html`<h1>${a.logTitle}</h1>
<p>${a.logIntro}</p>
<p id="log-size">${fill(a.newestFirst, { n: d.perPage, size: d.size.toLocaleString('en-US'), signed: d.signedSize.toLocaleString('en-US') })}</p>
<p class="sub" id="needs-script">${a.needsScript}</p>
<div id="audit-log" data-strings="${scriptStrings(c)}">
${d.entries.length ? html`<ol class="cards" id="log-entries">${d.entries.map((x) => entryCard(c, d, x))}</ol>` : html`<p id="no-entries">${a.noEntries}</p>`}
</div>
${pager(c, '/audit/log', query, d.page, d.hasNext)}
<section aria-labelledby="checkpoints" id="checkpoint-history">
<h2 id="checkpoints" tabindex="-1">${a.checkpointsTitle}</h2>
<p>${a.checkpointsIntro}</p>
${checkpointTable(c, d)}
</section>`;
  const here: Record<string, string> = { ...query, ...(d.page > 1 ? { page: String(d.page) } : {}) };
  return layout(c, a.logTitle, body, { path: '/audit/log', query: here, scripts: ['/portal-static/audit-verify.js'] });
}

export function auditVerifyPage(c: Ctx, d: { newest: Checkpoint }): SafeHtml {
  const a = c.s.audit;
  const strings = JSON.stringify({
    phaseCheckpoints: a.phaseCheckpoints,
    phaseEntries: a.phaseEntries,
    phaseConsistency: a.phaseConsistency,
    resultOk: a.resultOk,
    resultBad: a.resultBad,
    checkedEntries: a.checkedEntries,
    checkedRoots: a.checkedRoots,
    checkedSignatures: a.checkedSignatures,
    checkedConsistency: a.checkedConsistency,
    checkedNewest: a.checkedNewest,
    tookTime: a.tookTime,
    problemsTitle: a.problemsTitle,
    verifyAgain: a.verifyAgain,
    problems: a.problems,
  });
  const body = html`<h1>${a.verifyTitle}</h1>
<p>${a.verifyIntro}</p>
<p id="newest-checkpoint">${fill(a.checkedNewest, { size: d.newest.size.toLocaleString('en-US'), root: d.newest.root.slice(0, 16), at: zonedTime(d.newest.at) })}</p>
<div id="log-verifier" data-strings="${strings}">
<p class="sub" id="verify-needs-script">${a.verifyNeedsScript}</p>
<p><button type="button" class="action" id="verify-button" hidden>${a.verifyButton}</button></p>
<div id="verify-progress-area" hidden>
<label for="verify-progress">${a.progressLabel}</label>
<progress id="verify-progress" max="1" value="0"></progress>
<p id="verify-phase" aria-live="polite"></p>
</div>
<div class="verdict" id="verify-result" role="status" aria-live="polite"></div>
</div>`;
  return layout(c, a.verifyTitle, body, { path: '/audit/verify', scripts: ['/portal-static/audit-verify.js'] });
}
