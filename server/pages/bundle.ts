// The pages' scripts (client/bid-page.js with age-encryption, canonicalize and the tar writer;
// client/receipt-page.js with the receipt checks) bundled with esbuild's JS API on first request
// and kept in memory, so they are served from the portal's own origin under the strict CSP:
// nothing is loaded from anywhere else.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client');

/** The page scripts there are, by the name they are served under (/portal-static/<name>.js). */
export const PAGE_SCRIPTS = { bid: 'bid-page.js', receipt: 'receipt-page.js' } as const;
export type PageScript = keyof typeof PAGE_SCRIPTS;

export interface Bundle {
  code: string;
  etag: string;
}

const cached = new Map<PageScript, Promise<Bundle>>();

export function pageBundle(name: PageScript): Promise<Bundle> {
  const known = cached.get(name);
  if (known) return known;
  const made = build({
    entryPoints: [path.join(CLIENT, PAGE_SCRIPTS[name])],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'inline',
    logLevel: 'silent',
  }).then(
    (result) => {
      const code = result.outputFiles[0]!.text;
      return { code, etag: `"${crypto.createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` };
    },
    (err: unknown) => {
      cached.delete(name); // try again on the next request
      throw err;
    },
  );
  cached.set(name, made);
  return made;
}
