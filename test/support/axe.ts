// axe-core in a real browser page under the page's real CSP: the checker is served as a file of
// the page's own origin (a Playwright route on a path the app does not have) and added as a
// <script src>, which "script-src 'self'" allows — no CSP bypass, no inline script, no nonce.
import fs from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_PATH = '/__test-axe-core.js';

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Makes `axeFile` (axe-core's axe.min.js) loadable from the origin of `base` in this page. */
export async function serveAxe(page: Page, base: string, axeFile: string): Promise<void> {
  const source = fs.readFileSync(axeFile, 'utf8');
  await page.route(`${base}${AXE_PATH}`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: source }));
}

/** The WCAG 2.1 A and AA violations axe finds on the page as it is now. */
export async function axeViolations(page: Page, base: string): Promise<AxeViolation[]> {
  await page.addScriptTag({ url: `${base}${AXE_PATH}` });
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(ctx: unknown, opts: unknown): Promise<{ passes: unknown[]; violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    // A run that checked nothing (axe not loaded, an empty page) must not pass as "no violations".
    if (result.passes.length === 0) throw new Error('axe-core checked no rule on this page');
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
}
