// Content-addressed file storage. An upload streams to a temporary file while it is hashed and
// counted; it never sits in memory whole. A finished blob is renamed to its SHA-256, so storing the
// same bytes twice keeps one file. An object store can replace LocalBlobStore behind BlobStore.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, tooLarge } from '../core/errors';
import { ensurePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/private-files';

export interface StoredBlob {
  sha256: string;
  size: number;
}

/** An upload written and hashed but not yet part of the store: the caller checks it, then commits or discards. */
export interface StagedBlob extends StoredBlob {
  /** Makes the blob durable under its digest (fsync, rename). Idempotent for equal content. */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export interface StageOptions {
  maxBytes: number;
  /** The size the sender announced, when known; otherwise an HTTP request source's Content-Length is used. */
  declaredBytes?: number;
  /** Extra checks on the stream as it passes (e.g. "is this really sealed?"); may fail the upload. */
  inspect?: Transform;
}

export interface BlobStore {
  stage(source: Readable, options: StageOptions): Promise<StagedBlob>;
  put(source: Readable, options: StageOptions): Promise<StoredBlob>;
  /** The stored bytes; `readSize` is a hint of how many bytes to read at a time (a big sequential reader asks for more). */
  open(sha256: string, options?: { readSize?: number }): Readable;
  exists(sha256: string): Promise<boolean>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What the sweeper (blob-sweeper.ts) needs of a store: its blobs with the time their bytes were written, and a guarded removal. */
export interface SweepableBlobStore {
  written(): AsyncGenerator<{ sha256: string; writtenAt: number }>;
  /** Removes the blob unless its bytes were written at or after `writtenBefore`; true if removed. */
  removeIfWrittenBefore(sha256: string, writtenBefore: number): Promise<boolean>;
  /**
   * Removes temporaries last written before `writtenBefore`: the partial upload of a process that
   * was killed mid-stream (its own error path removes it otherwise). Answers how many it removed.
   */
  removeTemporariesWrittenBefore(writtenBefore: number): Promise<number>;
}

export interface FreeSpace {
  /** Bytes available to this process on the file system of `dir`. */
  (dir: string): Promise<number>;
}

export const statfsFreeSpace: FreeSpace = async (dir) => {
  const st = await fs.promises.statfs(dir);
  return Number(st.bavail) * Number(st.bsize);
};

export interface LocalBlobStoreOptions {
  /** Free space the store leaves on its disk: an upload that would eat into it is refused with 507 before a byte is written. */
  reserveBytes?: number;
  freeSpace?: FreeSpace;
}

export const insufficientStorage = (message: string) => new AppError(507, 'insufficient_storage', message);

const mib = (n: number) => `${Math.floor(n / (1024 * 1024))} MiB`;

/** The Content-Length of an HTTP request used as a source, if it is one and has one. */
function declaredLength(source: Readable): number | undefined {
  const raw = (source as Readable & { headers?: Record<string, unknown> }).headers?.['content-length'];
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Commits a staged blob; when that fails (the disk filled up at fsync or rename), removes the
 * temporary file at once rather than leaving it to the sweeper, and rethrows.
 */
export async function commitOrDiscard(staged: StagedBlob): Promise<void> {
  try {
    await staged.commit();
  } catch (err) {
    await staged.discard().catch(() => undefined);
    throw err;
  }
}

export class LocalBlobStore implements BlobStore, SweepableBlobStore {
  private readonly reserveBytes: number;
  private readonly freeSpace: FreeSpace;

  constructor(
    private readonly root: string,
    options: LocalBlobStoreOptions = {},
  ) {
    ensurePrivateDir(root);
    ensurePrivateDir(path.join(root, 'tmp'));
    this.reserveBytes = options.reserveBytes ?? 0;
    this.freeSpace = options.freeSpace ?? statfsFreeSpace;
  }

  /** Refuses (507) an upload of `bytes` when the disk would be left with less than the reserve. */
  async ensureRoomFor(bytes: number): Promise<void> {
    const free = await this.freeSpace(this.root);
    if (free - bytes < this.reserveBytes) {
      throw insufficientStorage(
        bytes > 0
          ? `The platform's storage has too little free space for this upload of ${mib(bytes)} right now; nothing was stored. Try again later, or tell the centre.`
          : `The platform's storage is nearly full, so uploads are refused for now; nothing was stored. Try again later, or tell the centre.`,
      );
    }
  }

  private pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 digest');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async stage(source: Readable, { maxBytes, inspect, declaredBytes }: StageOptions): Promise<StagedBlob> {
    await this.ensureRoomFor(Math.min(declaredBytes ?? declaredLength(source) ?? 0, maxBytes));
    const tmp = path.join(this.root, 'tmp', `${Date.now()}-${crypto.randomBytes(8).toString('hex')}`);
    const hash = crypto.createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(tooLarge(`The upload is larger than the limit of ${maxBytes} bytes.`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const out = fs.createWriteStream(tmp, { flags: 'wx', mode: PRIVATE_FILE_MODE });
    try {
      if (inspect) await pipeline(source, inspect, meter, out);
      else await pipeline(source, meter, out);
    } catch (caught) {
      let err = caught;
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
        err = insufficientStorage("The platform's storage ran out of space during the upload; nothing was stored. Try again later, or tell the centre.");
      source.resume(); // let the client finish sending so it can read our answer
      // The file is opened asynchronously: when the upload fails at once, the open may still be
      // under way and would create the file after a removal. Wait for the stream to close first.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    const final = this.pathOf(sha256);
    let settled = false;
    return {
      sha256,
      size,
      commit: async () => {
        if (settled) return;
        const fd = await fs.promises.open(tmp, 'r');
        try {
          await fd.sync(); // the bytes are on disk before any receipt names them
        } finally {
          await fd.close();
        }
        await fs.promises.mkdir(path.dirname(final), { recursive: true, mode: PRIVATE_DIR_MODE });
        await fs.promises.rename(tmp, final);
        settled = true;
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await fs.promises.rm(tmp, { force: true });
      },
    };
  }

  async put(source: Readable, options: StageOptions): Promise<StoredBlob> {
    const staged = await this.stage(source, options);
    await commitOrDiscard(staged);
    return { sha256: staged.sha256, size: staged.size };
  }

  async *written(): AsyncGenerator<{ sha256: string; writtenAt: number }> {
    const hex2 = /^[0-9a-f]{2}$/;
    for (const a of (await fs.promises.readdir(this.root)).filter((n) => hex2.test(n))) {
      for (const b of (await fs.promises.readdir(path.join(this.root, a))).filter((n) => hex2.test(n))) {
        for (const sha256 of (await fs.promises.readdir(path.join(this.root, a, b))).filter((n) => SHA256_HEX.test(n))) {
          const st = await fs.promises.stat(path.join(this.root, a, b, sha256)).catch(() => null);
          if (st) yield { sha256, writtenAt: st.mtimeMs };
        }
      }
    }
  }

  async removeIfWrittenBefore(sha256: string, writtenBefore: number): Promise<boolean> {
    // A new upload of the same bytes renames a fresh file over this one at any moment. Move the
    // blob aside first (atomic), then look at what was moved: a fresh file goes back, not away.
    const final = this.pathOf(sha256);
    const aside = path.join(this.root, 'tmp', `sweep-${sha256}-${crypto.randomBytes(8).toString('hex')}`);
    try {
      await fs.promises.rename(final, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // another sweeper took it
      throw err;
    }
    if ((await fs.promises.stat(aside)).mtimeMs >= writtenBefore) {
      await fs.promises.rename(aside, final);
      return false;
    }
    await fs.promises.rm(aside, { force: true });
    return true;
  }

  async removeTemporariesWrittenBefore(writtenBefore: number): Promise<number> {
    const dir = path.join(this.root, 'tmp');
    let removed = 0;
    for (const name of await fs.promises.readdir(dir)) {
      // An upload still streaming writes to its file all the time; one idle for the grace period is dead.
      const st = await fs.promises.stat(path.join(dir, name)).catch(() => null);
      if (st?.isFile() && st.mtimeMs < writtenBefore) {
        await fs.promises.rm(path.join(dir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  open(sha256: string, options: { readSize?: number } = {}): Readable {
    return fs.createReadStream(this.pathOf(sha256), options.readSize ? { highWaterMark: options.readSize } : {});
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await fs.promises.access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }
}
