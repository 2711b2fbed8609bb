// The bid package's tar writer, for the CLI (Node) and the browser's sealing page alike: POSIX
// ustar, regular files only, mode 0644, owner 0/0, mtime 0 unless given. A name that does not fit
// the ustar fields (more than 100 bytes of UTF-8 after splitting at a "/" into the 155-byte prefix)
// or a size over 8 GiB goes into a pax extended header, as tar-stream did for the CLI before.
// Bodies stream: tarChunks/tarStream pull each entry's body only as the consumer reads, so a
// 500 MB attachment never sits in memory. No Node imports (Uint8Array, not Buffer).
import { paddingLength, quoteName, TAR_BLOCK, TarError, unsafeNameReason } from './tar-format';

export interface TarEntryHead {
  name: string;
  size: number;
  /** Seconds since the epoch; 0 by default (packages carry no dates of their own). */
  mtime?: number;
}

/** Where an entry's bytes come from. Any of these is read once, in order, as the archive is pulled. */
export type TarBody = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface TarSource extends TarEntryHead {
  body: TarBody;
}

const utf8 = new TextEncoder();
/** The largest size the 12-byte octal field holds (11 digits). */
const MAX_OCTAL_SIZE = 0o77777777777;

function put(header: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  if (bytes.length > length) throw new TarError('bad_header', `tar header field at ${offset} is too long`);
  header.set(bytes, offset);
}

/** An octal number in `length - 1` digits followed by NUL. */
function octal(header: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (!Number.isSafeInteger(value) || value < 0 || digits.length > length - 1) throw new TarError('bad_header', `${value} does not fit a ${length}-byte tar field`);
  put(header, offset, length, utf8.encode(`${digits.padStart(length - 1, '0')}\0`));
}

/** Splits a UTF-8 name into the ustar (prefix, name) fields, or null when it does not fit them. */
function ustarName(full: Uint8Array): { prefix: Uint8Array; name: Uint8Array } | null {
  if (full.length <= 100) return { prefix: new Uint8Array(0), name: full };
  // Every "/" from the right: the prefix must fit 155 bytes and the rest 100.
  for (let i = full.length - 1; i > 0; i--) {
    if (full[i] !== 0x2f) continue;
    const prefix = full.subarray(0, i);
    const rest = full.subarray(i + 1);
    if (prefix.length <= 155 && rest.length > 0 && rest.length <= 100) return { prefix, name: rest };
  }
  return null;
}

/** At most 100 bytes of `bytes`, cut before a UTF-8 continuation byte (the fallback name beside a pax path). */
function truncatedName(bytes: Uint8Array): Uint8Array {
  let end = Math.min(bytes.length, 100);
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function block(fields: { name: Uint8Array; prefix?: Uint8Array; size: number; mtime: number; type: number }): Uint8Array {
  const h = new Uint8Array(TAR_BLOCK);
  put(h, 0, 100, fields.name);
  octal(h, 100, 8, 0o644); // mode
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, fields.size);
  octal(h, 136, 12, fields.mtime);
  h[156] = fields.type;
  put(h, 257, 6, utf8.encode('ustar\0'));
  put(h, 263, 2, utf8.encode('00'));
  if (fields.prefix) put(h, 345, 155, fields.prefix);
  // The checksum: the byte sum of the header with the checksum field read as eight spaces,
  // written as six octal digits, NUL, space.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, 8, utf8.encode(`${sum.toString(8).padStart(6, '0')}\0 `));
  return h;
}

/** One pax record, "<length> <key>=<value>\n", where the length counts itself. */
function paxRecord(key: string, value: string): Uint8Array {
  const body = utf8.encode(` ${key}=${value}\n`);
  let length = body.length + 1;
  while (String(length).length + body.length > length) length++;
  const digits = utf8.encode(String(length));
  const out = new Uint8Array(digits.length + body.length);
  out.set(digits);
  out.set(body, digits.length);
  return out;
}

/**
 * The header blocks of one regular file: a ustar header, preceded by a pax extended header (and
 * its padded records) when the name or the size does not fit ustar. Throws a TarError for a name
 * no package may carry.
 */
