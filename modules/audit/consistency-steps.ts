// RFC 9162 §2.1.4.2 (verifying a consistency proof) as a plan of steps, with no hashing in it, so
// that the server (node:crypto, synchronous) and the browser (WebCrypto, asynchronous) fold the
// same arithmetic over their own hash functions, as inclusion-steps.ts does for inclusion proofs.

const half = (n: number) => Math.floor(n / 2);
const isOdd = (n: number) => n % 2 === 1;

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

export interface ConsistencyPlan {
  /** True when the first size is a power of two: the path starts with the first root itself (step 2). */
  seedIsFirstRoot: boolean;
  /**
   * For each element of the path after its first, in order: true when it is a left sibling of both
   * running hashes (fr = H(c ‖ fr), sr = H(c ‖ sr)), false when a right sibling of the second only
   * (sr = H(sr ‖ c)).
   */
  steps: boolean[];
}

/**
 * The plan for a proof of `proofLength` hashes that the tree of `first` leaves is a prefix of the
 * tree of `second` leaves, for 0 < first < second (the trivial cases are the caller's). Null when no
 * proof of that length can do it.
 */
export function consistencySteps(first: number, second: number, proofLength: number): ConsistencyPlan | null {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first <= 0 || second <= first) return null;
  // 1.
  if (proofLength <= 0) return null;
  // 2.
  const seedIsFirstRoot = isPowerOfTwo(first);
  const pathLength = proofLength + (seedIsFirstRoot ? 1 : 0);
  // 3.
  let fn = first - 1;
  let sn = second - 1;
  // 4.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 6. (5 is the caller's: fr = sr = path[0])
  const steps: boolean[] = [];
  for (let i = 1; i < pathLength; i++) {
    if (sn === 0) return null; // a.
    if (isOdd(fn) || fn === sn) {
      steps.push(true); // b.i, b.ii
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      steps.push(false);
    }
    fn = half(fn); // c.
    sn = half(sn);
  }
  // 7. (the root comparisons are the caller's)
  return sn === 0 ? { seedIsFirstRoot, steps } : null;
}
