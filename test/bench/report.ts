// Shared pieces of `npm run bench`: the result rows every benchmark returns, the table they are
// printed in, and clean-up that also runs when the run is interrupted (Ctrl-C, SIGTERM), so that a
// 1 GB temporary file or a child server is never left behind.
//
// Every benchmark measures a floor and the case under test in the same run on the same machine
// and reports their RATIO; nothing is compared with an absolute time, which would depend on the
// machine. A row with a bound fails the run when its ratio is beyond the bound; a row without a
// bound is information only.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, type StartOptions } from '../support/server-process';

export interface BenchRow {
  bench: string;
  metric: string;
  /** The floor, formatted with its unit. */
  floor: string;
  /** The case under test, formatted with its unit. */
  measured: string;
  ratio: number;
  /** The largest allowed ratio; null for information-only rows. */
  bound: number | null;
  /** How the bound reads to a person (e.g. "≤ 3", "floor + 64 MiB"). */
  boundText: string;
}

export interface BenchResult {
  name: string;
  rows: BenchRow[];
  /** What was actually done (sizes, counts, engine), printed under the table. */
  notes: string[];
  /** Checks that are not ratios (e.g. "the proofs verify"): a message each that failed. */
  errors: string[];
}

export const passes = (row: BenchRow): boolean => row.bound === null || (Number.isFinite(row.ratio) && row.ratio <= row.bound);

export const failed = (result: BenchResult): boolean => result.errors.length > 0 || result.rows.some((r) => !passes(r));

export const MiB = 1024 * 1024;

export const fmtMiB = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** A file size: whole MiB without decimals ("16 MiB", "1024 MiB"). */
export const fmtSize = (bytes: number): string => (bytes % MiB === 0 ? `${bytes / MiB} MiB` : fmtMiB(bytes));

export function fmtMs(ms: number): string {
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

/** Display width: CJK and other wide characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

export function table(rows: BenchRow[]): string {
  const header = ['benchmark', 'metric', 'floor', 'measured', 'ratio', 'bound', 'result'];
  const body = rows.map((r) => [
    r.bench,
    r.metric,
    r.floor,
    r.measured,
    Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : String(r.ratio),
    r.boundText,
    r.bound === null ? 'info' : passes(r) ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((b) => width(b[i]!))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

export function printResult(result: BenchResult): void {
  process.stdout.write(`\n${result.name}\n${table(result.rows)}\n`);
  for (const note of result.notes) process.stdout.write(`  - ${note}\n`);
  for (const error of result.errors) process.stdout.write(`  FAIL: ${error}\n`);
}

/** Progress lines go to stderr so that stdout holds the tables only. */
export const progress = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

// -------------------------------------------------------------------------------------------
// Clean-up. Each benchmark cleans up in `finally`, and registers clean-ups (kill a child and wait
// for it, remove a directory) that also run on SIGINT/SIGTERM/SIGHUP. The handler stays installed
// and ignores repeats: Ctrl-C reaches this process directly and again through `npm run` and the
// tsx wrapper, and a second SIGINT must not kill it half-way through cleaning up. If the process
// is killed outright (SIGKILL), the next run sweeps what it left: every temporary directory is
// named after the pid of the run that made it (see benchTempDir and sweepStale).

const cleanups = new Set<() => void | Promise<void>>();
let installed = false;
let cleaning = false;

export function onInterrupt(fn: () => void | Promise<void>): () => void {
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (cleaning) return;
        cleaning = true;
        process.stderr.write(`\n[bench] ${signal}: cleaning up\n`);
        setTimeout(() => process.exit(130), 15_000).unref(); // give up rather than hang
        void (async () => {
          for (const c of [...cleanups].reverse()) {
            try {
              await c();
            } catch {
              /* best effort */
            }
          }
          process.exit(130);
        })();
      });
    }
  }
  cleanups.add(fn);
  return () => void cleanups.delete(fn);
}

/**
 * Removes a directory tree, retrying while a process that is going away still writes into it.
 * Asynchronous on purpose: unlinking a 1 GB file takes a while, and the event loop must stay free
 * to answer signals (the tsx wrapper SIGKILLs a child that does not acknowledge a relayed signal
 * within 30 ms).
 */
export async function removeDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

/**
 * Which server the benchmarks start: the TypeScript source through tsx (default), or with
 * BENCH_SERVER=dist the build in dist/ on plain node (`npm run build` first), as `npm start` runs it.
 */
export function benchServer(): { options: StartOptions; label: string } {
  const which = process.env.BENCH_SERVER ?? 'source';
  if (which === 'source') return { options: {}, label: 'server/main.ts through tsx' };
  if (which !== 'dist') throw new Error(`BENCH_SERVER must be "source" or "dist"; got "${which}"`);
  const build = path.join(ROOT, 'dist');
  if (!fs.existsSync(path.join(build, 'server/main.js'))) throw new Error('BENCH_SERVER=dist: there is no dist/server/main.js; run npm run build first');
  return { options: { build }, label: 'dist/server/main.js on plain node' };
}

const PREFIX = 'etender-bench-';

/** A new temporary directory named after this process: etender-bench-<pid>-<kind>-XXXXXX. */
export function benchTempDir(kind: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-${kind}-`));
}

/** A child process that must not outlive the run; a killed run's successor stops it. */
export function recordChild(dir: string, pid: number): void {
  fs.writeFileSync(path.join(dir, '.bench-child-pid'), String(pid));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the temporary directories of earlier runs that were killed before they could clean up,
 * and stops the child server such a run left behind, but only if that process still runs with
 * DATA_DIR set to the directory (so a reused pid is never hit). Directories of runs that are still
 * alive are left alone.
 */
export async function sweepStale(): Promise<void> {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.match(/^etender-bench-(\d+)-/);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      const child = Number(fs.readFileSync(path.join(dir, '.bench-child-pid'), 'utf8'));
      const environ = fs.readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
      if (environ.includes(`DATA_DIR=${dir}`)) process.kill(child, 'SIGKILL');
    } catch {
      /* no child recorded, or it is gone */
    }
    progress(`removing ${dir}, left by an earlier run that was killed`);
    try {
      await removeDir(dir);
    } catch {
      /* someone else's: leave it */
    }
  }
}

/** True when the module at `metaUrl` is the script node was started with. */
export async function isMain(metaUrl: string): Promise<boolean> {
  const { pathToFileURL } = await import('node:url');
  return !!process.argv[1] && pathToFileURL(process.argv[1]).href === metaUrl;
}
