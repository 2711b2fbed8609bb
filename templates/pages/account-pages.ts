// The sign-in, sign-out, account, password and registration pages (plain forms; the registration
// page's script only checks the credit code as it is typed, the server checks it again).
import { html, type SafeHtml } from '../html';
import { errorSummary, field, type FormState, notice, postForm } from './forms';
import { type Ctx, href, layout } from './layout';

export function loginPage(c: Ctx, d: { form: FormState; next: string | null; signedOut: boolean }): SafeHtml {
  const a = c.s.account;
  const labels = { username: a.username, password: a.password };
  const body = html`<h1>${a.loginTitle}</h1>
${d.signedOut ? notice(a.signedOut, 'signed-out') : ''}
${errorSummary(c, d.form, labels)}
<p>${a.loginIntro}</p>
${postForm(
  c,
  '/login',
  'login-form',
  html`${d.next ? html`<input type="hidden" name="next" value="${d.next}">` : ''}
${field(c, d.form, { name: 'username', label: a.username, autocomplete: 'username', maxlength: 64 })}
${field(c, d.form, { name: 'password', label: a.password, type: 'password', autocomplete: 'current-password', maxlength: 200 })}
<p><button type="submit" id="login-button">${a.loginButton}</button></p>`,
)}
<p>${a.noAccount} <a href="${href(c, '/register')}">${a.registerLink}</a></p>`;
  return layout(c, a.loginTitle, body, { path: '/login', query: d.next ? { next: d.next } : {} });
}

export function logoutPage(c: Ctx): SafeHtml {
  const a = c.s.account;
  const body = c.viewer
    ? html`<h1>${a.logoutTitle}</h1><p>${a.logoutConfirm}</p>${postForm(c, '/logout', 'logout-form', html`<p><button type="submit" id="logout-confirm">${a.logoutButton}</button></p>`)}`
    : html`<h1>${a.logoutTitle}</h1><p id="not-signed-in">${a.notSignedIn}</p><p><a href="${href(c, '/login')}">${a.signIn}</a></p>`;
  return layout(c, a.logoutTitle, body, { path: '/logout' });
}

export interface AccountView {
  username: string;
  displayName: string;
  role: string;
  organisation: { name: string; creditCode: string; status: string; reviewNote: string | null } | null;
}

export function accountPage(c: Ctx, d: { account: AccountView; registered: boolean; passwordChanged: string | null }): SafeHtml {
  const a = c.s.account;
  const o = d.account.organisation;
  const statusNote = o ? (o.status === 'pending' ? a.pendingNote : o.status === 'rejected' ? a.rejectedNote : a.approvedNote) : null;
  const body = html`<h1>${a.accountTitle}</h1>
${d.registered ? notice(a.registered, 'registered') : ''}
${d.passwordChanged ? notice(d.passwordChanged, 'password-changed') : ''}
<section><h2>${a.accountFacts}</h2>
<dl class="facts" id="account-facts">
<dt>${a.displayName}</dt><dd id="account-name">${d.account.displayName}</dd>
<dt>${a.username}</dt><dd id="account-username">${d.account.username}</dd>
<dt>${a.role}</dt><dd id="account-role">${a.roleNames[d.account.role] ?? d.account.role}</dd>
</dl>
<p><a href="${href(c, '/account/password')}" id="password-link">${a.changePassword}</a></p>
</section>
${
  o
    ? html`<section id="organisation"><h2>${a.organisation}</h2>
<dl class="facts">
<dt>${a.orgName}</dt><dd id="org-name">${o.name}</dd>
<dt>${a.creditCode}</dt><dd><code>${o.creditCode}</code></dd>
<dt>${a.orgStatus}</dt><dd><strong id="org-status" data-status="${o.status}">${a.orgStatusNames[o.status] ?? o.status}</strong></dd>
${o.reviewNote ? html`<dt>${a.reviewNote}</dt><dd id="review-note">${o.reviewNote}</dd>` : ''}
</dl>
<p id="org-status-note" class="${o.status === 'approved' ? '' : 'pending'}">${statusNote}</p>
</section>`
    : ''
}`;
  return layout(c, a.accountTitle, body, { path: '/account' });
}

