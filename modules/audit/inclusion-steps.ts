// RFC 9162 §2.1.3.2 (verifying an inclusion proof) as a plan of steps, with no hashing in it, so
// that the server (node:crypto, synchronous) and the browser (WebCrypto, asynchronous) fold the
// same arithmetic over their own hash functions.

const half = (n: number) => Math.floor(n / 2);
const isOdd = (n: number) => n % 2 === 1;

/**
 * For each of the proof's `proofLength` hashes, in order: true when it is the left sibling
 * (node = H(proof ‖ r)), false when the right one (node = H(r ‖ proof)). Null when no proof of that
 * length can lead from leaf `index` to the root of a tree of `size` leaves.
 */
export function inclusionSteps(index: number, size: number, proofLength: number): boolean[] | null {
  // 1. leaf_index must be below tree_size.
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  // 2–3.
  let fn = index;
  let sn = size - 1;
  const steps: boolean[] = [];
  // 4.
  for (let i = 0; i < proofLength; i++) {
    if (sn === 0) return null; // a.
    if (isOdd(fn) || fn === sn) {
      steps.push(true); // b.i
      // b.ii: skip the levels where this node had no right sibling.
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
  // 5. (the root comparison is the caller's)
  return sn === 0 ? steps : null;
}
