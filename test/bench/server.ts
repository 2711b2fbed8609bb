// The benchmarks' server side, shared by upload-memory.ts and deadline-surge.ts: start the real
// server (source through tsx or the build, BENCH_SERVER) in a child process and read its idle RSS
// once it has settled; sample its resident set during a measured stretch; start and stop the small
// helper servers (floors, sinks) that a benchmark compares against.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listeningPort, start, type Started } from '../support/server-process';
import { benchServer, recordChild } from './report';

const SAMPLE_MS = 50;
/** How long a started server is left alone before its idle RSS is read (timers, first GC). */
const SETTLE_MS = 1000;

// ---------------------------------------------------------------------------------------------
// /proc

export function procField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) * 1024;
}

/** Resets the peak (VmHWM) to the current RSS; false when the kernel does not allow it. */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface RssPeak {
  /** RSS when sampling started. */
  before: number;
  /** Max of VmRSS every SAMPLE_MS ms and, where it could be reset at the start, VmHWM. */
  peak: number;
  samples: number;
  hwmReset: boolean;
}

/** Samples `pid`'s RSS from now until the returned function is called, which answers the peak. */
export function sampleRss(pid: number): () => RssPeak {
  const before = procField(pid, 'VmRSS');
  const hwmReset = resetPeak(pid);
  let peak = before;
  let samples = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, procField(pid, 'VmRSS'));
      samples++;
    } catch {
      /* the process is gone: the measured requests say so */
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return () => {
    clearInterval(timer);
    sample();
    if (hwmReset) {
      try {
        peak = Math.max(peak, procField(pid, 'VmHWM'));
      } catch {
        /* gone */
      }
    }
    return { before, peak, samples, hwmReset };
  };
}

export const RSS_SAMPLE_MS = SAMPLE_MS;

// ---------------------------------------------------------------------------------------------
// The platform's server

export interface BenchServer {
  server: Started;
  base: string;
  pid: number;
  /** RSS after the start and a settling pause, before any request. */
  idleRss: number;
  /** server/main.ts through tsx, or the build. */
  label: string;
}

/**
 * Starts the real server on `env` (DATA_DIR etc.; PORT 0 on 127.0.0.1 unless given), records its
 * pid in DATA_DIR so that a killed run's successor stops it, waits until it listens and settles,
 * and reads its idle RSS. `cpuProfileDir`: the server writes a V8 CPU profile there when it stops
 * (--cpu-prof is not allowed in NODE_OPTIONS, so a preloaded module runs the inspector's profiler).
 * `onStarted` gets the child as soon as it exists, for the caller's Ctrl-C clean-up.
 */
export async function startBenchServer(env: Record<string, string | undefined>, opts: { cpuProfileDir?: string; onStarted?: (s: Started) => void } = {}): Promise<BenchServer> {
  const which = benchServer();
  let nodeOptions = env.NODE_OPTIONS ?? process.env.NODE_OPTIONS;
  if (opts.cpuProfileDir) {
    const preload = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'cpu-profile-preload.mjs')).href;
    nodeOptions = `${nodeOptions ?? ''} --import ${preload}`.trim();
  }
  const server = start({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, NODE_OPTIONS: nodeOptions, ETENDER_CPU_PROFILE_DIR: opts.cpuProfileDir }, which.options);
  opts.onStarted?.(server);
  const base = `http://127.0.0.1:${await listeningPort(server)}`;
  const pid = server.child.pid!;
  if (env.DATA_DIR) recordChild(env.DATA_DIR, pid);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return { server, base, pid, idleRss: procField(pid, 'VmRSS'), label: which.label };
}

// ---------------------------------------------------------------------------------------------
// Helper servers (floors, sinks): a node script in its own process that prints "<marker> <port>"

/**
 * Runs `script` (CommonJS, node -e) with `args` and waits for the line "`marker` <port>". The
 * script must exit when its stdin closes, so that it never outlives the benchmark (even SIGKILL
 * closes that pipe).
 */
export async function startHelper(script: string, args: string[], marker: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const re = new RegExp(`${marker} (\\d+)`);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = out.match(re);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the helper server ("${marker}") exited (${code}) before listening`)));
  });
  return { child, port };
}

/** SIGTERM, and wait until it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** SIGKILL every child still running, and wait until all are gone (for Ctrl-C clean-up). */
export async function killChildren(children: Array<ChildProcess | undefined>): Promise<void> {
  const gone = children
    .filter((c): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null)
    .map((c) => {
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      return exited;
    });
  await Promise.all(gone);
}
