// The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a 31-symbol
// alphabet (digits and capital letters without I, O, Z, S, V); the last one is a check character
// computed modulo 31 with weights 3^i mod 31. Pure and dependency-free: the registration page's
// script bundles this same file, so the browser and the server give the same verdict.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** First character: the registration authority (1 organisation registry, 5 civil affairs, 9 market regulation, …). */
const AUTHORITIES = '123456789ABCDEFGHNY';

/**
 * What is wrong, as facts a page can put into words in its own language (the English `reason` is
 * for the API). For a wrong check character, `expected` is the one the first 17 characters give.
 */
export type CreditCodeProblem =
  | { kind: 'length'; length: number }
  | { kind: 'character'; character: string; position: number }
  | { kind: 'authority'; character: string }
  | { kind: 'division' }
  | { kind: 'check'; expected: string; found: string };

export type CreditCodeCheck = { ok: true } | { ok: false; reason: string; problem: CreditCodeProblem };

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

function englishReason(p: CreditCodeProblem): string {
  switch (p.kind) {
    case 'length':
      return `must have 18 characters, not ${p.length}`;
    case 'character':
      return `contains "${p.character}", which is not allowed (digits and capital letters except I, O, Z, S, V)`;
    case 'authority':
      return `starts with "${p.character}", which is not a registration authority code`;
    case 'division':
      return 'characters 3–8 must be the six-digit administrative division code';
    case 'check':
      return `has a wrong check character (GB 32100-2015): the first 17 characters give "${p.expected}" as the 18th, not "${p.found}"; check for a typing mistake`;
  }
}

function problemOf(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return { kind: 'length', length: code.length };
  for (let i = 0; i < code.length; i++) {
    if (!ALPHABET.includes(code[i]!)) return { kind: 'character', character: code[i]!, position: i + 1 };
  }
  if (!AUTHORITIES.includes(code[0]!)) return { kind: 'authority', character: code[0]! };
  if (!/^\d{6}$/.test(code.slice(2, 8))) return { kind: 'division' };
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (code[17] !== expected) return { kind: 'check', expected, found: code[17]! };
  return null;
}

export function checkCreditCode(code: string): CreditCodeCheck {
  const problem = problemOf(code);
  return problem ? { ok: false, reason: englishReason(problem), problem } : { ok: true };
}
