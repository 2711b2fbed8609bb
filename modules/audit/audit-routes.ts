import { Router } from 'express';
import { checkpointListSchema, checkpointSchema, consistencyProofSchema, inclusionProofSchema, logEntriesSchema } from '../formats/checkpoint';
import { promiseStatusSchema } from '../formats/log-promise';
import { z } from 'zod';
import type { ApiRegistry } from '../../server/http/route';
import { requireRole } from '../core/context';
import { auditEventsResponse } from './audit-schemas';
import { MAX_ENTRIES_PER_CALL, type AuditService } from './audit-service';

const digits = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);
/** A position or size in the log: a whole number within JavaScript's exact range. */
const position = digits.pipe(z.int().min(0));

export function auditRoutes(audit: AuditService, registry: ApiRegistry): Router {
  const router = Router();
  registry.add(router, {
    method: 'get',
    path: '/api/audit/events',
    tag: 'audit',
    summary: 'Audit events in log order, filtered by object, action or position.',
    access: 'supervisor, auditor, admin',
    query: z.strictObject({
      objectType: z.string().max(32).optional(),
      objectId: z.string().max(64).optional(),
      action: z.string().max(64).optional(),
      from: digits.optional(),
      limit: digits.pipe(z.int().min(1).max(1000)).optional(),
    }),
    response: auditEventsResponse,
    handler: async ({ ctx, query }) => {
      requireRole(ctx, ['supervisor', 'auditor', 'admin'], 'read the audit log');
      return { events: await audit.list({ objectType: query.objectType, objectId: query.objectId, action: query.action, fromIdx: query.from, limit: query.limit }) };
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/audit/checkpoint',
    tag: 'audit',
    summary:
      'The latest published checkpoint of the audit log (tree size, RFC 6962 root, time, key id, Ed25519 signature over the RFC 8785 canonical JSON of the other fields). Checkpoints are signed on a fixed schedule (every 10 minutes when the log grew) and at each freeze of a bid set, never per request or per bid.',
    access: 'anyone',
    public: true,
    response: checkpointSchema,
    handler: async () => audit.publishedCheckpoint(),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/audit/promises/:digest',
    tag: 'audit',
    summary:
      "Where a signed promise of inclusion (a receipt's `promise`) stands, by the SHA-256 of the promise's canonical JSON: `waiting` until bidding on its section closes, then `merged` with the entry, a signed checkpoint and the RFC 9162 inclusion proof. `etender verify-receipt --url` asks this.",
    access: 'anyone',
    public: true,
    response: promiseStatusSchema,
    handler: async ({ params }) => audit.promiseStatus(params.digest!),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/audit/checkpoints',
    tag: 'audit',
    summary: 'Stored signed checkpoints with size >= from, in size order.',
    access: 'anyone',
    public: true,
    query: z.strictObject({
      from: position.optional(),
      limit: digits.pipe(z.int().min(1).max(1000)).optional(),
    }),
    response: checkpointListSchema,
    handler: async ({ query }) => ({ checkpoints: await audit.checkpoints(query.from ?? 0, query.limit ?? 100) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/audit/proofs/inclusion',
    tag: 'audit',
    summary: 'RFC 9162 inclusion proof of the entry at `index` in the tree of `size` entries (hex hashes, bottom up).',
    access: 'anyone',
    public: true,
    query: z.strictObject({ index: position, size: position }),
    response: inclusionProofSchema,
    handler: async ({ query }) => audit.inclusionProof(query.index, query.size),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/audit/proofs/consistency',
    tag: 'audit',
    summary: 'RFC 9162 consistency proof that the tree of `from` entries is a prefix of the tree of `to` entries.',
    access: 'anyone',
    public: true,
    query: z.strictObject({ from: position, to: position }),
    response: consistencyProofSchema,
    handler: async ({ query }) => audit.consistencyProof(query.from, query.to),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/audit/entries',
    tag: 'audit',
    summary: `Log entries [start, end) as their exact canonical JSON (the Merkle leaves), at most ${MAX_ENTRIES_PER_CALL} per call.`,
    // Entries name bidders and their addresses: who bids must stay secret until the opening (EB 21).
    access: 'supervisor, auditor, admin',
    query: z.strictObject({ start: position, end: position }),
    response: logEntriesSchema,
    handler: async ({ ctx, query }) => {
      requireRole(ctx, ['supervisor', 'auditor', 'admin'], 'read the audit log entries');
      return { start: query.start, end: query.end, entries: await audit.entries(query.start, query.end) };
    },
  });
  return router;
}
