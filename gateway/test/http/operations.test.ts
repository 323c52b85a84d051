import request from 'supertest';
import { createApp } from '../../src/http/app';
import { CachedCheck, createOpsApp } from '../../src/http/ops';
import { createMetrics } from '../../src/metrics';
import { expect } from '../chai';
import { bytes, fakeLedger } from '../fakes';
import { KEYS, POLL, appConfig } from '../fixtures';
import { errorOf, setup } from './helpers';

function ops(options: { readyCacheMs?: number; now?: () => number } = {}) {
  const ledger = fakeLedger();
  const metrics = createMetrics();
  const app = createOpsApp({ config: { ...appConfig(), readyCacheMs: options.readyCacheMs ?? 2000 }, ledger, metrics, now: options.now });
  return { app, ledger, metrics };
}

describe('http operations', () => {
  describe('the public listener', () => {
    it('when /healthz is called, then 200 without authentication', async () => {
      const { call } = setup();
      const res = await call('healthz');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ok' });
    });

    it('when /metrics or /readyz is asked for, then 404: ballot volume and peer calls are not open to the public', async () => {
      const { app, ledger } = setup();
      for (const path of ['/metrics', '/readyz']) expect((await request(app).get(path)).status).to.equal(404);
      expect(ledger.blockHeight.called).to.equal(false);
    });
  });

  describe('the operations listener', () => {
    it('when /healthz is called, then 200', async () => {
      expect((await request(ops().app).get('/healthz')).body).to.deep.equal({ status: 'ok' });
    });

    it('when the peer answers the readiness query, then /readyz is 200 with the block height', async () => {
      const { app, ledger } = ops();
      ledger.blockHeight.resolves(12);
      const res = await request(app).get('/readyz');
      expect(res.body).to.deep.equal({ status: 'ready', blockHeight: 12 });
      expect(ledger.blockHeight.firstCall.args).to.deep.equal(['poll-admin']);
    });

    it('when the peer does not answer, then /readyz is 503 LEDGER_UNAVAILABLE', async () => {
      const { app, ledger } = ops();
      ledger.blockHeight.rejects(new Error('connect ECONNREFUSED'));
      const res = await request(app).get('/readyz');
      expect(res.status).to.equal(503);
      expect(errorOf(res)).to.deep.equal({ code: 'LEDGER_UNAVAILABLE', message: 'the peer is not ready' });
    });

    it('when /readyz is called often, then the peer is asked at most once per GATEWAY_READY_CACHE_MS, failures included', async () => {
      let now = 1_000;
      const { app, ledger } = ops({ readyCacheMs: 2000, now: () => now });
      ledger.blockHeight.onFirstCall().resolves(12).onSecondCall().rejects(new Error('down')).onThirdCall().resolves(14);
      const statuses = async () => (await Promise.all([1, 2, 3].map(() => request(app).get('/readyz')))).map((res) => res.status);
      expect(await statuses()).to.deep.equal([200, 200, 200]);
      now += 1999;
      expect(await statuses()).to.deep.equal([200, 200, 200]);
      expect(ledger.blockHeight.callCount).to.equal(1);
      now += 1;
      expect(await statuses()).to.deep.equal([503, 503, 503]);
      now += 1000;
      expect((await request(app).get('/readyz')).status).to.equal(503);
      expect(ledger.blockHeight.callCount).to.equal(2);
      now += 1000;
      expect((await request(app).get('/readyz')).body).to.deep.equal({ status: 'ready', blockHeight: 14 });
      expect(ledger.blockHeight.callCount).to.equal(3);
    });

    it('when /metrics is scraped, then the public app’s HTTP counts and latency by route, method and status are there', async () => {
      const ledger = fakeLedger();
      ledger.evaluate.resolves(bytes(POLL));
      const metrics = createMetrics();
      const publicApp = createApp({ config: appConfig(), ledger, metrics });
      const opsApp = createOpsApp({ config: { ...appConfig(), readyCacheMs: 0 }, ledger, metrics });
      await request(publicApp).get('/v1/polls/p1').set('X-API-Key', KEYS.auditor);
      const res = await request(opsApp).get('/metrics');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/plain/);
      expect(res.text).to.include('http_requests_total{route="/v1/polls/:id",method="GET",status="200"} 1');
      expect(res.text).to.include('http_request_duration_seconds_bucket{le="0.005",route="/v1/polls/:id",method="GET",status="200"}');
      expect(res.text).to.include('# TYPE fabric_stage_duration_seconds histogram').and.include('# TYPE fabric_retries_total counter');
    });

    it('when an undeclared method or path is asked for, then 405 with Allow, or 404', async () => {
      const { app } = ops();
      const post = await request(app).post('/metrics');
      expect(post.status).to.equal(405);
      expect(post.headers.allow).to.equal('GET, HEAD');
      expect((await request(app).get('/v1/polls')).status).to.equal(404);
    });
  });

  describe('CachedCheck', () => {
    it('when called while a check runs, then the callers share it', async () => {
      let calls = 0;
      let finish: (value: number) => void = () => undefined;
      const check = new CachedCheck(() => {
        calls++;
        return new Promise<number>((resolve) => (finish = resolve));
      }, 0);
      const both = Promise.all([check.run(), check.run()]);
      await new Promise((resolve) => setImmediate(resolve));
      finish(7);
      expect(await both).to.deep.equal([7, 7]);
      expect(calls).to.equal(1);
    });

    it('when the check throws synchronously, then the caller gets a rejection', async () => {
      const check = new CachedCheck<number>(() => {
        throw new Error('boom');
      }, 1000);
      await expect(check.run()).to.be.rejectedWith('boom');
    });
  });
});
