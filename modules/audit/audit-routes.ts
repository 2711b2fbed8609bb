import { Router } from 'express';
import { z } from 'zod';
import type { ApiRegistry } from '../../server/http/route';
import { requireRole } from '../core/context';
import type { AuditService } from './audit-service';

const digits = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

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
    handler: async ({ ctx, query }) => {
      requireRole(ctx, ['supervisor', 'auditor', 'admin'], 'read the audit log');
      return { events: await audit.list({ objectType: query.objectType, objectId: query.objectId, action: query.action, fromIdx: query.from, limit: query.limit }) };
    },
  });
  return router;
}
