#!/usr/bin/env node
// `npm run build`: compiles the server, the `etender` command and the PDF worker to plain
// JavaScript in dist/, and bundles the pages' browser scripts once, so that `npm start` runs on
// plain node with neither tsx nor esbuild (both are development dependencies).
//
//   node server/build.mjs [--out DIR] [--if-installed]
//
// --out DIR       build there instead of dist/ (the tests build into a temporary directory)
// --if-installed  (`prestart`, `preetender`) when esbuild is not installed — a production install
//                 pruned of its development dependencies — keep the existing build instead of
//                 failing; fail only when there is none.
//
// Each server entry is bundled into one file with every npm package left external (native modules
// such as better-sqlite3 must stay in node_modules anyway). A bundle's import.meta.url is its own
// file, dist/server/<entry>.js, so what the code finds next to itself is put next to the bundles:
//   dist/server/main.js, cli.js     the server and the `etender` bin (with its #! line)
//   dist/server/pdf-worker.mjs, .js the PDF worker's entry (modules/records/pdf-worker.mjs, which
//                                   loads the compiled pdf-worker.js next to it) and the worker
//   dist/server/static/             the portal's static files (server/pages/static)
//   dist/server/bundled/<name>.js   the browser scripts (server/pages/bundle.ts serves these)
// It builds into a new directory beside DIR and then swaps it in, so a half-written build is never
// what starts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({ options: { out: { type: 'string' }, 'if-installed': { type: 'boolean' } } });
const out = path.resolve(values.out ?? path.join(ROOT, 'dist'));

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  const built = fs.existsSync(path.join(out, 'server', 'main.js'));
  if (values['if-installed'] && built) process.exit(0);
  process.stderr.write(
    built
      ? 'build: esbuild is not installed (a production install?); build with the development dependencies installed: npm ci && npm run build\n'
      : `build: there is no build in ${path.relative(process.cwd(), out) || out}/ and esbuild is not installed to make one.\n` +
          'Build with the development dependencies, then drop them: npm ci && npm run build && npm prune --omit=dev\n',
  );
  process.exit(1);
}

const started = Date.now();
const next = `${out}.new-${process.pid}`;
fs.rmSync(next, { recursive: true, force: true });
try {
  const server = path.join(next, 'server');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: server,
    logLevel: 'warning',
  };
  const bundles = JSON.parse(fs.readFileSync(path.join(ROOT, 'server/pages/client/bundles.json'), 'utf8'));
  await Promise.all([
    esbuild.build({ ...common, entryPoints: { main: path.join(ROOT, 'server/main.ts'), 'pdf-worker': path.join(ROOT, 'modules/records/pdf-worker.ts') } }),
    esbuild.build({ ...common, entryPoints: { cli: path.join(ROOT, 'server/cli.ts') }, banner: { js: '#!/usr/bin/env node' } }),
    // The same options as server/pages/bundle.ts uses from source, so the bytes are the same.
    ...Object.entries(bundles.scripts).map(([name, file]) =>
      esbuild.build({ ...bundles.esbuild, entryPoints: [path.join(ROOT, 'server/pages/client', file)], outfile: path.join(server, 'bundled', `${name}.js`), logLevel: 'warning' }),
    ),
  ]);
  fs.chmodSync(path.join(server, 'cli.js'), 0o755);
  fs.copyFileSync(path.join(ROOT, 'modules/records/pdf-worker.mjs'), path.join(server, 'pdf-worker.mjs'));
  fs.cpSync(path.join(ROOT, 'server/pages/static'), path.join(server, 'static'), { recursive: true });

  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(next, out);
} catch (err) {
  fs.rmSync(next, { recursive: true, force: true });
  process.stderr.write(`build failed: ${err?.message ?? err}\n`);
  process.exit(1);
}
process.stderr.write(`built ${path.relative(process.cwd(), out) || out}/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
