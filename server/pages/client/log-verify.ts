// Verifying the audit log where the auditor is (the /audit/verify and /audit/log pages bundle this;
// it runs in Node too): the same checks as `etender audit verify` (modules/audit/audit-verify.ts) —
// every entry fetched and its leaf hashed again, the tree head recomputed at every signed
// checkpoint, every checkpoint's Ed25519 signature checked against the published log key, and the
// server's consistency proofs between consecutive checkpoints against the signed roots. The rules
// (entry positions, canonical form, order of receipt, the proof arithmetic) come from the same pure
// modules the command uses. No DOM and no node: imports.
//
// Where the time goes (100,000 entries, test/bench/browser-audit-verify.ts, CPU profile of the
// page): about half in WebCrypto digests (two per entry: its leaf and about one tree node, ~15-30 µs
// each, batched a page at a time), a quarter in the canonical-form check, the rest in parsing; the
// server needs ~35-45 ms per page of 1,000 entries. So several pages are asked for ahead of the one
// being checked (the server is never idle while the page hashes) and each entry is parsed once for
// its checks. @noble/hashes' synchronous SHA-256 was measured too: no faster than batched WebCrypto
// in Chromium here, so WebCrypto stays.
import { consistencySteps } from '../../../modules/audit/consistency-steps';
import { checkEntry, isCheckpointShape, receiptOrder } from '../../../modules/audit/entry-checks';
import { inclusionSteps } from '../../../modules/audit/inclusion-steps';
import { promiseSignedBytes } from '../../../modules/audit/log-promise';
import type { webcrypto } from 'node:crypto';
import type { Checkpoint } from '../../../modules/formats/checkpoint';

/** GET a path of the platform's API: the status and the parsed JSON body. */
export type ApiGet = (path: string) => Promise<{ status: number; body: any }>;

/** A finding, by a key the page turns into its language, with the values its text names. */
export interface Finding {
  key: string;
  values: Record<string, string | number>;
}

export interface LogVerifyReport {
  ok: boolean;
  /** Entries fetched and their leaves hashed again. */
  entries: number;
  /** Tree heads recomputed and compared with a signed checkpoint. */
  roots: number;
  /** Checkpoint signatures verified (Ed25519, the published log key). */
  signatures: number;
  /** Consistency proofs between consecutive checkpoints verified against the signed roots. */
  consistency: number;
  /** Checkpoints the log has up to its newest. */
  checkpoints: number;
  /** The newest checkpoint's size (the entries checked). */
  size: number;
  problems: Finding[];
  /** Wall-clock milliseconds the whole check took. */
  ms: number;
}

export interface Progress {
  phase: 'checkpoints' | 'entries' | 'consistency';
  done: number;
  total: number;
}

/** Most entries GET /api/audit/entries hands out per call. */
export const ENTRIES_PAGE = 1000;
/** Pages asked for before the one being checked is done. */
const PAGES_AHEAD = 3;
const MAX_PROBLEMS = 100;

