// The registration page (GET /register): checks the unified social credit code while it is typed,
// with the same module the server checks it with (modules/orgs/credit-code.ts), and says in the
// page's language what is wrong — for a wrong check character, which one the first 17 give. The
// form works without this script; the server gives the same verdict when it is sent.
import { checkCreditCode } from '../../../modules/orgs/credit-code.ts';

const input = document.querySelector('input[data-credit-check]');
if (input) main(input);

function main(input) {
  const t = input.dataset; // the page's strings, in its language
  const live = document.getElementById(`${input.id}-live`);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));

  function message(code) {
    const r = checkCreditCode(code);
    if (r.ok) return { ok: true, text: t.msgOk };
    const p = r.problem;
    if (p.kind === 'length') return { ok: false, text: fill(t.msgLength, { length: p.length }) };
    if (p.kind === 'character') return { ok: false, text: fill(t.msgCharacter, p) };
    if (p.kind === 'authority') return { ok: false, text: fill(t.msgAuthority, p) };
    if (p.kind === 'division') return { ok: false, text: t.msgDivision };
    return { ok: false, text: fill(t.msgCheck, p) };
  }

  // While typing, only a complete code is judged (a half-typed code is not an error yet); on leaving the field, any code is.
  function update(final) {
    const code = input.value.trim().toUpperCase();
    if (!code || (!final && code.length < 18)) {
      live.textContent = '';
      live.className = 'live-check';
      return;
    }
    const m = message(code);
    live.textContent = m.text;
    live.className = m.ok ? 'live-check ok' : 'live-check bad';
  }
  input.addEventListener('input', () => update(false));
  input.addEventListener('blur', () => update(true));
}
