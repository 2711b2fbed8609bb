// The operator's opening page (/staff/sections/:id/opening): name the opening's officials (开标人,
// 记录人, 监标人) until the record is published, a link to the public hall, and the objections raised
// at the opening with a form to answer each (TBLS 44).
import { html, type SafeHtml } from '../html';
import { errorSummary, type FormState, field, notice, postForm } from './forms';
import { type Ctx, href, layout } from './layout';
import { objectionList, type StaffObjection, type StaffSection, sectionHead, staffPath } from './staff-work-common';
import { fill } from './text';

/** The states in which the officials may still be named (opening-service setOfficials). */
export const OFFICIALS_STATES = new Set(['draft', 'published', 'bidding', 'closed', 'opening']);
export const OFFICIAL_FIELDS = ['presiding', 'recording', 'supervising'] as const;

export interface OpeningPageData {
  section: StaffSection;
  officials: { presiding: string; recording: string; supervising: string; source: 'set' | 'default' };
  bidCount: number | null;
  objections: StaffObjection[];
  /** organisation id → name, from the opening record once it is out. */
  bidderNames: Map<string, string>;
  officialsForm: FormState;
  answerForm: FormState;
  notice: string | null;
}

export function staffOpeningPage(c: Ctx, d: OpeningPageData): SafeHtml {
  const w = c.s.staffWork;
  const s = d.section;
  const editable = OFFICIALS_STATES.has(s.state);
  const form = d.officialsForm;
  const labels = { presiding: w.presiding, recording: w.recording, supervising: w.supervising };
  const body = html`${sectionHead(c, s, fill(w.openingTitle, { code: s.code }), 'opening')}
${notice(d.notice)}
<p><a href="${href(c, `/sections/${encodeURIComponent(s.id)}/hall`)}" id="watch-hall">${w.watchHall}</a></p>
<p>${w.bidCount}${c.lang === 'en' ? ': ' : '：'}<span id="bid-count">${d.bidCount === null ? w.bidCountHidden : String(d.bidCount)}</span></p>
<section aria-labelledby="officials-title" id="officials"><h2 id="officials-title">${w.officialsTitle}</h2>
<p class="sub">${w.officialsIntro}</p>
<p id="officials-source">${d.officials.source === 'set' ? w.officialsSet : w.officialsDefault}</p>
${
  editable
    ? html`${errorSummary(c, form, labels)}${postForm(
        c,
        staffPath(s.id, 'opening/officials'),
        'officials-form',
        html`${OFFICIAL_FIELDS.map((name) => field(c, form, { name, label: labels[name], help: w.personHelp, maxlength: 100 }))}
<p><button type="submit" id="officials-submit">${w.saveOfficials}</button></p>`,
      )}`
    : html`<dl class="facts" id="officials-facts">${OFFICIAL_FIELDS.map((name) => html`<dt>${labels[name]}</dt><dd>${d.officials[name]}</dd>`)}</dl>
<p class="sub">${w.officialsClosed}</p>`
}
</section>
<section aria-labelledby="opening-objections-title" id="opening-objections"><h2 id="opening-objections-title">${w.openingObjectionsTitle}</h2>
<p class="sub">${w.openingObjectionsIntro}</p>
${errorSummary(c, d.answerForm, Object.fromEntries(Object.keys(d.answerForm.errors).map((k) => [k, w.answerLabel])))}
${objectionList(c, s, d.objections, d.bidderNames, d.answerForm, (oid) => staffPath(s.id, `opening/objections/${encodeURIComponent(oid)}/answer`), 'opening-objections')}
</section>`;
  return layout(c, fill(w.openingTitle, { code: s.code }), body, { path: staffPath(s.id, 'opening') });
}
