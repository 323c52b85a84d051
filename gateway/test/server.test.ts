import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { start } from '../src/server';
import { loadConfig } from '../src/config';
import { expect } from './chai';
import { bytes, fakeLedger } from './fakes';
import { KEYS, POLL } from './fixtures';
import { hashApiKey } from '../src/http/auth';

const config = loadConfig({
  GATEWAY_PORT: '0',
  GATEWAY_HOST: '127.0.0.1',
  GATEWAY_PEER_ENDPOINT: 'localhost:7051',
  GATEWAY_TLS_CA_CERT: '/unused',
  GATEWAY_MSP_ID: 'CityMSP',
  GATEWAY_IDENTITIES: JSON.stringify({ auditor: { certPath: '/unused', keyPath: '/unused' } }),
  GATEWAY_API_KEYS: JSON.stringify([{ id: 'a', sha256: hashApiKey(KEYS.auditor), role: 'auditor' }]),
  GATEWAY_VOTER_TOKEN_SECRET: 's'.repeat(32),
  GATEWAY_SHUTDOWN_TIMEOUT_MS: '2000',
});

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path, agent: false, headers: { 'X-API-Key': KEYS.auditor } }, (res) => {
      res.resume();
      res.on('end', () => { resolve(res.statusCode ?? 0); });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server', () => {
  it('when stopped while a request is in flight, then that request finishes, new ones are refused and the ledger is closed', async () => {
    const ledger = fakeLedger();
    let answer: () => void = () => undefined;
    ledger.evaluate.returns(new Promise((resolve) => (answer = () => { resolve(bytes(POLL)); })));
    const running = await start(config, ledger, createLogger('silent'), createMetrics());
    const { port } = running.server.address() as AddressInfo;

    const inFlight = get(port, '/v1/polls/p1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopped = running.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ledger.close.called).to.equal(false);
    answer();
    expect(await inFlight).to.equal(200);
    await stopped;
    expect(ledger.close.calledOnce).to.equal(true);
    await expect(get(port, '/healthz')).to.be.rejectedWith(/ECONNREFUSED/);
  });
});
