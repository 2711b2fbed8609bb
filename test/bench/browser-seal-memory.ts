// Benchmark: the sealing page's memory in Chromium with a 500 MiB attachment.
//
// The real app (createTestApp, SQLite in a temporary directory, maxBidBytes 600 MiB so that the
// big bid is accepted) listens on 127.0.0.1; Debian's Chromium (playwright-core, headless) opens
// /sections/:id/bid, a bidder's token is typed, the file is chosen with setInputFiles (a local
// browser reads it from disk) and the page seals, signs and uploads it. Twice, in fresh pages: a
// 16 MiB floor, then the big one (BENCH_BROWSER_MIB, default 500).
//
// Memory, sampled every 100 ms while the page works:
//  - the page's JS heap: CDP Performance.getMetrics JSHeapUsedSize (ArrayBuffers are outside the
//    V8 heap, so this alone would hide a file held in memory);
//  - the renderer processes' resident set: /proc/<pid>/status VmRSS, and VmHWM after resetting it
//    through /proc/<pid>/clear_refs where the kernel allows (pids: Chromium's processes under ours);
//  - the browser process's, information only: that is where Chromium keeps Blob data (the sealed
//    file), paging it to disk beyond its in-memory quota.
// Bound: the renderer's peak with the big file ≤ its peak with the floor + 128 MiB (a page that
// held the file would exceed it by a multiple of the file's size). JS heap rows are information.
//
// The same script measures the page before streaming (no #seal-progress): check out the older
// commit, lift its 200 MB cap, and run this file there. Not part of npm test.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { chromium, type BrowserContext } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app';
import { publishedSection } from '../support/bidding';
import { findTool } from '../support/tools';
import { MiB, benchTempDir, failed, fmtMiB, fmtSize, isMain, onInterrupt, printResult, progress, removeDir, sweepStale, type BenchResult } from './report';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FLOOR_BYTES = 16 * MiB;
const SAMPLE_MS = 100;
export const RENDERER_GROWTH_BOUND_BYTES = 128 * MiB;

function bigBytes(): number {
  const raw = process.env.BENCH_BROWSER_MIB;
  if (!raw) return 500 * MiB;
  if (!/^\d+$/.test(raw) || Number(raw) < 32 || Number(raw) > 4096) throw new Error(`BENCH_BROWSER_MIB must be a whole number from 32 to 4096; got "${raw}"`);
  return Number(raw) * MiB;
}

function procKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null; // the process is gone
  }
}

function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Chromium's processes, found as this process's descendants in /proc (Playwright starts Chromium as
 * our child): the browser process (no --type) and the renderers (--type=renderer).
 */
function chromiumProcesses(): Array<{ id: number; type: string }> {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The field after the parenthesised command name (which may hold spaces) is the state, then the ppid.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  const out: Array<{ id: number; type: string }> = [];
  for (const pid of parents.keys()) {
    if (!mine(pid)) continue;
    let cmdline: string[];
    try {
      // Chromium's child processes rewrite their title: one string with spaces rather than NULs.
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    } catch {
      continue;
    }
    if (!/chrom/i.test(path.basename(cmdline[0] ?? ''))) continue;
    const type = cmdline.find((a) => a.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
    out.push({ id: pid, type });
  }
  return out;
}

function writeRandomFile(file: string, size: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let left = size; left > 0; left -= 16 * MiB) fs.writeSync(fd, crypto.randomBytes(Math.min(16 * MiB, left)));
  } finally {
    fs.closeSync(fd);
  }
}

interface RunMeasure {
  seconds: number;
  heapPeak: number;
  rendererPeak: number;
  browserPeak: number;
  peakSource: string;
  streaming: boolean;
  sealedSize: number | null;
  /** The renderer's largest sampled RSS in each phase. */
  phases: string;
  /** The page crashed (out of memory) before it had a receipt; the peaks are those until then. */
  crashed: boolean;
}

