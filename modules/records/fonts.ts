// The CJK font every PDF record embeds: Noto Sans Hans Regular (SIL OFL 1.1) from the npm package
// @embedpdf/fonts-sc, so `npm install` brings it and nothing is read from the system or the network.
// pdfkit embeds only the glyphs a document uses, so a record stays small.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const FONT_FILE = 'NotoSansHans-Regular.otf';

let cached: Buffer | null = null;

/** The font file's path inside node_modules (the package exports only its JS entry, so go from there). */
export function cjkFontPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@embedpdf/fonts-sc');
  // entry is <package>/dist/index.cjs; the fonts sit in <package>/fonts.
  return path.join(path.dirname(entry), '..', 'fonts', FONT_FILE);
}

/** The font bytes, read once per process. */
export function cjkFont(): Buffer {
  if (!cached) cached = fs.readFileSync(cjkFontPath());
  return cached;
}
