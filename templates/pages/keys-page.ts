// The key page (/account/keys): the key the browser's vault keeps for the signed-in user (a bidder's
// signing key, a custodian's encryption key) — made, imported and certified by the page script
// (client/keys-page.js) — and the user's certificates as the platform lists them, each revocable
// through a confirmation form. The script's strings travel as data-msg-* attributes.
import { html, raw, type SafeHtml } from '../html';
import { shanghaiTime } from './format';
import { emptyForm, errorSummary, field, type FormState, notice, postForm, textArea } from './forms';
import { type Ctx, href, layout } from './layout';
import type { KeyKind } from '../../modules/formats/names';

/** A certificate as the page shows it (a CertificateRecord of the PKI service, less what it does not print). */
export interface CertificateView {
  fingerprint: string;
  usage: string;
  notBefore: number;
  notAfter: number;
  revokedAt: number | null;
  revocationReason: string | null;
  issuer: string;
}

export const certificateStatus = (cert: CertificateView, now: number): 'valid' | 'revoked' | 'expired' | 'not_yet_valid' =>
  cert.revokedAt !== null ? 'revoked' : now > cert.notAfter ? 'expired' : now < cert.notBefore ? 'not_yet_valid' : 'valid';

/** data-msg-* attributes (and data-errors, the vault's codes in this language) for a page script. */
export function scriptData(strings: Record<string, unknown>, errors: Record<string, string> = {}): SafeHtml {
  const attrs = Object.entries(strings)
    .filter(([k, v]) => k.startsWith('msg') && typeof v === 'string')
    .map(([k, v]) => html` ${raw(`data-${k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`)}="${v as string}"`);
  return html`${attrs} data-errors="${JSON.stringify(errors)}"`;
}

/** The kind of key a role keeps: bidders sign manifests, everyone else (custodians) decrypts shares. */
export const keyKindOf = (role: string): KeyKind => (role === 'bidder' ? 'signing' : 'encryption');

function certificateItem(c: Ctx, cert: CertificateView, actions = true): SafeHtml {
  const m = c.s.mine;
  const status = certificateStatus(cert, c.now);
  return html`<li class="card" data-fingerprint="${cert.fingerprint}" id="cert-${cert.fingerprint.slice(0, 16)}">
<dl class="facts">
<dt>${m.fingerprint}</dt><dd><code>${cert.fingerprint}</code> <span class="this-browser" hidden>(${m.certificateOfThisBrowser})</span></dd>
<dt>${m.usage}</dt><dd>${m.usageNames[cert.usage] ?? cert.usage}</dd>
<dt>${m.issuer}</dt><dd>${m.issuerNames[cert.issuer] ?? cert.issuer}</dd>
<dt>${m.validFrom}</dt><dd>${shanghaiTime(cert.notBefore, true)}</dd>
<dt>${m.validTo}</dt><dd>${shanghaiTime(cert.notAfter, true)}</dd>
<dt>${m.certStatus}</dt><dd class="cert-status ${status}">${m.certStatusNames[status] ?? status}${cert.revokedAt !== null ? html` (${shanghaiTime(cert.revokedAt, true)}${cert.revocationReason ? html`：${cert.revocationReason}` : ''})` : ''}</dd>
</dl>
${actions && cert.revokedAt === null ? html`<p><a href="${href(c, '/account/keys/revoke', { fingerprint: cert.fingerprint })}" class="revoke-link">${m.revoke}</a></p>` : ''}
</li>`;
}

export function keysPage(c: Ctx, d: { username: string; kind: KeyKind; certificates: CertificateView[]; notice: string | null; errors: Record<string, string> }): SafeHtml {
  const m = c.s.mine;
  const none = emptyForm();
  const body = html`<h1>${m.keysTitle}</h1>
${notice(d.notice)}
<p>${d.kind === 'signing' ? m.keysIntroSigning : m.keysIntroEncryption}</p>
<section aria-labelledby="vault-title" id="key-area" data-username="${d.username}" data-kind="${d.kind}" data-kind-name="${m.kindNames[d.kind] ?? d.kind}"${scriptData(m, d.errors)}>
<h2 id="vault-title">${m.inThisBrowser}</h2>
<p id="needs-script">${m.needsScript}</p>
<p id="vault-state"></p>
<p id="vault-message" role="status" aria-live="polite"></p>
<p id="backup-area" hidden><a id="backup-download" class="button" href="#backup-area">${m.msgDownload}</a></p>
<p><button type="button" id="certify-button" class="action" hidden>${m.certifyButton}</button></p>
<form id="make-key-form" class="stacked" hidden novalidate>
<h3>${m.makeKey}</h3>
<p class="help" id="make-key-help">${m.makeKeyHelp}</p>
${field(c, none, { name: 'backupPassphrase', label: m.backupPassphrase, type: 'password', autocomplete: 'new-password', help: m.backupPassphraseHelp })}
${field(c, none, { name: 'repeatPassphrase', label: m.repeatPassphrase, type: 'password', autocomplete: 'new-password' })}
<button type="submit" id="make-key-button">${m.makeButton}</button>
</form>
<form id="import-key-form" class="stacked" hidden novalidate>
<h3>${m.importKey}</h3>
<p class="help">${m.importKeyHelp}</p>
<div class="field"><label for="f-backupFile">${m.backupFile}</label><input id="f-backupFile" type="file" accept=".age,text/plain" required aria-required="true"></div>
${field(c, none, { name: 'importPassphrase', label: m.passphrase, type: 'password', autocomplete: 'current-password' })}
<div class="field check"><input id="f-replace" type="checkbox"> <label for="f-replace">${m.replaceKey}</label></div>
<button type="submit" id="import-key-button">${m.importButton}</button>
</form>
</section>
<section aria-labelledby="certs-title">
<h2 id="certs-title">${m.certificatesTitle}</h2>
${d.certificates.length ? html`<ul class="cards" id="certificates">${d.certificates.map((x) => certificateItem(c, x))}</ul>` : html`<p id="no-certificates">${m.noCertificates}</p>`}
</section>`;
  return layout(c, m.keysTitle, body, { path: '/account/keys', scripts: ['/portal-static/keys.js'] });
}

/** The confirmation before a revocation: the certificate, the reason, the button (and the problem after a refused post). */
export function revokePage(c: Ctx, d: { certificate: CertificateView; form: FormState }): SafeHtml {
  const m = c.s.mine;
  const body = html`<h1>${m.revokeTitle}</h1>
${errorSummary(c, d.form, { reason: m.revokeReason })}
<ul class="cards">${certificateItem(c, d.certificate, false)}</ul>
<p>${m.revokeConfirm}</p>
${postForm(
  c,
  '/account/keys/revoke',
  'revoke-form',
  html`<input type="hidden" name="fingerprint" value="${d.certificate.fingerprint}">
${textArea(c, d.form, { name: 'reason', label: m.revokeReason, help: m.revokeReasonHelp, maxlength: 500, rows: 3 })}
<button type="submit" id="revoke-button">${m.revokeButton}</button>`,
)}
<p><a href="${href(c, '/account/keys')}" id="revoke-cancel">${m.revokeCancel}</a></p>`;
  return layout(c, m.revokeTitle, body, { path: '/account/keys/revoke', query: { fingerprint: d.certificate.fingerprint } });
}
