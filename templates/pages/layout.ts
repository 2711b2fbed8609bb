// The frame of every portal page: the document head (the strict CSP allows only our own stylesheet
// and scripts), the header with the site's links, the signed-in user and their role's links, the
// language switch, and the footer. A page template builds its body and hands it to layout().
import { html, type SafeHtml } from '../html';
import { shanghaiTime } from './format';

/** The name of the hidden input every form carries (checked by server/http/form-token.ts). */
export const FORM_TOKEN_FIELD = '_csrf';
import { STRINGS, type Lang, type Strings } from './strings';

/** The signed-in person as the header shows them. */
export interface Viewer {
  username: string;
  displayName: string;
  role: string;
  orgName: string | null;
  orgStatus: string | null;
}

/** What every template gets: the language, its strings, the server's "now", who is signed in, the form token. */
export interface Ctx {
  lang: Lang;
  s: Strings;
  now: number;
  viewer: Viewer | null;
  /** The CSRF token for this page's forms (server/http/form-token.ts); null on a page without forms. */
  formToken: string | null;
}

export const ctxFor = (lang: Lang, now: number, extra: { viewer?: Viewer | null; formToken?: string | null } = {}): Ctx => ({
  lang,
  s: STRINGS[lang],
  now,
  viewer: extra.viewer ?? null,
  formToken: extra.formToken ?? null,
});

/** A link within the portal keeping the language. */
export function href(c: Ctx, path: string, query: Record<string, string> = {}): string {
  const q = new URLSearchParams(query);
  if (c.lang === 'en') q.set('lang', 'en');
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The hidden input with the form token; every form that posts carries it. */
export function formTokenInput(c: Ctx): SafeHtml {
  if (!c.formToken) throw new Error('a page with a form must be rendered with a form token (pageContext with { form: true })');
  return html`<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${c.formToken}">`;
}

/** The links a role needs in the header. */
function roleLinks(c: Ctx, role: string): Array<{ path: string; text: string; id: string }> {
  const a = c.s.account;
  if (role === 'bidder')
    return [
      { path: '/account/bids', text: a.myBids, id: 'nav-bids' },
      { path: '/account/keys', text: a.keys, id: 'nav-keys' },
    ];
  if (role === 'custodian')
    return [
      { path: '/account/custody', text: a.custody, id: 'nav-custody' },
      { path: '/account/keys', text: a.keys, id: 'nav-keys' },
    ];
  if (role === 'operator')
    return [
      { path: '/staff', text: a.staffDashboard, id: 'nav-staff' },
      { path: '/staff/orgs', text: a.orgApprovals, id: 'nav-orgs' },
      { path: '/staff/imports', text: a.imports, id: 'nav-imports' },
    ];
  if (role === 'auditor' || role === 'supervisor')
    return [
      { path: '/audit', text: a.auditDesk, id: 'nav-audit' },
      { path: '/audit/log', text: a.auditLog, id: 'nav-audit-log' },
      { path: '/audit/verify', text: a.auditVerify, id: 'nav-audit-verify' },
    ];
  if (role === 'admin')
    return [
      { path: '/admin/accounts', text: a.adminAccounts, id: 'nav-admin-accounts' },
      { path: '/admin/centres', text: a.adminCentres, id: 'nav-admin-centres' },
      { path: '/admin/calendar', text: a.adminCalendar, id: 'nav-admin-calendar' },
    ];
  return [];
}

function userArea(c: Ctx, path: string): SafeHtml {
  const a = c.s.account;
  const v = c.viewer;
  if (!v) {
    const next: Record<string, string> = path === '/' || path.startsWith('/login') || path.startsWith('/logout') || path.startsWith('/register') ? {} : { next: path };
    return html`<div class="user" id="user-area"><a href="${href(c, '/login', next)}" id="login-link">${a.signIn}</a> <a href="${href(c, '/register')}" id="register-link">${a.register}</a></div>`;
  }
  const role = a.roleNames[v.role] ?? v.role;
  return html`<nav class="user" id="user-area" aria-label="${a.userNav}">
<span class="who" id="signed-in-as"><span class="visually-hidden">${a.signedInAs}: </span><strong id="who-name">${v.displayName}</strong>${v.orgName ? html` · <span id="who-org">${v.orgName}</span>` : ''} · <span id="who-role">${role}</span></span>
${roleLinks(c, v.role).map((l) => html`<a href="${href(c, l.path)}" id="${l.id}">${l.text}</a> `)}<a href="${href(c, '/account')}" id="nav-account">${a.myAccount}</a>
${c.formToken ? html`<form method="post" action="${href(c, '/logout')}" class="inline">${formTokenInput(c)}<button type="submit" id="logout-button">${a.signOut}</button></form>` : html`<a href="${href(c, '/logout')}" id="logout-link">${a.signOut}</a>`}
</nav>`;
}

export interface LayoutOptions {
  /** The page's own path, for the language switch and the sign-in link's way back. */
  path: string;
  query?: Record<string, string>;
  scripts?: string[];
}

export function layout(c: Ctx, title: string, body: SafeHtml, options: LayoutOptions): SafeHtml {
  const other = new URLSearchParams(options.query ?? {});
  if (c.lang === 'en') other.delete('lang');
  else other.set('lang', 'en');
  const otherHref = other.toString() ? `${options.path}?${other}` : options.path;
  const here = new URLSearchParams(options.query ?? {});
  here.delete('lang');
  const herePath = here.toString() ? `${options.path}?${here}` : options.path;
  return html`<!doctype html>
<html lang="${c.s.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${c.s.siteName}</title>
<link rel="stylesheet" href="/portal-static/portal.css">
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">${c.lang === 'en' ? 'Skip to the content' : '跳到正文'}</a>
<header class="site">
  <a class="brand" href="${href(c, '/')}">${c.s.siteName}</a>
  <nav aria-label="${c.lang === 'en' ? 'Site' : '网站导航'}"><a href="${href(c, '/')}">${c.s.home}</a> <a href="${href(c, '/sections')}" id="sections-link">${c.s.portal.sectionsNav}</a> <a href="${href(c, '/reports')}">${c.s.rateReport}</a> <a href="${href(c, '/bid')}" id="bid-link">${c.s.bid.nav}</a> <a href="${href(c, '/receipt')}" id="receipt-link">${c.s.receiptCheck.nav}</a> <a class="lang" href="${otherHref}" hreflang="${c.lang === 'en' ? 'zh-CN' : 'en'}">${c.s.otherLang}</a></nav>
  ${userArea(c, herePath)}
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site">${c.s.generatedAt}: <span>${shanghaiTime(c.now, true)}</span></footer>
</body>
</html>
`;
}
