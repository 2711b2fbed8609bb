// Where the sealing page keeps a sealed bid until it is uploaded: a file in this origin's private
// file system (OPFS), on disk in the browser's profile. Only ciphertext is written there, so the
// disk never sees the bid in plain; the file goes once the upload is over. A Blob built in memory
// (seal-stream.ts blobSink) is capped by Chromium's blob quota (about 480 MiB headless), a file is
// capped by the origin's storage quota only. Plain JS: these are DOM APIs.

const PREFIX = 'etender-sealed-';
/** Written in pieces of this size: few calls into the file system, little memory. */
const WRITE_BYTES = 4 * 1024 * 1024;
/** A sealed file this old was left by a page that closed mid-upload. */
const STALE_MS = 24 * 60 * 60 * 1000;

/** The private file system's root, or null where the browser has none (or refuses it, e.g. some private windows). */
async function privateRoot() {
  try {
    if (!navigator.storage?.getDirectory || typeof FileSystemFileHandle === 'undefined' || !('createWritable' in FileSystemFileHandle.prototype)) return null;
    return await navigator.storage.getDirectory();
  } catch {
    return null;
  }
}

/** Removes sealed files that earlier pages left behind (closed mid-upload). Best effort. */
export async function removeStaleSealedFiles(now = Date.now()) {
  const root = await privateRoot();
  if (!root?.entries) return;
  try {
    for await (const [name, handle] of root.entries()) {
      if (!name.startsWith(PREFIX) || handle.kind !== 'file') continue;
      const file = await handle.getFile();
      if (now - file.lastModified > STALE_MS) await root.removeEntry(name);
    }
  } catch {
    /* another page may be using the directory; try again next time */
  }
}

/**
 * A sink for sealStreaming that writes the ciphertext to a new private file, or null where there
 * is no private file system. `remove()` deletes the file (after the upload, or on failure).
 */
export async function privateFileSink() {
  const root = await privateRoot();
  if (!root) return null;
  const name = `${PREFIX}${crypto.randomUUID()}.age`;
  let handle;
  let writable;
  try {
    handle = await root.getFileHandle(name, { create: true });
    writable = await handle.createWritable();
  } catch {
    if (handle) await root.removeEntry(name).catch(() => {});
    return null;
  }
  let pieces = [];
  let pending = 0;
  const flush = async () => {
    if (pending === 0) return;
    const out = new Uint8Array(pending);
    let at = 0;
    for (const p of pieces) {
      out.set(p, at);
      at += p.length;
    }
    pieces = [];
    pending = 0;
    await writable.write(out);
  };
  const remove = () => root.removeEntry(name).catch(() => {});
  return {
    async write(chunk) {
      pieces.push(chunk);
      pending += chunk.length;
      if (pending >= WRITE_BYTES) await flush();
    },
    async close() {
      await flush();
      await writable.close();
      return handle.getFile();
    },
    async abort() {
      await writable.abort().catch(() => {});
      await remove();
    },
    remove,
  };
}
