// A small HTTP client for the CLI: JSON calls with a bearer token, and a streamed file upload with
// progress. Errors from the server are shown with their message, never half-reported.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
}

function endpoint(base: string, path: string): URL {
  let url: URL;
  try {
    url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new ApiError(0, 'bad_url', `"${base}" is not a URL; use e.g. --url http://127.0.0.1:3000`);
  }
  return url;
}

async function readJson(res: Response | http.IncomingMessage): Promise<unknown> {
  if ('json' in res && typeof res.json === 'function') {
    const text = await (res as Response).text();
    return text ? JSON.parse(text) : null;
  }
  const chunks: Buffer[] = [];
  for await (const c of res as http.IncomingMessage) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : null;
}

function fail(status: number, body: unknown): never {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  throw new ApiError(status, error?.code ?? 'http_error', error?.message ?? `the server answered HTTP ${status}`);
}

export async function apiJson<T>(opts: ApiClientOptions, method: string, path: string, body?: unknown): Promise<T> {
  const url = endpoint(opts.baseUrl, path);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'unreachable', `cannot reach ${url.origin}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const parsed = await readJson(res).catch(() => null);
  if (!res.ok) fail(res.status, parsed);
  return parsed as T;
}

/**
 * Streams a file as the request body with its exact Content-Length, reporting progress. A
 * connection that breaks is an error: the server counts only uploads it confirmed with a receipt.
 */
export async function apiUpload<T>(opts: ApiClientOptions, path: string, file: string, headers: Record<string, string>, onProgress?: (sent: number, total: number) => void): Promise<T> {
  const url = endpoint(opts.baseUrl, path);
  const total = fs.statSync(file).size;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<T>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          'content-type': 'application/octet-stream',
          'content-length': String(total),
        },
      },
      (res) => {
        readJson(res)
          .then((body) => {
            if ((res.statusCode ?? 500) >= 400) {
              try {
                fail(res.statusCode ?? 500, body);
              } catch (err) {
                reject(err);
              }
            } else resolve(body as T);
          })
          .catch(() => reject(new ApiError(res.statusCode ?? 0, 'bad_response', `the server answered HTTP ${res.statusCode} without a readable body`)));
      },
    );
    req.on('error', (err) => reject(new ApiError(0, 'upload_failed', `the upload broke off (${err.message}); nothing counts until you have a receipt — submit again`)));
    let sent = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _e, done) {
        sent += chunk.length;
        onProgress?.(sent, total);
        done(null, chunk);
      },
    });
    pipeline(fs.createReadStream(file), meter, req).catch(() => {
      /* reported by req's error handler or the response */
    });
  });
}
