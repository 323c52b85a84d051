import request from 'supertest';
import { expect } from '../chai';
import { bytes } from '../fakes';
import { ROUTES } from '../../src/http/routes';
import { BALLOT_ID, KEYS, POLL_IN, TX_ID } from '../fixtures';
import { errorOf, setup } from './helpers';

describe('http limits and framing', () => {
  it('when the body exceeds the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const { app, ledger } = setup({ bodyLimit: '1kb' });
    const res = await request(app).post('/v1/polls').set('X-API-Key', KEYS['poll-admin']).send({ ...POLL_IN, description: 'x'.repeat(2000) });
    expect(res.status).to.equal(413);
    expect(res.body).to.deep.equal({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } });
    expect(ledger.submit.called).to.equal(false);
  });

  it('when the body is not valid JSON, then 400 INVALID_JSON', async () => {
    const { app } = setup();
    const res = await request(app).post('/v1/polls').set('X-API-Key', KEYS['poll-admin']).set('Content-Type', 'application/json').send('{"title": ');
    expect(res.status).to.equal(400);
    expect(errorOf(res).code).to.equal('INVALID_JSON');
  });

  it('when the body is not JSON at all, then 400 INVALID_ARGUMENT (the schema sees no object)', async () => {
    const { app } = setup();
    const res = await request(app).post('/v1/polls').set('X-API-Key', KEYS['poll-admin']).set('Content-Type', 'text/plain').send('hello');
    expect(res.status).to.equal(400);
    expect(errorOf(res).code).to.equal('INVALID_ARGUMENT');
  });

  it('when one key exceeds its rate limit, then 429 RATE_LIMITED for that key only', async () => {
    const { app, ledger } = setup({ rateLimitMax: 2 });
    ledger.evaluate.resolves(bytes({ polls: [], bookmark: '', fetched: 0 }));
    const asAuditor = () => request(app).get('/v1/polls').set('X-API-Key', KEYS.auditor);
    expect((await asAuditor()).status).to.equal(200);
    expect((await asAuditor()).status).to.equal(200);
    const limited = await asAuditor();
    expect(limited.status).to.equal(429);
    expect(errorOf(limited).code).to.equal('RATE_LIMITED');
    expect(limited.headers).to.have.property('ratelimit');
    const other = await request(app).get('/v1/polls').set('X-API-Key', KEYS['poll-admin']);
    expect(other.status).to.equal(200);
  });

  it('when the path does not exist, then 404 NOT_FOUND in the error shape', async () => {
    const { app } = setup();
    const res = await request(app).get('/v1/nothing/here').set('X-API-Key', KEYS['poll-admin']);
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ error: { code: 'NOT_FOUND', message: 'no route for GET /v1/nothing/here' } });
  });

  it('when a known path is called with an undeclared method, then 405 METHOD_NOT_ALLOWED with Allow, before authentication', async () => {
    const { app, ledger } = setup();
    const res = await request(app).delete('/v1/polls/p1');
    expect(res.status).to.equal(405);
    expect(res.headers.allow).to.equal('GET, HEAD');
    expect(res.body).to.deep.equal({
      error: { code: 'METHOD_NOT_ALLOWED', message: 'DELETE is not allowed on /v1/polls/p1', details: { allowed: ['GET', 'HEAD'] } },
    });
    expect(ledger.evaluate.called).to.equal(false);
  });

  it('when any declared path is called with a method it does not declare, then Allow lists the route table’s methods for it', async () => {
    const { app } = setup();
    const declared = new Map<string, Set<string>>();
    for (const spec of Object.values(ROUTES)) declared.set(spec.path, (declared.get(spec.path) ?? new Set()).add(spec.method.toUpperCase()));
    for (const [path, methods] of declared) {
      const concrete = path.replace(':ballotId', BALLOT_ID).replace(':txId', TX_ID).replace(':id', 'p1');
      const expected = [...methods].flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => !expected.includes(m))) {
        const res = await request(app)[method.toLowerCase() as 'put'](concrete);
        expect(res.status, `${method} ${path}`).to.equal(405);
        expect(res.headers.allow?.split(', '), `${method} ${path}`).to.have.members(expected);
        if (method !== 'HEAD') expect(errorOf(res).code, `${method} ${path}`).to.equal('METHOD_NOT_ALLOWED');
      }
    }
  });

  it('when HEAD is sent to a GET route, then it is served like GET, not refused', async () => {
    const { app } = setup();
    expect((await request(app).head('/healthz')).status).to.equal(200);
  });

  it('when any response is sent, then helmet headers are set and Express is not advertised', async () => {
    const { app } = setup();
    const res = await request(app).get('/healthz');
    expect(res.headers).to.include({ 'x-content-type-options': 'nosniff' });
    expect(res.headers).to.have.property('content-security-policy');
    expect(res.headers).to.not.have.property('x-powered-by');
  });

  it('when a request carries a well-formed X-Request-Id, then it is echoed; otherwise one is generated', async () => {
    const { app } = setup();
    expect((await request(app).get('/healthz').set('X-Request-Id', 'trace-123')).headers['x-request-id']).to.equal('trace-123');
    expect((await request(app).get('/healthz').set('X-Request-Id', 'bad id!')).headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });
});