async function sealOnce(context: BrowserContext, base: string, t: TestApp, sectionId: string, file: string): Promise<RunMeasure> {
  const page = await context.newPage();
  try {
    page.on('requestfailed', (r) => progress(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.setDefaultTimeout(15 * 60_000);
    await page.goto(`${base}/sections/${sectionId}/bid`);
    await page.locator('#bid-form[data-ready="1"]').waitFor({ state: 'attached' });
    const streaming = (await page.locator('#seal-progress').count()) > 0;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.locator('#token').fill(t.users.bidderA.token);
    await page.locator('#price').fill('934567.80');
    await page.locator('#files').setInputFiles(file);

    const processes = chromiumProcesses();
    const renderers = processes.filter((p) => p.type === 'renderer').map((p) => p.id);
    const browserPid = processes.find((p) => p.type === 'browser')?.id ?? null;
    const hwm = [...renderers, ...(browserPid ? [browserPid] : [])].every(resetPeak);
    let heapPeak = 0;
    const rssPeak = new Map<number, number>();
    /** The largest renderer RSS seen in each phase the progress bar shows (the page before streaming has none). */
    const byPhase = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        let renderer = 0;
        for (const pid of [...renderers, ...(browserPid ? [browserPid] : [])]) {
          const rss = procKb(pid, 'VmRSS');
          if (rss !== null) rssPeak.set(pid, Math.max(rssPeak.get(pid) ?? 0, rss));
          if (rss !== null && pid !== browserPid) renderer = Math.max(renderer, rss);
        }
        const phase = streaming
          ? ((await page
              .locator('#seal-progress')
              .getAttribute('data-phase', { timeout: 1000 })
              .catch(() => null)) ?? 'start')
          : 'all';
        byPhase.set(phase, Math.max(byPhase.get(phase) ?? 0, renderer));
        try {
          // A crashed page never answers: give up on this sample after a second.
          const { metrics } = (await Promise.race([cdp.send('Performance.getMetrics'), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), 1000))])) as {
            metrics: Array<{ name: string; value: number }>;
          };
          heapPeak = Math.max(heapPeak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
        } catch {
          /* the page is busy or gone; the next sample counts */
        }
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
      }
    })();

    const started = Date.now();
    await page.locator('#seal-button').click();
    // A renderer that runs out of memory crashes the page: that is a result too (the peak before it).
    const outcome = await Promise.race([
      page
        .locator('#receipt')
        .waitFor({ state: 'visible' })
        .then(() => 'ok' as const),
      page
        .locator('#bid-error')
        .waitFor({ state: 'visible' })
        .then(() => 'error' as const),
      new Promise<'crashed'>((resolve) => page.once('crash', () => resolve('crashed'))),
    ]).catch((err: Error) => (/crash/i.test(err.message) ? ('crashed' as const) : Promise.reject(err)));
    const seconds = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    if (outcome === 'error') throw new Error(`the page reports: ${await page.locator('#bid-error').innerText()}`);
    const crashed = outcome === 'crashed';
    // The process's own high-water mark catches a peak between two samples.
    for (const pid of rssPeak.keys()) {
      const peak = hwm ? procKb(pid, 'VmHWM') : null;
      if (peak !== null) rssPeak.set(pid, Math.max(rssPeak.get(pid)!, peak));
    }
    const rendererPeak = Math.max(0, ...renderers.map((pid) => rssPeak.get(pid) ?? 0));
    const browserPeak = browserPid ? (rssPeak.get(browserPid) ?? 0) : 0;
    const sealedText = crashed ? '' : await page.locator('#receipt-sha256').innerText();
    const mine = (await t.req(t.users.bidderA).get(`/api/sections/${sectionId}/my-bids`)).body as { bids: Array<{ ciphertextSha256?: string; size?: number }> };
    const sealed = mine.bids.find((b) => b.ciphertextSha256 === sealedText);
    const phases = [...byPhase].map(([p, v]) => `${p} ${fmtMiB(v)}`).join(', ');
    return { seconds, heapPeak, rendererPeak, browserPeak, peakSource: hwm ? 'VmHWM + 100 ms VmRSS samples' : '100 ms VmRSS samples', streaming, sealedSize: sealed?.size ?? null, phases, crashed };
  } finally {
    await page.close().catch(() => {});
  }
}

