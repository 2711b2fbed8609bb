// Benchmark: "the root of a log with a large number of entries is not recomputed from scratch".
//
// An append grows the RFC 6962 tree by one leaf: it stores the leaf, the O(log n) subtrees the
// leaf completes and the new frontier and root in audit_head (modules/audit/audit-store.ts). If an
// append ever recomputed the root from all leaves, its cost would grow linearly with the log.
//
// Floor: the mean time of one append over the first 1,000 entries of a fresh log. Case: the mean
// time of one append over 1,000 entries appended after the log already holds BENCH_AUDIT_ENTRIES
// entries (200,000 by default; BENCH_AUDIT_ENTRIES=1000000 for a million, which adds about two
// minutes on a 2-core machine). Both are appended through the real audit service
// (createAuditService) in transactions of 100 appends. After the fill, 5 rounds alternate between
// 1,000 appends to the big log and the first 1,000 appends of a fresh log (plus the log's own first
// 1,000), so that load from elsewhere on the machine weighs on both sides alike, and each side
// takes its best round. The log in between is filled through the same service in transactions of
// 10,000 appends (large transactions only save commits; every entry is a real append). Ratio = late / early; fail if it is above 3 (O(log n) stays near 1; O(n) would
// be about 200). Inclusion and consistency proofs are timed at both sizes too, for information,
// and a proof of each kind at the large size is verified against a signed checkpoint.
//
// Always on a temporary SQLite database (DATABASE_URL is ignored here), removed at the end.
import crypto from 'node:crypto';
import { createAuditService, verifyCheckpointSignature, type AuditService } from '../../modules/audit/audit-service';
import { fromHex, leafHash, verifyConsistency, verifyInclusion } from '../../modules/audit/merkle';
import { systemClock } from '../../modules/core/clock';
import { SYSTEM_CONTEXT } from '../../modules/core/context';
import type { Signer } from '../../modules/core/signing';
import { withTransaction } from '../../db/transactions';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { fmtMs, isMain, onInterrupt, printResult, progress, failed, removeDir, type BenchResult } from './report';

const MEASURED = 1000;
const MEASURE_BATCH = 100;
const FILL_BATCH = 10_000;
const PROOF_SAMPLES = 300;
const ROUNDS = 5;
const YIELD_EVERY = 25;
export const APPEND_RATIO_BOUND = 3;

function largeSize(): number {
  const raw = process.env.BENCH_AUDIT_ENTRIES;
  if (!raw) return 200_000;
  if (!/^\d+$/.test(raw) || Number(raw) < 10_000 || Number(raw) > 5_000_000) throw new Error(`BENCH_AUDIT_ENTRIES must be a whole number from 10000 to 5000000; got "${raw}"`);
  return Number(raw);
}

/** An Ed25519 log signer made with node:crypto (the Signer interface of modules/core/signing.ts). */
function ed25519Signer(): Signer {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    keyId: crypto
      .createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    sign: (data: Buffer) => crypto.sign(null, data, privateKey),
  };
}

/** A small deterministic PRNG (mulberry32), so that every run asks for the same proofs. */
function prng(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** Entries shaped like real ones: an action, an object and a digest-sized payload. */
function event(i: number) {
  return {
    action: 'bench.appended',
    objectType: 'bench',
    objectId: `bench-${i}`,
    data: { i, sha256: crypto.createHash('sha256').update(String(i)).digest('hex'), state: { before: 'bidding', after: 'closed' } },
  };
}

async function append(tdb: TestDatabase, audit: AuditService, count: number, perTransaction: number, first: number): Promise<void> {
  for (let done = 0; done < count; ) {
    const n = Math.min(perTransaction, count - done);
    await withTransaction(tdb.db.knex, async (trx) => {
      for (let i = 0; i < n; i++) {
        await audit.on({ db: trx }).append(SYSTEM_CONTEXT, event(first + done + i));
        // better-sqlite3 answers synchronously, so a transaction would otherwise run as one long
        // chain of promises that never lets the event loop see a signal (and the tsx wrapper
        // SIGKILLs a child that does not acknowledge Ctrl-C within 30 ms). Same for both sides.
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
      }
    });
    done += n;
  }
}

/** Mean milliseconds per append over `count` appends in transactions of MEASURE_BATCH. */
async function timedAppends(tdb: TestDatabase, audit: AuditService, count: number, first: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await append(tdb, audit, count, MEASURE_BATCH, first);
  return Number(process.hrtime.bigint() - t0) / 1e6 / count;
}

async function size(tdb: TestDatabase): Promise<number> {
  const head = await tdb.db.knex('audit_head').where({ id: 1 }).first('size');
  return Number(head.size);
}

/** Mean milliseconds of inclusionProof(random index, size) and consistencyProof(random m, size). */
async function timedProofs(audit: AuditService, n: number): Promise<{ inclusion: number; consistency: number }> {
  const rnd = prng(n);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < PROOF_SAMPLES; i++) await audit.inclusionProof(rnd(n), n);
  const inclusion = Number(process.hrtime.bigint() - t0) / 1e6 / PROOF_SAMPLES;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < PROOF_SAMPLES; i++) await audit.consistencyProof(1 + rnd(n - 1), n);
  const consistency = Number(process.hrtime.bigint() - t0) / 1e6 / PROOF_SAMPLES;
  return { inclusion, consistency };
}

