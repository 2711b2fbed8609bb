// The real server (server/main.ts) in a child process: it listens on 127.0.0.1 by default, tightens
// the files of an older install at start, and does not let a client hold a connection with headers
// or a body that never finish (Node's headers and request timeouts, the minimum body rate).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createMysqlDatabase } from '../support/test-db';
import { children, listeningPort, start, stop, type Started } from '../support/server-process';

/** Sends `head` (and nothing more) on a raw connection; resolves with all the server wrote before it closed. */
function rawExchange(port: number, head: string, onConnect?: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      onConnect?.(socket);
    });
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (got += c));
    socket.on('close', () => resolve(got));
    socket.on('error', (err) => (got ? resolve(got) : reject(err)));
  });
}

const modeOf = (p: string) => fs.lstatSync(p).mode & 0o777;

describe('server hardening (server/main.ts)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let server: Started;
  let port: number;
  let dropDatabase: (() => Promise<void>) | undefined;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-hardening-'));
    // An older install: readable by everyone.
    fs.chmodSync(dataDir, 0o755);
    fs.mkdirSync(path.join(dataDir, 'blobs', 'ab', 'cd'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, 'blobs', 'ab', 'cd', 'abcd-old-blob'), 'old', { mode: 0o644 });
    fs.writeFileSync(path.join(dataDir, 'session-secret'), 'an-old-secret-of-enough-length', { mode: 0o644 });
    fs.mkdirSync(path.join(dataDir, 'certs'), { mode: 0o755 });
    let databaseUrl: string | undefined;
    if (process.env.DATABASE_URL) {
      const mysql = await createMysqlDatabase(process.env.DATABASE_URL);
      databaseUrl = mysql.url;
      dropDatabase = mysql.drop;
    }
    server = start({
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      DEMO: 'false',
      LOG_LEVEL: 'info',
      HEADERS_TIMEOUT_MS: '500',
      REQUEST_TIMEOUT_MS: '3000',
      UPLOAD_MIN_BYTES_PER_SECOND: '1',
      UPLOAD_RATE_WINDOW_MS: '1000',
    });
    port = await listeningPort(server);
  });

  after(async () => {
    await Promise.all(children.splice(0).map(stop));
    await dropDatabase?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 when HOST is not set, and says so', () => {
    const line = server
      .stdout()
      .split('\n')
      .find((l) => l.includes('etender listening on'))!;
    expect(JSON.parse(line)).to.include({ host: '127.0.0.1', port });
  });

  it('leaves every file 0600 and every directory 0700 under DATA_DIR and CERTS_DIR, old ones included', () => {
    const entries = [dataDir, ...fs.readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).map((p) => path.join(dataDir, p))];
    expect(entries.length).to.be.greaterThan(8);
    for (const p of entries) {
      const st = fs.lstatSync(p);
      expect(`${path.relative(dataDir, p) || '.'}: 0${modeOf(p).toString(8)}`).to.equal(`${path.relative(dataDir, p) || '.'}: ${st.isDirectory() ? '0700' : '0600'}`);
    }
    // data, blobs, blobs/ab, blobs/ab/cd, the old blob, the session secret, certs
    expect(server.stdout()).to.match(/"entries":7,"msg":"files and directories under DATA_DIR and CERTS_DIR were readable by others/);
  });

  it('answers 408 and closes a connection whose headers never finish (HEADERS_TIMEOUT_MS)', async () => {
    const got = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(got).to.match(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 and closes a request whose body is still arriving after REQUEST_TIMEOUT_MS', async () => {
    // 2 bytes every 100 ms: above the 1 byte/s minimum rate, but the body never ends.
    let timer: NodeJS.Timeout | undefined;
    const got = await rawExchange(port, 'POST /api/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"', (socket) => {
      timer = setInterval(() => socket.write('  '), 100);
    });
    clearInterval(timer);
    expect(got).to.match(/^HTTP\/1\.1 408 /);
  });

  it('cuts off a body that stops arriving with 408 and a message (UPLOAD_MIN_BYTES_PER_SECOND)', async () => {
    const got = await rawExchange(port, 'POST /api/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":');
    expect(got).to.match(/^HTTP\/1\.1 408 /);
    expect(got).to.include('"code":"request_timeout"').and.to.include('below the minimum of 1');
    expect(server.stdout()).to.not.include('unhandled error');
  });

  it('still serves ordinary requests', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).to.equal(200);
  });
});
