// The objections block of the opening hall (TBLS 44) and of the section page during the candidate
// publicity (TBLS 54): the objections as the public API shows them, with their answers, and the form
// for a bidder of the section while the window is open. The bidder is never named: a reader learns
// only which objections are their own organisation's.
import { html, type SafeHtml } from '../html';
import { shanghaiTime } from './format';
import { errorSummary, type FormState, hasProblems, notice, postForm, textArea } from './forms';
import { type Ctx, href } from './layout';
import { fill } from './text';

/** The longest objection the API takes (objectionBody in opening-schemas.ts and evaluation-schemas.ts). */
export const OBJECTION_MAX = 2000;

export interface ObjectionView {
  id: string;
  text: string;
  raisedAt: number;
  answer: string | null;
  answeredAt: number | null;
  /** Raised by the signed-in viewer's organisation. */
  mine: boolean;
}

export interface ObjectionsBlock {
  kind: 'opening' | 'publicity';
  objections: ObjectionView[];
  /** Whether objections are taken now, and whether the viewer may raise one (the service's rules). */
  window: { open: boolean; mayRaise: boolean };
  /** The end of the candidate publicity, for the publicity block. */
  endsAt?: number | null;
  form: FormState;
  /** The viewer's objection was just accepted (after the 303). */
  raised: boolean;
}

/** Where the block's form posts (the page route re-renders the same page on a refusal). */
export const objectionAction = (kind: ObjectionsBlock['kind'], sectionId: string) =>
  kind === 'opening' ? `/sections/${encodeURIComponent(sectionId)}/hall/objections` : `/sections/${encodeURIComponent(sectionId)}/objections`;

/** Whether a page shows the block at all: while objections are taken, or once there are some. */
export const showObjections = (b: ObjectionsBlock | null | undefined): b is ObjectionsBlock => !!b && (b.window.open || b.objections.length > 0 || hasProblems(b.form));

function objectionItem(c: Ctx, o: ObjectionView, bidder: string): SafeHtml {
  const s = c.s.objections;
  return html`<li class="${o.mine ? 'mine' : ''}" data-objection="${o.id}">
<p class="sub">${o.mine ? s.yours : fill(s.byBidder, { bidder: bidder.toLowerCase() })} · ${s.raisedAt}: ${shanghaiTime(o.raisedAt, true)}</p>
<p class="objection-text">${o.text}</p>
${
  o.answer !== null
    ? html`<p class="objection-answer"><strong>${s.answer}</strong>${o.answeredAt ? html` <span class="sub">(${s.answeredAt}: ${shanghaiTime(o.answeredAt, true)})</span>` : ''}${c.lang === 'en' ? ': ' : '：'}${o.answer}</p>`
    : html`<p class="objection-answer sub">${s.awaiting}</p>`
}
</li>`;
}

/** `bidder` names those who take part as the trade does (投标人 / 竞买人; tradeWords in trade-words.ts). */
export function objectionsSection(c: Ctx, sectionId: string, b: ObjectionsBlock, bidder = c.lang === 'en' ? 'Bidder' : '投标人'): SafeHtml {
  const s = c.s.objections;
  const id = b.kind === 'opening' ? 'opening-objections' : 'publicity-objections';
  // A refused post shows the form again with the refusal at the field, even to a visitor who may not raise one (a session that expired, another organisation).
  const withForm = b.window.mayRaise || hasProblems(b.form);
  const windowNote = b.kind === 'opening' ? s.windowOpening : b.endsAt ? fill(s.windowPublicity, { at: shanghaiTime(b.endsAt, true) }) : '';
  return html`<section id="${id}" aria-labelledby="${id}-title"><h2 id="${id}-title">${b.kind === 'opening' ? s.openingTitle : s.publicityTitle}</h2>
<p class="sub">${b.kind === 'opening' ? s.openingIntro : s.publicityIntro}</p>
${b.window.open ? html`<p>${windowNote}</p>` : ''}
${b.raised ? notice(s.raised, `${id}-raised`) : ''}
${
  withForm
    ? html`${errorSummary(c, b.form, { text: s.text })}${postForm(
        c,
        objectionAction(b.kind, sectionId),
        `${id}-form`,
        html`${textArea(c, b.form, { name: 'text', label: s.text, help: s.textHelp, maxlength: OBJECTION_MAX, rows: 5 })}
<p><button type="submit" id="${id}-submit">${s.submit}</button></p>`,
      )}`
    : b.window.open && !c.viewer
      ? html`<p><a href="${href(c, '/login', { next: b.kind === 'opening' ? `/sections/${encodeURIComponent(sectionId)}/hall` : `/sections/${encodeURIComponent(sectionId)}` })}" id="${id}-login">${fill(s.signInToObject, { bidder, Bidder: bidder })}</a></p>`
      : ''
}
<h3>${s.list}</h3>
${b.objections.length ? html`<ol class="objections" id="${id}-list">${b.objections.map((o) => objectionItem(c, o, bidder))}</ol>` : html`<p class="empty" id="${id}-none">${s.none}</p>`}
</section>`;
}
