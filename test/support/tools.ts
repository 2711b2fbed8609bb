// System tools some tests drive (the standard `age`, poppler's pdftotext, Chromium). On a machine
// without one, those tests skip with one line naming the tool and how to install it, and the run
// ends with a list of what was skipped; with CI=true a missing tool fails the test instead, so CI
// never passes by skipping. Registered as a root hook plugin in .mocharc.json.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// Kept on the global object: mocha loads this file as its root hook plugin and the tests import it,
// possibly as two module instances (require and import), which must share the list.
const KEY = Symbol.for('etender.test.skippedForTools');
const skipped: Array<{ tool: string; install: string; what: string }> = ((globalThis as Record<symbol, unknown>)[KEY] ??= []) as Array<{ tool: string; install: string; what: string }>;

/** The tool's path on PATH, or null. */
export function findTool(tool: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, tool);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

const inCi = () => ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

/**
 * In a test or a before hook: the tool's path, or — the tool missing — skip this test (in a hook:
 * the tests of its suite) and say so. With CI=true a missing tool is an error.
 */
export function requireTool(ctx: Mocha.Context, tool: string, install: string): string {
  const found = findTool(tool);
  if (found) return found;
  // In a "before all" hook: the suite it guards; in a test or a "before each" hook: that test.
  const hook = ctx.test && (ctx.test as { type?: string }).type === 'hook' ? ctx.test : undefined;
  const what = (hook && !/before each/.test(hook.title) ? hook.parent?.fullTitle() : (ctx.currentTest?.fullTitle() ?? ctx.test?.fullTitle())) ?? 'a test';
  if (inCi()) throw new Error(`${tool} is missing: install it with \`${install}\` (CI=true, so a missing tool fails the run instead of skipping "${what}")`);
  skipped.push({ tool, install, what });
  console.log(`      skipped: ${tool} is missing (install it with \`${install}\`): ${what}`);
  return ctx.skip();
}

/**
 * Like requireTool, for a file of an npm package that is not (yet) among the project's
 * dependencies: its path, or skip (with CI=true: fail). Resolved as `require` would, so NODE_PATH
 * can point at a copy installed elsewhere.
 */
export function requireModuleFile(ctx: Mocha.Context, specifier: string, install: string): string {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    const name = specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
    const what = ctx.test?.parent?.fullTitle() ?? 'a test';
    if (inCi()) throw new Error(`the npm package ${name} is missing: install it with \`${install}\` (CI=true, so a missing package fails the run instead of skipping "${what}")`);
    skipped.push({ tool: name, install, what });
    console.log(`      skipped: the npm package ${name} is missing (install it with \`${install}\`): ${what}`);
    return ctx.skip();
  }
}

export const mochaHooks = {
  afterAll(): void {
    if (skipped.length === 0) return;
    const lines = [``, `  Skipped for missing system tools (${skipped.length}; .ci/run installs them, and with CI=true they are required):`];
    for (const install of [...new Set(skipped.map((s) => s.install))]) {
      const these = skipped.filter((s) => s.install === install);
      lines.push(`    ${[...new Set(these.map((s) => s.tool))].join(', ')} — ${install}:`);
      for (const s of these) lines.push(`      - ${s.what}`);
    }
    console.log(lines.join('\n'));
  },
};
