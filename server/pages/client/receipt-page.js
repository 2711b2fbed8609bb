// The receipt page (GET /receipt): runs in the browser, bundled by esbuild (server/pages/bundle.ts)
// and served as /portal-static/receipt.js. The receipt file is read here and never uploaded; the
// page asks the platform only for its published keys, the section's public facts and where the
// receipt's promise stands, and checks every signature and proof itself (receipt-check.ts).
import { checkReceipt } from './receipt-check.ts';

const form = document.getElementById('receipt-form');
if (form) main(form);

function main(form) {
  const t = form.dataset; // the page's strings, in its language
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
  // The portal's own way of writing a time: 2026-12-26 10:00:00 (UTC+8).
  const shanghai = (ms) => `${new Date(ms).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' })} (UTC+8)`;

  async function api(path) {
    const res = await fetch(path, { credentials: 'omit', cache: 'no-store', headers: { accept: 'application/json' } });
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    return { status: res.status, body };
  }

  function show(text, kind, problems = []) {
    const result = $('receipt-result');
    result.textContent = text;
    result.className = kind;
    result.dataset.result = kind;
    const list = $('receipt-problems');
    list.replaceChildren(...problems.map((p) => Object.assign(document.createElement('li'), { textContent: p })));
  }

  async function run() {
    const file = $('receipt-file').files[0];
    if (!file) return;
    show(t.msgChecking, 'checking');
    let receipt;
    try {
      receipt = JSON.parse(await file.text());
    } catch {
      show(t.msgNotJson, 'invalid');
      return;
    }
    const r = await checkReceipt(receipt, api, Date.now());
    if (r.result === 'invalid') show(t.msgInvalid, 'invalid', r.problems);
    else if (r.result === 'broken') show(t.msgBroken, 'broken', r.problems);
    else if (r.result === 'not_yet_due') show(fill(t.msgWaiting, { due: r.dueAt === null ? '—' : shanghai(r.dueAt) }), 'waiting');
    else show(fill(receipt.format === 'etender-receipt/1' ? t.msgLegacy : t.msgIncluded, { index: r.index, size: r.checkpointSize }), 'included');
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run().catch((err) => show(`${t.msgFailed} ${err.message}`, 'failed'));
  });
  form.dataset.ready = '1';
}
