import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { connectLedger, peerTarget } from '../../src/fabric/connection';
import { FabricLedger } from '../../src/fabric/fabric-ledger';
import { createMetrics } from '../../src/metrics';
import { expect } from '../chai';
import { newPeerClient } from '@poll-ledger/fabric-client';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const FILES: Readonly<Record<string, Buffer>> = {
  '/ca.pem': Buffer.from('-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n'),
  '/relay.pem': Buffer.from('relay-cert'),
  '/relay.key': Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' })),
};
const readFile = (path: string) => {
  const file = FILES[path];
  if (!file) throw new Error(`ENOENT: ${path}`);
  return file;
};

const ENV = {
  GATEWAY_PEER_ENDPOINT: 'localhost:7051',
  GATEWAY_PEER_HOST_ALIAS: 'peer0.city.example.com',
  GATEWAY_TLS_CA_CERT: '/ca.pem',
  GATEWAY_MSP_ID: 'CityMSP',
  GATEWAY_IDENTITIES: JSON.stringify({ 'ballot-relay': { certPath: '/relay.pem', keyPath: '/relay.key', mspId: 'DeptMSP' } }),
  GATEWAY_API_KEYS: JSON.stringify([{ id: 'k', sha256: 'a'.repeat(64), role: 'ballot-relay' }]),
  GATEWAY_VOTER_TOKEN_SECRET: 's'.repeat(32),
  GATEWAY_EVALUATE_TIMEOUT_MS: '50',
};

describe('fabric connection', () => {
  it('when the peer target is built from config, then it carries the endpoint, the alias and the CA file contents', () => {
    const target = peerTarget(loadConfig(ENV), readFile);
    expect(target).to.deep.equal({ endpoint: 'localhost:7051', hostAlias: 'peer0.city.example.com', tlsCaCert: FILES['/ca.pem'] });
    const client = newPeerClient(target);
    expect(client.getChannel().getTarget()).to.include('localhost:7051');
    client.close();
  });

  it('when the CA file is missing, then building the ledger fails with the path in the message', () => {
    expect(() => connectLedger(loadConfig({ ...ENV, GATEWAY_TLS_CA_CERT: '/nope.pem' }), createMetrics(), readFile)).to.throw(/nope\.pem/);
  });

  it('when a key file is missing, then building the ledger fails with the path in the message', () => {
    const identities = JSON.stringify({ 'ballot-relay': { certPath: '/relay.pem', keyPath: '/nope.key' } });
    expect(() => connectLedger(loadConfig({ ...ENV, GATEWAY_IDENTITIES: identities }), createMetrics(), readFile)).to.throw(/nope\.key/);
  });

  it('when the ledger is built from config, then each configured role gets its identity, with the MSP id override', async () => {
    const ledger = connectLedger(loadConfig(ENV), createMetrics(), readFile);
    expect(ledger).to.be.instanceOf(FabricLedger);
    await expect(ledger.evaluate({ role: 'auditor', name: 'GetPoll', args: [] })).to.be.rejectedWith(/no Fabric identity/);
    ledger.close();
  });
});
