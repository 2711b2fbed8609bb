// The operator's award page (/staff/sections/:id/award): after the candidate publicity, award the
// best candidate that has not declined (with the 中标通知书 / 成交确认书), record a decline (the next
// candidate moves up), record the signed contract, and re-tender a failed section. Every
// irreversible step has a confirmation box. Land and property use their own words (竞得人, 成交价…).
import { html, type SafeHtml } from '../html';
import type { EvaluationView } from '../../modules/evaluation/evaluation-schemas';
import { yuan } from './format';
import { errorSummary, type FormState, field, fieldId, notice, postForm, textArea } from './forms';
import { type Ctx, layout } from './layout';
import { zonedTime } from './format';
import { confirmBox, type StaffSection, sectionHead, staffPath, wordsOf } from './staff-work-common';
import { fill } from './text';

export interface AwardView {
  bidderName: string;
  amount: string;
  awardedAt: number;
  contractSignedAt: number | null;
  contractAmount: string | null;
  notice: string | null;
}

export interface AwardPageData {
  section: StaffSection;
  view: EvaluationView | null;
  award: AwardView | null;
  contractWithinDays: number;
  forms: { award?: FormState; decline?: FormState; contract?: FormState; retender?: FormState };
  notice: string | null;
}

const empty = (): FormState => ({ values: {}, errors: {} });

function candidatesBlock(c: Ctx, d: AwardPageData): SafeHtml {
  const w = c.s.staffWork;
  const words = wordsOf(c, d.section);
  const v = d.view!;
  const declined = new Map(v.declines.map((x) => [x.rank, x.reason]));
  const candidates = v.result?.candidates ?? [];
  const left = candidates.filter((k) => !declined.has(k.rank));
  const award = d.forms.award ?? empty();
  const decline = d.forms.decline ?? empty();
  const rankError = decline.errors.rank;
  return html`<section aria-labelledby="candidates-title" id="candidates-block"><h2 id="candidates-title">${w.candidatesTitle}</h2>
${v.publicity ? html`<p id="publicity-end">${fill(v.publicity.over ? w.publicityOver : w.publicityUntil, { at: zonedTime(v.publicity.endsAt, d.section.timeZone) })}</p>` : ''}
<table id="candidates" tabindex="0"><caption class="visually-hidden">${w.candidatesTitle}</caption>
<thead><tr><th scope="col">${w.rank}</th><th scope="col">${words.bidder}</th><th scope="col">${w.price}</th><th scope="col">${w.reason}</th></tr></thead>
<tbody>${candidates.map(
    (k) =>
      html`<tr data-rank="${k.rank}"><td>${k.rank}</td><td>${k.bidder.name}</td><td class="num">${yuan(k.price, c.s)}</td><td>${declined.has(k.rank) ? fill(w.declinedNote, { reason: declined.get(k.rank) ?? '' }) : '—'}</td></tr>`,
  )}</tbody></table>
</section>
<section aria-labelledby="award-title" id="award"><h2 id="award-title">${fill(w.awardButton, { letter: words.awardLetter })}</h2>
<p>${fill(w.awardIntro, { letter: words.awardLetter })}</p>
${errorSummary(c, award, { confirm: w.confirm })}
${
  left.length
    ? postForm(
        c,
        staffPath(d.section.id, 'award/award'),
        'award-form',
        html`${confirmBox(c, award)}<p><button type="submit" id="award-submit">${fill(w.awardButton, { letter: words.awardLetter })}</button></p>`,
      )
    : html`<p id="no-candidate">${w.noCandidateLeft}</p>`
}
</section>
${
  left.length
    ? html`<section aria-labelledby="decline-title" id="decline"><h2 id="decline-title">${w.declineTitle}</h2>
<p class="sub">${w.declineIntro}</p>
${errorSummary(c, decline, { rank: w.declineRank, reason: w.declineReason, confirmDecline: w.confirm })}
${postForm(
  c,
  staffPath(d.section.id, 'award/decline'),
  'decline-form',
  html`<fieldset id="${fieldId('rank')}"${rankError ? html` aria-describedby="${fieldId('rank')}-error"` : ''}><legend>${w.declineRank}</legend>
${rankError ? html`<span class="field-error" id="${fieldId('rank')}-error">${rankError}</span>` : ''}
${left.map(
  (k) =>
    html`<div class="field check"><input type="radio" name="rank" value="${k.rank}" id="rank-${k.rank}"${decline.values.rank === String(k.rank) ? html` checked` : ''}> <label for="rank-${k.rank}">${k.rank}. ${k.bidder.name} · ${yuan(k.price, c.s)}</label></div>`,
)}
</fieldset>
${textArea(c, decline, { name: 'reason', label: w.declineReason, help: w.declineReasonHelp, maxlength: 2000, rows: 3 })}
${confirmBox(c, decline, 'confirmDecline')}
<p><button type="submit" id="decline-submit">${w.declineButton}</button></p>`,
)}
</section>`
    : ''
}`;
}