async function withSqlite<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  try {
    return await fn();
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  }
}

async function openLog(): Promise<{ tdb: TestDatabase; audit: AuditService; signer: Signer; forget: () => void }> {
  const tdb = await withSqlite(() => createTestDatabase());
  const forget = onInterrupt(() => removeDir(tdb.dataDir));
  const signer = ed25519Signer();
  return { tdb, audit: createAuditService({ knex: tdb.db.knex, clock: systemClock, logSigner: signer }), signer, forget };
}

export async function runAuditAppend(): Promise<BenchResult> {
  const target = largeSize();
  const bench = 'audit append';
  const result: BenchResult = { name: `Audit log: append and proofs at ${target.toLocaleString('en')} entries vs a fresh log`, rows: [], notes: [], errors: [] };
  const started = Date.now();

  // Warm-up on a throwaway log, so that the floor is not inflated by JIT compilation and the
  // first queries (which would flatter the ratio).
  {
    const warm = await openLog();
    try {
      progress('audit: warm-up (3,000 appends and proofs on a throwaway log)');
      await append(warm.tdb, warm.audit, 3000, MEASURE_BATCH, 0);
      await timedProofs(warm.audit, await size(warm.tdb));
    } finally {
      await warm.tdb.cleanup();
      warm.forget();
    }
  }

  const { tdb, audit, signer, forget } = await openLog();
  try {
    // The big log's own first entries are one floor round; a checkpoint of them is kept to check
    // the consistency proof at the end.
    const base = await size(tdb);
    progress(`audit: first ${MEASURED} appends on a fresh log (size ${base})`);
    const earlyRounds = [await timedAppends(tdb, audit, MEASURED, base)];
    const smallCheckpoint = await audit.checkpoint();

    const fillStart = Date.now();
    let at = await size(tdb);
    while (at < target) {
      const n = Math.min(FILL_BATCH, target - at);
      await append(tdb, audit, n, n, at);
      const before = at;
      at += n;
      if (Math.floor(at / 100_000) > Math.floor(before / 100_000) || at === target) progress(`audit: filled to ${at.toLocaleString('en')} entries (${((Date.now() - fillStart) / 1000).toFixed(0)} s)`);
    }
    const fillSeconds = (Date.now() - fillStart) / 1000;

    // Rounds alternate between the big log and a fresh one, so that whatever else the machine is
    // doing at the time weighs on the floor and on the case alike; each side takes its best round.
    progress(`audit: ${ROUNDS} rounds of ${MEASURED} appends and ${PROOF_SAMPLES} proofs, alternating between the big log and fresh logs`);
    const lateRounds: number[] = [];
    const smallProofRounds: Array<{ inclusion: number; consistency: number }> = [];
    const largeProofRounds: Array<{ inclusion: number; consistency: number }> = [];
    let small = 0;
    for (let round = 0; round < ROUNDS; round++) {
      lateRounds.push(await timedAppends(tdb, audit, MEASURED, at));
      at += MEASURED;
      largeProofRounds.push(await timedProofs(audit, at));
      const fresh = await openLog();
      try {
        const freshBase = await size(fresh.tdb);
        earlyRounds.push(await timedAppends(fresh.tdb, fresh.audit, MEASURED, freshBase));
        small = await size(fresh.tdb);
        smallProofRounds.push(await timedProofs(fresh.audit, small));
      } finally {
        await fresh.tdb.cleanup();
        fresh.forget();
      }
    }
    const large = await size(tdb);
    const early = Math.min(...earlyRounds);
    const late = Math.min(...lateRounds);
    const best = (rounds: Array<{ inclusion: number; consistency: number }>) => ({
      inclusion: Math.min(...rounds.map((r) => r.inclusion)),
      consistency: Math.min(...rounds.map((r) => r.consistency)),
    });
    const smallProofs = best(smallProofRounds);
    const largeProofs = best(largeProofRounds);

    // The tree the appends built must be the right one: a signed checkpoint at the large size,
    // an inclusion proof of a random leaf and a consistency proof from the small checkpoint.
    const cp = await audit.checkpoint();
    if (cp.size !== large) result.errors.push(`the checkpoint has size ${cp.size}, the log ${large}`);
    if (!verifyCheckpointSignature(cp, signer.publicKeyPem)) result.errors.push('the checkpoint signature does not verify');
    const index = prng(7)(large);
    const [entry] = await audit.entries(index, index + 1);
    const inc = await audit.inclusionProof(index, large);
    if (!verifyInclusion(leafHash(entry!.entry), index, large, inc.proof.map(fromHex), fromHex(cp.root))) {
      result.errors.push(`the inclusion proof of entry ${index} does not verify against the checkpoint root at ${large}`);
    }
    const cons = await audit.consistencyProof(smallCheckpoint.size, large);
    if (!verifyConsistency(smallCheckpoint.size, large, cons.proof.map(fromHex), fromHex(smallCheckpoint.root), fromHex(cp.root))) {
      result.errors.push(`the consistency proof ${smallCheckpoint.size} → ${large} does not verify against the two checkpoints`);
    }

    const us = (xs: number[]) => xs.map((x) => (x * 1000).toFixed(0)).join(', ');
    result.rows.push(
      {
        bench,
        metric: `mean append (${MEASURED} entries)`,
        floor: `${fmtMs(early)} @ 0`,
        measured: `${fmtMs(late)} @ ${target.toLocaleString('en')}`,
        ratio: late / early,
        bound: APPEND_RATIO_BOUND,
        boundText: `≤ ${APPEND_RATIO_BOUND}`,
      },
      {
        bench,
        metric: 'inclusionProof',
        floor: `${fmtMs(smallProofs.inclusion)} @ ${small.toLocaleString('en')}`,
        measured: `${fmtMs(largeProofs.inclusion)} @ ${large.toLocaleString('en')}`,
        ratio: largeProofs.inclusion / smallProofs.inclusion,
        bound: null,
        boundText: '—',
      },
      {
        bench,
        metric: 'consistencyProof',
        floor: `${fmtMs(smallProofs.consistency)} @ ${small.toLocaleString('en')}`,
        measured: `${fmtMs(largeProofs.consistency)} @ ${large.toLocaleString('en')}`,
        ratio: largeProofs.consistency / smallProofs.consistency,
        bound: null,
        boundText: '—',
      },
    );
    result.notes.push(
      `SQLite (temporary files); every entry appended through createAuditService().append; measured appends in transactions of ${MEASURE_BATCH}, the fill in transactions of ${FILL_BATCH.toLocaleString('en')}.`,
      `Filled to ${target.toLocaleString('en')} entries${target >= 1_000_000 ? '' : ' (not a million: BENCH_AUDIT_ENTRIES=1000000 does that)'} in ${fillSeconds.toFixed(1)} s.`,
      `Mean append in µs per round — first ${MEASURED} of a fresh log: ${us(earlyRounds)}; ${MEASURED} after ${target.toLocaleString('en')}+: ${us(lateRounds)}. Best round of each side is compared.`,
      `Ratio = late / early; O(log n) appends stay near 1, a root recomputed from all leaves would be ~${Math.round(target / MEASURED)}.`,
      `Proofs: ${PROOF_SAMPLES} of each kind per round at random indexes (fixed seed), best of ${ROUNDS} rounds per size, rounds alternating with the appends.`,
      `Checked at ${large.toLocaleString('en')}: checkpoint signature, inclusion proof of entry ${index}, consistency proof from ${smallCheckpoint.size}: ${result.errors.length ? 'FAILED' : 'all verify'}.`,
      `Took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    );
  } finally {
    await tdb.cleanup();
    forget();
  }
  return result;
}

if (await isMain(import.meta.url)) {
  const result = await runAuditAppend();
  printResult(result);
  process.exit(failed(result) ? 1 : 0);
}
