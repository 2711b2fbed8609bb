import { Router } from 'express';
import { openingRecordSchema } from '../formats/opening-record';
import type { ApiRegistry } from '../../server/http/route';
import type { CustodyService } from '../custody/custody-service';
import { myShareResponse, shareReleaseResponse } from '../custody/custody-schemas';
import { answerBody, objectionBody, objectionResponse, objectionsResponse, officialsBody, officialsResponse, setOfficialsResponse, shareBody } from './opening-schemas';
import type { OpeningService } from './opening-service';

export function openingRoutes(opening: OpeningService, custody: CustodyService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/opening-record',
    tag: 'opening',
    summary:
      'The opening record (开标记录表) as canonical JSON (RFC 8785), with the opening secret key so that anyone can decrypt the published ciphertexts with any age tool. Its SHA-256 is in the Etender-Record-Sha256 header and in the section.opened audit entry. 404 before the deadline, 409 while the opening runs or when the section failed.',
    access: 'public',
    public: true,
    response: openingRecordSchema,
    handler: async ({ ctx, params, res }) => {
      const { json, sha256 } = await opening.record(ctx, params.id!);
      res.status(200).type('application/json').set('Etender-Record-Sha256', sha256).send(json);
      return undefined;
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/bids/:id/ciphertext',
    tag: 'opening',
    summary: "A counted bid's sealed file (age), published with the opening record; 404 before that, for everyone.",
    access: 'public, once the opening record is published',
    public: true,
    responseFile: { mediaTypes: ['application/octet-stream'], description: 'The sealed bid: an age v1 file' },
    handler: async ({ params, res }) => {
      const c = await opening.ciphertext(params.id!);
      res.status(200).type('application/octet-stream').set('Content-Length', String(c.size)).set('Etender-Ciphertext-Sha256', c.sha256);
      c.stream.pipe(res);
      return undefined;
    },
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/shares',
    tag: 'opening',
    summary: "Release your share of the section's opening key (after the deadline, once). Body: the decrypted share in base64, as `etender share decrypt` prints it.",
    access: 'custodian of this section',
    body: shareBody,
    response: shareReleaseResponse,
    handler: async ({ ctx, params, body }) => custody.releaseShare(ctx, params.id!, body.share),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/shares/mine',
    tag: 'opening',
    summary: "Your encrypted share of the section's opening key (RSA-OAEP to your encryption certificate), to decrypt on your own machine.",
    access: 'custodian of this section',
    response: myShareResponse,
    handler: async ({ ctx, params }) => custody.myShare(ctx, params.id!),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/opening-officials',
    tag: 'opening',
    summary: 'The people presiding over, recording and supervising the opening (defaults: the section operator and the platform).',
    access: 'public once the section is published',
    public: true,
    response: officialsResponse,
    handler: async ({ ctx, params }) => opening.officials(ctx, params.id!),
  });

  registry.add(router, {
    method: 'put',
    path: '/api/sections/:id/opening-officials',
    tag: 'opening',
    summary: 'Name the people presiding over, recording and supervising the opening, before the record is published.',
    access: 'operator of the centre, admin',
    body: officialsBody,
    response: setOfficialsResponse,
    handler: async ({ ctx, params, body }) => opening.setOfficials(ctx, params.id!, body),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/sections/:id/opening-objections',
    tag: 'opening',
    summary: 'Objections raised at the opening and their answers.',
    access: 'public once the section is published',
    public: true,
    response: objectionsResponse,
    handler: async ({ ctx, params }) => ({ objections: await opening.objections(ctx, params.id!) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/opening-objections',
    tag: 'opening',
    summary: 'Raise an objection at the opening (TBLS 44), while the section is opening or opened.',
    access: 'bidder of the section',
    body: objectionBody,
    status: 201,
    response: objectionResponse,
    handler: async ({ ctx, params, body }) => opening.raiseObjection(ctx, params.id!, body.text),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/sections/:id/opening-objections/:oid/answer',
    tag: 'opening',
    summary: 'Answer an objection raised at the opening; recorded with it.',
    access: 'operator of the centre, admin',
    body: answerBody,
    response: objectionResponse,
    handler: async ({ ctx, params, body }) => opening.answerObjection(ctx, params.id!, params.oid!, body.answer),
  });

  return router;
}
