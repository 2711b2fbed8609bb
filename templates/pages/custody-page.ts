// "My custody" (/account/custody): the sections whose opening key the signed-in user holds a share
// of, with their deadlines and state, and — once the share can be released — a button with which
// the page script (client/custody-page.js) decrypts the share with the browser's encryption key
// and releases it. The plain share is never shown.
import { html, type SafeHtml } from '../html';
import type { MyCustody } from '../../modules/custody/custody-overview';
import { shanghaiTime } from './format';
import { scriptData } from './keys-page';
import { type Ctx, href, layout } from './layout';
import { fill } from './text';

type Held = MyCustody['sections'][number];

function heldItem(c: Ctx, h: Held): SafeHtml {
  const m = c.s.mine;
  const x = h.section;
  const share = h.share;
  const beforeDeadline = x.bidDeadlineAt === null || c.now < x.bidDeadlineAt;
  return html`<li class="card" id="custody-${x.id}" data-section="${x.id}">
<h2><a href="${href(c, `/sections/${encodeURIComponent(x.id)}`)}">${x.code}</a> ${x.title}</h2>
<dl class="facts">
<dt>${m.deadline}</dt><dd>${shanghaiTime(x.bidDeadlineAt, true)}</dd>
<dt>${m.state}</dt><dd>${c.s.stateNames[x.state] ?? x.state}</dd>
<dt>${m.threshold}</dt><dd>${fill(m.thresholdOf, { threshold: h.threshold })}</dd>
<dt>${m.shareIndex}</dt><dd>#${share.index}${share.confirmation ? html` · ${m.confirmationNames[share.confirmation] ?? share.confirmation}` : ''}</dd>
<dt>${m.shareState}</dt><dd class="share-state">${share.releasedAt !== null ? fill(m.released, { at: shanghaiTime(share.releasedAt, true) }) : m.notReleased}</dd>
</dl>
${
  h.canReleaseNow
    ? html`<p><button type="button" class="release-button" data-section="${x.id}" aria-controls="release-${x.id}" hidden>${m.release}</button></p>
<noscript><p>${m.needsScriptCustody}</p></noscript>
<div class="verdict" id="release-${x.id}" role="status" aria-live="polite"></div>`
    : share.releasedAt === null
      ? html`<p class="sub">${beforeDeadline ? m.releaseBefore : m.releaseNotNow}</p>`
      : ''
}
</li>`;
}

export function custodyPage(c: Ctx, d: { username: string; custody: MyCustody; errors: Record<string, string> }): SafeHtml {
  const m = c.s.mine;
  const body = html`<h1>${m.custodyTitle}</h1>
<p>${m.custodyIntro} <a href="${href(c, '/account/keys')}">${m.keysLink}</a></p>
<div id="custody" data-username="${d.username}"${scriptData(m, d.errors)}>
${d.custody.sections.length ? html`<ul class="cards">${d.custody.sections.map((h) => heldItem(c, h))}</ul>` : html`<p id="no-custody">${m.noCustody}</p>`}
</div>`;
  return layout(c, m.custodyTitle, body, { path: '/account/custody', scripts: ['/portal-static/custody.js'] });
}
