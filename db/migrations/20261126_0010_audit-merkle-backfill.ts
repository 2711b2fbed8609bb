import type { Knex } from 'knex';
import { toInt, toStr } from '../row';
import { appendToFrontier, rootFromFrontier, toHex, leafHash, type StoredNode } from '../../modules/audit/merkle';
import { createAppendOnlyTriggers, dropAppendOnlyTriggers } from './20261126_0009_audit-merkle';

const BATCH = 1000;

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
      const step = appendToFrontier(frontier, leafHash(Buffer.from(toStr(row.entry), 'utf8')), count);
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
