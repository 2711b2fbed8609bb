// The audit pages' script (GET /audit/log and /audit/verify), bundled by esbuild and served as
// /portal-static/audit-verify.js. On the log page it checks each shown entry's inclusion proof: the
// leaf is the entry's exact canonical JSON as the page shows it, hashed with WebCrypto SHA-256 and
// folded with the server's proof to the root of the newest checkpoint, whose Ed25519 signature is
// checked with the published log key first. On the verifier page it runs log-verify.ts over the
// whole log (the checks of `etender audit verify`) with a progress bar, and says what it checked.
import { checkpointSignatureValid, importLogKey, inclusionHolds, verifyLog } from './log-verify.ts';

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
const shanghai = (ms) => `${new Date(ms).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' })} (UTC+08:00)`;

async function api(path) {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  return { status: res.status, body };
}

function say(box, kind, text, lines = []) {
  const p = Object.assign(document.createElement('p'), { textContent: text });
  p.className = `verdict-line ${kind}`;
  const parts = [p];
  if (lines.length) {
    const list = document.createElement('ul');
    list.replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
    parts.push(list);
  }
  box.replaceChildren(...parts);
  box.dataset.result = kind;
}

const logRoot = document.getElementById('audit-log');
if (logRoot) checkEntries(logRoot);
const verifier = document.getElementById('log-verifier');
if (verifier) setUpVerifier(verifier);

async function checkEntries(root) {
  const t = JSON.parse(root.dataset.strings);
  const hint = document.getElementById('needs-script');
  if (hint) hint.hidden = true;
  const cards = [...root.querySelectorAll('li.log-entry')];
  const boxOf = (card) => document.getElementById(`proof-${card.dataset.index}`);
  for (const card of cards) say(boxOf(card), 'checking', t.proofWaiting);
  let checkpoint;
  try {
    const [cp, keys] = await Promise.all([api('/api/audit/checkpoint'), api('/api/pki/keys')]);
    if (cp.status !== 200 || keys.status !== 200) throw new Error(`${cp.status} / ${keys.status}`);
    const key = await importLogKey(keys.body.log.publicKeyPem);
    if (cp.body.keyId !== key.keyId || !(await checkpointSignatureValid(cp.body, key))) {
      for (const card of cards) say(boxOf(card), 'bad', t.proofNoCheckpoint);
      return;
    }
    checkpoint = cp.body;
  } catch (err) {
    for (const card of cards) say(boxOf(card), 'bad', fill(t.proofError, { message: err.message }));
    return;
  }
  const one = async (card) => {
    const box = boxOf(card);
    const index = Number(card.dataset.index);
    if (index >= checkpoint.size) return say(box, 'pending', t.proofUnsigned);
    try {
      const res = await api(`/api/audit/proofs/inclusion?index=${index}&size=${checkpoint.size}`);
      if (res.status !== 200) throw new Error(res.body?.error?.message ?? String(res.status));
      // The root is the signed one, never the root the proof answer names.
      const holds = await inclusionHolds(card.dataset.leaf, index, checkpoint.size, res.body.proof, checkpoint.root);
      say(box, holds ? 'ok' : 'bad', holds ? fill(t.proofOk, { size: checkpoint.size.toLocaleString('en-US') }) : t.proofBad);
    } catch (err) {
      say(box, 'bad', fill(t.proofError, { message: err.message }));
    }
  };
  for (let i = 0; i < cards.length; i += 6) await Promise.all(cards.slice(i, i + 6).map(one));
  root.dataset.checked = '1';
}

function setUpVerifier(root) {
  const t = JSON.parse(root.dataset.strings);
  const button = document.getElementById('verify-button');
  const area = document.getElementById('verify-progress-area');
  const bar = document.getElementById('verify-progress');
  const phase = document.getElementById('verify-phase');
  const result = document.getElementById('verify-result');
  document.getElementById('verify-needs-script').hidden = true;
  button.hidden = false;
  let lastPaint = 0;
  const progress = (p) => {
    const now = performance.now();
    if (now - lastPaint < 100 && p.done !== p.total) return; // the bar need not repaint per page
    lastPaint = now;
    if (p.phase === 'checkpoints') {
      bar.removeAttribute('value');
      phase.textContent = t.phaseCheckpoints;
    } else {
      bar.max = Math.max(1, p.total);
      bar.value = p.done;
      phase.textContent = fill(p.phase === 'entries' ? t.phaseEntries : t.phaseConsistency, { done: p.done.toLocaleString('en-US'), total: p.total.toLocaleString('en-US') });
    }
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    area.hidden = false;
    result.replaceChildren();
    delete result.dataset.result;
    delete root.dataset.ms;
    try {
      const r = await verifyLog(api, progress, () => performance.now());
      const keys = (await api('/api/pki/keys')).body;
      const newest = (await api('/api/audit/checkpoint')).body;
      const lines = [
        fill(t.checkedEntries, { n: r.entries.toLocaleString('en-US'), last: Math.max(0, r.entries - 1).toLocaleString('en-US') }),
        fill(t.checkedRoots, { n: r.roots.toLocaleString('en-US') }),
        fill(t.checkedSignatures, { n: r.signatures.toLocaleString('en-US'), keyId: String(keys?.log?.keyId ?? '').slice(0, 16) }),
        fill(t.checkedConsistency, { n: r.consistency.toLocaleString('en-US') }),
        fill(t.checkedNewest, { size: r.size.toLocaleString('en-US'), root: String(newest?.root ?? '').slice(0, 16), at: newest ? shanghai(newest.at) : '—' }),
        fill(t.tookTime, { seconds: (r.ms / 1000).toFixed(1) }),
      ];
      if (r.ok) say(result, 'ok', t.resultOk, lines);
      else say(result, 'bad', fill(t.resultBad, { n: r.problems.length }), [...r.problems.map((p) => fill(t.problems[p.key] ?? p.key, p.values)), ...lines]);
      Object.assign(root.dataset, { ms: String(Math.round(r.ms)), entries: String(r.entries), roots: String(r.roots), signatures: String(r.signatures), consistency: String(r.consistency) });
      bar.max = 1;
      bar.value = 1;
      phase.textContent = '';
    } catch (err) {
      say(result, 'bad', fill(t.problems.unreachable, { path: '', message: err.message }));
    } finally {
      button.disabled = false;
      button.textContent = t.verifyAgain;
    }
  });
}
