// One structured logger. Secrets never reach it: request bodies are not logged, and the fields
// that could carry a credential are redacted should anyone pass them.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: undefined,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'share', '*.share', 'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Paths that would tell a reader of the logs who bids where before the deadline — a submission to
 * a section, a bidder's own bids, a bid by id, the portal's bid form — are logged with their ids
 * replaced by ":id". Other paths are logged as they are.
 */
const BID_PATHS: Array<[RegExp, string]> = [
  [/^\/api\/sections\/[^/]+\/(bids|my-bids)\/?$/, '/api/sections/:id/$1'],
  [/^\/api\/bids\/[^/]+(\/.*)?$/, '/api/bids/:id$1'],
  [/^\/sections\/[^/]+\/bid\/?$/, '/sections/:id/bid'],
];

export function loggedPath(path: string): string {
  for (const [re, replacement] of BID_PATHS) if (re.test(path)) return path.replace(re, replacement);
  return path;
}
