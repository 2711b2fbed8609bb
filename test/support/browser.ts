// One way for the browser tests to open Debian's Chromium (playwright-core) on a page of the test
// server and sign in: the launch arguments, axe served to the page, and the listeners that collect
// what a person would call broken — console errors (CSP violations among them: Chromium reports a
// refused script, style or connection as a console error), uncaught page errors and HTTP error
// answers — into `problems`, which the test asserts empty. Each test says which error answers it
// provokes on purpose.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Response } from 'playwright-core';
import { serveAxe } from './axe';
import { DESKTOP, SCREENSHOTS } from './page-checks';
import { requireModuleFile, requireTool } from './tools';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** In a before hook: Chromium's and axe-core's paths (the suite skips, or fails under CI, without them); makes the screenshot folder. */
export function browserTools(ctx: Mocha.Context): { executablePath: string; axeFile: string } {
  const executablePath = requireTool(ctx, 'chromium', 'apt-get install chromium');
  const axeFile = requireModuleFile(ctx, 'axe-core/axe.min.js', 'npm install --save-dev axe-core');
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return { executablePath, axeFile };
}

export interface WatchOptions {
  /**
   * Which error answers count as problems: `true` every status >= 400 (but /favicon.ico), `false`
   * none, or a function saying whether this answer was provoked on purpose.
   */
  responses?: boolean | ((r: Response) => boolean);
}

/** Collects the page's console errors (but "Failed to load resource", which the response check covers), page errors and error answers into `problems`. */
export function watchPage(page: Page, problems: string[], { responses = true }: WatchOptions = {}): void {
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  if (responses === false) return;
  const onPurpose = typeof responses === 'function' ? responses : () => false;
  page.on('response', (r) => {
    if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url()) && !onPurpose(r)) problems.push(`${r.status()} ${r.url()}`);
  });
}

export interface OpenOptions extends WatchOptions {
  executablePath: string;
  base: string;
  /** axe-core served on the test server's origin (null: the test runs no axe). */
  axeFile: string | null;
  /** A profile folder that outlives the browser (IndexedDB, OPFS); a fresh temporary one if `true`; none (an incognito context) if absent. */
  profile?: string | true;
  acceptDownloads?: boolean;
  timeout?: number;
  problems?: string[];
}

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** The temporary profile folder (removed by close), when `profile: true`. */
  profileDir: string | null;
  close(): Promise<void>;
}

/** Chromium with one page on the desktop viewport, axe served, listeners on. */
export async function openBrowser(o: OpenOptions): Promise<OpenBrowser> {
  const problems = o.problems ?? [];
  const launch = { executablePath: o.executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 };
  const contextOptions = { viewport: DESKTOP, acceptDownloads: o.acceptDownloads ?? false };
  const profileDir = o.profile === true ? fs.mkdtempSync(path.join(os.tmpdir(), 'etender-chromium-')) : (o.profile ?? null);
  let browser: Browser | null = null;
  let context: BrowserContext;
  if (profileDir) context = await chromium.launchPersistentContext(profileDir, { ...launch, ...contextOptions });
  else {
    browser = await chromium.launch(launch);
    context = await browser.newContext(contextOptions);
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(o.timeout ?? 60_000);
  if (o.axeFile) await serveAxe(page, o.base, o.axeFile);
  watchPage(page, problems, o);
  return {
    context,
    page,
    problems,
    profileDir,
    async close() {
      await context.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      if (o.profile === true && profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Signs in on /login (?next= when given) and waits for the page it lands on (`next`, or /account). */
export async function signIn(page: Page, base: string, user: { username: string; password: string }, next?: string): Promise<void> {
  await page.goto(next ? `${base}/login?next=${encodeURIComponent(next)}` : `${base}/login`);
  await page.fill('#f-username', user.username);
  await page.fill('#f-password', user.password);
  await page.locator('#login-button').click();
  const landing = next ? new URL(next, base).pathname : '/account';
  await page.waitForURL((u) => u.pathname === landing);
}
