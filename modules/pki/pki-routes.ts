import { Router } from 'express';
import { publishedKeysSchema } from '../formats/receipt';
import type { ApiRegistry } from '../../server/http/route';
import { isOverseer } from '../core/context';
import {
  certificateRecordResponse,
  certificatesResponse,
  challengeResponse,
  issuedCertificateResponse,
  issueFromCsrBody,
  issueFromKeyBody,
  registeredCertificateResponse,
  registerForeignBody,
  revokeBody,
} from './pki-schemas';
import type { PkiService } from './pki-service';

export function pkiRoutes(pki: PkiService, registry: ApiRegistry): Router {
  const router = Router();

  registry.add(router, {
    method: 'post',
    path: '/api/pki/certificates',
    tag: 'pki',
    summary: 'Certify the RSA key of a PKCS#10 request (made with "etender csr"). The subject is set by the platform (username, organisation, credit code, user id), not taken from the request.',
    access: 'signed in; bidders of approved organisations',
    body: issueFromCsrBody,
    status: 201,
    response: issuedCertificateResponse,
    handler: async ({ ctx, body }) => ({ certificate: await pki.issueFromCsr(ctx, body.csr, body.usage) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/pki/challenges',
    tag: 'pki',
    summary: 'A single-use challenge (valid 5 minutes) to sign with your key, for POST /api/pki/certificates/from-key or POST /api/pki/certificates/register.',
    access: 'signed in',
    status: 201,
    response: challengeResponse,
    handler: async ({ ctx }) => pki.createChallenge(ctx),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/pki/certificates/from-key',
    tag: 'pki',
    summary: 'Certify an RSA public key made in the browser, proven by an RSA-PSS (SHA-256, salt 32) signature over a challenge.',
    access: 'signed in; bidders of approved organisations',
    body: issueFromKeyBody,
    status: 201,
    response: issuedCertificateResponse,
    handler: async ({ ctx, body }) => ({
      certificate: await pki.issueFromPublicKey(ctx, { publicKeySpkiPem: body.publicKey, challenge: body.challenge, signature: body.signature }, body.usage),
    }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/pki/certificates/register',
    tag: 'pki',
    summary:
      "Register a certificate of another CA this platform trusts (mutual recognition) to your account — and your organisation, for a bidder — proven by an RSA-PSS (SHA-256, salt 32) signature over a challenge with the certificate's key. It must chain directly to a trusted CA (not the platform CA), be valid now, not be a CA and carry the key usage of `usage`. Then it is accepted like a platform certificate and revoked the same way; the other CA's CRLs are not consulted. A certificate already registered (by anyone) answers 409.",
    access: 'signed in; bidders of approved organisations',
    body: registerForeignBody,
    status: 201,
    response: registeredCertificateResponse,
    handler: async ({ ctx, body }) => ({
      certificate: await pki.registerForeign(ctx, { certificatePem: body.certificate, challenge: body.challenge, signature: body.signature }, body.usage),
    }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/pki/certificates',
    tag: 'pki',
    summary: 'Your certificates; every certificate for admins, supervisors and auditors.',
    access: 'signed in',
    response: certificatesResponse,
    handler: async ({ ctx }) => ({ certificates: isOverseer(ctx.actor) ? await pki.listAll(ctx) : await pki.listMine(ctx) }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/pki/certificates/:fingerprint/revoke',
    tag: 'pki',
    summary: 'Revoke a certificate from now on (uses before now stay valid). A second revocation answers 409.',
    access: "the certificate's owner, admin",
    body: revokeBody,
    response: certificateRecordResponse,
    handler: async ({ ctx, params, body }) => ({ certificate: await pki.revoke(ctx, params.fingerprint!, body.reason) }),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/pki/ca.pem',
    public: true,
    tag: 'pki',
    summary: 'The platform CA certificate (PEM).',
    access: 'anyone',
    responseFile: { mediaTypes: ['text/plain'], description: 'The CA certificate, PEM' },
    handler: async ({ res }) => {
      res.type('text/plain').send(pki.caCertPem());
      return undefined;
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/pki/keys',
    public: true,
    tag: 'pki',
    summary:
      'The published platform keys: CA and timer certificates, receipt- and log-signing public keys, trusted CAs. What "etender verify-receipt" and "etender audit verify" check against offline.',
    access: 'anyone',
    response: publishedKeysSchema,
    handler: async () => pki.publishedKeys(),
  });

  return router;
}
