// Files the platform keeps for itself (the database, blobs, keys, temporary uploads) are readable by
// its own user only: files 0600, directories 0700. New ones are made so; tightenTree fixes an old install.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and missing parents) as 0700, and tightens it if it already existed. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodIfLooser(dir, PRIVATE_DIR_MODE);
}

function chmodIfLooser(p: string, mode: number, st: fs.Stats = fs.statSync(p)): boolean {
  if ((st.mode & 0o777 & ~mode) === 0) return false;
  // Only what this user owns can be changed; anything else is the operator's choice.
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
  fs.chmodSync(p, st.mode & 0o777 & mode);
  return true;
}

/**
 * Takes group and other permissions away from `root` and everything below it (symbolic links are
 * not followed). Returns how many entries were changed; a missing root changes nothing.
 */
export function tightenTree(root: string): number {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  if (st.isSymbolicLink()) return 0;
  if (!st.isDirectory()) return chmodIfLooser(root, PRIVATE_FILE_MODE, st) ? 1 : 0;
  let changed = chmodIfLooser(root, PRIVATE_DIR_MODE, st) ? 1 : 0;
  for (const name of fs.readdirSync(root)) changed += tightenTree(path.join(root, name));
  return changed;
}
