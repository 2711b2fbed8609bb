// Money is integer fen (分) as bigint in code and BIGINT in the database; the API speaks decimal
// yuan strings. Nothing here ever goes through a float.
import Decimal from 'decimal.js';

export const MAX_FEN = 9_223_372_036_854_775_807n; // BIGINT max

const YUAN_PATTERN = /^(0|[1-9]\d*)(\.\d{1,2})?$/;

export type MoneyParseResult = { ok: true; fen: bigint } | { ok: false; reason: string };

/** Parses "12345678.90" (yuan, at most two decimals, not negative) into fen. */
export function parseYuan(input: unknown): MoneyParseResult {
  if (typeof input !== 'string') {
    return { ok: false, reason: 'must be a decimal string in yuan, such as "12345678.90"' };
  }
  if (input.startsWith('-')) return { ok: false, reason: 'must not be negative' };
  if (!YUAN_PATTERN.test(input)) {
    if (/^\d+\.\d{3,}$/.test(input)) return { ok: false, reason: 'has more than two decimals (fen is the smallest unit)' };
    return { ok: false, reason: 'must be a decimal string in yuan with at most two decimals, such as "12345678.90"' };
  }
  const fen = new Decimal(input).mul(100);
  if (fen.gt(MAX_FEN.toString())) return { ok: false, reason: 'is too large' };
  return { ok: true, fen: BigInt(fen.toFixed(0)) };
}

/** Formats fen as a yuan string with two decimals: 1234567890n → "12345678.90". */
export function formatYuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${yuan}.${cents}`;
}

export function fenToDecimal(fen: bigint): Decimal {
  return new Decimal(fen.toString());
}

/**
 * An amount as records and letters print it, with thousands separators: "3528600.00" (yuan, as the API writes amounts)
 * or a bigint of fen → "3,528,600.00". Integer arithmetic only; text that is not an amount passes through.
 */
export function yuanGrouped(amount: string | bigint | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  let fen: bigint;
  if (typeof amount === 'bigint') fen = amount;
  else {
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
    if (!m) return amount;
    fen = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
    if (m[1]) fen = -fen;
  }
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}
