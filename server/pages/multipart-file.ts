// A plain HTML form's file upload (multipart/form-data) read as a stream: the small fields that come
// before the file (the form token) are collected, then the file's bytes are handed on as a Readable
// that never holds more than one chunk, so a tender document goes to the blob store the same way
// the JSON API's raw upload does. Only what the staff upload form sends is understood: fields, then
// one file; anything after the file is drained and ignored.
import { Readable } from 'node:stream';
import { badRequest, tooLarge } from '../../modules/core/errors';

export interface MultipartUpload {
  fields: Record<string, string>;
  /** The file part, or null when the form carried none (or an empty file input). */
  file: { name: string; mediaType: string; stream: Readable } | null;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

function boundaryOf(contentType: string | undefined): string {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType ?? '');
  if (!m) throw badRequest('Send the form as multipart/form-data.');
  return (m[1] ?? m[2])!;
}

function dispositionOf(headers: string): { name: string; filename: string | null; mediaType: string } {
  let name = '';
  let filename: string | null = null;
  let mediaType = 'application/octet-stream';
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      name = /;\s*name="([^"]*)"/i.exec(value)?.[1] ?? '';
      const f = /;\s*filename="([^"]*)"/i.exec(value);
      if (f) filename = f[1]!.replace(/%22/g, '"');
    } else if (key === 'content-type') {
      mediaType = value.slice(0, 100);
    }
  }
  return { name, filename, mediaType };
}

/** Reads the fields up to the file part; the caller must consume (or destroy) the file's stream. */
export async function readMultipartUpload(req: Readable & { headers: Record<string, string | string[] | undefined> }, opts: { maxFieldBytes: number }): Promise<MultipartUpload> {
  const boundary = boundaryOf(req.headers['content-type'] as string | undefined);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const chunks = req[Symbol.asyncIterator]();
  // The body begins with "--boundary": a leading CRLF makes the first one look like every other.
  let buf: Buffer = Buffer.from('\r\n');
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      return false;
    }
    buf = buf.length ? Buffer.concat([buf, next.value as Buffer]) : (next.value as Buffer);
    return true;
  };
  const readUntil = async (needle: Buffer, limit: number): Promise<Buffer> => {
    for (;;) {
      const at = buf.indexOf(needle);
      if (at >= 0) {
        const out = buf.subarray(0, at);
        buf = buf.subarray(at + needle.length);
        return out;
      }
      if (buf.length > limit + needle.length) throw tooLarge('A form field is too large.');
      if (!(await more())) throw badRequest('The form ended before it was complete.');
    }
  };
  const drain = async () => {
    buf = Buffer.alloc(0);
    while (await more()) buf = Buffer.alloc(0);
  };

  await readUntil(delimiter, MAX_HEADER_BYTES);
  const fields: Record<string, string> = {};
  for (;;) {
    while (buf.length < 2) if (!(await more())) throw badRequest('The form ended before it was complete.');
    if (buf[0] === 0x2d && buf[1] === 0x2d) {
      await drain();
      return { fields, file: null };
    }
    const part = dispositionOf((await readUntil(CRLF2, MAX_HEADER_BYTES)).toString('utf8'));
    if (part.filename === null) {
      const value = await readUntil(delimiter, opts.maxFieldBytes);
      if (part.name && !(part.name in fields)) fields[part.name] = value.toString('utf8');
      continue;
    }
    if (part.filename === '') {
      await readUntil(delimiter, opts.maxFieldBytes);
      continue;
    }
    const keep = delimiter.length - 1;
    async function* body(): AsyncGenerator<Buffer> {
      for (;;) {
        const at = buf.indexOf(delimiter);
        if (at >= 0) {
          if (at > 0) yield Buffer.from(buf.subarray(0, at));
          await drain();
          return;
        }
        // Hold back what could be the start of the delimiter split across chunks.
        if (buf.length > keep) {
          yield Buffer.from(buf.subarray(0, buf.length - keep));
          buf = buf.subarray(buf.length - keep);
        }
        if (!(await more())) throw badRequest('The upload ended before the file was complete.');
      }
    }
    // Browsers may send a path (C:\…\a.pdf); the document's name is the last part of it.
    const name = part.filename.split(/[\\/]/).pop() ?? '';
    return { fields, file: { name, mediaType: part.mediaType, stream: Readable.from(body()) } };
  }
}
