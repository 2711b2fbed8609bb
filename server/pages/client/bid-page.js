// The bidder's sealing page (GET /bid): runs in the browser, bundled by esbuild (server/pages/bundle.ts)
// and served as /portal-static/bid.js. The RSA-PSS key is made here with WebCrypto and cannot be
// exported; the platform only ever sees its public key, the signed challenge, the signed manifest
// and the age ciphertext. The API token lives only in this page's memory. Attachments are streamed
// (seal-stream.ts): read once to hash, once to seal, never whole in memory; the ciphertext is a
// Blob, uploaded with XMLHttpRequest for its progress. A bid over the server's limit
// (data-max-bid-bytes) is refused before anything is read.
import { recipientFingerprint } from '../../../modules/formats/recipient-fingerprint.ts';
import { byteSize } from '../../../templates/byte-size.ts';
import { zonedTime } from './receipt-findings.ts';
import { openKeyVault } from './key-vault.ts';
import { buildManifest, newSigningKey, normaliseAmount, promiseSignatureValid, publicKeyPem, signPss } from './seal-core.ts';
import { removeStaleSealedFiles, privateFileSink } from './opfs-sink.js';
import { SealStorageError, sealedSize, sealStreaming } from './seal-stream.ts';
import { uploadWithProgress } from './upload.js';

const form = document.getElementById('bid-form');
if (form) main(form);
void removeStaleSealedFiles();

