// Cuts off a request whose body arrives too slowly: every `windowMs` the bytes read from its socket
// in that window are counted, and fewer than minBytesPerSecond × window ends the request with 408.
// Destroying the request then fails the upload's stream, which removes its temporary file.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../modules/core/errors';

export interface SlowBodyOptions {
  /** 0 turns the guard off. */
  minBytesPerSecond: number;
  windowMs: number;
}

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

export function slowBodyGuard({ minBytesPerSecond, windowMs }: SlowBodyOptions) {
  const minPerWindow = (minBytesPerSecond * windowMs) / 1000;
  // Where on its connection the previous request ended, so that the first window of the next one
  // counts the body bytes that came in together with its headers.
  const endOfPrevious = new WeakMap<object, number>();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (minBytesPerSecond === 0) return next();
    const socket = req.socket;
    res.once('finish', () => endOfPrevious.set(socket, socket.bytesRead));
    if (!hasBody(req) || req.complete) return next();
    let last = endOfPrevious.get(socket) ?? 0;
    const timer = setInterval(() => {
      if (req.complete || res.writableEnded) return stop();
      const read = socket.bytesRead - last;
      last = socket.bytesRead;
      if (read >= minPerWindow) return;
      stop();
      const message = `The request body arrived at ${Math.round((read * 1000) / windowMs)} bytes per second, below the minimum of ${minBytesPerSecond}; the upload was cut off and nothing was stored. Send it again over a faster connection.`;
      const error = new AppError(408, 'request_timeout', message);
      if (!res.headersSent) {
        res
          .status(408)
          .set('Connection', 'close')
          .json({ error: { code: error.code, message } });
        res.once('finish', () => req.destroy(error));
      } else {
        req.destroy(error);
      }
    }, windowMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    req.once('end', stop);
    res.once('close', stop);
    next();
  };
}
