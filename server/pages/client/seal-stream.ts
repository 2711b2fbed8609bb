// Sealing a bid of any size where the bidder is, without holding it in memory: each attachment is
// read once to hash it (bid.json lists the digests), then bid.json and the attachments stream
// through the tar writer and age into a sink that hashes and counts the ciphertext and gathers it
// into a Blob built in pieces (Chromium keeps large Blobs out of the page's heap). The formats are
// the CLI's (docs/sealed-bids.md): bid.json first in a ustar tar (modules/bids/tar-writer.ts), the
// attachments after it in the order bid.json lists them, age v1 to the section's recipient.
// No DOM and no node: imports, so Node tests run it too.
import { sha256 } from '@noble/hashes/sha2';
import { Encrypter } from 'age-encryption';
import { paddingLength, TAR_BLOCK } from '../../../modules/bids/tar-format';
import { tarEntryHeader, tarStream } from '../../../modules/bids/tar-writer';
import type { BidForm } from './seal-core';

/** An attachment: a File, or any Blob with a name. */
export type NamedBlob = Blob & { readonly name: string };

export type SealPhase = 'hashing' | 'sealing';

/** Bytes done of the phase's total: attachment bytes read (hashing), ciphertext bytes made (sealing). */
export type SealProgress = (phase: SealPhase, done: number, total: number) => void;

export interface StreamSealed {
  /** bid.json as written into the archive. */
  document: BidForm & { format: 'etender-bid/1'; attachments: Array<{ name: string; size: number; sha256: string }> };
  ciphertext: Blob;
  sha256: string;
  size: number;
}

/** Ciphertext gathered in memory before it is folded into the Blob: large enough for few Blob parts, small beside the file. */
const PIECE_BYTES = 8 * 1024 * 1024;
const PLACEHOLDER_DIGEST = '0'.repeat(64);
const utf8 = new TextEncoder();

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function refuseRepeatedNames(files: readonly NamedBlob[]): void {
  const names = new Set<string>(['bid.json']);
  for (const f of files) {
    if (names.has(f.name)) throw new Error(`two attachments are named "${f.name}" (or one is named bid.json); rename one`);
    names.add(f.name);
  }
}

/** bid.json as the archive carries it, as the CLI writes it too. */
function bidJson(form: BidForm, attachments: Array<{ name: string; size: number; sha256: string }>) {
  const document = { format: 'etender-bid/1' as const, ...form, attachments };
  return { document, bytes: utf8.encode(JSON.stringify(document, null, 2) + '\n') };
}

/** The tar's length: each entry's header blocks, body and padding, then two zero blocks. */
function tarLength(entries: Array<{ name: string; size: number }>): number {
  return entries.reduce((n, e) => n + tarEntryHeader(e).length + e.size + paddingLength(e.size), 2 * TAR_BLOCK);
}

/** Reads a Blob once, in the chunks its stream gives, calling `each` on every chunk. */
async function readEach(blob: Blob, each: (chunk: Uint8Array) => void): Promise<void> {
  const reader = (blob.stream() as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      each(value);
    }
  } finally {
    reader.releaseLock();
  }
}

async function blobSha256(blob: Blob, onBytes: (n: number) => void): Promise<string> {
  const hash = sha256.create();
  await readEach(blob, (chunk) => {
    hash.update(chunk);
    onBytes(chunk.length);
  });
  return hex(hash.digest());
}

/**
 * The exact size of the age file these attachments would seal to, found without reading them (a
 * digest has a fixed length, so bid.json's length is known; age adds a fixed header and 16 bytes
 * per 64 KiB). For refusing a bid over the server's limit before any work.
 */
export async function sealedSize(form: BidForm, files: readonly NamedBlob[], recipient: string): Promise<number> {
  refuseRepeatedNames(files);
  const { bytes } = bidJson(
    form,
    files.map((f) => ({ name: f.name, size: f.size, sha256: PLACEHOLDER_DIGEST })),
  );
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const empty = await encrypter.encrypt(new ReadableStream<Uint8Array>({ start: (c) => c.close() }));
  await empty.cancel();
  return empty.size(tarLength([{ name: 'bid.json', size: bytes.length }, ...files]));
}

