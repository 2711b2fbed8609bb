// Builds /api/openapi.json from the routes' own zod schemas.
import { z } from 'zod';
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
      schemas: { Error: errorSchema },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'etender.sid' },
        bearer: { type: 'http', scheme: 'bearer', description: 'API token from POST /api/tokens or `etender token create`.' },
      },
    },
    security: [{ session: [] }, { bearer: [] }, {}],
    paths,
  };
}
