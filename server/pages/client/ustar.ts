// A minimal POSIX ustar writer for the browser sealing page (no dependencies, no DOM): regular
// files only, 512-byte headers with the "ustar\0" magic, version "00" and the header checksum; a
// name longer than 100 bytes is split at a "/" into the 155-byte prefix field; data padded to 512
// bytes; two zero blocks at the end. Readable by GNU tar, bsdtar, tar-stream and the opening.

export interface TarEntry {
  name: string;
  data: Uint8Array;
  /** Seconds since the epoch; 0 by default (like the CLI's package). */
  mtime?: number;
}

const BLOCK = 512;
const utf8 = new TextEncoder();

function put(header: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  if (bytes.length > length) throw new Error(`tar header field at ${offset} is too long`);
  header.set(bytes, offset);
}

/** An octal number in `length - 1` digits followed by NUL. */
function octal(header: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (!Number.isSafeInteger(value) || value < 0 || digits.length > length - 1) throw new Error(`${value} does not fit a ${length}-byte tar field`);
  put(header, offset, length, utf8.encode(digits.padStart(length - 1, '0') + '\0'));
}

/** Splits a UTF-8 name into ustar (prefix, name), or throws when it cannot be stored. */
export function splitName(name: string): { prefix: Uint8Array; name: Uint8Array } {
  const full = utf8.encode(name);
  if (full.length === 0) throw new Error('a tar member needs a name');
  if (full.length <= 100) return { prefix: new Uint8Array(0), name: full };
  // Try every "/" from the right: the prefix must fit 155 bytes and the rest 100.
  for (let i = full.length - 1; i > 0; i--) {
    if (full[i] !== 0x2f) continue;
    const prefix = full.subarray(0, i);
    const rest = full.subarray(i + 1);
    if (prefix.length <= 155 && rest.length > 0 && rest.length <= 100) return { prefix, name: rest };
  }
  throw new Error(`the file name "${name}" is ${full.length} bytes long in UTF-8; a tar name may have at most 100 bytes (about 33 Chinese characters). Rename the file.`);
}

export function tarHeader(entry: { name: string; size: number; mtime?: number }): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const { prefix, name } = splitName(entry.name);
  put(h, 0, 100, name);
  octal(h, 100, 8, 0o644); // mode
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, entry.size);
  octal(h, 136, 12, Math.floor(entry.mtime ?? 0));
  h[156] = 0x30; // typeflag '0': regular file
  put(h, 257, 6, utf8.encode('ustar\0'));
  put(h, 263, 2, utf8.encode('00'));
  put(h, 345, 155, prefix);
  // The checksum: the byte sum of the header with the checksum field read as eight spaces,
  // written as six octal digits, NUL, space.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, 8, utf8.encode(sum.toString(8).padStart(6, '0') + '\0 '));
  return h;
}

/** The whole archive in memory. */
export function ustar(entries: TarEntry[]): Uint8Array {
  let total = 2 * BLOCK;
  for (const e of entries) total += BLOCK + Math.ceil(e.data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(total); // zero-filled: padding and the two end blocks
  let at = 0;
  for (const e of entries) {
    out.set(tarHeader({ name: e.name, size: e.data.length, mtime: e.mtime }), at);
    at += BLOCK;
    out.set(e.data, at);
    at += Math.ceil(e.data.length / BLOCK) * BLOCK;
  }
  return out;
}
