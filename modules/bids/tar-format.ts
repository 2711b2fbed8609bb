// What the bid package's tar writer (tar-writer.ts) and reader (tar-reader.ts) share: the block
// size, the error they throw and the rule for member names. No Node imports: the browser's sealing
// script bundles the writer.

export const TAR_BLOCK = 512;

/** Bytes of zeros after a body of `size` bytes, up to the end of its last 512-byte block. */
export function paddingLength(size: number): number {
  return (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
}

export type TarErrorReason = 'truncated' | 'bad_header' | 'unsafe_name' | 'not_regular' | 'duplicate_name' | 'too_large' | 'too_many' | 'size_mismatch' | 'trailing_data';

/** A tar archive (or an entry handed to the writer) that is not what the bid package allows. */
export class TarError extends Error {
  constructor(
    readonly reason: TarErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'TarError';
  }
}

/** A member name as messages quote it: at most 80 characters, since names come from the bidder. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

/**
 * Why a member name may not appear in a bid package, or null when it may. Whoever extracts a
 * package (an evaluator's `tar -xf`, on any system) must get files under the directory they chose:
 * so no absolute path, no drive letter, no ".." and no backslash (a separator on Windows); no
 * control characters, and no trailing "/" (a directory in old tars).
 */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'it starts with a drive letter';
  if (name.includes('\\')) return 'it contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character';
  if (name.endsWith('/')) return 'it ends with "/" (a directory)';
  if (name.split('/').some((part) => part === '..')) return 'it has a ".." component';
  return null;
}
