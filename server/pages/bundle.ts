// The bidder page's script (client/bid-page.js with age-encryption, canonicalize and the tar
// writer) bundled with esbuild's JS API on first request and kept in memory, so it is served from
// the portal's own origin under the strict CSP: nothing is loaded from anywhere else.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client', 'bid-page.js');

export interface Bundle {
  code: string;
  etag: string;
}

let cached: Promise<Bundle> | null = null;

export function bidPageBundle(): Promise<Bundle> {
  cached ??= build({
    entryPoints: [ENTRY],
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
      cached = null; // try again on the next request
      throw err;
    },
  );
  return cached;
}
