import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { toInt, toStr } from '../row';
import { createAppendOnlyTriggers, dropAppendOnlyTriggers } from './20261126_0009_audit-merkle';

const BATCH = 1000;

// The tree's hashing as it was when this migration landed (RFC 9162 §2.1, as in
// modules/audit/merkle.ts then), kept here so that a later change to the application cannot
// change what this migration writes. test/integration/audit-log.test.ts checks that the tree it
// writes is the tree the live code appends to.
const sha256 = (...parts: Buffer[]): Buffer => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHash = (entry: string): Buffer => sha256(Buffer.from([0x00]), Buffer.from(entry, 'utf8'));
const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.from([0x01]), left, right);
const toHex = (b: Buffer): string => b.toString('hex');

interface StoredNode {
  level: number;
  index: number;
  hash: Buffer;
}

/** Appends leaf number `sizeBefore`: merges it with the frontier's subtrees it completes; returns every node it completes. */
function appendToFrontier(frontier: readonly Buffer[], leaf: Buffer, sizeBefore: number): { frontier: Buffer[]; completedNodes: StoredNode[] } {
  const next = frontier.slice();
  let hash = leaf;
  let level = 0;
  let index = sizeBefore;
  const completedNodes: StoredNode[] = [{ level, index, hash }];
  while (index % 2 === 1) {
    hash = nodeHash(next.pop()!, hash);
    level++;
    index = Math.floor(index / 2);
    completedNodes.push({ level, index, hash });
  }
  next.push(hash);
  return { frontier: next, completedNodes };
}

function rootFromFrontier(frontier: readonly Buffer[]): Buffer {
  if (frontier.length === 0) return sha256();
  let hash = frontier[frontier.length - 1]!;
  for (let i = frontier.length - 2; i >= 0; i--) hash = nodeHash(frontier[i]!, hash);
  return hash;
}

// Hashes the entries already in the log (a database of the previous release has some) into the
// tree: every complete subtree into audit_nodes, the frontier and the tree head into audit_head.
// Streams the log in batches, keeping only the frontier in memory.
export async function up(knex: Knex): Promise<void> {
  const head = await knex('audit_head').where({ id: 1 }).first('size');
  if (!head) throw new Error('audit_head row is missing');
  const size = toInt(head.size);
  let frontier: Buffer[] = [];
  let count = 0;
  for (;;) {
    const rows = await knex('audit_log').where('idx', '>=', count).orderBy('idx', 'asc').limit(BATCH).select('idx', 'entry');
    if (rows.length === 0) break;
    const nodes: StoredNode[] = [];
    for (const row of rows) {
      const idx = toInt(row.idx);
      if (idx !== count) throw new Error(`audit_log has no entry at index ${count} (next is ${idx}); the log cannot be hashed`);
      const step = appendToFrontier(frontier, leafHash(toStr(row.entry)), count);
      frontier = step.frontier;
      nodes.push(...step.completedNodes);
      count++;
    }
    for (let i = 0; i < nodes.length; i += 500) {
      await knex('audit_nodes').insert(nodes.slice(i, i + 500).map((n) => ({ level: n.level, idx: n.index, hash: toHex(n.hash) })));
    }
  }
  if (count !== size) throw new Error(`audit_head says the log has ${size} entries but audit_log has ${count}`);
  await knex('audit_head')
    .where({ id: 1 })
    .update({ frontier: JSON.stringify(frontier.map(toHex)), root: toHex(rootFromFrontier(frontier)) });
}

export async function down(knex: Knex): Promise<void> {
  await knex('audit_head').where({ id: 1 }).update({ frontier: null, root: null });
  // The nodes are derived from the entries; they go so that `up` can run again.
  await dropAppendOnlyTriggers(knex, 'audit_nodes');
  await knex('audit_nodes').delete();
  await createAppendOnlyTriggers(knex, 'audit_nodes');
}
