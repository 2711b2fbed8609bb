// The admin's account pages: the list (filtered by role, page by page), the staff account form, and
// one account with its disable/enable form, the password reset and its API tokens.
import { html, type SafeHtml } from '../html';
import type { PublicUser } from '../../modules/accounts/accounts-schemas';
import { checkGroup, selectField } from './admin-forms';
import { shanghaiTime } from './format';
import { errorSummary, field, type FormState, notice, postForm } from './forms';
import { type Ctx, href, layout } from './layout';
import { fill } from './text';

export const STAFF_ROLES = ['admin', 'operator', 'supervisor', 'auditor', 'custodian'] as const;

export interface AccountsList {
  users: PublicUser[];
  role: string | null;
  page: number;
  pages: number;
  total: number;
  centreNames: Record<string, string>;
}

const centresText = (c: Ctx, u: PublicUser, names: Record<string, string>) => (u.centres.length ? u.centres.map((x) => names[x] ?? x).join(c.lang === 'en' ? ', ' : '、') : '—');

export function accountsPage(c: Ctx, d: AccountsList): SafeHtml {
  const a = c.s.admin;
  const roles = c.s.account.roleNames;
  const query = (page: number): Record<string, string> => ({ ...(d.role ? { role: d.role } : {}), ...(page > 1 ? { page: String(page) } : {}) });
  const body = html`<h1>${a.accountsTitle}</h1>
<p>${a.accountsIntro}</p>
<p><a class="button" href="${href(c, '/admin/accounts/new')}" id="new-account-link">${a.newAccount}</a></p>
<form method="get" action="/admin/accounts" class="filter" id="role-filter">
${c.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<label for="f-role">${a.filterRole}</label>
<select id="f-role" name="role">
<option value=""${d.role ? '' : html` selected`}>${a.allRoles}</option>
${Object.keys(roles).map((r) => html`<option value="${r}"${r === d.role ? html` selected` : ''}>${roles[r]}</option>`)}
</select>
<button type="submit" class="action">${a.filterButton}</button>
</form>
${
  d.users.length
    ? html`<table id="accounts"><caption class="visually-hidden">${a.accountsTable}</caption>
<thead><tr><th scope="col">${a.colUsername}</th><th scope="col">${a.colName}</th><th scope="col">${a.colRole}</th><th scope="col">${a.colCentres}</th><th scope="col">${a.colStatus}</th><th scope="col">${a.colCreated}</th></tr></thead>
<tbody>
${d.users.map(
  (u) =>
    html`<tr id="account-${u.id}" data-username="${u.username}"><td><a href="${href(c, `/admin/accounts/${u.id}`)}">${u.username}</a></td><td>${u.displayName}</td><td>${roles[u.role] ?? u.role}</td><td>${centresText(c, u, d.centreNames)}</td><td>${u.disabled ? html`<strong>${a.disabled}</strong>` : a.active}</td><td>${shanghaiTime(u.createdAt, true)}</td></tr>`,
)}
</tbody></table>`
    : html`<p id="no-accounts">${a.noAccounts}</p>`
}
<nav aria-label="${a.pagination}" class="pages" id="pages">
<p>${fill(a.pageOf, { page: d.page, pages: d.pages, total: d.total })}</p>
${d.page > 1 ? html`<a href="${href(c, '/admin/accounts', query(d.page - 1))}" rel="prev" id="prev-page">${a.prevPage}</a> ` : ''}
${d.page < d.pages ? html`<a href="${href(c, '/admin/accounts', query(d.page + 1))}" rel="next" id="next-page">${a.nextPage}</a>` : ''}
</nav>`;
  return layout(c, a.accountsTitle, body, { path: '/admin/accounts', query: query(d.page) });
}

export function newAccountPage(c: Ctx, d: { form: FormState; centres: Array<[string, string]> }): SafeHtml {
  const a = c.s.admin;
  const roles = c.s.account.roleNames;
  const labels = { displayName: a.displayName, username: c.s.account.username, role: a.role, centres: a.centres, password: a.initialPassword };
  const body = html`<h1>${a.createTitle}</h1>
${errorSummary(c, d.form, labels)}
<p>${a.createIntro}</p>
${postForm(
  c,
  '/admin/accounts/new',
  'new-account-form',
  html`${field(c, d.form, { name: 'displayName', label: a.displayName, maxlength: 100 })}
${field(c, d.form, { name: 'username', label: c.s.account.username, help: a.usernameHelp, autocomplete: 'off', maxlength: 64 })}
${selectField(c, d.form, { name: 'role', label: a.role, options: STAFF_ROLES.map((r) => [r, roles[r] ?? r]) })}
${checkGroup(c, d.form, { name: 'centres', label: a.centres, help: a.centresHelp, options: d.centres })}
${field(c, d.form, { name: 'password', label: a.initialPassword, type: 'password', help: a.passwordHelp, autocomplete: 'new-password', maxlength: 200 })}
<p><button type="submit" id="create-account-button">${a.createButton}</button></p>`,
)}
<p><a href="${href(c, '/admin/accounts')}">${a.backToAccounts}</a></p>`;
  return layout(c, a.createTitle, body, { path: '/admin/accounts/new' });
}

