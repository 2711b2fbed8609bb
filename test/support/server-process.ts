// A real etender server (server/main.ts) in a child process, for end-to-end tests: start it,
// wait for its log lines, find its port, stop it gracefully. From source through tsx, or a build's
// server/main.js on plain node.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'server/main.ts');

export interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Waits until stdout matches `re`; fails early if the process exits first. */
  waitForStdout(re: RegExp, ms: number): Promise<RegExpMatchArray>;
}

export const children: Started[] = [];

export interface StartOptions {
  /** The directory `npm run build` wrote (dist/, or --out DIR): runs its server/main.js on plain node, in that directory. */
  build?: string;
}

export function start(env: Record<string, string | undefined>, options: StartOptions = {}): Started {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'PORT', 'HOST', 'NODE_ENV', 'DEMO', 'SESSION_SECRET', 'CODE_PREFIX', 'SCHEDULER_INTERVAL_MS', 'COOKIE_SECURE', 'TRUST_PROXY']) {
    delete childEnv[name];
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  // Key material of a test server stays in its own data directory, never in the checkout's certs/.
  if (!childEnv.CERTS_DIR && childEnv.DATA_DIR) childEnv.CERTS_DIR = path.join(childEnv.DATA_DIR, 'certs');
  // A build runs as production does: no loader flags passed down through the environment.
  if (options.build) delete childEnv.NODE_OPTIONS;
  const args = options.build ? [path.join(options.build, 'server/main.js')] : ['--import', 'tsx', MAIN];
  const child = spawn(process.execPath, args, { cwd: options.build ?? ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const started: Started = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout(re, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${re} on stdout within ${ms} ms\nstdout:\n${out}\nstderr:\n${err}`));
        }, ms);
        const onExit = () => {
          // Output may still be in the pipe when 'exit' fires; 'close' comes after it is drained.
          child.once('close', () => {
            const m = out.match(re);
            done();
            if (m) resolve(m);
            else reject(new Error(`the server exited (${child.exitCode ?? child.signalCode}) before ${re} appeared\nstdout:\n${out}\nstderr:\n${err}`));
          });
        };
        const done = () => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout!.on('data', check);
        if (child.exitCode !== null || child.signalCode !== null) onExit();
        else child.once('exit', onExit);
        check();
      });
    },
  };
  children.push(started);
  return started;
}

export function isRunning(s: Started): boolean {
  return s.child.exitCode === null && s.child.signalCode === null;
}

/** Waits for the exit of a process, at most `ms`. */
export async function exitWithin(s: Started, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms} ms\nstdout:\n${s.stdout()}\nstderr:\n${s.stderr()}`)), ms);
  });
  try {
    return await Promise.race([s.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM (graceful shutdown), then SIGKILL if it takes too long; resolves once it has exited. */
export async function stop(s: Started): Promise<void> {
  if (!isRunning(s)) return;
  s.child.kill('SIGTERM');
  try {
    await exitWithin(s, 10_000);
  } catch {
    s.child.kill('SIGKILL');
    await s.exited;
  }
}

/** The port from the JSON log line "etender listening on http://127.0.0.1:PORT …". */
export async function listeningPort(s: Started): Promise<number> {
  const m = await s.waitForStdout(/^\{.*"msg":"etender listening on http:\/\/127\.0\.0\.1:(\d+)[^\n]*\}$/m, 30_000);
  const line = JSON.parse(m[0]) as { port: number; msg: string };
  expect(line.port).to.be.a('number').and.to.be.greaterThan(0);
  expect(m[1]).to.equal(String(line.port));
  return line.port;
}

/** The demo accounts table that the first start prints: username → {role, password}. */
export function demoAccounts(stdout: string): Map<string, { role: string; password: string }> {
  const accounts = new Map<string, { role: string; password: string }>();
  for (const m of stdout.matchAll(/^ {2}(\S+)\s+(\S+)\s{2,}(\S+)$/gm)) accounts.set(m[2]!, { role: m[1]!, password: m[3]! });
  return accounts;
}
