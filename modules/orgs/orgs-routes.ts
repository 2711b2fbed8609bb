import { Router, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { ApiRegistry } from '../../server/http/route';
import { tooManyRequests } from '../core/errors';
import { listOrgsQuery, organisationDetailResponse, organisationResponse, organisationsResponse, registerOrgBody, rejectOrgBody, reviewOrgBody } from './orgs-schemas';
import type { OrgsService } from './orgs-service';

/**
 * Registration is open to anyone: an address may register a few organisations an hour, not
 * thousands. One limiter for the API and the registration page, so that they share one budget.
 */
export function registrationLimiter(registrationsPerHour: number): RequestHandler {
  const options = { registrationsPerHour };
  return rateLimit({
    windowMs: 3600_000,
    limit: options.registrationsPerHour,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    // Retry-After is set by the limiter; the message says the same in minutes.
    handler: (req, _res, next) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const minutes = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 60_000)) : 60;
      next(
        tooManyRequests(
          `Too many organisation registrations from your address (at most ${options.registrationsPerHour} an hour); try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask the centre for help.`,
        ),
      );
    },
  });
}

export function orgsRoutes(orgs: OrgsService, registry: ApiRegistry, options: { limiter: RequestHandler }): Router {
  const router = Router();
  router.post('/api/orgs', options.limiter);

  registry.add(router, {
    method: 'post',
    path: '/api/orgs',
    public: true,
    tag: 'organisations',
    summary: 'Register a bidder organisation with its representatives (each becomes a bidder account). It stays pending until staff approve it.',
    access: 'anyone (rate limited per address)',
    body: registerOrgBody,
    status: 201,
    response: organisationDetailResponse,
    handler: async ({ ctx, body }) => orgs.register(ctx, body),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/orgs',
    tag: 'organisations',
    summary: 'List organisations, optionally by review status.',
    access: 'operator, admin, supervisor, auditor',
    query: listOrgsQuery,
    response: organisationsResponse,
    handler: async ({ ctx, query }) => ({ organisations: await orgs.list(ctx, query.status) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/orgs/:id',
    tag: 'organisations',
    summary: 'One organisation with its representatives.',
    access: 'staff, or a member of that organisation',
    response: organisationDetailResponse,
    handler: async ({ ctx, params }) => orgs.get(ctx, params.id!),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/orgs/:id/approve',
    tag: 'organisations',
    summary: 'Approve a pending registration.',
    access: 'operator, admin',
    body: reviewOrgBody,
    response: organisationResponse,
    handler: async ({ ctx, params, body }) => ({ organisation: await orgs.approve(ctx, params.id!, body.note) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/orgs/:id/reject',
    tag: 'organisations',
    summary: 'Reject a pending registration, with a reason.',
    access: 'operator, admin',
    body: rejectOrgBody,
    response: organisationResponse,
    handler: async ({ ctx, params, body }) => ({ organisation: await orgs.reject(ctx, params.id!, body.note) }),
  });

  return router;
}
