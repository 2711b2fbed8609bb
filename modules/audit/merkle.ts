// RFC 6962 / RFC 9162 Merkle tree hashing for the audit log: leaf and node hashes, tree heads,
// inclusion and consistency proofs and their verification, and the incremental "frontier" (the
// compact range [0, size)) that lets an append cost O(log n). Pure functions over Buffers.
import crypto from 'node:crypto';
import { consistencySteps } from './consistency-steps';
import { inclusionSteps } from './inclusion-steps';

export const HASH_BYTES = 32;

function sha256(...parts: Buffer[]): Buffer {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = sha256();

/** SHA-256(0x00 ‖ entry). A string is hashed as its UTF-8 bytes. */
export function leafHash(entry: Buffer | string): Buffer {
  return sha256(LEAF_PREFIX, typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

export const toHex = (b: Buffer): string => b.toString('hex');

export function fromHex(hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError(`not a SHA-256 hash in lower-case hex: "${hex.slice(0, 80)}"`);
  return Buffer.from(hex, 'hex');
}

// Sizes and indexes are plain numbers (exact up to 2^53), so bit tests use arithmetic rather than
// the 32-bit operators.
const half = (n: number) => Math.floor(n / 2);
const isOdd = (n: number) => n % 2 === 1;

function assertSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number >= 0; got ${n}`);
}

/** The largest power of two strictly below n (n >= 2): RFC 6962's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function log2Exact(n: number): number {
  let level = 0;
  while (n > 1) {
    n /= 2;
    level++;
  }
  return level;
}

function popcount(n: number): number {
  let c = 0;
  for (; n > 0; n = half(n)) if (isOdd(n)) c++;
  return c;
}

/** MTH(D[n]) of RFC 6962 §2.1, computed directly from the leaf hashes. */
export function rootOf(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  const mth = (lo: number, hi: number): Buffer => {
    if (hi - lo === 1) return leafHashes[lo]!;
    const k = splitPoint(hi - lo);
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  };
  return mth(0, leafHashes.length);
}

// ---------------------------------------------------------------------------------------------
// Stored nodes. A node (level, index) is the root of the perfect subtree over leaves
// [index·2^level, (index+1)·2^level); level 0 holds the leaf hashes themselves.

export interface NodeId {
  level: number;
  index: number;
}

export interface StoredNode extends NodeId {
  hash: Buffer;
}

/** Hands back the hash of a complete subtree. */
export type NodeSource = (level: number, index: number) => Buffer;

/** A half-open range of leaves [start, end) whose MTH is one element of a proof. */
export type LeafRange = readonly [number, number];

/**
 * The complete subtrees whose hashes make MTH(D[start:end]), left to right, for the ranges that
 * occur in RFC 6962 trees: start is a multiple of a power of two >= end - start (a perfect
 * subtree, or one on the right edge of a tree of size end).
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let lo = start;
  let n = end - start;
  while (n > 0) {
    // The largest power of two <= n, taken from the left, is a perfect aligned subtree.
    let size = 1;
    while (size * 2 <= n) size *= 2;
    if (lo % size !== 0) throw new RangeError(`[${start}, ${end}) is not a range of an RFC 6962 tree`);
    nodes.push({ level: log2Exact(size), index: lo / size });
    lo += size;
    n -= size;
  }
  return nodes;
}

/** MTH(D[start:end]) from stored complete subtrees (right-edge ranges are folded from the right). */
export function rangeHash(start: number, end: number, get: NodeSource): Buffer {
  if (end <= start) return EMPTY_ROOT;
  const nodes = rangeNodes(start, end);
  let hash = get(nodes[nodes.length - 1]!.level, nodes[nodes.length - 1]!.index);
  for (let i = nodes.length - 2; i >= 0; i--) hash = nodeHash(get(nodes[i]!.level, nodes[i]!.index), hash);
  return hash;
}

/** The leaf ranges of PATH(index, D[size]) (RFC 6962 §2.1.1), in proof order. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  assertSize(size, 'size');
  assertSize(index, 'index');
  if (index >= size) throw new RangeError(`index ${index} is not in a tree of size ${size}`);
  const out: LeafRange[] = [];
  const path = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, lo, lo + k);
      out.push([lo + k, hi]);
    } else {
      path(m - k, lo + k, hi);
      out.push([lo, lo + k]);
    }
  };
  path(index, 0, size);
  return out;
}

/** The leaf ranges of PROOF(m, D[n]) (RFC 6962 §2.1.2, SUBPROOF), in proof order. */
export function consistencyProofRanges(m: number, n: number): LeafRange[] {
  assertSize(m, 'first size');
  assertSize(n, 'second size');
  if (m > n) throw new RangeError(`first size ${m} is larger than second size ${n}`);
  if (m === 0 || m === n) return [];
  const out: LeafRange[] = [];
  const subproof = (mm: number, lo: number, hi: number, b: boolean): void => {
    const size = hi - lo;
    if (mm === size) {
      if (!b) out.push([lo, hi]);
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      subproof(mm, lo, lo + k, b);
      out.push([lo + k, hi]);
    } else {
      subproof(mm - k, lo + k, hi, false);
      out.push([lo, lo + k]);
    }
  };
  subproof(m, 0, n, true);
  return out;
}

/** Every stored node a list of ranges needs, without duplicates: fetch them in one query. */
export function nodesForRanges(ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const [lo, hi] of ranges) for (const node of rangeNodes(lo, hi)) seen.set(`${node.level}:${node.index}`, node);
  return [...seen.values()];
}

export function proofFromRanges(ranges: readonly LeafRange[], get: NodeSource): Buffer[] {
  return ranges.map(([lo, hi]) => rangeHash(lo, hi, get));
}

/** Computes complete-subtree hashes from all leaf hashes (for tests and small in-memory trees). */
export function nodeSourceFromLeaves(leafHashes: readonly Buffer[]): NodeSource {
  return (level, index) => {
    const width = 2 ** level;
    const lo = index * width;
    if (lo + width > leafHashes.length) throw new RangeError(`node ${level}/${index} is not complete in a tree of ${leafHashes.length} leaves`);
    return rootOf(leafHashes.slice(lo, lo + width));
  };
}

function sourceOf(source: readonly Buffer[] | NodeSource, size: number): NodeSource {
  if (typeof source === 'function') return source;
  if (size > source.length) throw new RangeError(`size ${size} is larger than the ${source.length} leaves given`);
  return nodeSourceFromLeaves(source);
}

/** PATH(index, D[size]): the audit path of one leaf. */
export function inclusionProof(source: readonly Buffer[] | NodeSource, index: number, size: number): Buffer[] {
  return proofFromRanges(inclusionProofRanges(index, size), sourceOf(source, size));
}

/** PROOF(m, D[n]): that the tree of size m is a prefix of the tree of size n. Empty for m = 0 or m = n. */
export function consistencyProof(source: readonly Buffer[] | NodeSource, m: number, n: number): Buffer[] {
  return proofFromRanges(consistencyProofRanges(m, n), sourceOf(source, n));
}

/** The tree head of the first `size` leaves, from stored complete subtrees. */
export function rootAt(size: number, get: NodeSource): Buffer {
  assertSize(size, 'size');
  return size === 0 ? EMPTY_ROOT : rangeHash(0, size, get);
}

// ---------------------------------------------------------------------------------------------
// Verification, following RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.

const isHash = (b: unknown): b is Buffer => Buffer.isBuffer(b) && b.length === HASH_BYTES;

export function verifyInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  const steps = inclusionSteps(index, size, proof.length);
  if (!steps) return false;
  let r = leaf;
  for (const [i, p] of proof.entries()) r = steps[i] ? nodeHash(p, r) : nodeHash(r, p);
  return r.equals(root);
}

export function verifyConsistency(m: number, n: number, proof: readonly Buffer[], rootM: Buffer, rootN: Buffer): boolean {
  if (!isHash(rootM) || !isHash(rootN) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || n < m) return false;
  // Trivial cases, outside the RFC's algorithm (which assumes 0 < first < second).
  if (m === n) return proof.length === 0 && rootM.equals(rootN);
  if (m === 0) return proof.length === 0 && rootM.equals(EMPTY_ROOT);
  const plan = consistencySteps(m, n, proof.length);
  if (!plan) return false;
  const path = plan.seedIsFirstRoot ? [rootM, ...proof] : [...proof];
  let fr = path[0]!;
  let sr = path[0]!;
  for (const [i, c] of path.slice(1).entries()) {
    if (plan.steps[i]) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    } else {
      sr = nodeHash(sr, c);
    }
  }
  return fr.equals(rootM) && sr.equals(rootN);
}

// ---------------------------------------------------------------------------------------------
// The frontier: the roots of the perfect subtrees that make up [0, size), one per set bit of
// size, highest level (leftmost) first. Appending a leaf merges it with its left siblings.

export interface FrontierAppend {
  frontier: Buffer[];
  /** Every subtree this leaf completes, the leaf itself (level 0) first. */
  completedNodes: StoredNode[];
}

export function appendToFrontier(frontier: readonly Buffer[], leaf: Buffer, sizeBefore: number): FrontierAppend {
  assertSize(sizeBefore, 'sizeBefore');
  if (frontier.length !== popcount(sizeBefore)) {
    throw new RangeError(`a frontier of a tree of size ${sizeBefore} has ${popcount(sizeBefore)} hashes, not ${frontier.length}`);
  }
  const next = frontier.slice();
  let hash = leaf;
  let level = 0;
  let index = sizeBefore;
  const completedNodes: StoredNode[] = [{ level, index, hash }];
  // An odd index is a right child: its left sibling is the last (lowest) subtree of the frontier.
  while (isOdd(index)) {
    hash = nodeHash(next.pop()!, hash);
    level++;
    index = half(index);
    completedNodes.push({ level, index, hash });
  }
  next.push(hash);
  return { frontier: next, completedNodes };
}

export function rootFromFrontier(frontier: readonly Buffer[]): Buffer {
  if (frontier.length === 0) return EMPTY_ROOT;
  let hash = frontier[frontier.length - 1]!;
  for (let i = frontier.length - 2; i >= 0; i--) hash = nodeHash(frontier[i]!, hash);
  return hash;
}
