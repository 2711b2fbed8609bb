// Builds /api/openapi.json from the routes' own zod schemas.
import { z } from 'zod';
import { FORMAT_COMPONENTS } from '../../modules/formats';
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

/** Descriptions that belong to the document rather than to the schema's own text. */
const COMPONENT_NOTES: Partial<Record<keyof typeof FORMAT_COMPONENTS, string>> = {
  BidDocument: "bid.json: the first member of the bid package tar, followed by the attachments in the listed order. The tar is encrypted with age v1 to the section's X25519 recipient.",
  Manifest: 'Sent as base64 of its RFC 8785 canonical bytes in the Etender-Manifest header; Etender-Signature is base64 RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over those bytes.',
};

const ref = (id: string) => `#/components/schemas/${id}`;

/**
 * JSON Schemas generated from the zod schemas of the formats and the responses: each format is
 * one component, and a response that contains a format refers to its component.
 */
class SchemaWriter {
  private readonly registry = z.registry<{ id: string }>();
  private readonly ids = new Map<z.ZodType, string>();

  constructor() {
    for (const [id, schema] of Object.entries(FORMAT_COMPONENTS)) {
      this.registry.add(schema, { id });
      this.ids.set(schema, id);
    }
  }

  components(): Record<string, unknown> {
    const { schemas } = z.toJSONSchema(this.registry, { uri: ref, io: 'output', unrepresentable: 'any' }) as { schemas: Record<string, Record<string, unknown>> };
    const out: Record<string, unknown> = {};
    for (const [id, schema] of Object.entries(schemas)) {
      const { $schema: _s, $id: _i, ...rest } = schema;
      const note = COMPONENT_NOTES[id as keyof typeof FORMAT_COMPONENTS];
      out[id] = note ? { ...rest, description: note } : rest;
    }
    return out;
  }

  /** A response body's schema: a format by reference, anything else inline with references to the formats in it. */
  response(schema: z.ZodType): unknown {
    const id = this.ids.get(schema);
    if (id) return { $ref: ref(id) };
    const generated = z.toJSONSchema(schema, { metadata: this.registry, io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
    const { $schema: _s, $defs: _d, ...rest } = generated;
    // The formats it contains are the document's components, not local definitions.
    return JSON.parse(JSON.stringify(rest).replace(/"#\/\$defs\/(\w+)"/g, (_m, name: string) => JSON.stringify(ref(name))));
  }
}

/** A file's bytes: text for text/* media types, binary otherwise. */
function fileSchema(mediaType: string): Record<string, unknown> {
  return mediaType.startsWith('text/') ? { type: 'string' } : { type: 'string', format: 'binary' };
}

/** The success answer of an operation: no body (204), JSON of its response schema, a file, or JSON with a file as the alternative. */
function successResponse(spec: ApiRegistry['specs'][number], writer: SchemaWriter): Record<string, unknown> {
  const status = spec.status ?? 200;
  if (status === 204) return { description: 'Done; no body.' };
  const content: Record<string, unknown> = {};
  if (spec.response) content['application/json'] = { schema: writer.response(spec.response) };
  for (const mediaType of spec.responseFile?.mediaTypes ?? []) content[mediaType] = { schema: fileSchema(mediaType) };
  // A route that declares neither has no content here, and the response-schemas test names it.
  return { description: spec.responseFile?.description ?? 'Success', content };
}

export function buildOpenApi(registry: ApiRegistry, version: string) {
  const writer = new SchemaWriter();
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
        [String(spec.status ?? 200)]: successResponse(spec, writer),
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
      schemas: { Error: errorSchema, ...writer.components() },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'etender.sid' },
        bearer: { type: 'http', scheme: 'bearer', description: 'API token from POST /api/tokens or `etender token create`.' },
      },
    },
    security: [{ session: [] }, { bearer: [] }, {}],
    paths,
  };
}
