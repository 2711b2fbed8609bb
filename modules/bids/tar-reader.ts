// The bid package's tar reader (the opening reads every decrypted package with it): ustar, with
// pax extended headers (path, size) and GNU long names, entry by entry as the bytes stream in. It
// accepts only what a bid package may hold and refuses the rest with a TarError: links, directories,
// devices and sparse files; unsafe or repeated names; sizes over the caller's limit; truncated
// archives and bytes after the end blocks. No Node imports.
import { paddingLength, quoteName, TAR_BLOCK, TarError, unsafeNameReason } from './tar-format';

export interface TarReadLimits {
  /** The largest body one member may declare (for a decrypted package: the size of its ciphertext). */
  maxEntrySize: number;
  /** The most members an archive may have; unlimited by default. */
  maxEntries?: number;
  /** The largest pax extended header or GNU long name; 64 KiB by default. */
  maxExtendedHeaderSize?: number;
}

export interface TarReadEntry {
  name: string;
  size: number;
  /** The member's bytes as they stream in. Read it before asking for the next member, or it is skipped. */
  body: AsyncIterable<Uint8Array>;
}

const ascii = new TextDecoder('latin1');
// ignoreBOM: a name that starts with U+FEFF keeps it, as tar -x would.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const TYPE_NAMES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '5': 'a directory',
  '6': 'a FIFO',
  '7': 'a contiguous file',
  K: 'a GNU long link name',
  S: 'a GNU sparse file',
  V: 'a GNU volume header',
  M: 'a GNU multi-volume continuation',
  D: 'a GNU dump directory',
};

/** Bytes pulled from an async iterable of chunks, exactly as many as asked. */
class ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Bytes consumed so far (for messages). */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : ByteSource.lift(source);
  }

  private static async *lift(source: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    yield* source;
  }

  /** True when there are unread bytes; false at the end of the source. */
  private async more(): Promise<boolean> {
    while (this.at >= this.chunk.length) {
      const next = await this.iterator.next();
      if (next.done) return false;
      this.chunk = next.value;
      this.at = 0;
    }
    return true;
  }

  /** `n` bytes (a copy), or fewer when the source ends first. */
  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n && (await this.more())) {
      const take = Math.min(n - filled, this.chunk.length - this.at);
      out.set(this.chunk.subarray(this.at, this.at + take), filled);
      this.at += take;
      filled += take;
    }
    this.offset += filled;
    return filled === n ? out : out.subarray(0, filled);
  }

  /** Up to `n` bytes as they arrive (views, not copies); ends early at the end of the source. */
  async *pieces(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0 && (await this.more())) {
      const take = Math.min(left, this.chunk.length - this.at);
      const piece = this.chunk.subarray(this.at, this.at + take);
      this.at += take;
      this.offset += take;
      left -= take;
      yield piece;
    }
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/** A numeric header field: octal digits (leading spaces, trailing spaces or NULs), or GNU base-256. */
function numberField(header: Uint8Array, offset: number, length: number, what: string): number {
  const field = header.subarray(offset, offset + length);
  if (field[0] === 0x80) {
    let value = 0;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new TarError('too_large', `the ${what} field holds a number too large to handle`);
    return value;
  }
  if (field[0]! & 0x80) throw new TarError('bad_header', `the ${what} field holds a negative number`);
  let i = 0;
  while (i < length && field[i] === 0x20) i++;
  let value = 0;
  while (i < length && field[i]! >= 0x30 && field[i]! <= 0x37) value = value * 8 + (field[i++]! - 0x30);
  while (i < length && (field[i] === 0x20 || field[i] === 0)) i++;
  if (i !== length) throw new TarError('bad_header', `the ${what} field is not an octal number`);
  return value;
}

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TarError('bad_header', `${what} is not UTF-8`);
  }
}

/** A NUL-terminated string field. */
function stringField(header: Uint8Array, offset: number, length: number, what: string): string {
  const field = header.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return text(nul === -1 ? field : field.subarray(0, nul), what);
}

function checkHeader(header: Uint8Array, at: number): void {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  let stored: number | null;
  try {
    stored = numberField(header, 148, 8, 'checksum');
  } catch {
    stored = null; // not even a number: as wrong as a wrong sum
  }
  if (stored !== unsigned && stored !== signed) throw new TarError('bad_header', `the header at byte ${at} has a wrong checksum (damaged, or a size field that does not match the data before it)`);
  const magic = ascii.decode(header.subarray(257, 265));
  if (!magic.startsWith('ustar\0') && magic !== 'ustar  \0') throw new TarError('bad_header', `the header at byte ${at} is not a ustar header (an old or unknown tar format)`);
}