export async function runBrowserSealMemory(): Promise<BenchResult> {
  await sweepStale();
  const executablePath = findTool('chromium');
  if (!executablePath) throw new Error('Chromium is not installed (apt-get install chromium)');
  const big = bigBytes();
  const startedAt = Date.now();
  const work = benchTempDir('browser-seal');
  let t: TestApp | null = null;
  let server: http.Server | null = null;
  let browser: BrowserContext | null = null;
  const cleanUp = async () => {
    await browser?.close().catch(() => {});
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
    await removeDir(work);
  };
  const forget = onInterrupt(cleanUp);
  const result: BenchResult = { name: `browser-seal-memory: sealing a ${fmtSize(big)} attachment in Chromium`, rows: [], notes: [], errors: [] };
  try {
    t = await createTestApp({ maxBidBytes: big + 100 * MiB });
    const s = http.createServer(t.app);
    server = s;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const section = await publishedSection(t, { title: '浏览器内存测试' });
    // An ordinary profile on disk, as a bidder's browser has (BENCH_BROWSER_PROFILE=private: an
    // off-the-record context, where Chromium keeps every Blob in memory and never pages it to disk).
    const profile = process.env.BENCH_BROWSER_PROFILE ?? 'disk';
    if (profile !== 'disk' && profile !== 'private') throw new Error(`BENCH_BROWSER_PROFILE must be "disk" or "private"; got "${profile}"`);
    if (profile === 'disk') browser = await chromium.launchPersistentContext(path.join(work, 'profile'), { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    else browser = await (await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 })).newContext();
    const version = browser.browser()?.version() ?? (await (await browser.newCDPSession(await browser.newPage())).send('Browser.getVersion')).product;
    result.notes.push(`Chromium ${version} headless, ${profile === 'disk' ? 'a profile on disk (Blobs may be paged to disk)' : 'an off-the-record context (Blobs in memory only)'}.`);

    const measured: RunMeasure[] = [];
    for (const size of [FLOOR_BYTES, big]) {
      const file = path.join(work, `attachment-${size}.bin`);
      progress(`writing ${fmtSize(size)} of random bytes`);
      writeRandomFile(file, size);
      progress(`sealing ${fmtSize(size)} in the page`);
      const m = await sealOnce(browser, base, t, section.id, file);
      progress(
        `${fmtSize(size)}: ${m.seconds.toFixed(1)} s, JS heap peak ${fmtMiB(m.heapPeak)}, renderer peak ${fmtMiB(m.rendererPeak)} (by phase: ${m.phases}), browser process peak ${fmtMiB(m.browserPeak)}`,
      );
      fs.rmSync(file);
      measured.push(m);
    }
    const [floor, heavy] = measured as [RunMeasure, RunMeasure];
    const limit = floor.rendererPeak + RENDERER_GROWTH_BOUND_BYTES;
    result.rows.push(
      {
        bench: 'browser-seal-memory',
        metric: `renderer peak RSS, ${fmtSize(big)} / 16 MiB`,
        floor: fmtMiB(floor.rendererPeak),
        measured: fmtMiB(heavy.rendererPeak),
        ratio: heavy.rendererPeak / floor.rendererPeak,
        bound: limit / floor.rendererPeak,
        boundText: `≤ ${(limit / floor.rendererPeak).toFixed(2)} (floor + 128 MiB)`,
      },
      {
        bench: 'browser-seal-memory',
        metric: `JS heap peak, ${fmtSize(big)} / 16 MiB`,
        floor: fmtMiB(floor.heapPeak),
        measured: fmtMiB(heavy.heapPeak),
        ratio: heavy.heapPeak / floor.heapPeak,
        bound: null,
        boundText: 'info',
      },
      {
        bench: 'browser-seal-memory',
        metric: `browser process peak RSS, ${fmtSize(big)} / 16 MiB`,
        floor: fmtMiB(floor.browserPeak),
        measured: fmtMiB(heavy.browserPeak),
        ratio: heavy.browserPeak / floor.browserPeak,
        bound: null,
        boundText: 'info',
      },
      {
        bench: 'browser-seal-memory',
        metric: `seconds, ${fmtSize(big)} / 16 MiB`,
        floor: `${floor.seconds.toFixed(1)} s`,
        measured: `${heavy.seconds.toFixed(1)} s`,
        ratio: heavy.seconds / floor.seconds,
        bound: null,
        boundText: 'info',
      },
    );
    result.notes.push(
      `Page: ${heavy.streaming ? 'streaming sealing (seal-stream.ts, XMLHttpRequest upload)' : 'in-memory sealing (no progress bar: the page before streaming)'}.`,
      `Renderer peak by phase (sampled): floor ${floor.phases}; big ${heavy.phases}.`,
      `Sealed file of the big bid as stored: ${heavy.sealedSize === null ? 'not found' : `${heavy.sealedSize} bytes`}. Renderer peaks from ${heavy.peakSource}.`,
      `Took ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`,
    );
    for (const [m, size] of [
      [floor, FLOOR_BYTES],
      [heavy, big],
    ] as const) {
      if (m.crashed) result.errors.push(`the page crashed sealing ${fmtSize(size)} after ${m.seconds.toFixed(1)} s (peaks are those before the crash)`);
      else if (m.sealedSize === null) result.errors.push(`the ${fmtSize(size)} bid is not among the bidder's bids`);
    }
  } finally {
    await cleanUp();
    forget();
  }
  return result;
}

if (await isMain(import.meta.url)) {
  const result = await runBrowserSealMemory();
  printResult(result);
  process.exit(failed(result) ? 1 : 0);
}
