import { request as httpRequest, type Server } from 'node:http';
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
  GATEWAY_OPS_PORT: '0',
});

const portOf = (server: Server) => (server.address() as AddressInfo).port;

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

  it('when started, then /readyz and /metrics are served on the operations listener only, and stopping closes both listeners', async () => {
    const ledger = fakeLedger();
    ledger.blockHeight.resolves(3);
    const running = await start(config, ledger, createLogger('silent'), createMetrics());
    const [port, opsPort] = [portOf(running.server), portOf(running.opsServer)];
    expect(opsPort).to.not.equal(port);
    expect(running.opsServer.address()).to.include({ address: '127.0.0.1' });
    expect([await get(opsPort, '/readyz'), await get(opsPort, '/metrics'), await get(opsPort, '/healthz')]).to.deep.equal([200, 200, 200]);
    expect([await get(port, '/readyz'), await get(port, '/metrics'), await get(port, '/healthz')]).to.deep.equal([404, 404, 200]);
    await running.close();
    await expect(get(opsPort, '/healthz')).to.be.rejectedWith(/ECONNREFUSED/);
    await expect(get(port, '/healthz')).to.be.rejectedWith(/ECONNREFUSED/);
    expect(ledger.close.calledOnce).to.equal(true);
  });

  it('when the operations port is taken, then start fails and the public listener is closed again', async () => {
    const ledger = fakeLedger();
    const first = await start(config, ledger, createLogger('silent'), createMetrics());
    const clash = { ...config, port: 0, opsPort: portOf(first.opsServer) };
    const listeners = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const before = listeners();
    await expect(start(clash, ledger, createLogger('silent'), createMetrics())).to.be.rejectedWith(/EADDRINUSE/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(listeners()).to.equal(before);
    await first.close();
  });
});
