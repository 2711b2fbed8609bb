// Removes stored files that no row names. A bid's ciphertext is made durable before the
// transaction that records the bid, so that no receipt ever names a missing file; when that
// transaction then refuses the bid (the deadline passed meanwhile, a replay, a conflict, a database
// fault) the file stays behind, named by nothing. So do a tender document or a record PDF whose row
// was never written. The sweeper removes such files once they are older than a grace period, far
// longer than any transaction runs, so a file whose row is still being written is never touched.
// The temporary file of an upload cut off by a crash (no error path ran to remove it) goes the same way.
import type { Knex } from 'knex';
import type { Clock } from '../core/clock';
import { HOUR } from '../core/clock';
import type { SweepableBlobStore } from './blob-store';
import { referencedBlobs } from './blob-references-store';

export const BLOB_SWEEP_GRACE_MS = HOUR;
export const BLOB_SWEEP_EVERY_MS = HOUR;

export interface BlobSweeperDeps {
  knex: Knex;
  clock: Clock;
  blobs: SweepableBlobStore;
  graceMs?: number;
  everyMs?: number;
}

export function createBlobSweeper(deps: BlobSweeperDeps) {
  const { knex, clock, blobs } = deps;
  const graceMs = deps.graceMs ?? BLOB_SWEEP_GRACE_MS;
  const everyMs = deps.everyMs ?? BLOB_SWEEP_EVERY_MS;
  let lastSweepAt: number | null = null;

  const sweeper = {
    /** One sweep: removes every file older than the grace period that no row names; answers the removed digests. */
    async sweep(): Promise<string[]> {
      const writtenBefore = clock.now() - graceMs;
      // Partial uploads of a process killed mid-stream (issue 12, faults 1): never named by a row.
      await blobs.removeTemporariesWrittenBefore(writtenBefore);
      const old: string[] = [];
      for await (const b of blobs.written()) if (b.writtenAt < writtenBefore) old.push(b.sha256);
      if (old.length === 0) return [];
      // Read after the listing: a row committed meanwhile is seen, and its file kept.
      const named = await referencedBlobs(knex, old);
      const removed: string[] = [];
      for (const sha256 of old) {
        if (!named.has(sha256) && (await blobs.removeIfWrittenBefore(sha256, writtenBefore))) removed.push(sha256);
      }
      return removed;
    },

    /** The scheduler's step: a sweep at most once per interval (by the clock), else nothing. */
    async sweepIfDue(): Promise<string[] | null> {
      const now = clock.now();
      if (lastSweepAt !== null && now < lastSweepAt + everyMs) return null;
      lastSweepAt = now;
      return sweeper.sweep();
    },
  };
  return sweeper;
}

export type BlobSweeper = ReturnType<typeof createBlobSweeper>;