function awardBlock(c: Ctx, d: AwardPageData): SafeHtml {
  const w = c.s.staffWork;
  const words = wordsOf(c, d.section);
  const a = d.award!;
  const z = d.section.timeZone;
  const contract = d.forms.contract ?? empty();
  return html`<section aria-labelledby="award-facts-title" id="award-facts"><h2 id="award-facts-title">${w.awardFacts}</h2>
<dl class="facts">
<dt>${words.winner}</dt><dd id="award-winner">${a.bidderName}</dd>
<dt>${words.awardAmount}</dt><dd id="award-amount">${yuan(a.amount, c.s)}</dd>
<dt>${w.awardedAt}</dt><dd>${zonedTime(a.awardedAt, z)}</dd>
${a.contractSignedAt !== null ? html`<dt>${w.contractSignedAt}</dt><dd id="contract-signed">${zonedTime(a.contractSignedAt, z)}</dd><dt>${w.contractAmount}</dt><dd id="contract-amount">${yuan(a.contractAmount, c.s)}</dd>` : ''}
</dl>
${
  a.notice
    ? html`<h3>${fill(w.noticeTitle, { letter: words.awardLetter })}</h3><div class="notice-text" id="award-notice">${a.notice
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => html`<p>${l}</p>`)}</div>`
    : ''
}
</section>
${
  a.contractSignedAt === null
    ? html`<section aria-labelledby="contract-title" id="contract"><h2 id="contract-title">${w.contractTitle}</h2>
<p>${fill(w.contractIntro, { days: d.contractWithinDays })}</p>
${errorSummary(c, contract, { signedAt: w.signedAt, amount: w.contractAmount })}
${postForm(
  c,
  staffPath(d.section.id, 'award/contract'),
  'contract-form',
  html`${field(c, contract, { name: 'signedAt', label: w.signedAt, help: fill(w.signedAtHelp, { zone: z }), maxlength: 16 })}
${field(c, contract, { name: 'amount', label: w.contractAmount, help: w.amountHelp, inputmode: 'decimal', maxlength: 24 })}
<p><button type="submit" id="contract-submit">${w.contractButton}</button></p>`,
)}
</section>`
    : ''
}`;
}

function retenderBlock(c: Ctx, d: AwardPageData): SafeHtml {
  const w = c.s.staffWork;
  const z = d.section.timeZone;
  const form = d.forms.retender ?? empty();
  const help = fill(w.optionalTime, { zone: z });
  return html`<h2 id="failed-title">${w.failedTitle}</h2>
<p id="failed-reason">${fill(w.failedReason, { reason: d.section.failureReason ?? '—' })}</p>
<section aria-labelledby="retender-title" id="retender"><h2 id="retender-title">${w.retenderTitle}</h2>
<p>${fill(w.retenderIntro, { round: d.section.round + 1 })}</p>
${errorSummary(c, form, { bidOpensAt: w.bidOpensAt, clarificationDeadlineAt: w.clarificationDeadlineAt, bidDeadlineAt: w.bidDeadlineAt, confirm: w.confirm })}
${postForm(
  c,
  staffPath(d.section.id, 'award/retender'),
  'retender-form',
  html`${field(c, form, { name: 'bidOpensAt', label: w.bidOpensAt, help, required: false, maxlength: 16 })}
${field(c, form, { name: 'clarificationDeadlineAt', label: w.clarificationDeadlineAt, help, required: false, maxlength: 16 })}
${field(c, form, { name: 'bidDeadlineAt', label: w.bidDeadlineAt, help, required: false, maxlength: 16 })}
${confirmBox(c, form)}
<p><button type="submit" id="retender-submit">${w.retenderButton}</button></p>`,
)}
</section>`;
}

export function staffAwardPage(c: Ctx, d: AwardPageData): SafeHtml {
  const w = c.s.staffWork;
  const s = d.section;
  let main: SafeHtml;
  if (d.award) main = awardBlock(c, d);
  else if (s.state === 'publicity' && d.view) main = candidatesBlock(c, d);
  else if (s.state === 'failed') main = retenderBlock(c, d);
  else main = html`<p id="not-yet">${fill(w.awardNotYet, { state: c.s.stateNames[s.state] ?? s.state })}</p>`;
  const body = html`${sectionHead(c, s, fill(w.awardTitle, { code: s.code }), 'award')}
${notice(d.notice)}
${main}`;
  return layout(c, fill(w.awardTitle, { code: s.code }), body, { path: staffPath(s.id, 'award') });
}
