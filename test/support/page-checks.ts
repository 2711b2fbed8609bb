// What every browser test of a page checks, in one place: axe-core (WCAG 2.1 AA, under the real CSP)
// at desktop and 390 px, no sideways scroll on a phone, screenshots of both widths kept for a person to
// look at, and keyboard moves. Also the key vault bundled for tests that drive it from the page.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { BuildOptions } from 'esbuild';
import type { Page } from 'playwright-core';
import bundles from '../../server/pages/client/bundles.json';
import { axeViolations } from './axe';

/** Where the browser tests leave their screenshots (git-ignored; the run keeps them). */
export const SCREENSHOTS = path.join(process.cwd(), 'test-output', 'screenshots');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

type Doc = { document: { activeElement: { id: string } | null; documentElement: { scrollWidth: number; clientWidth: number } } };

/** axe finds nothing, the page does not scroll sideways at 390 px, and screenshots `name`-desktop/-390 are taken. Leaves the page at desktop width. */
export async function checkPage(page: Page, base: string, name: string): Promise<void> {
  const violations = await axeViolations(page, base);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).to.deep.equal([]);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate(() => {
    const d = (globalThis as unknown as Doc).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
  expect(overflow, `${name} scrolls sideways at 390 px by ${overflow} px`).to.be.at.most(0);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-390.png`), fullPage: true });
  const phoneViolations = await axeViolations(page, base);
  expect(phoneViolations, `${name} at 390 px: ${JSON.stringify(phoneViolations, null, 1)}`).to.deep.equal([]);
  await page.setViewportSize(DESKTOP);
}

/** The id of the focused element ('' for none). */
export const activeId = (page: Page): Promise<string> => page.evaluate(() => (globalThis as unknown as Doc).document.activeElement?.id ?? '');

/** Tabs from where the focus is to the element, as a keyboard user does; fails if it is never reached. */
export async function tabTo(page: Page, id: string, maxTabs = 60): Promise<void> {
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    if ((await activeId(page)) === id) return;
  }
  throw new Error(`#${id} is never reached with Tab`);
}

/** The browser moves the focus to an autofocus element once the page is parsed: waits for it, failing if it never does. */
export const focusOn = (page: Page, id: string) => page.waitForFunction((want) => (globalThis as unknown as Doc).document.activeElement?.id === want, id, { timeout: 5000 });

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../server/pages/client');

/** The key vault bundled with the pages' esbuild options, exposed as globalThis.keyVault for a test to drive. */
export async function vaultBundle(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    ...(bundles.esbuild as BuildOptions),
    stdin: { contents: "import * as vault from './key-vault.ts'; globalThis.keyVault = vault;", resolveDir: CLIENT, loader: 'ts' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
