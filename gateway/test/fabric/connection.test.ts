import { generateKeyPairSync } from 'node:crypto';
import { hash } from '@hyperledger/fabric-gateway';
import { loadConfig } from '../../src/config';
import { connectLedger, loadRoleIdentity, newGrpcClient } from '../../src/fabric/connection';
import { FabricLedger } from '../../src/fabric/fabric-ledger';
import { createMetrics } from '../../src/metrics';
import { expect } from '../chai';

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

describe('fabric connection', () => {
  it('when an identity is loaded, then it carries the MSP id, the cert bytes and the chosen signer', () => {
    const loaded = loadRoleIdentity({ certPath: '/relay.pem', keyPath: '/relay.key' }, 'CityMSP', 'fabric-default', readFile);
    expect(loaded.identity).to.deep.equal({ mspId: 'CityMSP', credentials: FILES['/relay.pem'] });
    expect(loaded.signing.hash).to.equal(hash.sha256);
  });

  it('when a key file is missing, then loading fails with the path in the message', () => {
    expect(() => loadRoleIdentity({ certPath: '/relay.pem', keyPath: '/nope.key' }, 'CityMSP', 'node-crypto', readFile)).to.throw(/nope\.key/);
  });

  it('when a gRPC client is made, then it targets the peer endpoint (connecting lazily)', () => {
    const client = newGrpcClient({ peerEndpoint: 'localhost:7051', peerHostAlias: 'peer0.city.example.com', tlsCaCert: '/ca.pem' }, readFile);
    expect(client.getChannel().getTarget()).to.include('localhost:7051');
    client.close();
  });

  it('when the ledger is built from config, then each configured role gets its identity, with the MSP id override', async () => {
    const config = loadConfig({
      GATEWAY_PEER_ENDPOINT: 'localhost:7051',
      GATEWAY_TLS_CA_CERT: '/ca.pem',
      GATEWAY_MSP_ID: 'CityMSP',
      GATEWAY_IDENTITIES: JSON.stringify({ 'ballot-relay': { certPath: '/relay.pem', keyPath: '/relay.key', mspId: 'DeptMSP' } }),
      GATEWAY_API_KEYS: JSON.stringify([{ id: 'k', sha256: 'a'.repeat(64), role: 'ballot-relay' }]),
      GATEWAY_VOTER_TOKEN_SECRET: 's'.repeat(32),
      GATEWAY_EVALUATE_TIMEOUT_MS: '50',
    });
    const ledger = connectLedger(config, createMetrics(), readFile);
    expect(ledger).to.be.instanceOf(FabricLedger);
    await expect(ledger.evaluate({ role: 'auditor', name: 'GetPoll', args: [] })).to.be.rejectedWith(/no Fabric identity/);
    ledger.close();
  });
});