export function tarEntryHeader(entry: TarEntryHead): Uint8Array {
  const unsafe = unsafeNameReason(entry.name);
  if (unsafe) throw new TarError('unsafe_name', `the file name ${quoteName(entry.name)} cannot go into a bid package: ${unsafe}`);
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new TarError('bad_header', `the size of ${quoteName(entry.name)} is not a byte count: ${entry.size}`);
  const mtime = Math.floor(entry.mtime ?? 0);
  const full = utf8.encode(entry.name);
  const split = ustarName(full);
  const records: Uint8Array[] = [];
  if (!split) records.push(paxRecord('path', entry.name));
  if (entry.size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(entry.size)));
  const ustar = block({ name: split?.name ?? truncatedName(full), prefix: split?.prefix, size: entry.size > MAX_OCTAL_SIZE ? 0 : entry.size, mtime, type: 0x30 /* '0' */ });
  if (records.length === 0) return ustar;
  const recordBytes = records.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(TAR_BLOCK + recordBytes + paddingLength(recordBytes) + TAR_BLOCK); // zero-filled: the padding
  out.set(block({ name: utf8.encode('PaxHeader'), size: recordBytes, mtime, type: 0x78 /* 'x' */ }));
  let at = TAR_BLOCK;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  out.set(ustar, out.length - TAR_BLOCK);
  return out;
}

/** The zeros that follow a body of `size` bytes (possibly none). */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array(paddingLength(size));
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * TAR_BLOCK);
}

function refuseRepeat(seen: Set<string>, name: string): void {
  if (seen.has(name)) throw new TarError('duplicate_name', `two files in the package are named ${quoteName(name)}; rename one`);
  seen.add(name);
}

/** A whole archive in memory, for small packages whose bodies are already bytes. */
export function tarArchive(entries: Array<{ name: string; data: Uint8Array; mtime?: number }>): Uint8Array {
  const seen = new Set<string>();
  const headers = entries.map((e) => {
    refuseRepeat(seen, e.name);
    return tarEntryHeader({ name: e.name, size: e.data.length, mtime: e.mtime });
  });
  let total = 2 * TAR_BLOCK;
  entries.forEach((e, i) => {
    total += headers[i]!.length + e.data.length + paddingLength(e.data.length);
  });
  const out = new Uint8Array(total); // zero-filled: padding and the end blocks
  let at = 0;
  entries.forEach((e, i) => {
    out.set(headers[i]!, at);
    at += headers[i]!.length;
    out.set(e.data, at);
    at += e.data.length + paddingLength(e.data.length);
  });
  return out;
}

const isWebStream = (s: object): s is ReadableStream<Uint8Array> => typeof (s as { getReader?: unknown }).getReader === 'function';

async function* chunksOf(body: TarBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  const stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> =
    body instanceof Blob ? (body.stream() as ReadableStream<Uint8Array>) : (body as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>);
  if (isWebStream(stream)) {
    // A web ReadableStream, read with its reader (async iteration of streams is not in every browser).
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* stream as AsyncIterable<Uint8Array>;
  }
}

/**
 * The archive as chunks, pulled: each entry's header, then its body as it arrives, then its
 * padding; two zero blocks at the end. A body longer or shorter than its declared size throws (the
 * header is already out, so the archive would be wrong).
 */
export async function* tarChunks(entries: Iterable<TarSource> | AsyncIterable<TarSource>): AsyncGenerator<Uint8Array> {
  const seen = new Set<string>();
  for await (const entry of entries) {
    refuseRepeat(seen, entry.name);
    yield tarEntryHeader(entry);
    let written = 0;
    for await (const chunk of chunksOf(entry.body)) {
      written += chunk.length;
      if (written > entry.size) break;
      if (chunk.length > 0) yield chunk;
    }
    if (written !== entry.size) {
      throw new TarError(
        'size_mismatch',
        `${quoteName(entry.name)} was declared as ${entry.size} bytes but its content has ${written > entry.size ? 'more' : written}; did the file change while it was packed?`,
      );
    }
    const padding = paddingLength(entry.size);
    if (padding) yield new Uint8Array(padding);
  }
  yield tarEnd();
}

/** The archive as a web ReadableStream (what age-encryption's Encrypter takes), pulled chunk by chunk. */
export function tarStream(entries: Iterable<TarSource> | AsyncIterable<TarSource>): ReadableStream<Uint8Array> {
  const chunks = tarChunks(entries);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