const subtle = () => globalThis.crypto.subtle;
const encoder = new TextEncoder();
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
export const toHex = (bytes: Uint8Array): string => {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
};
const fromHex = (h: string): Uint8Array | null => {
  if (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
};

async function digest(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', bytes));
}

/** SHA-256(0x00 ‖ entry's UTF-8 bytes). */
export function leafHash(entry: string): Promise<Uint8Array> {
  const text = encoder.encode(entry);
  const bytes = new Uint8Array(text.length + 1);
  bytes.set(text, 1);
  return digest(bytes);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const bytes = new Uint8Array(65);
  bytes[0] = 1;
  bytes.set(left, 1);
  bytes.set(right, 33);
  return digest(bytes);
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The published log key, imported once for WebCrypto Ed25519, with its key id (SHA-256 of the SPKI DER). */
export interface LogKey {
  key: webcrypto.CryptoKey;
  keyId: string;
}

export async function importLogKey(publicKeyPem: string): Promise<LogKey> {
  const der = fromBase64(publicKeyPem.replace(/-----[A-Z ]+-----|\s+/g, ''));
  const key = await subtle().importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
  return { key, keyId: toHex(await digest(der)) };
}

/** Ed25519 over the canonical JSON of the checkpoint without its signature, by the log key. */
export async function checkpointSignatureValid(cp: Checkpoint, logKey: LogKey): Promise<boolean> {
  if (typeof cp?.signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(cp.signature)) return false;
  try {
    const signed = encoder.encode(promiseSignedBytes(cp as unknown as Record<string, unknown>));
    return await subtle().verify({ name: 'Ed25519' }, logKey.key, fromBase64(cp.signature), signed);
  } catch {
    return false;
  }
}

/** RFC 9162 §2.1.3.2: does `proof` lead from the entry at `index` to `rootHex` in a tree of `size`? */
export async function inclusionHolds(entry: string, index: number, size: number, proof: unknown, rootHex: string): Promise<boolean> {
  const root = fromHex(rootHex);
  if (!root || !Array.isArray(proof)) return false;
  const hashes = proof.map(fromHex);
  if (hashes.some((h) => h === null)) return false;
  const steps = inclusionSteps(index, size, hashes.length);
  if (!steps) return false;
  let r = await leafHash(entry);
  for (const [i, p] of (hashes as Uint8Array[]).entries()) r = steps[i] ? await nodeHash(p, r) : await nodeHash(r, p);
  return equal(r, root);
}

/** RFC 9162 §2.1.4.2, with the trivial cases of merkle.ts's verifyConsistency. */
export async function consistencyHolds(first: number, second: number, proof: unknown, firstRootHex: string, secondRootHex: string): Promise<boolean> {
  const rootM = fromHex(firstRootHex);
  const rootN = fromHex(secondRootHex);
  if (!rootM || !rootN || !Array.isArray(proof)) return false;
  const hashes = proof.map(fromHex);
  if (hashes.some((h) => h === null)) return false;
  if (first === second) return hashes.length === 0 && equal(rootM, rootN);
  if (first === 0) return hashes.length === 0 && equal(rootM, await digest(new Uint8Array(0)));
  const plan = consistencySteps(first, second, hashes.length);
  if (!plan) return false;
  const path = plan.seedIsFirstRoot ? [rootM, ...(hashes as Uint8Array[])] : (hashes as Uint8Array[]);
  let fr = path[0]!;
  let sr = path[0]!;
  for (const [i, c] of path.slice(1).entries()) {
    if (plan.steps[i]) {
      [fr, sr] = await Promise.all([nodeHash(c, fr), nodeHash(c, sr)]);
    } else {
      sr = await nodeHash(sr, c);
    }
  }
  return equal(fr, rootM) && equal(sr, rootN);
}

/**
 * The Merkle tree grown a batch at a time: level 0 holds the leaf hashes, level L the roots of the
 * perfect subtrees of 2^L leaves. Each batch of leaves is hashed at once, then each level's newly
 * completed nodes at once, so WebCrypto works on many digests in parallel.
 */
export class BatchTree {
  readonly levels: Uint8Array[][] = [[]];

  get size(): number {
    return this.levels[0]!.length;
  }

  async append(entries: readonly string[]): Promise<void> {
    this.levels[0]!.push(...(await Promise.all(entries.map(leafHash))));
    for (let level = 1; ; level++) {
      const below = this.levels[level - 1]!;
      const here = (this.levels[level] ??= []);
      const complete = Math.floor(below.length / 2);
      if (complete === 0) {
        if (here.length === 0) this.levels.pop();
        break;
      }
      const made: Promise<Uint8Array>[] = [];
      for (let i = here.length; i < complete; i++) made.push(nodeHash(below[2 * i]!, below[2 * i + 1]!));
      here.push(...(await Promise.all(made)));
    }
  }

  /** MTH of the first `size` leaves (size <= this.size), folded from the perfect subtrees of [0, size). */
  async rootAt(size: number): Promise<Uint8Array> {
    if (size === 0) return digest(new Uint8Array(0));
    const nodes: Uint8Array[] = [];
    let start = 0;
    for (let level = Math.floor(Math.log2(size)) + 1; level >= 0; level--) {
      const width = 2 ** level;
      if (size - start >= width) {
        nodes.push(this.levels[level]![start / width]!);
        start += width;
      }
    }
    let hash = nodes[nodes.length - 1]!;
    for (let i = nodes.length - 2; i >= 0; i--) hash = await nodeHash(nodes[i]!, hash);
    return hash;
  }
}

class Stop extends Error {
  constructor(readonly finding: Finding) {
    super(finding.key);
  }
}

/** Runs `work` over `items` with at most `width` at a time, in order of the items. */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return out;
}

/** The whole log against its newest checkpoint, as `etender audit verify` checks it. */
export async function verifyLog(api: ApiGet, onProgress: (p: Progress) => void = () => {}, now: () => number = () => Date.now()): Promise<LogVerifyReport> {
  const started = now();
  const problems: Finding[] = [];
  const problem = (key: string, values: Finding['values'] = {}) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ key, values });
    else if (problems.length === MAX_PROBLEMS) problems.push({ key: 'more', values: {} });
  };
  const report = { entries: 0, roots: 0, signatures: 0, consistency: 0, checkpoints: 0, size: 0 };
  const get = async (path: string) => {
    let res: { status: number; body: any };
    try {
      res = await api(path);
    } catch (err) {
      throw new Stop({ key: 'unreachable', values: { path, message: (err as Error).message } });
    }
    if (res.status !== 200 || !res.body || typeof res.body !== 'object') throw new Stop({ key: 'http', values: { path, status: res.status, message: res.body?.error?.message ?? '' } });
    return res.body;
  };

  try {
    const latest = (await get('/api/audit/checkpoint')) as Checkpoint;
    if (!isCheckpointShape(latest)) throw new Stop({ key: 'latestMalformed', values: {} });
    report.size = latest.size;

    let logKey: LogKey | null = null;
    const keys = await get('/api/pki/keys');
    if (typeof keys?.log?.publicKeyPem !== 'string') problem('noKey');
    else {
      try {
        logKey = await importLogKey(keys.log.publicKeyPem);
      } catch (err) {
        problem('badKey', { message: (err as Error).message });
      }
    }

    // Every stored checkpoint up to the newest, in size order.
    const checkpoints: Checkpoint[] = [];
    for (let from = 0; ; ) {
      const page = (await get(`/api/audit/checkpoints?from=${from}&limit=1000`)).checkpoints as Checkpoint[];
      if (!Array.isArray(page)) throw new Stop({ key: 'http', values: { path: '/api/audit/checkpoints', status: 200, message: 'no checkpoints array' } });
      for (const cp of page) {
        if (!isCheckpointShape(cp)) problem('checkpointMalformed', { text: JSON.stringify(cp).slice(0, 120) });
        else if (cp.size <= latest.size) checkpoints.push(cp);
      }
      onProgress({ phase: 'checkpoints', done: checkpoints.length, total: checkpoints.length });
      const last = page[page.length - 1];
      if (page.length < 1000 || !last || !isCheckpointShape(last) || last.size > latest.size) break;
      from = last.size + 1;
    }
    for (let i = 1; i < checkpoints.length; i++) {
      if (checkpoints[i]!.size <= checkpoints[i - 1]!.size) problem('checkpointOrder', { size: checkpoints[i]!.size });
    }
    const stored = checkpoints.find((cp) => cp.size === latest.size);
    if (!stored) {
      problem('latestNotStored', { size: latest.size });
      checkpoints.push(latest);
      checkpoints.sort((a, b) => a.size - b.size);
    } else if (stored.root !== latest.root || stored.signature !== latest.signature || stored.at !== latest.at) {
      problem('latestDiffers', { size: latest.size });
    }
    report.checkpoints = checkpoints.length;

    if (logKey) {
      const valid = await inBatches(checkpoints, 64, (cp) => checkpointSignatureValid(cp, logKey));
      for (const [i, cp] of checkpoints.entries()) {
        if (cp.keyId !== logKey.keyId) problem('wrongKey', { size: cp.size, keyId: cp.keyId });
        if (!valid[i]) problem('badSignature', { size: cp.size });
        else report.signatures++;
      }
    }

    // Every entry, hashed again; the tree head at every checkpoint size.
    const bySize = new Map(checkpoints.map((cp) => [cp.size, cp]));
    const sizes = [...bySize.keys()].sort((a, b) => a - b);
    let nextSize = 0;
    const tree = new BatchTree();
    const order = receiptOrder();
    const checkRoots = async () => {
      while (nextSize < sizes.length && sizes[nextSize]! <= tree.size) {
        const size = sizes[nextSize++]!;
        const root = toHex(await tree.rootAt(size));
        report.roots++;
        if (root !== bySize.get(size)!.root) problem('rootMismatch', { size, root: bySize.get(size)!.root, recomputed: root });
      }
    };
    const fetchPage = (start: number) => {
      const end = Math.min(start + ENTRIES_PAGE, latest.size);
      const page = get(`/api/audit/entries?start=${start}&end=${end}`).then((body) => ({ start, end, items: body.entries as Array<{ index: number; entry: string }> }));
      page.catch(() => {}); // a page fetched ahead and never awaited (the check stopped) is no unhandled rejection
      return page;
    };
    try {
      await checkRoots();
      onProgress({ phase: 'entries', done: 0, total: latest.size });
      // The next pages are on their way while this one is checked and hashed: the server is kept busy.
      const coming: Array<ReturnType<typeof fetchPage>> = [];
      let asked = 0;
      const askAhead = () => {
        while (coming.length < PAGES_AHEAD && asked < latest.size) {
          coming.push(fetchPage(asked));
          asked = Math.min(asked + ENTRIES_PAGE, latest.size);
        }
      };
      askAhead();
      while (coming.length) {
        const { start, end, items } = await coming.shift()!;
        askAhead();
        if (!Array.isArray(items) || items.length !== end - start) throw new Stop({ key: 'shortPage', values: { start, end } });
        const texts: string[] = [];
        for (const [k, item] of items.entries()) {
          const position = start + k;
          if (item?.index !== position || typeof item.entry !== 'string') throw new Stop({ key: 'outOfOrder', values: { position } });
          // The problem's key, not its English sentence: the page says it in its own language.
          const parsed = checkEntry(item.entry, position, (_message, p) => problem(p.key, p.values));
          order.check(item.entry, position, (_message, p) => problem(p.key, p.values), parsed);
          texts.push(item.entry);
        }
        await tree.append(texts);
        report.entries += texts.length;
        await checkRoots();
        onProgress({ phase: 'entries', done: end, total: latest.size });
      }
    } catch (err) {
      // Without the entries the roots cannot be recomputed; the proofs can still be checked.
      if (!(err instanceof Stop)) throw err;
      problem(err.finding.key, err.finding.values);
    }

    // The server's consistency proofs between consecutive checkpoints, against the signed roots.
    const pairs = checkpoints
      .slice(1)
      .map((b, i) => [checkpoints[i]!, b] as const)
      .filter(([a, b]) => a.size < b.size);
    let done = 0;
    onProgress({ phase: 'consistency', done, total: pairs.length });
    await inBatches(pairs, 8, async ([a, b]) => {
      const res = await get(`/api/audit/proofs/consistency?from=${a.size}&to=${b.size}`);
      if (await consistencyHolds(a.size, b.size, res.proof, a.root, b.root)) report.consistency++;
      else problem('inconsistent', { from: a.size, to: b.size });
      onProgress({ phase: 'consistency', done: ++done, total: pairs.length });
    });
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    problem(err.finding.key, err.finding.values);
  }
  return { ok: problems.length === 0, ...report, problems, ms: now() - started };
}
