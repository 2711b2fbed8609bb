// Checks a real answer against what its route documents: the JSON body against the route's response
// schema (and that the schema would notice a renamed field), a file against its media types, a 204
// as empty. The schema is the one /api/openapi.json is generated from.
import { expect } from 'chai';
import type { z } from 'zod';
import type { TestApp } from './test-app';

type Answer = { status: number; body: unknown; text: string; headers: Record<string, string | undefined> };
type Spec = TestApp['registry']['specs'][number];

function specOf(t: TestApp, method: string, path: string): Spec {
  const spec = t.registry.specs.find((s) => s.method === method && s.path === path);
  expect(spec, `${method.toUpperCase()} ${path} is a route`).to.not.equal(undefined);
  return spec!;
}

/** The response schema the route declares; a route without one fails here. */
export function documented(t: TestApp, method: string, path: string): z.ZodType {
  const spec = specOf(t, method, path);
  expect(spec.response, `${method.toUpperCase()} ${path} declares its response schema`).to.not.equal(undefined);
  return spec.response!;
}

/** The body with one key renamed: the first key of the top level, or of the first object inside it. */
function renamed(body: Record<string, unknown>, nested: boolean): Record<string, unknown> | null {
  const rename = (o: Record<string, unknown>) => {
    const [first] = Object.keys(o);
    if (first === undefined) return null;
    const { [first]: value, ...rest } = o;
    return { [`${first}Renamed`]: value, ...rest };
  };
  if (!nested) return rename(body);
  for (const [key, value] of Object.entries(body)) {
    const inner = Array.isArray(value) ? value[0] : value;
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) continue;
    const changed = rename(inner as Record<string, unknown>);
    if (!changed) continue;
    return { ...body, [key]: Array.isArray(value) ? [changed, ...value.slice(1)] : changed };
  }
  return null;
}

/**
 * Parses a real JSON answer with the route's schema (the zod message names the field that is off),
 * and checks that the same answer with a field renamed — at the top and one level down — does not pass.
 */
export function conforms(t: TestApp, method: string, path: string, res: Answer, status = 200, body: unknown = res.body): void {
  expect(res.status, res.text).to.equal(status);
  const schema = documented(t, method, path);
  const parsed = schema.safeParse(body);
  expect(parsed.success, `${method.toUpperCase()} ${path}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`).to.equal(true);
  expect(body, `${method.toUpperCase()} ${path} answers an object`).to.be.an('object');
  for (const nested of [false, true]) {
    const changed = renamed(body as Record<string, unknown>, nested);
    if (changed) expect(schema.safeParse(changed).success, `${method.toUpperCase()} ${path}: a renamed ${nested ? 'nested ' : ''}field passes its schema`).to.equal(false);
  }
}

/** A file answer: 200 with one of the media types the route documents. */
export function servesFile(t: TestApp, method: string, path: string, res: Answer): void {
  expect(res.status, res.text).to.equal(200);
  const spec = specOf(t, method, path);
  expect(spec.responseFile, `${method.toUpperCase()} ${path} documents its file answer`).to.not.equal(undefined);
  const type = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  expect(spec.responseFile!.mediaTypes, `${method.toUpperCase()} ${path} answered ${type}`).to.include(type);
}

/** A 204: documented as such, and no body. */
export function answersNoContent(t: TestApp, method: string, path: string, res: Answer): void {
  expect(res.status, res.text).to.equal(204);
  expect(specOf(t, method, path).status).to.equal(204);
  expect(res.text ?? '').to.equal('');
}
