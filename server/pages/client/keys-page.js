// The key page (GET /account/keys): runs in the browser, bundled by esbuild (server/pages/bundle.ts)
// and served as /portal-static/keys.js. It drives the browser's key vault (key-vault.ts): makes the
// signed-in user's key and offers its backup file at once (the only time one can be made), imports
// a backup file, and has the platform certify the key. The platform is called with the session
// cookie (same origin); nothing secret is sent: the challenge answer is a signature, the key public.
import { openKeyVault } from './key-vault.ts';

const area = document.getElementById('key-area');
if (area) main(area);

function main(area) {
  const t = area.dataset; // the page's strings, in its language
  const username = t.username;
  const kind = t.kind;
  const errors = JSON.parse(t.errors || '{}');
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
  const shanghai = (ms) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' });
  const MIN_PASSPHRASE = 12;

  function say(text, bad = false) {
    const p = $('vault-message');
    p.textContent = text;
    p.className = bad ? 'error' : 'ok';
  }
  /** A vault or platform failure in the page's language (the API's own message only when no text is known). */
  const failure = (err) => `${t.msgFailed} ${errors[err?.code] ?? err?.message ?? String(err)}`;

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? `${res.status}`), { code: data?.error?.code });
    return data;
  }

  let vault;
  /** Shows what the vault keeps and offers what can be done next. */
  async function refresh() {
    const key = await vault.get(username, kind);
    const state = $('vault-state');
    if (!key) state.textContent = fill(t.msgNoKey, { kind: t.kindName });
    else {
      state.textContent = `${fill(t.msgKeyKept, { kind: t.kindName, keyId: key.keyId.slice(0, 16), createdAt: shanghai(key.createdAt) })} ${
        key.fingerprint ? fill(t.msgCertKept, { fingerprint: key.fingerprint.slice(0, 16) }) : t.msgNoCert
      }`;
    }
    $('make-key-form').hidden = !!key;
    $('certify-button').hidden = !key || !!key.fingerprint;
    for (const li of document.querySelectorAll('[data-fingerprint]')) {
      li.querySelector('.this-browser').hidden = !key || li.dataset.fingerprint !== key.fingerprint;
    }
    return key;
  }

  const busy = (button, on) => {
    button.disabled = on;
    if (on) say(t.msgWorking);
  };

  $('make-key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const pass = $('f-backupPassphrase').value;
    if (pass.length < MIN_PASSPHRASE) return say(t.msgPassphraseShort, true);
    if ($('f-repeatPassphrase').value !== pass) return say(t.msgPassphraseRepeat, true);
    const button = $('make-key-button');
    busy(button, true);
    try {
      const { backup, fileName } = await vault.create({ username, kind, backupPassphrase: pass });
      $('f-backupPassphrase').value = '';
      $('f-repeatPassphrase').value = '';
      const link = $('backup-download');
      link.href = URL.createObjectURL(new Blob([backup], { type: 'text/plain' }));
      link.download = fileName;
      $('backup-area').hidden = false;
      say(t.msgMade);
      await refresh();
      link.focus();
    } catch (err) {
      say(failure(err), true);
    } finally {
      busy(button, false);
    }
  });

  $('import-key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = $('f-backupFile').files[0];
    if (!file) return say(t.msgNoFile, true);
    const button = $('import-key-button');
    busy(button, true);
    try {
      await vault.importBackup({ file, passphrase: $('f-importPassphrase').value, username, replace: $('f-replace').checked });
      $('f-importPassphrase').value = '';
      say(t.msgImported);
      await refresh();
    } catch (err) {
      say(failure(err), true);
    } finally {
      busy(button, false);
    }
  });

  $('certify-button').addEventListener('click', async () => {
    const button = $('certify-button');
    busy(button, true);
    try {
      await vault.certify(username, kind, api);
      // The certificate list is the server's: show it as the server now has it.
      const next = new URL(location.href);
      next.searchParams.set('certified', '1');
      location.assign(next.href);
    } catch (err) {
      say(failure(err), true);
      busy(button, false);
    }
  });

  (async () => {
    try {
      vault = await openKeyVault();
    } catch (err) {
      $('needs-script').hidden = true;
      say(failure(err), true);
      return;
    }
    $('needs-script').hidden = true;
    $('import-key-form').hidden = false;
    await refresh();
    area.dataset.ready = '1';
  })().catch((err) => say(failure(err), true));
}
