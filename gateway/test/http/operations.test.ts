import { expect } from '../chai';
import { bytes } from '../fakes';
import { POLL } from '../fixtures';
import { errorOf, setup } from './helpers';

describe('http operations', () => {
  it('when /healthz is called, then 200 without authentication', async () => {
    const { call } = setup();
    const res = await call('healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('when the peer answers the readiness query, then /readyz is 200 with the block height', async () => {
    const { call, ledger } = setup();
    ledger.blockHeight.resolves(12);
    const res = await call('readyz');
    expect(res.body).to.deep.equal({ status: 'ready', blockHeight: 12 });
    expect(ledger.blockHeight.firstCall.args).to.deep.equal(['poll-admin']);
  });

  it('when the peer does not answer, then /readyz is 503 LEDGER_UNAVAILABLE', async () => {
    const { call, ledger } = setup();
    ledger.blockHeight.rejects(new Error('connect ECONNREFUSED'));
    const res = await call('readyz');
    expect(res.status).to.equal(503);
    expect(errorOf(res)).to.deep.equal({ code: 'LEDGER_UNAVAILABLE', message: 'the peer is not ready' });
  });

  it('when /metrics is scraped, then HTTP counts and latency by route, method and status are there', async () => {
    const { call, ledger } = setup();
    ledger.evaluate.resolves(bytes(POLL));
    await call('getPoll');
    const res = await call('metrics');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/plain/);
    expect(res.text).to.include('http_requests_total{route="/v1/polls/:id",method="GET",status="200"} 1');
    expect(res.text).to.include('http_request_duration_seconds_bucket{le="0.005",route="/v1/polls/:id",method="GET",status="200"}');
    expect(res.text).to.include('# TYPE fabric_stage_duration_seconds histogram').and.include('# TYPE fabric_retries_total counter');
  });

  it('when /docs is opened, then a self-contained HTML page lists every path, with no external resources', async () => {
    const { call } = setup();
    const res = await call('docs');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/html/);
    expect(res.text).to.include('<code>/v1/polls/{id}/ballots</code>').and.include('Receipt');
    expect(res.text).to.not.match(/<script|https?:\/\/(?!\S*openapi)/);
  });
});
