// Which errors mean "the database cannot be reached right now" (stopped, restarting, the network to
// it gone) rather than a fault of the request or of our code. The HTTP layer answers those with 503
// and a message a person can act on (server/http/errors.ts), and /healthz reports the database down;
// the server itself keeps running and recovers by itself once the pool reconnects.

/** Socket codes of a connection that failed or was lost: counted only when mysql2 marks the error fatal (a socket error elsewhere is not the database's). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']);

/** MariaDB's own "going away" answers. */
const SERVER_CODES = new Set([
  'ER_SERVER_SHUTDOWN', // 1053: the server is shutting down
  'ER_CON_COUNT_ERROR', // 1040: too many connections
  'ER_CONNECTION_KILLED', // 1927
  'ER_UNKNOWN_COM_ERROR',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; fatal?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  // knex: no connection could be acquired in time (every attempt to open one failed or hung).
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.code === 'string' && SERVER_CODES.has(e.code)) return true;
  if (typeof e.code === 'string' && SOCKET_CODES.has(e.code) && e.fatal === true) return true;
  // mysql2 refuses new queries on a connection that has already died.
  return typeof e.message === 'string' && /connection is in closed state|Can't write in closed state|Connection lost: The server closed the connection/i.test(e.message);
}
