// The working-day calendar page: one year's public holidays and make-up working days, a form to
// record a day, and a remove button per day.
import { html, type SafeHtml } from '../html';
import { dayNumber, type CalendarDay } from '../../modules/centres/calendar';
import { selectField } from './admin-forms';
import { errorSummary, field, type FormState, notice, postForm } from './forms';
import { type Ctx, href, layout } from './layout';
import { fill } from './text';

/** 0 = Sunday … 6 = Saturday, of a calendar date (no time zone involved). */
export const weekdayOf = (date: string) => new Date(dayNumber(date) * 86_400_000).getUTCDay();

export function calendarPage(c: Ctx, d: { year: number; days: CalendarDay[]; form: FormState; notice: string | null }): SafeHtml {
  const a = c.s.admin;
  const year = String(d.year);
  const labels = { date: a.date, kind: a.kind, name: a.dayName };
  const kinds: Array<[string, string]> = [
    ['holiday', a.kindNames.holiday ?? 'holiday'],
    ['workday', a.kindNames.workday ?? 'workday'],
  ];
  const body = html`<h1>${a.calendarTitle}</h1>
${notice(d.notice, 'calendar-notice')}
${errorSummary(c, d.form, labels)}
<p>${a.calendarIntro}</p>
<nav aria-label="${a.yearNav}" class="pages" id="year-nav">
${d.year > 2000 ? html`<a href="${href(c, '/admin/calendar', { year: String(d.year - 1) })}" id="prev-year">← ${fill(a.prevYear, { year: d.year - 1 })}</a> ` : ''}
<strong aria-current="page">${fill(a.yearTitle, { year })}</strong>
${d.year < 2100 ? html` <a href="${href(c, '/admin/calendar', { year: String(d.year + 1) })}" id="next-year">${fill(a.nextYear, { year: d.year + 1 })} →</a>` : ''}
</nav>
<form method="get" action="/admin/calendar" class="filter" id="year-form">
${c.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<label for="f-year">${a.year}</label>
<input id="f-year" name="year" type="text" inputmode="numeric" maxlength="4" class="short" value="${year}">
<button type="submit" class="action">${a.showButton}</button>
</form>
<section id="days"><h2>${fill(a.daysTable, { year })}</h2>
${
  d.days.length
    ? html`<table id="day-list"><caption class="visually-hidden">${fill(a.daysTable, { year })}</caption>
<thead><tr><th scope="col">${a.colDate}</th><th scope="col">${a.colWeekday}</th><th scope="col">${a.colKind}</th><th scope="col">${a.colDayName}</th><th scope="col">${a.colAction}</th></tr></thead>
<tbody>
${d.days.map(
  (x) =>
    html`<tr id="day-${x.date}" data-kind="${x.kind}"><td>${x.date}</td><td>${a.weekdays[weekdayOf(x.date)]}</td><td>${a.kindNames[x.kind] ?? x.kind}</td><td>${x.name}</td><td>${postForm(
      c,
      `/admin/calendar/${x.date}/remove`,
      `remove-${x.date}`,
      html`<button type="submit" class="action" id="remove-${x.date}-button">${a.removeButton}<span class="visually-hidden"> ${x.date}</span></button>`,
    )}</td></tr>`,
)}
</tbody></table>`
    : html`<p id="no-days">${fill(a.noDays, { year })}</p>`
}
</section>
<section id="add-day"><h2>${a.addTitle}</h2>
${postForm(
  c,
  '/admin/calendar',
  'day-form',
  html`${field(c, d.form, { name: 'date', label: a.date, help: a.dateHelp, maxlength: 10, inputmode: 'numeric' })}
${selectField(c, d.form, { name: 'kind', label: a.kind, options: kinds })}
${field(c, d.form, { name: 'name', label: a.dayName, help: a.dayNameHelp, maxlength: 100 })}
<p><button type="submit" id="add-day-button">${a.addButton}</button></p>`,
)}
</section>`;
  return layout(c, a.calendarTitle, body, { path: '/admin/calendar', query: { year } });
}
