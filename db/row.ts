// Converting what the drivers hand back. SQLite (safeIntegers) gives BigInt for every integer;
// mysql2 (bigNumberStrings) gives strings for BIGINT and for SUM/COUNT. Stores map every row
// through these helpers so that the rest of the code sees number (instants, counts) and bigint (fen).

type DbValue = unknown;

export function toInt(value: DbValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  throw new TypeError(`expected an integer from the database, got ${typeof value}`);
}

export function toIntOrNull(value: DbValue): number | null {
  return value === null || value === undefined ? null : toInt(value);
}

/** Epoch milliseconds. */
export const toMs = toInt;
export const toMsOrNull = toIntOrNull;

/** Integer fen, exact. */
export function toFen(value: DbValue): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('unsafe integer amount from the database');
    return BigInt(value);
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (value === null || value === undefined) return 0n; // SUM over no rows
  throw new TypeError(`expected an integer amount from the database, got ${String(value)}`);
}

export function toFenOrNull(value: DbValue): bigint | null {
  return value === null || value === undefined ? null : toFen(value);
}

export function toBool(value: DbValue): boolean {
  return value === true || value === 1 || value === 1n || value === '1';
}

export function toStr(value: DbValue): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

export function toStrOrNull(value: DbValue): string | null {
  return value === null || value === undefined ? null : toStr(value);
}

/** Bind a bigint for the driver: both accept a decimal string for a BIGINT column exactly. */
export function fenParam(fen: bigint): string {
  return fen.toString();
}
