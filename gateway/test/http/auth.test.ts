import request from 'supertest';
import { ROUTES, type RouteId } from '../../src/http/routes';
import { ROLES } from '../../src/roles';
import { expect } from '../chai';
import { errorOf, setup } from './helpers';

const ids = Object.keys(ROUTES) as RouteId[];

describe('http auth', () => {
  for (const id of ids) {
    const access = ROUTES[id].access;
    if (access === 'public') continue;
    const { method, path } = ROUTES[id];

    it(`when ${method.toUpperCase()} ${path} has no X-API-Key, then 401 UNAUTHENTICATED`, async () => {
      const { call, ledger } = setup();
      const res = await call(id, null);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ error: { code: 'UNAUTHENTICATED', message: 'missing or unknown X-API-Key' } });
      expect(ledger.evaluate.called || ledger.submit.called).to.equal(false);
    });

    const forbidden = ROLES.filter((role) => !access.includes(role));
    for (const role of forbidden) {
      it(`when ${method.toUpperCase()} ${path} is called by a ${role} key, then 403 FORBIDDEN`, async () => {
        const { call } = setup();
        const res = await call(id, role);
        expect(res.status).to.equal(403);
        expect(errorOf(res).code).to.equal('FORBIDDEN');
      });
    }
  }

  it('when the X-API-Key is unknown, then 401 and the key appears in no log line', async () => {
    const { app, logs } = setup();
    const res = await request(app).get('/v1/polls').set('X-API-Key', 'not-a-configured-key-123');
    expect(res.status).to.equal(401);
    expect(logs.join('')).to.not.include('not-a-configured-key-123');
  });

  it('when a valid key is used, then it is redacted in the request log', async () => {
    const { call, ledger, logs } = setup();
    ledger.evaluate.resolves(Buffer.from('{"polls":[],"bookmark":"","fetched":0}'));
    expect((await call('listPolls')).status).to.equal(200);
    expect(logs.join('')).to.include('[redacted]').and.not.include('auditor-key-0123456789').and.not.include('admin-key-0123456789');
  });

  it('when the body is too large, then auth still runs first (401, not 413)', async () => {
    const { app } = setup({ bodyLimit: '10b' });
    const res = await request(app).post('/v1/polls').send({ title: 'x'.repeat(100) });
    expect(res.status).to.equal(401);
  });
});