/** Pax records, "<length> <key>=<value>\n" each. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0 && data.subarray(at).every((b) => b === 0)) break; // NUL padding some writers leave
    let space = at;
    while (space < data.length && data[space]! >= 0x30 && data[space]! <= 0x39) space++;
    const length = Number(ascii.decode(data.subarray(at, space)));
    const end = at + length;
    if (space === at || data[space] !== 0x20 || end <= space + 1 || end > data.length || data[end - 1] !== 0x0a) throw new TarError('bad_header', 'a pax extended header is malformed');
    const record = text(data.subarray(space + 1, end - 1), 'a pax record');
    const eq = record.indexOf('=');
    if (eq <= 0) throw new TarError('bad_header', 'a pax extended header is malformed');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at = end;
  }
  return records;
}

interface Overrides {
  path?: string;
  size?: number;
}

function applyPax(records: Map<string, string>, into: Overrides, global: boolean): void {
  for (const [key, value] of records) {
    if (key.startsWith('GNU.sparse.')) throw new TarError('not_regular', 'the archive holds a GNU sparse file; a bid package holds regular files only');
    if (key === 'path' || key === 'size') {
      if (global) throw new TarError('bad_header', `a pax global header sets "${key}" for every member; a bid package has no such header`);
      if (key === 'path') into.path = value;
      else if (/^\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value))) into.size = Number(value);
      else throw new TarError('bad_header', 'a pax size record is not a byte count');
    }
    // Every other key (mtime, atime, uid, uname, comment, …) says nothing the package relies on.
  }
}

/**
 * The members of a tar archive, one by one, as `source` streams. Throws a TarError (after the
 * members before it were yielded) when the archive is not one a bid package may be.
 */
export async function* readTar(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limits: TarReadLimits): AsyncGenerator<TarReadEntry> {
  const bytes = new ByteSource(source);
  const maxExtended = limits.maxExtendedHeaderSize ?? 64 * 1024;
  const names = new Set<string>();
  let overrides: Overrides = {};
  let extended = false;
  try {
    for (;;) {
      const at = bytes.offset;
      const header = await bytes.read(TAR_BLOCK);
      // No bytes at all is an empty archive (as tar-stream read it); bytes that stop at a member's end are not.
      if (header.length === 0 && at === 0) return;
      if (header.length === 0) throw new TarError('truncated', 'the archive ends without its end-of-archive blocks: it is truncated');
      if (header.length < TAR_BLOCK) throw new TarError('truncated', 'the archive is truncated: it ends inside a header');
      if (header.every((b) => b === 0)) {
        if (extended) throw new TarError('bad_header', 'the archive ends right after an extended header');
        // Past the end blocks only zeros may follow (a tar's record padding): anything else would be
        // content no member shows.
        for await (const piece of bytes.pieces(Number.POSITIVE_INFINITY)) {
          if (!piece.every((b) => b === 0)) throw new TarError('trailing_data', 'there are bytes after the end of the archive');
        }
        return;
      }
      checkHeader(header, at);
      const type = String.fromCharCode(header[156]!);
      const declared = numberField(header, 124, 12, 'size');

      if (type === 'x' || type === 'g' || type === 'L') {
        if (declared > maxExtended) throw new TarError('too_large', `an extended header declares ${declared} bytes, more than the limit of ${maxExtended}`);
        const data = await bytes.read(declared + paddingLength(declared));
        if (data.length < declared + paddingLength(declared)) throw new TarError('truncated', 'the archive is truncated: it ends inside an extended header');
        const content = data.subarray(0, declared);
        if (type === 'L') {
          const nul = content.indexOf(0);
          overrides.path = text(nul === -1 ? content : content.subarray(0, nul), 'a GNU long name');
        } else {
          applyPax(paxRecords(content), overrides, type === 'g');
        }
        if (type !== 'g') extended = true; // a global header belongs to no member; the others to the next
        continue;
      }

      let name = overrides.path;
      if (name === undefined) {
        name = stringField(header, 0, 100, 'a member name');
        const posix = ascii.decode(header.subarray(257, 263)) === 'ustar\0';
        // Only POSIX ustar has the prefix field; GNU headers keep other things there.
        if (posix && header[345] !== 0) name = `${stringField(header, 345, 155, 'a member name')}/${name}`;
      }
      const size = overrides.size ?? declared;
      overrides = {};
      extended = false;
      if (type !== '0' && type !== '\0') {
        throw new TarError('not_regular', `member ${quoteName(name)} is ${TYPE_NAMES[type] ?? `of type ${JSON.stringify(type)}`}; a bid package holds regular files only`);
      }
      const unsafe = unsafeNameReason(name);
      if (unsafe) throw new TarError('unsafe_name', `member ${quoteName(name)} has an unsafe name: ${unsafe}`);
      if (names.has(name)) throw new TarError('duplicate_name', `two members are named ${quoteName(name)}`);
      names.add(name);
      if (names.size > (limits.maxEntries ?? Number.POSITIVE_INFINITY)) throw new TarError('too_many', `the archive has more than ${limits.maxEntries} members`);
      if (size > limits.maxEntrySize) throw new TarError('too_large', `member ${quoteName(name)} declares ${size} bytes, more than the limit of ${limits.maxEntrySize}`);

      let left = size;
      let current = true;
      const entryName = name;
      const truncated = () => new TarError('truncated', `the archive is truncated: it ends inside member ${quoteName(entryName)}`);
      const body: AsyncIterable<Uint8Array> = {
        async *[Symbol.asyncIterator]() {
          if (!current) throw new Error(`the body of ${quoteName(entryName)} was read after the next member`);
          for await (const piece of bytes.pieces(left)) {
            left -= piece.length;
            yield piece;
          }
          if (left > 0) throw truncated();
        },
      };
      yield { name, size, body };
      current = false;
      // Whatever the caller left unread, then the padding.
      for await (const piece of bytes.pieces(left)) left -= piece.length;
      if (left > 0) throw truncated();
      const padding = paddingLength(size);
      if ((await bytes.read(padding)).length < padding) throw truncated();
    }
  } finally {
    await bytes.close();
  }
}
