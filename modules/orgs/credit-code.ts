// The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a 31-symbol
// alphabet (digits and capital letters without I, O, Z, S, V); the last one is a check character
// computed modulo 31 with weights 3^i mod 31.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** First character: the registration authority (1 organisation registry, 5 civil affairs, 9 market regulation, …). */
const AUTHORITIES = '123456789ABCDEFGHNY';

export type CreditCodeCheck = { ok: true } | { ok: false; reason: string };

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function checkCreditCode(code: string): CreditCodeCheck {
  if (code.length !== 18) return { ok: false, reason: `must have 18 characters, not ${code.length}` };
  for (const ch of code) {
    if (!ALPHABET.includes(ch)) {
      return { ok: false, reason: `contains "${ch}", which is not allowed (digits and capital letters except I, O, Z, S, V)` };
    }
  }
  if (!AUTHORITIES.includes(code[0]!)) return { ok: false, reason: `starts with "${code[0]}", which is not a registration authority code` };
  if (!/^\d{6}$/.test(code.slice(2, 8))) return { ok: false, reason: 'characters 3–8 must be the six-digit administrative division code' };
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (code[17] !== expected) return { ok: false, reason: 'has a wrong check character (GB 32100-2015); check for a typing mistake' };
  return { ok: true };
}
