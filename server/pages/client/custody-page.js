// "My custody" (GET /account/custody): runs in the browser, bundled by esbuild (server/pages/bundle.ts)
// and served as /portal-static/custody.js. Releasing a share does what `etender share release`
// does: fetch my encrypted share (GET /api/sections/:id/shares/mine), decrypt it with the encryption
// key of the browser's vault, and hand the decrypted share to the opening (POST
// /api/sections/:id/shares, { share: base64 }), which checks it against the key's commitments and
// stores it only encrypted to the platform timer. The plain share lives in this function's memory
// only: never shown, logged or stored, and its bytes are wiped once sent.
import { openKeyVault } from './key-vault.ts';

const root = document.getElementById('custody');
if (root) main(root);

function main(root) {
  const t = root.dataset; // the page's strings, in its language
  const username = t.username;
  const errors = JSON.parse(t.errors || '{}');
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
  const failure = (err) => `${t.msgReleaseFailed} ${errors[err?.code] ?? err?.message ?? String(err)}`;

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? String(res.status)), { code: data?.error?.code });
    return data;
  }

  const base64 = (bytes) => {
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  };

  async function release(vault, sectionId) {
    const path = `/api/sections/${encodeURIComponent(sectionId)}/shares`;
    const { share } = await api('GET', `${path}/mine`);
    let plain;
    try {
      plain = await vault.decrypt(username, share.encryptedShare);
    } catch (err) {
      // WebCrypto says only OperationError: the share is for another key, or damaged.
      throw err?.code ? err : Object.assign(new Error('decryption failed'), { code: 'vault.decrypt_failed' });
    }
    try {
      return await api('POST', path, { share: base64(plain) });
    } finally {
      plain.fill(0);
    }
  }

  const say = (box, text, kind) => {
    const p = Object.assign(document.createElement('p'), { textContent: text });
    p.className = `verdict-line ${kind}`;
    box.replaceChildren(p);
    box.dataset.result = kind;
  };

  openKeyVault().then(
    (vault) => {
      for (const button of document.querySelectorAll('.release-button')) {
        button.hidden = false;
        button.addEventListener('click', async () => {
          const box = document.getElementById(button.getAttribute('aria-controls'));
          button.disabled = true;
          try {
            const r = await release(vault, button.dataset.section);
            say(box, fill(r.ready ? t.msgReleasedReady : t.msgReleased, r), 'ok');
            button.hidden = true;
            const state = document.querySelector(`#custody-${CSS.escape(button.dataset.section)} .share-state`);
            if (state) state.textContent = t.msgJustReleased;
          } catch (err) {
            say(box, failure(err), 'bad');
            button.disabled = false;
          }
        });
      }
      root.dataset.ready = '1';
    },
    (err) => {
      for (const box of document.querySelectorAll('.verdict')) say(box, failure(err), 'bad');
      root.dataset.ready = '1';
    },
  );
}
