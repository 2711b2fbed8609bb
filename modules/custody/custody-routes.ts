import { Router } from 'express';
import type { ApiRegistry } from '../../server/http/route';
import { ceremonyKeyResponse, ceremonyUploadBody, myCustodyResponseSchema, shareConfirmationBody, shareConfirmationResponse } from './custody-schemas';
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
    method: 'get',
    path: '/api/me/custody',
    tag: 'custody',
    summary:
      "The sections whose opening key you hold a share of: code, title, state, deadline, your share's index, whether you released or confirmed it, and whether you can release it now (after the deadline, before the opening finished). The shares themselves: GET /api/sections/:id/shares/mine.",
    access: 'signed in (an empty list for someone who holds no share)',
    response: myCustodyResponseSchema,
    handler: async ({ ctx }) => custody.mySections(ctx),
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
