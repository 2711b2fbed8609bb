import { expect } from 'chai';
import {
  EMPTY_ROOT,
  appendToFrontier,
  consistencyProof,
  fromHex,
  inclusionProof,
  leafHash,
  nodeHash,
  nodeSourceFromLeaves,
  rootAt,
  rootFromFrontier,
  rootOf,
  toHex,
  verifyConsistency,
  verifyInclusion,
  type NodeSource,
} from '../../modules/audit/merkle';

// The RFC 6962 reference vectors of Certificate Transparency, as published by transparency-dev/merkle
// (github.com/transparency-dev/merkle, testonly/constants.go: LeafInputs, NodeHashes, RootHashes,
// CompactTrees, at commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1; and proof/verify_test.go for the
// proofs: inclusionProofs and consistencyProofs, whose leaf numbers there are 1-based).
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));

const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** NodeHashes(): [level][index]. */
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];

/** CompactTrees(): the frontier after each size 0..8, as [level, index] into NODE_HASHES. */
const COMPACT_TREES: Array<Array<[number, number]>> = [
  [],
  [[0, 0]],
  [[1, 0]],
  [
    [1, 0],
    [0, 2],
  ],
  [[2, 0]],
  [
    [2, 0],
    [0, 4],
  ],
  [
    [2, 0],
    [1, 2],
  ],
  [
    [2, 0],
    [1, 2],
    [0, 6],
  ],
  [[3, 0]],
];

