// A plain HTML file upload (multipart/form-data) of one small file and a few text fields, read into
// memory within a byte limit: what the import page's form sends, so that it works without a script.
// Not a general multipart parser: no nested parts, no transfer encodings, at most a few parts.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../modules/core/errors';

export interface UploadedFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

const MAX_PARTS = 10;

/** Splits a multipart body by its boundary into fields and files; throws a 400 on a malformed body. */
export function parseMultipart(body: Buffer, contentType: string): { fields: Record<string, string>; files: UploadedFile[] } {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) throw new AppError(400, 'bad_request', 'The form upload has no multipart boundary.');
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new AppError(400, 'bad_request', 'The form upload is not a multipart body.');
  for (let parts = 0; ; parts++) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') break; // the closing delimiter
    if (parts >= MAX_PARTS) throw new AppError(400, 'bad_request', 'The form upload has too many parts.');
    const headEnd = body.indexOf('\r\n\r\n', at);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), at);
    if (headEnd < 0 || next < 0 || headEnd > next) throw new AppError(400, 'bad_request', 'The form upload is cut short.');
    const head = body.subarray(at, headEnd).toString('utf8');
    const content = body.subarray(headEnd + 4, next);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) files.push({ field: name, filename, bytes: Buffer.from(content) });
      else fields[name] = content.toString('utf8');
    }
    at = next + 2;
  }
  return { fields, files };
}

/**
 * Middleware: reads a multipart body of at most `limit` bytes into req.body (the text fields, so the
 * form token is checked as for any form) and req.files. A larger body is refused with 413 before it is all read.
 */
export function multipartForm(limit: number) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^multipart\/form-data/i.test(type)) return next(new AppError(415, 'unsupported_media_type', 'Send the form as multipart/form-data.'));
    if (Number(req.headers['content-length'] ?? 0) > limit) return next(new AppError(413, 'payload_too_large', `The upload is larger than ${limit} bytes.`));
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > limit) throw new AppError(413, 'payload_too_large', `The upload is larger than ${limit} bytes.`);
        chunks.push(chunk as Buffer);
      }
      const { fields, files } = parseMultipart(Buffer.concat(chunks), type);
      req.body = fields;
      (req as Request & { files?: UploadedFile[] }).files = files;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export const filesOf = (req: Request): UploadedFile[] => (req as Request & { files?: UploadedFile[] }).files ?? [];
