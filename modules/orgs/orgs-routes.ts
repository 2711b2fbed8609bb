import { Router } from 'express';
import type { ApiRegistry } from '../../server/http/route';
import { listOrgsQuery, registerOrgBody, rejectOrgBody, reviewOrgBody } from './orgs-schemas';
import type { OrgsService } from './orgs-service';

export function orgsRoutes(orgs: OrgsService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'post',
    path: '/api/orgs',
    public: true,
    tag: 'organisations',
    summary: 'Register a bidder organisation with its representatives (each becomes a bidder account). It stays pending until staff approve it.',
    access: 'anyone',
    body: registerOrgBody,
    status: 201,
    handler: async ({ ctx, body }) => orgs.register(ctx, body),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/orgs',
    tag: 'organisations',
    summary: 'List organisations, optionally by review status.',
    access: 'operator, admin, supervisor, auditor',
    query: listOrgsQuery,
    handler: async ({ ctx, query }) => ({ organisations: await orgs.list(ctx, query.status) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/orgs/:id',
    tag: 'organisations',
    summary: 'One organisation with its representatives.',
    access: 'staff, or a member of that organisation',
    handler: async ({ ctx, params }) => orgs.get(ctx, params.id!),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/orgs/:id/approve',
    tag: 'organisations',
    summary: 'Approve a pending registration.',
    access: 'operator, admin',
    body: reviewOrgBody,
    handler: async ({ ctx, params, body }) => ({ organisation: await orgs.approve(ctx, params.id!, body.note) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/orgs/:id/reject',
    tag: 'organisations',
    summary: 'Reject a pending registration, with a reason.',
    access: 'operator, admin',
    body: rejectOrgBody,
    handler: async ({ ctx, params, body }) => ({ organisation: await orgs.reject(ctx, params.id!, body.note) }),
  });

  return router;
}