export function passwordPage(c: Ctx, d: { form: FormState }): SafeHtml {
  const a = c.s.account;
  const labels = { currentPassword: a.currentPassword, newPassword: a.newPassword, repeatPassword: a.repeatPassword };
  const body = html`<h1>${a.passwordTitle}</h1>
${errorSummary(c, d.form, labels)}
${postForm(
  c,
  '/account/password',
  'password-form',
  html`<input type="text" name="username" autocomplete="username" value="${c.viewer?.username ?? ''}" hidden>
${field(c, d.form, { name: 'currentPassword', label: a.currentPassword, type: 'password', autocomplete: 'current-password', maxlength: 200 })}
${field(c, d.form, { name: 'newPassword', label: a.newPassword, type: 'password', autocomplete: 'new-password', help: a.passwordRule, maxlength: 200 })}
${field(c, d.form, { name: 'repeatPassword', label: a.repeatPassword, type: 'password', autocomplete: 'new-password', maxlength: 200 })}
<p><button type="submit" id="password-button">${a.passwordButton}</button></p>`,
)}
<p><a href="${href(c, '/account')}">${a.myAccount}</a></p>`;
  return layout(c, a.passwordTitle, body, { path: '/account/password' });
}

export function registerPage(c: Ctx, d: { form: FormState }): SafeHtml {
  const a = c.s.account;
  const labels: Record<string, string> = {
    name: a.orgName,
    creditCode: a.creditCode,
    address: a.address,
    contactName: a.contactName,
    contactPhone: a.contactPhone,
    contactEmail: a.contactEmail,
    displayName: a.repDisplayName,
    username: a.username,
    password: a.password,
    repeatPassword: a.repeatPlain,
  };
  // The credit-code check's words travel to the page script as data attributes (the CSP allows no inline script).
  const creditData = html` data-credit-check="1" data-msg-length="${a.creditLength}" data-msg-character="${a.creditCharacter}" data-msg-authority="${a.creditAuthority}" data-msg-division="${a.creditDivision}" data-msg-check="${a.creditCheck}" data-msg-ok="${a.creditOk}"`;
  const body = html`<h1>${a.registerTitle}</h1>
${errorSummary(c, d.form, labels)}
<p>${a.registerIntro}</p>
${postForm(
  c,
  '/register',
  'register-form',
  html`<fieldset><legend>${a.orgSection}</legend>
${field(c, d.form, { name: 'name', label: a.orgName, help: a.orgNameHelp, autocomplete: 'organization', maxlength: 200 })}
${field(c, d.form, { name: 'creditCode', label: a.creditCode, help: a.creditCodeHelp, maxlength: 18, extra: creditData })}
${field(c, d.form, { name: 'address', label: a.address, required: false, autocomplete: 'street-address', maxlength: 300 })}
</fieldset>
<fieldset><legend>${a.contactSection}</legend>
${field(c, d.form, { name: 'contactName', label: a.contactName, autocomplete: 'name', maxlength: 100 })}
${field(c, d.form, { name: 'contactPhone', label: a.contactPhone, type: 'tel', autocomplete: 'tel', maxlength: 40 })}
${field(c, d.form, { name: 'contactEmail', label: a.contactEmail, type: 'email', required: false, autocomplete: 'email', maxlength: 200 })}
</fieldset>
<fieldset><legend>${a.repSection}</legend>
${field(c, d.form, { name: 'displayName', label: a.repDisplayName, maxlength: 100 })}
${field(c, d.form, { name: 'username', label: a.username, help: a.usernameHelp, autocomplete: 'username', maxlength: 64 })}
${field(c, d.form, { name: 'password', label: a.password, type: 'password', help: a.passwordRule, autocomplete: 'new-password', maxlength: 200 })}
${field(c, d.form, { name: 'repeatPassword', label: a.repeatPlain, type: 'password', autocomplete: 'new-password', maxlength: 200 })}
</fieldset>
<p><button type="submit" id="register-button">${a.registerButton}</button></p>`,
)}
<p>${a.haveAccount} <a href="${href(c, '/login')}">${a.signIn}</a></p>`;
  return layout(c, a.registerTitle, body, { path: '/register', scripts: ['/portal-static/register.js'] });
}
