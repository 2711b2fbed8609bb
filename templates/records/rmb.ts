// An amount in yuan in Chinese capital numerals (人民币大写), as on cheques, invoices and award
// notices: 玖拾万元整 for 900000.00, 壹万零伍拾元零伍分 for 10050.05. Zeros follow the usual rules:
// one 零 for a run of zeros inside the number, none at the end of a 4-digit group, 整 when there are
// no 角 and 分, 零 before 分 when 角 is zero.
const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const SMALL_UNITS = ['', '拾', '佰', '仟'];
const BIG_UNITS = ['', '万', '亿', '万亿'];

/** 0..9999 without leading or trailing zeros, e.g. 1010 → 壹仟零壹拾, 5 → 伍. */
function group(n: number): string {
  let out = '';
  let zero = false;
  for (let i = 3; i >= 0; i--) {
    const d = Math.floor(n / 10 ** i) % 10;
    if (d === 0) {
      zero = out !== '';
      continue;
    }
    if (zero) out += '零';
    out += DIGITS[d]! + SMALL_UNITS[i]!;
    zero = false;
  }
  return out;
}

/** The whole yuan as capitals (without 元); '' for zero. */
function yuanPart(yuan: bigint): string {
  const groups: number[] = [];
  for (let v = yuan; v > 0n; v /= 10000n) groups.push(Number(v % 10000n));
  if (groups.length > BIG_UNITS.length) throw new RangeError('amount too large for capital numerals');
  let out = '';
  let zero = false;
  for (let k = groups.length - 1; k >= 0; k--) {
    const g = groups[k]!;
    if (g === 0) {
      zero = out !== '';
      continue;
    }
    if (out !== '' && (zero || g < 1000)) out += '零';
    out += group(g) + BIG_UNITS[k]!;
    zero = false;
  }
  return out;
}

/**
 * "900000.00" (yuan with at most two decimals, as the API formats amounts) → "玖拾万元整".
 * null when the text is not such an amount.
 */
export function rmbUppercase(amount: string): string | null {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!m) return null;
  const yuan = BigInt(m[1]!);
  const frac = (m[2] ?? '').padEnd(2, '0');
  const jiao = Number(frac[0]);
  const fen = Number(frac[1]);
  let head: string;
  try {
    head = yuanPart(yuan);
  } catch {
    return null;
  }
  if (jiao === 0 && fen === 0) return `${head || '零'}元整`;
  let out = head ? `${head}元` : '';
  if (jiao !== 0) out += `${DIGITS[jiao]}角`;
  else if (head) out += '零';
  if (fen !== 0) out += `${DIGITS[fen]}分`;
  return out;
}