/** verify_test.go inclusionProofs, converted to 0-based leaf indexes. */
const INCLUSION_VECTORS: Array<{ index: number; size: number; proof: string[] }> = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** verify_test.go consistencyProofs. */
const CONSISTENCY_VECTORS: Array<{ m: number; n: number; proof: string[] }> = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { m: 2, n: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  {
    m: 6,
    n: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const LEAVES = LEAF_INPUTS.map((input) => leafHash(input));
const root = (size: number) => fromHex(ROOTS[size]!);
const hexes = (bufs: Buffer[]) => bufs.map(toHex);

function flipBit(proof: Buffer[], i: number): Buffer[] {
  const copy = proof.map((b) => Buffer.from(b));
  copy[i]![0]! ^= 0x08;
  return copy;
}

/** Many distinct leaves, for trees larger than the reference one. */
function syntheticLeaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
}

/** Builds a tree leaf by leaf the way the store does, keeping only completed nodes. */
function buildIncrementally(leaves: Buffer[]) {
  let frontier: Buffer[] = [];
  const nodes = new Map<string, Buffer>();
  const roots: Buffer[] = [rootFromFrontier(frontier)];
  leaves.forEach((leaf, i) => {
    const step = appendToFrontier(frontier, leaf, i);
    frontier = step.frontier;
    for (const node of step.completedNodes) {
      const key = `${node.level}:${node.index}`;
      expect(nodes.has(key), `node ${key} completed twice`).to.equal(false);
      nodes.set(key, node.hash);
    }
    roots.push(rootFromFrontier(frontier));
  });
  const source: NodeSource = (level, index) => {
    const hash = nodes.get(`${level}:${index}`);
    if (!hash) throw new Error(`node ${level}:${index} was never completed`);
    return hash;
  };
  return { frontier, nodes, roots, source };
}

describe('Merkle tree (RFC 6962 / RFC 9162)', () => {
  it('hashes leaves with 0x00 and nodes with 0x01, and the empty tree as SHA-256("")', () => {
    expect(toHex(EMPTY_ROOT)).to.equal(ROOTS[0]);
    expect(toHex(leafHash(Buffer.alloc(0)))).to.equal(ROOTS[1]);
    expect(toHex(nodeHash(LEAVES[0]!, LEAVES[1]!))).to.equal(ROOTS[2]);
    expect(leafHash('A')).to.deep.equal(leafHash(Buffer.from([0x41])));
  });

  it('computes the reference roots for tree sizes 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(toHex(rootOf(LEAVES.slice(0, n))), `size ${n}`).to.equal(ROOTS[n]);
  });

  it('computes the reference hashes of every complete subtree', () => {
    const source = nodeSourceFromLeaves(LEAVES);
    for (const [l, level] of NODE_HASHES.entries()) for (const [i, hash] of level.entries()) expect(toHex(source(l, i)), `node ${l}/${i}`).to.equal(hash);
  });

  it('builds the reference frontier and the completed nodes incrementally', () => {
    const { nodes, roots } = buildIncrementally(LEAVES);
    for (let n = 0; n <= 8; n++) {
      let frontier: Buffer[] = [];
      for (let i = 0; i < n; i++) frontier = appendToFrontier(frontier, LEAVES[i]!, i).frontier;
      expect(hexes(frontier), `frontier of size ${n}`).to.deep.equal(COMPACT_TREES[n]!.map(([l, i]) => NODE_HASHES[l]![i]));
      expect(toHex(roots[n]!)).to.equal(ROOTS[n]);
    }
    expect(nodes.size).to.equal(15);
    for (const [l, level] of NODE_HASHES.entries()) for (const [i, hash] of level.entries()) expect(toHex(nodes.get(`${l}:${i}`)!)).to.equal(hash);
  });

  it('refuses a frontier that does not fit the size', () => {
    expect(() => appendToFrontier([], LEAVES[0]!, 1)).to.throw(/frontier/);
    expect(() => appendToFrontier([LEAVES[0]!], LEAVES[1]!, 3)).to.throw(/frontier/);
    expect(() => appendToFrontier([LEAVES[0]!, LEAVES[1]!], LEAVES[2]!, 2)).to.throw(/frontier/);
  });

  it('produces the reference inclusion and consistency proofs', () => {
    for (const v of INCLUSION_VECTORS) {
      expect(hexes(inclusionProof(LEAVES, v.index, v.size)), `inclusion ${v.index}/${v.size}`).to.deep.equal(v.proof);
      expect(verifyInclusion(LEAVES[v.index]!, v.index, v.size, v.proof.map(fromHex), root(v.size))).to.equal(true);
    }
    for (const v of CONSISTENCY_VECTORS) {
      expect(hexes(consistencyProof(LEAVES, v.m, v.n)), `consistency ${v.m}→${v.n}`).to.deep.equal(v.proof);
      expect(verifyConsistency(v.m, v.n, v.proof.map(fromHex), root(v.m), root(v.n))).to.equal(true);
    }
  });

  it('inclusion proofs verify for every index and size up to 8, and fail when anything is altered', () => {
    let checked = 0;
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(LEAVES, index, size);
        const leaf = LEAVES[index]!;
        const what = `index ${index} size ${size}`;
        expect(verifyInclusion(leaf, index, size, proof, root(size)), what).to.equal(true);
        for (let i = 0; i < proof.length; i++) expect(verifyInclusion(leaf, index, size, flipBit(proof, i), root(size)), `${what}, element ${i} altered`).to.equal(false);
        for (let other = 0; other < 10; other++) {
          if (other !== index) expect(verifyInclusion(leaf, other, size, proof, root(size)), `${what}, index → ${other}`).to.equal(false);
        }
        for (let other = 0; other <= 16; other++) {
          if (other === size) continue;
          // Against the root of the altered size (how a verifier pairs them from a checkpoint).
          if (other <= 8) expect(verifyInclusion(leaf, index, other, proof, root(other)), `${what}, size → ${other}`).to.equal(false);
        }
        // The probes of transparency-dev/merkle, against the original root.
        for (const other of [size * 2, Math.floor(size / 2)]) expect(verifyInclusion(leaf, index, other, proof, root(size)), `${what}, size → ${other}`).to.equal(false);
        expect(verifyInclusion(LEAVES[(index + 1) % 8]!, index, size, proof, root(size)), `${what}, other leaf`).to.equal(false);
        expect(verifyInclusion(leaf, index, size, [...proof, root(size)], root(size)), `${what}, element appended`).to.equal(false);
        expect(verifyInclusion(leaf, index, size, [root(size), ...proof], root(size)), `${what}, element prepended`).to.equal(false);
        if (proof.length > 0) expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root(size)), `${what}, element removed`).to.equal(false);
        expect(verifyInclusion(leaf, index, size, proof, EMPTY_ROOT), `${what}, empty root`).to.equal(false);
        checked++;
      }
    }
    expect(checked).to.equal(36);
  });

  it('consistency proofs verify for every pair of sizes up to 8, and fail when anything is altered', () => {
    let checked = 0;
    for (let n = 0; n <= 8; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(LEAVES, m, n);
        const what = `${m} → ${n}`;
        expect(verifyConsistency(m, n, proof, root(m), root(n)), what).to.equal(true);
        if (m > 0 && m < n) expect(proof.length, what).to.be.greaterThan(0);
        else expect(proof, what).to.deep.equal([]);
        for (let i = 0; i < proof.length; i++) expect(verifyConsistency(m, n, flipBit(proof, i), root(m), root(n)), `${what}, element ${i} altered`).to.equal(false);
        if (m === 0 || m === n) {
          // Trivial proofs (empty): only the roots can be wrong.
          if (m === n) expect(verifyConsistency(m, n, proof, root(m), root(n === 8 ? 7 : n + 1)), `${what}, other root`).to.equal(false);
          else expect(verifyConsistency(m, n, proof, root(1), root(n)), `${what}, non-empty first root`).to.equal(false);
          expect(verifyConsistency(m, n, [root(n)], root(m), root(n)), `${what}, element added`).to.equal(false);
          checked++;
          continue;
        }
        for (let other = 0; other <= 8; other++) {
          if (other !== m) expect(verifyConsistency(other, n, proof, root(other), root(n)), `${what}, first size → ${other}`).to.equal(false);
          if (other !== n) expect(verifyConsistency(m, other, proof, root(m), root(other)), `${what}, second size → ${other}`).to.equal(false);
        }
        expect(verifyConsistency(m, n, proof, root(n), root(m)), `${what}, roots swapped`).to.equal(false);
        expect(verifyConsistency(m, n, proof, EMPTY_ROOT, root(n)), `${what}, wrong first root`).to.equal(false);
        expect(verifyConsistency(m, n, proof, root(m), root(n === 8 ? 7 : n + 1)), `${what}, wrong second root`).to.equal(false);
        expect(verifyConsistency(m, n, proof.slice(0, -1), root(m), root(n)), `${what}, truncated`).to.equal(false);
        expect(verifyConsistency(m, n, [...proof, root(m)], root(m), root(n)), `${what}, element appended`).to.equal(false);
        expect(verifyConsistency(m, n, [proof[0]!, ...proof], root(m), root(n)), `${what}, element repeated`).to.equal(false);
        expect(verifyConsistency(m, n, [], root(m), root(n)), `${what}, empty proof`).to.equal(false);
        checked++;
      }
    }
    expect(checked).to.equal(45);
    // Time does not run backwards.
    expect(verifyConsistency(5, 3, [], root(5), root(3))).to.equal(false);
  });

  it('the frontier gives the same root as rootOf for every size 0..300, completing each node once', () => {
    const leaves = syntheticLeaves(300);
    const { roots, nodes, source } = buildIncrementally(leaves);
    for (let n = 0; n <= 300; n++) expect(toHex(roots[n]!), `size ${n}`).to.equal(toHex(rootOf(leaves.slice(0, n))));
    // 2n − popcount(n) complete subtrees in a tree of n leaves.
    expect(nodes.size).to.equal(2 * 300 - 4);
    const reference = nodeSourceFromLeaves(leaves);
    for (const key of nodes.keys()) {
      const [level, index] = key.split(':').map(Number) as [number, number];
      expect(toHex(source(level, index)), key).to.equal(toHex(reference(level, index)));
    }
  });

  it('proofs computed from stored complete subtrees equal proofs from the leaves, and verify', () => {
    const leaves = syntheticLeaves(70);
    const { source } = buildIncrementally(leaves);
    for (let n = 0; n <= 70; n++) {
      const head = rootOf(leaves.slice(0, n));
      expect(toHex(rootAt(n, source))).to.equal(toHex(head));
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(source, i, n);
        expect(hexes(proof)).to.deep.equal(hexes(inclusionProof(leaves, i, n)));
        expect(verifyInclusion(leaves[i]!, i, n, proof, head), `inclusion ${i}/${n}`).to.equal(true);
      }
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(source, m, n);
        expect(hexes(proof)).to.deep.equal(hexes(consistencyProof(leaves, m, n)));
        expect(verifyConsistency(m, n, proof, rootOf(leaves.slice(0, m)), head), `consistency ${m}→${n}`).to.equal(true);
      }
    }
  });

  it('refuses proofs for indexes and sizes outside the tree', () => {
    expect(() => inclusionProof(LEAVES, 8, 8)).to.throw(RangeError);
    expect(() => inclusionProof(LEAVES, 0, 9)).to.throw(RangeError);
    expect(() => consistencyProof(LEAVES, 5, 4)).to.throw(RangeError);
    expect(verifyInclusion(LEAVES[0]!, 0, 0, [], EMPTY_ROOT)).to.equal(false);
    expect(verifyInclusion(LEAVES[0]!, -1, 1, [], LEAVES[0]!)).to.equal(false);
    expect(verifyInclusion(LEAVES[0]!, 0, 1, [], LEAVES[0]!)).to.equal(true);
    expect(verifyInclusion(LEAVES[0]!, 0, 1, [Buffer.alloc(3)], LEAVES[0]!)).to.equal(false);
  });
});
