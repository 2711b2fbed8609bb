// The bidder's sealing page (GET /bid): runs in the browser, bundled by esbuild (server/pages/bundle.ts)
// and served as /portal-static/bid.js. The RSA-PSS key is made here with WebCrypto and cannot be
// exported; the platform only ever sees its public key, the signed challenge, the signed manifest
// and the age ciphertext. The API token lives only in this page's memory.
import { buildManifest, newSigningKey, normaliseAmount, promiseSignatureValid, publicKeyPem, sealPackage, signPss } from './seal-core.ts';

const MAX_TOTAL_BYTES = 200 * 1024 * 1024;

const form = document.getElementById('bid-form');
if (form) main(form);

function main(form) {
  const t = form.dataset; // the page's strings, in its language
  const $ = (id) => document.getElementById(id);
  const statusEl = $('bid-status');
  const errorEl = $('bid-error');
  const button = $('seal-button');
  /** token → { keys, certificate } for this page's lifetime only. */
  const signers = new Map();

  const say = (text) => {
    const li = document.createElement('li');
    li.textContent = text;
    statusEl.appendChild(li);
  };

  async function api(token, method, url, options = {}) {
    const headers = { Authorization: `Bearer ${token}`, ...(options.headers ?? {}) };
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(url, { method, headers, body, credentials: 'omit', cache: 'no-store' });
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const message = data?.error?.message ?? text.slice(0, 300) ?? res.statusText;
      const err = new Error(`${res.status} ${data?.error?.code ?? ''} ${message}`.replace(/\s+/g, ' '));
      err.status = res.status;
      throw err;
    }
    return data;
  }

  async function signerFor(token) {
    const known = signers.get(token);
    if (known) return known;
    say(t.msgKeygen);
    const keys = await newSigningKey();
    const { challenge } = await api(token, 'POST', '/api/pki/challenges', { json: {} });
    const signature = await signPss(keys.privateKey, new TextEncoder().encode(challenge));
    const { certificate } = await api(token, 'POST', '/api/pki/certificates/from-key', {
      json: { publicKey: await publicKeyPem(keys.publicKey), challenge, signature, usage: 'signing' },
    });
    const signer = { keys, certificate };
    signers.set(token, signer);
    $('certificate-fingerprint').textContent = certificate.fingerprint;
    $('certificate-info').hidden = false;
    say(`${t.msgCertificate} ${certificate.fingerprint}`);
    return signer;
  }

  /** Checks the log's signed promise with the published log key, here in the page. */
  async function checkPromise(token, receipt) {
    const { log } = await api(token, 'GET', '/api/pki/keys');
    const ok = log.keyId === receipt.promise.keyId ? await promiseSignatureValid(receipt.promise, log.publicKeyPem) : false;
    $('receipt-log').textContent = ok === null ? t.msgPromiseUnchecked : ok ? t.msgPromiseValid : t.msgPromiseInvalid;
  }

  function showReceipt(receipt) {
    $('receipt-bid').textContent = receipt.bid.id;
    $('receipt-time').textContent = new Date(receipt.receivedAt).toISOString();
    $('receipt-log').textContent = '…';
    $('receipt-sha256').textContent = receipt.bid.ciphertextSha256;
    const link = $('receipt-download');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([JSON.stringify(receipt, null, 2) + '\n'], { type: 'application/json' }));
    link.download = `receipt-${receipt.bid.id}.json`;
    $('receipt').hidden = false;
  }

  async function seal() {
    const token = $('token').value.trim();
    const sectionId = $('section').value;
    const amount = normaliseAmount($('price').value);
    const durationText = $('duration').value.trim();
    if (!token) throw new Error(t.msgNoToken);
    if (!sectionId) throw new Error(t.msgNoSection);
    if (!amount) throw new Error(t.msgBadPrice);
    const durationDays = durationText ? Number(durationText) : undefined;
    if (durationDays !== undefined && !(Number.isInteger(durationDays) && durationDays >= 0 && durationDays <= 36500)) throw new Error(t.msgBadDuration);
    const chosen = Array.from($('files').files ?? []);
    if (chosen.reduce((n, f) => n + f.size, 0) > MAX_TOTAL_BYTES) throw new Error(t.msgTooLarge);

    const me = await api(token, 'GET', '/api/me');
    if (!me.user.orgId) throw new Error(t.msgNotBidder);
    const { organisation } = await api(token, 'GET', `/api/orgs/${encodeURIComponent(me.user.orgId)}`);
    const detail = await api(token, 'GET', `/api/sections/${encodeURIComponent(sectionId)}`);
    const recipient = detail.openingKey?.recipient ?? detail.section.openingKey?.recipient;
    if (!recipient) throw new Error(t.msgNoRecipient);

    const signer = await signerFor(token);

    say(t.msgSealing);
    const files = [];
    for (const f of chosen) files.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
    const sealed = await sealPackage(
      {
        section: { id: sectionId, code: detail.section.code },
        bidder: { orgId: organisation.id, name: organisation.name, creditCode: organisation.creditCode },
        price: { amount, ...(durationDays !== undefined ? { durationDays } : {}) },
      },
      files,
      recipient,
    );
    for (const f of files) f.bytes.fill(0);
    say(`${t.msgSealed} ${sealed.size} B, SHA-256 ${sealed.sha256}`);

    const { bytes } = buildManifest({
      section: sectionId,
      bidder: organisation.id,
      ciphertext: { sha256: sealed.sha256, size: sealed.size },
      recipient,
      certificate: signer.certificate.fingerprint,
    });
    const signature = await signPss(signer.keys.privateKey, bytes);
    let manifestB64 = '';
    for (const b of bytes) manifestB64 += String.fromCharCode(b);
    manifestB64 = btoa(manifestB64);

    say(t.msgUploading);
    const { receipt } = await api(token, 'POST', `/api/sections/${encodeURIComponent(sectionId)}/bids`, {
      headers: { 'Content-Type': 'application/octet-stream', 'Etender-Manifest': manifestB64, 'Etender-Signature': signature },
      body: sealed.ciphertext,
    });
    say(t.msgDone);
    showReceipt(receipt);
    await checkPromise(token, receipt);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    errorEl.hidden = true;
    errorEl.textContent = '';
    statusEl.textContent = '';
    $('receipt').hidden = true;
    seal()
      .catch((err) => {
        errorEl.textContent = `${t.msgFailed} ${err instanceof Error ? err.message : String(err)}`;
        errorEl.hidden = false;
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  form.dataset.ready = '1';
}
