// A plain HTML form's file upload (multipart/form-data), parsed by busboy: the small fields that come
// before the file (the form token first of all) are collected, then the file's bytes are handed on as
// a Readable that holds one chunk at a time, so a tender document reaches the blob store the same way
// the JSON API's raw upload does. One file per form: fields after the file are not read.
//
// `multipartForm(limit)` is the buffered variant for small files (the import page's CSV): req.body
// gets the fields, so `tokens.verify` checks the form token as for any form, and `filesOf(req)` the file.
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import { AppError, badRequest, tooLarge } from '../../modules/core/errors';

export interface UploadedStream {
  /** The form field's name. */
  field: string;
  /** The file's own name: browsers may send a path (C:\…\a.pdf), of which this is the last part. */
  name: string;
  mediaType: string;
  stream: Readable;
}

export interface MultipartUpload {
  fields: Record<string, string>;
  /** The file part, or null when the form carried none (or an empty file input). */
  file: UploadedStream | null;
}

type Incoming = Readable & { headers: Record<string, string | string[] | undefined> };

/** Busboy ends a cut-short file with a plain error: the reader of the file gets a 400 it can show. */
async function* cutShortIsBadRequest(stream: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch {
    throw badRequest('The upload ended before the file was complete.');
  }
}

/** Reads the fields up to the file part; the caller must consume (or destroy) the file's stream. */
export function readMultipartUpload(req: Incoming, opts: { maxFieldBytes: number; maxFields?: number }): Promise<MultipartUpload> {
  return new Promise<MultipartUpload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // Busboy reads urlencoded bodies too: this reader is for multipart only. Browsers send names in UTF-8.
      if (!/^multipart\/form-data\s*;/i.test(String(req.headers['content-type'] ?? ''))) throw new Error('not multipart');
      parser = busboy({ headers: req.headers as IncomingHttpHeaders, defCharset: 'utf8', defParamCharset: 'utf8', limits: { fieldSize: opts.maxFieldBytes, fields: opts.maxFields ?? 20, files: 1 } });
    } catch {
      reject(badRequest('Send the form as multipart/form-data.'));
      return;
    }
    const fields: Record<string, string> = {};
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        settle(() => reject(tooLarge('A form field is too large.')));
        req.unpipe(parser);
        req.resume();
        return;
      }
      if (name && !(name in fields)) fields[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      if (!info.filename || settled) {
        stream.resume(); // an empty file input, or a second file: read past it
        return;
      }
      // Busboy destroys a cut-short file's stream with an error, perhaps before its reader starts.
      stream.on('error', () => {});
      const name = info.filename.split(/[\\/]/).pop() ?? '';
      settle(() => resolve({ fields, file: { field, name, mediaType: info.mimeType.slice(0, 100), stream: Readable.from(cutShortIsBadRequest(stream)) } }));
    });
    parser.on('close', () => settle(() => resolve({ fields, file: null })));
    parser.on('error', () => settle(() => reject(badRequest('The form ended before it was complete.'))));
    req.pipe(parser);
  });
}

export interface UploadedFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

/**
 * Middleware: reads a multipart body of at most `limit` bytes into req.body (the text fields) and
 * req.files. A larger body is refused with 413 before it is all read.
 */
export function multipartForm(limit: number) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    if (!/^multipart\/form-data/i.test(String(req.headers['content-type'] ?? ''))) return next(new AppError(415, 'unsupported_media_type', 'Send the form as multipart/form-data.'));
    if (Number(req.headers['content-length'] ?? 0) > limit) return next(tooLarge(`The upload is larger than ${limit} bytes.`));
    try {
      const form = await readMultipartUpload(req, { maxFieldBytes: 64 * 1024 });
      const files: UploadedFile[] = [];
      if (form.file) {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of form.file.stream) {
          size += (chunk as Buffer).length;
          if (size > limit) {
            form.file.stream.destroy();
            req.resume();
            throw tooLarge(`The upload is larger than ${limit} bytes.`);
          }
          chunks.push(chunk as Buffer);
        }
        files.push({ field: form.file.field, filename: form.file.name, bytes: Buffer.concat(chunks) });
      }
      req.body = form.fields;
      (req as Request & { files?: UploadedFile[] }).files = files;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export const filesOf = (req: Request): UploadedFile[] => (req as Request & { files?: UploadedFile[] }).files ?? [];