export interface TokenView {
  id: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface AccountDetail {
  user: PublicUser;
  self: boolean;
  tokens: TokenView[];
  centreNames: Record<string, string>;
  /** The one-time outcome of the last action (a note, and a generated password shown this once). */
  notice: string | null;
  generatedPassword: string | null;
  /** The reset form as re-rendered after a refused post. */
  resetForm: FormState;
  /** An operator's centres form (checked: the centres they act for now, or as typed after a refusal). */
  centresForm: FormState;
}

export function accountDetailPage(c: Ctx, d: AccountDetail): SafeHtml {
  const a = c.s.admin;
  const u = d.user;
  const base = `/admin/accounts/${u.id}`;
  const tokenState = (t: TokenView) =>
    t.revokedAt !== null ? fill(a.tokenRevoked, { at: shanghaiTime(t.revokedAt, true) }) : t.expiresAt !== null && t.expiresAt <= c.now ? a.tokenExpired : a.tokenActive;
  const canReset = !d.self && u.role !== 'bidder';
  const body = html`<h1>${fill(a.accountTitle, { name: u.username })}</h1>
${notice(d.notice, 'account-notice')}
${d.generatedPassword ? html`<p class="notice" id="generated-password-note">${a.generatedPassword} <code id="generated-password">${d.generatedPassword}</code></p>` : ''}
${errorSummary(c, d.resetForm, { password: a.newPassword })}
${errorSummary(c, d.centresForm, { centres: a.centres })}
<section><h2>${a.facts}</h2>
<dl class="facts" id="account-facts">
<dt>${a.displayName}</dt><dd>${u.displayName}</dd>
<dt>${c.s.account.username}</dt><dd id="account-username">${u.username}</dd>
<dt>${a.role}</dt><dd id="account-role">${c.s.account.roleNames[u.role] ?? u.role}</dd>
<dt>${a.centres}</dt><dd id="account-centres">${centresText(c, u, d.centreNames)}</dd>
<dt>${a.status}</dt><dd id="account-status" data-disabled="${u.disabled ? '1' : '0'}">${u.disabled ? html`<strong>${a.disabled}</strong>` : a.active}</dd>
<dt>${a.createdAt}</dt><dd>${shanghaiTime(u.createdAt, true)}</dd>
</dl>
${d.self ? html`<p id="self-note">${a.selfNote}</p>` : ''}
</section>
${
  d.self
    ? ''
    : u.disabled
      ? html`<section id="enable"><h2>${a.enableTitle}</h2><p>${a.enableIntro}</p>
${postForm(c, `${base}/enable`, 'enable-form', html`<p><button type="submit" id="enable-button">${a.enableButton}</button></p>`)}</section>`
      : html`<section id="disable"><h2>${a.disableTitle}</h2><p>${a.disableIntro}</p>
${postForm(c, `${base}/disable`, 'disable-form', html`<p><button type="submit" id="disable-button">${a.disableButton}</button></p>`)}</section>`
}
${
  u.role === 'operator'
    ? html`<section id="centres"><h2>${a.centresEditTitle}</h2><p>${a.centresEditIntro}</p>
${postForm(
  c,
  `${base}/centres`,
  'centres-form',
  html`${checkGroup(c, d.centresForm, { name: 'centres', label: a.centres, options: Object.entries(d.centreNames) })}
<p><button type="submit" id="centres-button">${a.centresEditButton}</button></p>`,
)}</section>`
    : ''
}
${
  canReset
    ? html`<section id="reset"><h2>${a.resetTitle}</h2><p>${a.resetIntro}</p>
${postForm(
  c,
  `${base}/password`,
  'reset-form',
  html`<input type="text" name="username" autocomplete="off" value="${u.username}" hidden>
${field(c, d.resetForm, { name: 'password', label: a.newPassword, type: 'password', help: a.newPasswordHelp, autocomplete: 'new-password', required: false, maxlength: 200 })}
<p><button type="submit" id="reset-button">${a.resetButton}</button></p>`,
)}</section>`
    : u.role === 'bidder'
      ? html`<section id="reset"><h2>${a.resetTitle}</h2><p>${a.bidderNoReset}</p></section>`
      : ''
}
<section id="tokens"><h2>${a.tokensTitle}</h2><p>${a.tokensIntro}</p>
${
  d.tokens.length
    ? html`<table id="token-list"><caption class="visually-hidden">${a.tokensTitle}</caption>
<thead><tr><th scope="col">${a.tokenName}</th><th scope="col">${a.tokenCreated}</th><th scope="col">${a.tokenExpires}</th><th scope="col">${a.tokenState}</th><th scope="col"><span class="visually-hidden">${a.colAction}</span></th></tr></thead>
<tbody>
${d.tokens.map(
  (t) =>
    html`<tr id="token-${t.id}"><td>${t.name}</td><td>${shanghaiTime(t.createdAt, true)}</td><td>${t.expiresAt === null ? a.never : shanghaiTime(t.expiresAt, true)}</td><td>${tokenState(t)}</td><td>${
      t.revokedAt === null
        ? postForm(c, `${base}/tokens/${t.id}/revoke`, `revoke-${t.id}`, html`<button type="submit" class="action" id="revoke-${t.id}-button">${fill(a.revokeButton, { name: t.name })}</button>`)
        : ''
    }</td></tr>`,
)}
</tbody></table>`
    : html`<p id="no-tokens">${a.noTokens}</p>`
}
</section>
<p><a href="${href(c, '/admin/accounts')}">${a.backToAccounts}</a></p>`;
  return layout(c, fill(a.accountTitle, { name: u.username }), body, { path: base });
}
