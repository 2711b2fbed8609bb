// A private MariaDB server for a fault test that stops the database: its own temporary datadir,
// port and socket, so that the machine's MariaDB on 3306 (which other tests use) is never touched.
// Started by hand as a plain server is (cf. ../shared/galera/cluster.sh single-start): a fresh
// datadir from mariadb-install-db, root with an empty password, root@127.0.0.1 granted so that the
// app connects over TCP. It can be killed (SIGKILL: a crash) and started again on the same datadir.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PrivateMariaDb {
  port: number;
  /** mysql://root@127.0.0.1:PORT/<database> */
  url(database: string): string;
  start(): Promise<void>;
  /** SIGKILL: the server is gone at once, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  /** Graceful stop and removal of the datadir. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function privateMariaDb(): Promise<PrivateMariaDb> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'etender-fault-mariadb-'));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'mysql' : os.userInfo().username;
  const datadir = path.join(base, 'data');
  const socket = path.join(base, 'mysql.sock');
  fs.mkdirSync(datadir);
  fs.mkdirSync(path.join(base, 'tmp'));
  if (asRoot) {
    fs.chmodSync(base, 0o755);
    execFileSync('chown', ['-R', user, base]);
  }
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'pipe' });
  const port = await freePort();
  const args = [
    '--no-defaults',
    `--user=${user}`,
    `--datadir=${datadir}`,
    `--socket=${socket}`,
    `--pid-file=${path.join(base, 'mysqld.pid')}`,
    `--log-error=${path.join(base, 'error.log')}`,
    `--tmpdir=${path.join(base, 'tmp')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
    '--performance-schema=OFF',
    '--innodb-buffer-pool-size=64M',
    '--innodb-log-file-size=16M',
  ];
  let child: ChildProcess | null = null;
  let granted = false;
  const sql = (statement: string) => execFileSync('mariadb', ['--no-defaults', '--protocol=socket', '-S', socket, '-uroot', '-N', '-B', '-e', statement], { stdio: 'pipe' });
  const up = () => {
    try {
      sql('SELECT 1');
      return true;
    } catch {
      return false;
    }
  };
  const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => c.once('exit', () => resolve())));

  const db: PrivateMariaDb = {
    port,
    url: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
    async start() {
      const c = spawn('mariadbd', args, { stdio: 'ignore', detached: true });
      child = c;
      const t0 = Date.now();
      while (!up()) {
        if (c.exitCode !== null) throw new Error(`mariadbd exited (${c.exitCode}) at start:\n${fs.readFileSync(path.join(base, 'error.log'), 'utf8').slice(-3000)}`);
        if (Date.now() - t0 > 60_000) throw new Error('mariadbd did not answer within 60 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!granted) {
        sql("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;");
        granted = true;
      }
    },
    async kill() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
      child = null;
    },
    async destroy() {
      if (child) {
        child.kill('SIGTERM');
        const c = child;
        const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
        await exited(c);
        clearTimeout(timer);
        child = null;
      }
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  process.once('exit', () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });
  return db;
}
