// A hostile-input run over every documented operation (GET /api/openapi.json), as an admin, as a
// bidder and anonymously: odd path parameters, odd query strings, malformed and mistyped bodies.
// Bad input must be answered with a 4xx and the error shape, never a 5xx (an earlier run found
// POST /api/auth/logout with a bearer token answering 500).
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app';

const PATH_VALUES = ['x', '0', '%00', '..%2F..%2Fpackage.json', '%E2%80%AE', 'A'.repeat(300), '01ARZ3NDEKTSV4RRFFQ69G5FAV', '2026-02-30'];
const QUERY = '?from=-1&limit=abc&start=1e309&end=NaN&index=%00&size=99999999999999999999&state=%E2%80%AE&year=0&q=' + 'x'.repeat(2000);

/** A value of the wrong type for each JSON Schema type, to fill every documented property. */
function wrongFor(schema: any): unknown {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  switch (type) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return '1e999';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    case 'object':
      return ['not', 'an', 'object'];
    default:
      return null;
  }
}

function bodiesFor(op: any): Array<{ raw?: string; json?: unknown; type?: string }> {
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const props = schema?.properties ?? {};
  let deep: unknown = 1;
  for (let i = 0; i < 500; i++) deep = { a: deep };
  return [
    { raw: '{"unterminated":', type: 'application/json' },
    { raw: 'null', type: 'application/json' },
    { raw: '"a string"', type: 'application/json' },
    { json: [] },
    { json: {} },
    { json: Object.fromEntries(Object.keys(props).map((k) => [k, wrongFor(props[k])])) },
    { json: Object.fromEntries(Object.keys(props).map((k) => [k, '\u0000\u202E' + 'z'.repeat(70_000)])) },
    { json: deep },
    { raw: 'a=1&b=2', type: 'application/x-www-form-urlencoded' },
    { raw: '\u0000\u0001binary', type: 'application/octet-stream' },
  ];
}

describe('hostile input over every documented operation', function () {
  this.timeout(180_000);
  let t: TestApp;
  let ops: Array<{ method: string; path: string; op: any }>;

  before(async () => {
    t = await createTestApp();
    const doc = (await supertest(t.app).get('/api/openapi.json')).body;
    ops = [];
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) for (const [method, op] of Object.entries(methods)) ops.push({ method, path, op });
    expect(ops.length).to.be.greaterThan(50);
  });
  after(async () => t.close());

  function call(user: TestUser | undefined, method: string, url: string) {
    const r = (supertest(t.app) as any)[method](url) as supertest.Test;
    return user ? r.set('Authorization', `Bearer ${user.token}`) : r;
  }

  for (const who of ['admin', 'bidderA', 'anonymous'] as const) {
    it(`never answers 5xx to ${who}`, async () => {
      const user = who === 'anonymous' ? undefined : t.users[who];
      const failures: string[] = [];
      const check = (res: supertest.Response, what: string) => {
        if (res.status >= 500) failures.push(`${what} → ${res.status} ${res.text.slice(0, 200)}`);
        else if (res.status >= 400 && res.type === 'application/json') {
          if (typeof res.body?.error?.message !== 'string') failures.push(`${what} → ${res.status} without the error shape: ${res.text.slice(0, 200)}`);
        }
      };
      for (const { method, path, op } of ops) {
        const withParams = (value: string) => path.replace(/\{[^}]+\}/g, value);
        for (const value of PATH_VALUES) {
          const url = withParams(value) + QUERY;
          check(await call(user, method, url), `${method.toUpperCase()} ${url.slice(0, 120)}`);
        }
        if (method === 'get' || method === 'delete') continue;
        for (const body of bodiesFor(op)) {
          const url = withParams('x');
          const req = call(user, method, url);
          const res = body.json !== undefined ? await req.send(body.json as object) : await req.set('Content-Type', body.type!).send(body.raw!);
          check(res, `${method.toUpperCase()} ${url} with ${JSON.stringify(body.json ?? body.raw).slice(0, 80)}`);
        }
      }
      expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
    });
  }
});
