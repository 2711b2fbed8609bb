// The pages' scripts (client/bid-page.js with age-encryption, canonicalize and the tar writer;
// client/receipt-page.js with the receipt checks), served from the portal's own origin under the
// strict CSP: nothing is loaded from anywhere else. `npm run build` bundles them once, next to the
// compiled server (bundled/<name>.js); run from source (tests, development) they are bundled with
// esbuild on first request instead. Both use the same options (client/bundles.json), so they are
// the same bytes. Kept in memory once read.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import bundles from './client/bundles.json';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = path.join(HERE, 'client');
/** Written by `npm run build` next to the compiled server; there is none in the source tree. */
const PREBUILT = path.join(HERE, 'bundled');

/** The page scripts there are, by the name they are served under (/portal-static/<name>.js). */
export const PAGE_SCRIPTS = bundles.scripts;
export type PageScript = keyof typeof PAGE_SCRIPTS;

export interface Bundle {
  code: string;
  etag: string;
}

const cached = new Map<PageScript, Promise<Bundle>>();

/** The script as esbuild bundles it from source, with the options the build uses. */
export async function bundleFromSource(name: PageScript): Promise<string> {
  // Imported here only: a compiled server never loads esbuild (it is a development dependency).
  const { build } = await import('esbuild');
  const result = await build({
    ...(bundles.esbuild as BuildOptions),
    entryPoints: [path.join(CLIENT, PAGE_SCRIPTS[name])],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export function pageBundle(name: PageScript): Promise<Bundle> {
  const known = cached.get(name);
  if (known) return known;
  const code = fs.existsSync(PREBUILT) ? fs.promises.readFile(path.join(PREBUILT, `${name}.js`), 'utf8') : bundleFromSource(name);
  const made = code.then(
    (text) => ({ code: text, etag: `"${crypto.createHash('sha256').update(text).digest('base64url').slice(0, 27)}"` }),
    (err: unknown) => {
      cached.delete(name); // try again on the next request
      throw err;
    },
  );
  cached.set(name, made);
  return made;
}
