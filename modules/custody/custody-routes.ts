import { Router } from 'express';
import type { ApiRegistry } from '../../server/http/route';
import { ceremonyKeyResponse, ceremonyUploadBody, shareConfirmationBody, shareConfirmationResponse } from './custody-schemas';
import type { CustodyService } from './custody-service';

export function custodyRoutes(custody: CustodyService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/opening-key',
    tag: 'custody',
    summary:
      "Upload the share holders' part of the opening key made by an offline key ceremony (etender ceremony): Feldman commitments and the shares, each encrypted to one of the centre's share holders. The platform timer's share is checked now; every user custodian confirms its own before the draft can be published, which adds the time lock.",
    access: 'operator of the centre, admin; draft sections only',
    body: ceremonyUploadBody,
    status: 201,
    response: ceremonyKeyResponse,
    handler: async ({ ctx, params, body }) => custody.uploadCeremonyKey(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/shares/mine/confirmation',
    tag: 'custody',
    summary:
      "Confirm (or dispute) your share of an uploaded ceremony key after checking it against the commitments on your own machine (etender share confirm). Publication waits for every custodian's confirmation; one dispute stops it.",
    access: 'custodian of this section; before publication',
    body: shareConfirmationBody,
    response: shareConfirmationResponse,
    handler: async ({ ctx, params, body }) => custody.confirmShare(ctx, params.id!, body),
  });

  return router;
}
