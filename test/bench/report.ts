// Shared pieces of `npm run bench`: the result rows every benchmark returns, the table they are
// printed in, and clean-up that also runs when the run is interrupted (Ctrl-C, SIGTERM), so that a
// 1 GB temporary file or a child server is never left behind.
//
// Every benchmark measures a floor and the case under test in the same run on the same machine
// and reports their RATIO; nothing is compared with an absolute time, which would depend on the
// machine. A row with a bound fails the run when its ratio is beyond the bound; a row without a
// bound is information only.

import fs from 'node:fs';

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
  const body = rows.map((r) => [r.bench, r.metric, r.floor, r.measured, Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : String(r.ratio), r.boundText, r.bound === null ? 'info' : passes(r) ? 'PASS' : 'FAIL']);
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
// Clean-up on interruption. Each benchmark registers synchronous clean-ups (kill a child, remove
// a directory) for the time it owns the resource, and also cleans up normally in `finally`.

const cleanups = new Set<() => void | Promise<void>>();
let installed = false;

export function onInterrupt(fn: () => void | Promise<void>): () => void {
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        process.stderr.write(`\n[bench] ${signal}: cleaning up\n`);
        // Give up after 15 s rather than hang; a second signal still ends the process at once.
        setTimeout(() => process.exit(130), 15_000).unref();
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

/** Removes a directory tree, retrying while a process that is going away still writes into it. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

/** True when the module at `metaUrl` is the script node was started with. */
export async function isMain(metaUrl: string): Promise<boolean> {
  const { pathToFileURL } = await import('node:url');
  return !!process.argv[1] && pathToFileURL(process.argv[1]).href === metaUrl;
}
