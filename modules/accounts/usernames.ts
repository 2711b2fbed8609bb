// The one form of a username. Every way in (account creation, sign-in, the CLI, custodians named in
// a centre's settings) goes through normaliseUsername, so "ADMIN", " admin " and the full-width
// "ａｄｍｉｎ" are the same account, can never be two accounts, and share one login budget.

/** NFKC, trimmed, lower case (NFKC again: lower-casing can leave a string that is not normalised). */
export function normaliseUsername(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/** What is wrong with a normalised username for a new account, or null when it is fine. */
export function usernameProblem(normalised: string): string | null {
  if (/\s/.test(normalised)) return 'must not contain spaces or other whitespace';
  if (!/^[a-z0-9_.-]{3,64}$/.test(normalised)) return 'must be 3–64 letters, digits, "_", "." or "-" (letters are kept in lower case)';
  return null;
}
