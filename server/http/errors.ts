// The one error handler: every failure leaves as {"error":{"code","message","details"?}}.
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { AppError } from '../../modules/core/errors';
import { insufficientStorage } from '../../modules/storage/blob-store';
import { loggedPath, type Logger } from '../logger';

interface BodyParserError extends Error {
  code?: string;
  type?: string;
  status?: number;
  limit?: number;
}

/** Seconds a client is asked to wait (Retry-After) when the database is unreachable. */
export const DATABASE_RETRY_AFTER_S = 30;

/**
 * The database is down or unreachable: 503, not 500, so clients and load balancers retry rather
 * than report a bug. What was not answered with a receipt did not happen (db/unavailable.ts).
 */
export const databaseUnavailable = () =>
  new AppError(
    503,
    'database_unavailable',
    "The platform's database cannot be reached right now, so this request was not completed. Try again in a minute. A bid counts only once you hold its receipt; without one, submit it again.",
  );

export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) return databaseUnavailable();
  const e = err as BodyParserError;
  // A disk that filled up where the blob store did not expect it (fsync, rename, a directory).
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT') return insufficientStorage("The platform's storage is full, so this upload was not stored. Try again later, or tell the centre.");
  switch (e?.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'malformed_json', `The request body is not valid JSON: ${e.message.replace(/^Unexpected token/, 'unexpected token')}.`);
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', `The request body is larger than the limit of ${e.limit} bytes.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_encoding', 'Send the body as UTF-8 JSON.');
    case 'request.aborted':
      return new AppError(400, 'request_aborted', 'The request was aborted before its body arrived.');
  }
  return null;
}

export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let appError = toAppError(err);
    if (isDatabaseUnavailable(err)) {
      // One line, no stack: while the database is down every request says this.
      log.warn({ code: (err as { code?: string }).code, method: req.method, path: loggedPath(req.path) }, 'database unavailable');
    }
    if (!appError) {
      // Never echo an internal error to the caller: it may carry SQL, paths or data.
      log.error({ err, method: req.method, path: loggedPath(req.path) }, 'unhandled error');
      appError = new AppError(500, 'internal_error', 'Something went wrong on our side; it has been logged. Try again, or tell the centre if it persists.');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.code === 'database_unavailable') res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_S));
    res.status(appError.status).json({
      error: { code: appError.code, message: appError.message, ...(appError.details ? { details: appError.details } : {}) },
    });
  };
}
