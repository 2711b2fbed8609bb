// "My bids" (GET /account/bids): runs in the browser, bundled by esbuild (server/pages/bundle.ts)
// and served as /portal-static/my-bids.js. "Verify" fetches a version's signed receipt and checks
// it here with receipt-check.ts (the /receipt page's check): the receipt and promise signatures
// against the published keys, and after the deadline the checkpoint and the inclusion proof. A
// saved receipt file is checked the same way, without uploading it. The verdict names each check.
import { checkReceipt } from './receipt-check.ts';
import { findingOf, findingText, zonedTime } from './receipt-findings.ts';

const root = document.getElementById('my-bids');
if (root) main(root);

function main(root) {
  const t = root.dataset; // the page's strings, in its language
  const lang = t.lang || 'zh';
  const zone = t.timeZone || 'Asia/Shanghai';
  // Every finding in the page's words (data-msg-finding-*), times in the centre's zone; the checker's own English goes to the console only.
  const inPageLanguage = (problems) => {
    if (problems.length) console.info('receipt check:', problems);
    return problems.map((p) => findingText(findingOf(p), t, lang, zone));
  };
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
  const localTime = (ms) => zonedTime(ms, lang, zone);

  async function api(path) {
    const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
    const body = await res.json().catch(() => null);
    return { status: res.status, body };
  }

  /** Writes the verdict: a headline (green or red) and the list of what was checked or what failed. */
  function show(box, kind, headline, lines = []) {
    const p = Object.assign(document.createElement('p'), { textContent: headline });
    p.className = `verdict-line ${kind}`;
    const list = document.createElement('ul');
    list.replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
    box.replaceChildren(p, ...(lines.length ? [list] : []));
    box.dataset.result = kind;
  }

  async function verify(box, receipt) {
    show(box, 'checking', t.msgChecking);
    const r = await checkReceipt(receipt, api, Date.now());
    const legacy = receipt?.format === 'etender-receipt/1';
    if (r.result === 'invalid') show(box, 'bad', t.msgInvalid, inPageLanguage(r.problems));
    else if (r.result === 'broken') show(box, 'bad', t.msgBroken, inPageLanguage(r.problems));
    else if (r.result === 'not_yet_due') show(box, 'ok', t.msgValid, [t.msgCheckedSignature, t.msgCheckedPromise, fill(t.msgWaiting, { due: r.dueAt === null ? '—' : localTime(r.dueAt) })]);
    else show(box, 'ok', t.msgValid, [t.msgCheckedSignature, ...(legacy ? [] : [t.msgCheckedPromise]), fill(t.msgCheckedIncluded, { index: r.index, size: r.checkpointSize })]);
  }

  /** A check that could not be done: the platform's status, or that this browser could not compute it (the details to the console). */
  const failed = (box, err) => {
    console.info('receipt check failed:', err);
    show(box, 'bad', `${t.msgFailedCheck} ${err?.status ? fill(t.msgPlatformAnswered, { status: err.status }) : t.msgCheckerFailed}`);
  };

  for (const button of document.querySelectorAll('.verify-button')) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const box = document.getElementById(button.getAttribute('aria-controls'));
      button.disabled = true;
      try {
        const got = await api(button.dataset.receipt);
        if (got.status !== 200) throw Object.assign(new Error(got.body?.error?.message ?? String(got.status)), { status: got.status });
        await verify(box, got.body.receipt);
      } catch (err) {
        failed(box, err);
      } finally {
        button.disabled = false;
      }
    });
  }

  const form = document.getElementById('receipt-file-form');
  document.getElementById('check-file').hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const box = document.getElementById('verdict-file');
    const file = document.getElementById('f-receiptFile').files[0];
    if (!file) return;
    let receipt;
    try {
      const parsed = JSON.parse(await file.text());
      // The download of this page is the receipt itself; the API's answer wraps it in { receipt }.
      receipt = parsed && typeof parsed === 'object' && parsed.receipt && !parsed.signature ? parsed.receipt : parsed;
    } catch {
      return show(box, 'bad', t.msgNotJson);
    }
    await verify(box, receipt).catch((err) => failed(box, err));
  });
  root.dataset.ready = '1';
}
