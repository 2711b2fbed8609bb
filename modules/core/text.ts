// The shared schemas of human text: one-line texts (names, titles) and multi-line texts (notes,
// descriptions). Both refuse characters that change how a text is displayed without being seen —
// control characters, bidi overrides and isolates, zero-width characters — so that a name reads on
// a record, a PDF or a screen as what it is.
import { z } from 'zod';

/** C0 except tab and line feed, DEL, C1; bidi marks, embeddings, overrides and isolates; zero-width characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/u;
/** One-line texts also refuse tab, line feed and the Unicode line and paragraph separators. */
const LINE_BREAKING = /[\t\n\u2028\u2029]/u;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` is not acceptable, or null. */
export function textProblem(text: string, multiLine: boolean): string | null {
  const bad = text.match(INVISIBLE) ?? (multiLine ? null : text.match(LINE_BREAKING));
  if (!bad) return null;
  return multiLine
    ? `must not contain control characters other than line feed and tab, bidi controls or zero-width characters (found ${codePoint(bad[0])} at position ${bad.index! + 1})`
    : `must be one line without control characters, bidi controls or zero-width characters (found ${codePoint(bad[0])} at position ${bad.index! + 1})`;
}

/** A name or title: one line, trimmed, `min`–`max` characters. */
export function oneLineText(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .superRefine((v, ctx) => {
      const problem = textProblem(v, false);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** A note, reason or description: line feeds and tabs allowed (CR LF is read as LF), trimmed unless `trim` is false. */
export function multiLineText(min: number, max: number, options: { trim?: boolean } = {}) {
  const base = z.string().transform((v) => v.replace(/\r\n/g, '\n'));
  return base.pipe(options.trim === false ? z.string().min(min).max(max) : z.string().trim().min(min).max(max)).superRefine((v, ctx) => {
    const problem = textProblem(v, true);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
