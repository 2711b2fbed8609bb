import { Router } from 'express';
import type { ApiRegistry } from '../../server/http/route';
import { ceremonyUploadBody } from './custody-schemas';
import type { CustodyService } from './custody-service';

export function custodyRoutes(custody: CustodyService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/opening-key',
    tag: 'custody',
    summary:
      "Upload the opening key made by an offline key ceremony (etender ceremony): only the recipient and the shares, each encrypted to one of the centre's custodians. Publishing the draft then uses it.",
    access: 'operator of the centre, admin; draft sections only',
    body: ceremonyUploadBody,
    status: 201,
    handler: async ({ ctx, params, body }) => custody.uploadCeremonyKey(ctx, params.id!, body),
  });

  return router;
}
