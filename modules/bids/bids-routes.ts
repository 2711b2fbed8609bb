import { Router } from 'express';
import { receiptResponseSchema } from '../formats/receipt';
import { myBidsResponse, signalsResponse } from './bids-schemas';
import type { ApiRegistry } from '../../server/http/route';
import { myBidsResponseSchema } from './bids-schemas';
import type { BidsService } from './bids-service';
import type { UploadLimits } from './upload-limits';

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function bidsRoutes(bids: BidsService, registry: ApiRegistry, uploads?: UploadLimits): Router {
  const router = Router();

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/bids',
    tag: 'bids',
    summary:
      'Submit a sealed bid. Body: the age-encrypted bid package (streamed). Headers: Etender-Manifest (base64 of the canonical manifest JSON), Etender-Signature (base64 RSA-PSS signature of those bytes), optionally Etender-Certificate (base64 DER, for certificates of other trusted CAs). Answers with the signed receipt.',
    access: 'bidder of an approved organisation, before the deadline',
    status: 201,
    response: receiptResponseSchema,
    openapi: {
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'Etender-Manifest', in: 'header', required: true, schema: { type: 'string' } },
        { name: 'Etender-Signature', in: 'header', required: true, schema: { type: 'string' } },
        { name: 'Etender-Certificate', in: 'header', required: false, schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
    },
    handler: async ({ ctx, params, req, res }) => {
      uploads?.enter(ctx, res);
      const length = req.headers['content-length'];
      const receipt = await bids.submit(
        ctx,
        params.id!,
        {
          manifest: header(req.headers['etender-manifest']),
          signature: header(req.headers['etender-signature']),
          certificate: header(req.headers['etender-certificate']),
          contentLength: length === undefined ? null : Number(length),
        },
        req,
      );
      return { receipt };
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/my-bids',
    tag: 'bids',
    summary: "Your organisation's bid versions for a section (every version is kept; the active one counts).",
    access: 'bidder',
    response: myBidsResponse,
    handler: async ({ ctx, params }) => ({ bids: await bids.myBids(ctx, params.id!) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/me/bids',
    tag: 'bids',
    summary:
      "Your organisation's bids in every section: per section (code, title, state, deadline) every version with its time, size, digests, status (current, replaced, withdrawn) and the URL of its signed receipt. Never another organisation's.",
    access: 'bidder',
    response: myBidsResponseSchema,
    handler: async ({ ctx }) => bids.myBidsEverywhere(ctx),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/bids/:id/withdraw',
    tag: 'bids',
    summary: 'Withdraw the bid that currently counts, before the deadline; answers with a signed withdrawal receipt.',
    access: 'bidder of the organisation',
    response: receiptResponseSchema,
    handler: async ({ ctx, params }) => ({ receipt: await bids.withdraw(ctx, params.id!) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/bids/:id/receipt',
    tag: 'bids',
    summary: 'The signed receipt of one of your bids.',
    access: 'bidder of the organisation',
    response: receiptResponseSchema,
    handler: async ({ ctx, params }) => ({ receipt: await bids.receipt(ctx, params.id!) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/bids/:id/withdrawal-receipt',
    tag: 'bids',
    summary: 'The signed withdrawal receipt of one of your withdrawn bids (the one the withdrawal answered with).',
    access: 'bidder of the organisation',
    response: receiptResponseSchema,
    handler: async ({ ctx, params }) => ({ receipt: await bids.withdrawalReceipt(ctx, params.id!) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/signals',
    tag: 'supervision',
    summary: 'Supervision signals about the bids of a section (e.g. identical ciphertexts from different bidders), after the deadline.',
    access: 'supervisor, auditor, admin',
    response: signalsResponse,
    handler: async ({ ctx, params }) => ({ signals: await bids.signals(ctx, params.id!) }),
  });

  return router;
}
