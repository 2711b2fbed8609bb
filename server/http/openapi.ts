// Builds /api/openapi.json from the routes' own zod schemas.
import { z } from 'zod';
import { bidDocumentSchema } from '../../modules/bids/bid-package';
import { manifestSchema } from '../../modules/bids/manifest';
import type { ApiRegistry } from './route';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable machine code, e.g. validation_failed, rule_violation, invalid_transition.' },
        message: { type: 'string', description: 'What went wrong and what to do about it.' },
        details: { description: 'Per-field or per-rule details, when there are any.' },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

export function buildOpenApi(registry: ApiRegistry, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of registry.specs) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (spec.query) {
      const qs = jsonSchema(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(qs.properties ?? {})) {
        parameters.push({ name, in: 'query', required: qs.required?.includes(name) ?? false, schema });
      }
    }
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      description: `Access: ${spec.access}.`,
      parameters,
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } } : {}),
      ...spec.openapi,
      responses: {
        [String(spec.status ?? 200)]: { description: 'Success' },
        ...(spec.openapi?.responses as object | undefined),
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    (paths[path] ??= {})[spec.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'etender API',
      version,
      description:
        'Unified e-tendering platform. Amounts are decimal strings in yuan with at most two decimals; instants are UTC epoch milliseconds. Every error has the shape {"error":{"code","message","details"?}}.',
    },
    components: {
      schemas: { Error: errorSchema, ...formatSchemas() },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'etender.sid' },
        bearer: { type: 'http', scheme: 'bearer', description: 'API token from POST /api/tokens or `etender token create`.' },
      },
    },
    security: [{ session: [] }, { bearer: [] }, {}],
    paths,
  };
}

/** The sealed-bid formats (docs/sealed-bids.md), so that another client can be written from this document alone. */
function formatSchemas(): Record<string, unknown> {
  const hex = { type: 'string', pattern: '^[0-9a-f]{64}$' };
  const checkpoint = {
    type: 'object',
    description: 'A signed tree head of the audit log. signature: base64 Ed25519 (log key) over the RFC 8785 canonical JSON of the other fields.',
    required: ['v', 'log', 'size', 'root', 'at', 'keyId', 'signature'],
    properties: {
      v: { const: 1 },
      log: { const: 'etender-audit' },
      size: { type: 'integer' },
      root: hex,
      at: { type: 'integer', description: 'UTC epoch ms' },
      keyId: hex,
      signature: { type: 'string' },
    },
  };
  return {
    BidDocument: { ...(z.toJSONSchema(bidDocumentSchema, { io: 'input' }) as object), description: 'bid.json: the first member of the bid package tar, followed by the attachments in the listed order. The tar is encrypted with age v1 to the section\'s X25519 recipient.' },
    Manifest: { ...(z.toJSONSchema(manifestSchema, { io: 'input' }) as object), description: 'Sent as base64 of its RFC 8785 canonical bytes in the Etender-Manifest header; Etender-Signature is base64 RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over those bytes.' },
    Checkpoint: checkpoint,
    LogPromise: {
      type: 'object',
      description:
        "The log's signed promise of inclusion (like a Certificate Transparency SCT): the exact entry it will append when bidding on mergeAfter.section closes (deadline or cancellation), at the latest maxMergeDelayMs after. signature: base64 Ed25519 (log key, GET /api/pki/keys) over the RFC 8785 canonical JSON of every other field. The appended entry carries entry.id, entry.action, entry.object and data = entry.data plus promisedAt = at. GET /api/audit/promises/{SHA-256 of this object's canonical JSON} answers where it stands.",
      required: ['format', 'log', 'entry', 'mergeAfter', 'maxMergeDelayMs', 'at', 'keyId', 'signature'],
      properties: {
        format: { const: 'etender-log-promise/1' },
        log: { const: 'etender-audit' },
        entry: {
          type: 'object',
          properties: { id: { type: 'string' }, action: { enum: ['bid.submitted', 'bid.withdrawn'] }, object: { type: 'object', properties: { type: { const: 'bid' }, id: { type: 'string' } } }, data: { type: 'object' } },
        },
        mergeAfter: { type: 'object', properties: { section: { type: 'string' } } },
        maxMergeDelayMs: { type: 'integer' },
        at: { type: 'integer', description: 'UTC epoch ms' },
        keyId: hex,
        signature: { type: 'string' },
      },
    },
    Receipt: {
      type: 'object',
      description:
        'signature: base64 Ed25519 (receipt key, GET /api/pki/keys) over the RFC 8785 canonical JSON of every other field. promise is the log\'s signed promise to append the entry when bidding closes; before that the public log holds no trace of the bid. (Receipts of format etender-receipt/1, from before promises, carry log: the entry, a checkpoint and the inclusion proof instead.)',
      required: ['format', 'kind', 'section', 'bidder', 'certificate', 'bid', 'receivedAt', 'supersedes', 'promise', 'keyId', 'signature'],
      properties: {
        format: { const: 'etender-receipt/2' },
        kind: { enum: ['submission', 'withdrawal'] },
        section: { type: 'object', properties: { id: { type: 'string' }, code: { type: 'string' } } },
        bidder: { type: 'object', properties: { orgId: { type: 'string' }, userId: { type: 'string' } } },
        certificate: hex,
        bid: {
          type: 'object',
          properties: { id: { type: 'string' }, version: { type: 'integer' }, ciphertextSha256: hex, size: { type: 'integer' }, manifestSha256: hex, nonce: { type: 'string' } },
        },
        receivedAt: { type: 'integer', description: "UTC epoch ms by the server's clock" },
        supersedes: { type: ['string', 'null'] },
        promise: { $ref: '#/components/schemas/LogPromise' },
        keyId: hex,
        signature: { type: 'string' },
      },
    },
  };
}
