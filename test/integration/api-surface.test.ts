import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import supertest from 'supertest';
import { createTestApp, openTenderSection, type TestApp } from '../support/test-app';

describe('API surface: OpenAPI document and logs', () => {
  let t: TestApp;
  const logLines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({}, { log: pino({ level: 'debug' }, sink) });
  });
  after(async () => t.close());

  it('describes every route at /api/openapi.json, with request schemas and the one error shape', async () => {
    const res = await supertest(t.app).get('/api/openapi.json');
    expect(res.status).to.equal(200);
    const doc = res.body;
    expect(doc.openapi).to.equal('3.1.0');
    const ops: Array<[string, string, any]> = [];
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) for (const [m, op] of Object.entries(methods)) ops.push([m, path, op]);
    const expected = [
      ['post', '/api/auth/login'],
      ['get', '/api/me'],
      ['post', '/api/orgs'],
      ['post', '/api/orgs/{id}/approve'],
      ['get', '/api/centres'],
      ['put', '/api/centres/{code}/settings'],
      ['put', '/api/calendar/{date}'],
      ['post', '/api/projects'],
      ['get', '/api/sections'],
      ['get', '/api/sections/{id}'],
      ['post', '/api/sections/{id}/publish'],
      ['post', '/api/sections/{id}/clarifications'],
      ['post', '/api/sections/{id}/cancel'],
      ['post', '/api/sections/{id}/documents'],
      ['post', '/api/tokens'],
      ['get', '/api/audit/events'],
    ];
    for (const [m, p] of expected)
      expect(
        ops.some(([om, op]) => om === m && op === p),
        `${m} ${p}`,
      ).to.equal(true);
    const create = doc.paths['/api/projects'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).to.include.members(['centre', 'title', 'tenderee', 'sections']);
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties.centre.enum).to.deep.equal(['procurement', 'construction', 'land', 'property']);
    expect(doc.paths['/api/sections'].get.parameters.map((p: { name: string }) => p.name)).to.include.members(['centre', 'state']);
    expect(doc.components.schemas.Error.properties.error.required).to.deep.equal(['code', 'message']);
    for (const [, , op] of ops) expect(op.responses.default.content['application/json'].schema.$ref).to.equal('#/components/schemas/Error');
  });

  it('answers an anonymous call to a signed-in route with 401 before looking at the body', async () => {
    const res = await supertest(t.app).post('/api/projects').send({ nonsense: true });
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal('unauthenticated');
  });

  it('never writes a password or a token into the logs', async () => {
    const { opProc } = t.users;
    await supertest(t.app).post('/api/auth/login').send({ username: opProc.username, password: opProc.password });
    await supertest(t.app).post('/api/auth/login').send({ username: opProc.username, password: 'wrong-password-xyz-123' });
    const created = await t.req(opProc).post('/api/tokens').send({ name: 'logged?' });
    const token = created.body.token.token as string;
    await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`);
    await supertest(t.app).get('/api/me').set('Authorization', 'Bearer etk_not-a-real-token-000');
    await t
      .req(opProc)
      .post('/api/projects')
      .send({ centre: 'procurement', title: 'x', tenderee: 'y', sections: [openTenderSection()] });
    const all = logLines.join('');
    expect(all).to.contain('login failed'); // the log is really captured
    expect(all).to.contain('"path":"/api/me"');
    for (const secret of [opProc.password, 'wrong-password-xyz-123', token, opProc.token, 'etk_not-a-real-token-000']) expect(all).to.not.contain(secret);
  });
});