/** Where the ciphertext goes as it is made; `close` gives it back as a Blob (a File on disk, or one in the browser's blob store). */
export interface CiphertextSink {
  write(chunk: Uint8Array): Promise<void> | void;
  close(): Promise<Blob>;
  /** Drops what was written (sealing failed). */
  abort(): Promise<void>;
}

/**
 * The ciphertext as a Blob built in pieces. Folding pieces into a new Blob that starts with the
 * old one copies nothing in the browser: the new Blob refers to the old one's data, which the
 * browser process holds (or, in a profile on disk, may page out). Chromium refuses to hold more
 * than its in-memory blob quota this way (about 480 MiB in a headless profile): the page prefers
 * a file in the origin's private file system (opfs-sink.js) and uses this where there is none.
 */
export function blobSink(): CiphertextSink {
  let blob = new Blob([]);
  let pieces: Uint8Array[] = [];
  let pending = 0;
  const fold = () => {
    blob = new Blob([blob, ...(pieces as Uint8Array<ArrayBuffer>[])], { type: 'application/octet-stream' });
    pieces = [];
    pending = 0;
  };
  return {
    write(chunk) {
      pieces.push(chunk);
      pending += chunk.length;
      if (pending >= PIECE_BYTES) fold();
    },
    async close() {
      fold();
      return blob;
    },
    async abort() {
      pieces = [];
      blob = new Blob([]);
    },
  };
}

/** The sealed file could not be kept or read back (the browser's storage refused it). */
export class SealStorageError extends Error {
  readonly code = 'seal_storage';
}

/** bid.json + attachments → tar → age, streamed into `sink`; the ciphertext comes back as a Blob with its SHA-256 and size. */
export async function sealStreaming(files: readonly NamedBlob[], form: BidForm, recipient: string, onProgress: SealProgress = () => {}, sink: CiphertextSink = blobSink()): Promise<StreamSealed> {
  refuseRepeatedNames(files);

  const attachmentBytes = files.reduce((n, f) => n + f.size, 0);
  let hashed = 0;
  onProgress('hashing', 0, attachmentBytes);
  const attachments = [];
  for (const f of files) {
    const digest = await blobSha256(f, (n) => {
      hashed += n;
      onProgress('hashing', hashed, attachmentBytes);
    });
    attachments.push({ name: f.name, size: f.size, sha256: digest });
  }
  const { document, bytes: json } = bidJson(form, attachments);

  const entries = [{ name: 'bid.json', size: json.length, body: json as Uint8Array }, ...files.map((f) => ({ name: f.name, size: f.size, body: f as Blob }))];
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const sealed = await encrypter.encrypt(tarStream(entries));
  const expected = sealed.size(tarLength(entries));

  const hash = sha256.create();
  let size = 0;
  let ciphertext: Blob;
  onProgress('sealing', 0, expected);
  const reader = sealed.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      size += value.length;
      await sink.write(value);
      onProgress('sealing', size, expected);
    }
    ciphertext = await sink.close();
  } catch (err) {
    await reader.cancel().catch(() => {});
    await sink.abort().catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  // A chosen file that changes on disk after it was picked fails to read in the browser (File is a
  // snapshot), and one of another length fails in the tar writer; this is the last guard.
  if (size !== expected || ciphertext.size !== size) {
    await sink.abort().catch(() => {});
    throw new Error(`the sealed file is ${ciphertext.size} bytes, not the ${expected} expected; was an attachment changed while it was sealed?`);
  }
  // A Blob the browser could not keep (over its blob quota) is only found out when read: read its
  // last byte now rather than fail halfway through the upload.
  try {
    if (size > 0) await ciphertext.slice(size - 1).arrayBuffer();
  } catch {
    await sink.abort().catch(() => {});
    throw new SealStorageError(`the browser could not keep the ${size}-byte sealed file`);
  }
  return { document, ciphertext, sha256: hex(hash.digest()), size };
}
