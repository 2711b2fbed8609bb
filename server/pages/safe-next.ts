// Where to go after signing in: only a path of this site. Anything that a browser could read as
// another site — "//evil.example", "/\evil.example", "https://…", "javascript:…", a path with
// control characters — is dropped (no open redirect), and the caller falls back to /account.

const BASE = 'http://portal.invalid';

export function safeNext(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 2000) return null;
  // Browsers treat "\" like "/" and drop tabs and newlines inside URLs: refuse them outright.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (!raw.startsWith('/') || raw.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  // Back to the sign-in or sign-out pages would be a loop or a surprise.
  if (/^\/(login|logout)(\/|$)/.test(url.pathname)) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
