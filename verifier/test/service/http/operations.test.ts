import * as path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { ROUTES } from '../../../src/service/routes';
import { toOpenApiPath } from '../../../src/service/openapi';
import { ServiceErrorSchema } from '../../../src/wire';
import { FIXTURES, setup } from '../support/app';

describe('service http: operations', () => {
  it('OpenAPI lists every route of the route table, with its error codes', async () => {
    const { app } = await setup();
    const doc = (await request(app).get('/openapi.json').expect(200)).body as { paths: Record<string, { get?: { operationId?: string; responses: Record<string, unknown> } }> };
    expect(Object.keys(doc.paths).sort()).to.deep.equal(Object.values(ROUTES).map((r) => toOpenApiPath(r.path)).sort());
    for (const [id, spec] of Object.entries(ROUTES)) {
      const operation = doc.paths[toOpenApiPath(spec.path)]?.get;
      expect(operation?.operationId).to.equal(id);
      expect(operation?.responses).to.have.property('429');
    }
    expect(doc.paths['/v1/blocks/{number}']?.get?.responses).to.have.keys('200', '400', '403', '404', '429', '500');
  });

  it('healthz says how far the chain has been read', async () => {
    const { app } = await setup();
    expect((await request(app).get('/healthz').expect(200)).body).to.deep.equal({ status: 'ok', height: 6 });
  });

  it('when a client goes over the rate limit, then it gets 429 RATE_LIMITED', async () => {
    const { app } = await setup({ rateLimitMax: 2 });
    await request(app).get('/healthz').expect(200);
    await request(app).get('/healthz').expect(200);
    const res = await request(app).get('/v1/checkpoint').expect(429);
    expect(ServiceErrorSchema.parse(res.body).error.code).to.equal('RATE_LIMITED');
    expect(res.headers).to.have.property('ratelimit-policy');
  });

  it("sends a Content-Security-Policy that allows only 'self'", async () => {
    const { app } = await setup();
    const csp = (await request(app).get('/healthz')).headers['content-security-policy'] ?? '';
    expect(csp).to.include("default-src 'self'").and.include("script-src 'self'").and.include("frame-ancestors 'none'");
    expect(csp).not.to.match(/https:|unsafe-inline|\*/);
  });

  it('answers unknown paths with 404 NOT_FOUND in the ServiceError shape', async () => {
    const { app } = await setup();
    expect(ServiceErrorSchema.parse((await request(app).get('/v2/nothing').expect(404)).body).error.code).to.equal('NOT_FOUND');
  });

  it('when the peer fails, then it is 500 INTERNAL without the cause in the body, and the log has it', async () => {
    const { app, ledger, logs } = await setup();
    ledger.getPoll.rejects(new Error('secret internals'));
    const res = await request(app).get('/v1/polls/secret').expect(500);
    expect(ServiceErrorSchema.parse(res.body).error).to.deep.equal({ code: 'INTERNAL', message: 'internal error' });
    expect(logs.join('')).to.include('secret internals');
  });

  it('serves the citizen page at / when it has been built', async () => {
    const { app } = await setup({ webDir: path.join(FIXTURES, 'web') });
    expect((await request(app).get('/').expect(200)).text).to.include('<title>Verify</title>');
    const { app: bare } = await setup();
    await request(bare).get('/').expect(404);
  });
});