function main(form) {
  const t = form.dataset; // the page's strings, in its language
  const $ = (id) => document.getElementById(id);
  const statusEl = $('bid-status');
  const errorEl = $('bid-error');
  const button = $('seal-button');
  const bar = $('seal-progress');
  const percent = $('seal-percent');
  const phaseLabel = $('seal-phase');
  const maxBidBytes = t.maxBidBytes ? Number(t.maxBidBytes) : null;
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
  /** token → { keys, certificate } for this page's lifetime only. */
  const signers = new Map();

  const say = (text) => {
    const li = document.createElement('li');
    li.textContent = text;
    statusEl.appendChild(li);
  };

  const idleLabel = phaseLabel.textContent;
  const phaseNames = { hashing: t.msgPhaseHashing, sealing: t.msgPhaseSealing, uploading: t.msgPhaseUploading, done: t.msgPhaseDone };
  /** The phase on the bar, and its progress (the bar's value is in thousandths; redrawn only when that changes). */
  let shown = { phase: '', permille: -1 };
  function progress(phase, done, total) {
    const permille = total > 0 ? Math.min(1000, Math.floor((done / total) * 1000)) : 1000;
    if (phase === shown.phase && permille === shown.permille) return;
    if (phase !== shown.phase) {
      phaseLabel.textContent = phaseNames[phase];
      bar.dataset.phase = phase;
    }
    shown = { phase, permille };
    bar.value = permille;
    const text = `${Math.floor(permille / 10)} %`;
    bar.textContent = text;
    percent.textContent = text;
  }

  /** An API answer as data, or an Error that says what the server said. */
  function answered(status, data, text) {
    if (status >= 200 && status < 300) return data;
    const message = data?.error?.message ?? text.slice(0, 300);
    const err = new Error(`${status} ${data?.error?.code ?? ''} ${message}`.replace(/\s+/g, ' '));
    err.status = status;
    return Promise.reject(err);
  }

  /** With a token, it is the credential (no cookies); without one, the page's signed-in session is. */
  async function api(token, method, url, options = {}) {
    const headers = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) };
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(url, { method, headers, body, credentials: token ? 'omit' : 'same-origin', cache: 'no-store' });
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    return answered(res.status, data, text);
  }

  /** Refuses a bid the server would refuse for its size, before any of it is read. */
  function refuseOverLimit(size) {
    if (maxBidBytes !== null && size > maxBidBytes) throw new Error(fill(t.msgTooLarge, { size: byteSize(size), limit: byteSize(maxBidBytes) }));
  }

  /** A signed-in bidder's key kept in this browser (/account/keys), once certified; null otherwise. */
  async function keptSigner() {
    if (t.session !== '1' || !t.username) return null;
    try {
      const kept = await (await openKeyVault()).get(t.username, 'signing');
      return kept?.fingerprint ? { keys: { privateKey: kept.privateKey }, certificate: { fingerprint: kept.fingerprint } } : null;
    } catch {
      return null; // no IndexedDB (a private window): a key for this session is made below
    }
  }

  async function signerFor(token) {
    const known = signers.get(token);
    if (known) return known;
    const kept = token ? null : await keptSigner();
    if (kept) {
      signers.set(token, kept);
      $('certificate-fingerprint').textContent = kept.certificate.fingerprint;
      $('certificate-info').hidden = false;
      say(`${t.msgKeptKey} ${kept.certificate.fingerprint}`);
      return kept;
    }
    if (t.session === '1') say(t.msgNoKeptKey);
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
    $('receipt-time').textContent = zonedTime(receipt.receivedAt, t.lang || 'zh', t.timeZone || 'Asia/Shanghai');
    $('receipt-log').textContent = '…';
    $('receipt-sha256').textContent = receipt.bid.ciphertextSha256;
    const link = $('receipt-download');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([JSON.stringify(receipt, null, 2) + '\n'], { type: 'application/json' }));
    link.download = `receipt-${receipt.bid.id}.json`;
    $('receipt').hidden = false;
  }

  async function seal() {
    // No token: the signed-in session (data-session="1" once the page knows one) is the credential.
    const token = $('token')?.value.trim() || null;
    const sectionId = $('section').value;
    const amount = normaliseAmount($('price').value);
    const durationText = $('duration').value.trim();
    if (!token && t.session !== '1') throw new Error(t.msgNoToken);
    if (!sectionId) throw new Error(t.msgNoSection);
    if (!amount) throw new Error(t.msgBadPrice);
    const durationDays = durationText ? Number(durationText) : undefined;
    if (durationDays !== undefined && !(Number.isInteger(durationDays) && durationDays >= 0 && durationDays <= 36500)) throw new Error(t.msgBadDuration);
    const chosen = Array.from($('files').files ?? []);
    // Sealing only adds bytes: attachments already over the limit are refused without asking the server anything.
    refuseOverLimit(chosen.reduce((n, f) => n + f.size, 0));

    const me = await api(token, 'GET', '/api/me');
    if (!me.user.orgId) throw new Error(t.msgNotBidder);
    const { organisation } = await api(token, 'GET', `/api/orgs/${encodeURIComponent(me.user.orgId)}`);
    const detail = await api(token, 'GET', `/api/sections/${encodeURIComponent(sectionId)}`);
    const recipient = detail.openingKey?.recipient ?? detail.section.openingKey?.recipient;
    if (!recipient) throw new Error(t.msgNoRecipient);
    // Seal only to the key this page prints (as the notice does): any other answer stops here.
    const printed = $('bid-recipient').textContent;
    if (recipient !== printed || recipientFingerprint(recipient) !== $('bid-recipient-fingerprint').textContent) throw new Error(t.msgRecipientMismatch);
    say(`${t.msgRecipientChecked} ${recipientFingerprint(recipient)}`);

    const bidForm = {
      section: { id: sectionId, code: detail.section.code },
      bidder: { orgId: organisation.id, name: organisation.name, creditCode: organisation.creditCode },
      price: { amount, ...(durationDays !== undefined ? { durationDays } : {}) },
    };
    // The exact sealed size, known before reading a byte (no key made, nothing hashed yet).
    refuseOverLimit(await sealedSize(bidForm, chosen, recipient));

    const signer = await signerFor(token);

    // On disk in the origin's private file system where there is one (only ciphertext goes there);
    // else a Blob in the browser's blob store.
    const fileSink = await privateFileSink();
    try {
      await sealAndUpload({ token, sectionId, recipient, signer, organisation, bidForm, chosen }, fileSink);
    } finally {
      await fileSink?.remove();
    }
  }

  async function sealAndUpload({ token, sectionId, recipient, signer, organisation, bidForm, chosen }, fileSink) {
    say(t.msgPhaseHashing);
    let phase = 'hashing';
    const onProgress = (p, done, total) => {
      if (p !== phase) {
        phase = p;
        say(t.msgSealing);
      }
      progress(p, done, total);
    };
    const sealed = await sealStreaming(chosen, bidForm, recipient, onProgress, fileSink ?? undefined).catch((err) =>
      Promise.reject(err instanceof SealStorageError ? new Error(t.msgSealStorage) : err),
    );
    say(`${t.msgSealed} ${byteSize(sealed.size)} (${sealed.size} B), SHA-256 ${sealed.sha256}`);

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
    progress('uploading', 0, sealed.size);
    const answer = await uploadWithProgress({
      url: `/api/sections/${encodeURIComponent(sectionId)}/bids`,
      body: sealed.ciphertext,
      headers: { 'Content-Type': 'application/octet-stream', 'Etender-Manifest': manifestB64, 'Etender-Signature': signature },
      token,
      onProgress: (sent, total) => progress('uploading', sent, total),
    }).catch(() => Promise.reject(new Error(t.msgConnectionLost)));
    const { receipt } = await answered(answer.status, answer.data, answer.text);
    progress('done', 1, 1);
    say(t.msgDone);
    showReceipt(receipt);
    await checkPromise(token, receipt);
  }

  /** The chosen section's opening key and fingerprint, from its option (as the server printed them). */
  function showSealTo() {
    const option = $('section').selectedOptions[0];
    const recipient = option?.dataset.recipient ?? '';
    $('bid-recipient').textContent = recipient;
    $('bid-recipient-fingerprint').textContent = option?.dataset.fingerprint ?? '';
    $('seal-to-key').hidden = !recipient;
    $('seal-to-none').hidden = !!recipient;
  }
  $('section').addEventListener('change', showSealTo);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    errorEl.hidden = true;
    errorEl.textContent = '';
    statusEl.textContent = '';
    $('receipt').hidden = true;
    shown = { phase: '', permille: -1 };
    bar.value = 0;
    bar.textContent = percent.textContent = '0 %';
    phaseLabel.textContent = idleLabel;
    delete bar.dataset.phase;
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
