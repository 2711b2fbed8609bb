import { Router } from 'express';
import { publicAwardSchema } from '../formats/award';
import type { ApiRegistry } from '../../server/http/route';
import { contractBody, contractResponse } from './awards-schemas';
import type { AwardsService } from './awards-service';

// No route records an award: the evaluation module does that inside its own transaction.
export function awardsRoutes(awards: AwardsService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/contract',
    tag: 'awards',
    summary: 'Record the signed contract (date and amount) of an awarded section; within 30 days of the award (TBL 46), else 422 naming the rule contractWithinDays.',
    access: 'operator of the centre, admin',
    body: contractBody,
    response: contractResponse,
    handler: async ({ ctx, params, body }) => awards.recordContract(ctx, params.id!, { signedAt: body.signedAt, amountFen: body.amount }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/award',
    tag: 'awards',
    summary: 'The award of a section with its award notice (中标通知书 / 成交通知书) and, once signed, the contract; 404 before the award.',
    access: 'public',
    public: true,
    response: publicAwardSchema,
    handler: async ({ params }) => awards.publicAward(params.id!),
  });

  return router;
}
