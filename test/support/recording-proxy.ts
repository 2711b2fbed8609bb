// A loopback HTTP proxy in front of a test server that keeps every request it passes on, body
// included: the evidence of what the server received. The browser's own request log cannot show
// a body it streams from a Blob (an XMLHttpRequest upload), so tests of what leaves the browser
// read it here. The Host header passes unchanged, so the server sees the origin the browser used.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RecordingProxy {
  base: string;
  received: Recorded[];
  close(): Promise<void>;
}

export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const received: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    // Kept from its first byte, so that a request cut off halfway is on the list too.
    const entry: Recorded = { method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname, headers: req.headers, body: Buffer.alloc(0) };
    received.push(entry);
    // Both listeners are attached now, before any data flows: each sees every chunk.
    req.on('data', (c: Buffer) => chunks.push(c));
    const keep = () => {
      entry.body = Buffer.concat(chunks);
    };
    req.on('end', keep);
    req.on('close', keep);
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
