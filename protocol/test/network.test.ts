import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sinon from 'sinon';
import { buildNetwork, main } from '../src/network-json-cli';
import { NetworkFileError, networkOrg, parseNetwork, readNetworkFile } from '../src';

const org = (key: string, msp: string, port: number) => [
  key, msp, `127.0.0.1:${port}`, 'localhost', `/run/orgs/${key}/peers/peer0/tls/ca.crt`, `127.0.0.1:${port - 1000}`,
  `https://127.0.0.1:${port + 1000}`, `/run/orgs/${key}`,
];

describe('network.json', function () {
  it('when the scripts describe the orgs, then the writer builds a valid description with every identity', function () {
    const network = buildNetwork(['quick', 'polls', 'polls', ...org('city', 'CityMSP', 7051), ...org('observer', 'ObserverMSP', 9051)]);
    expect(networkOrg(network, 'city').identities['ballot-relay']).to.deep.equal({
      certPath: '/run/orgs/city/users/ballot-relay/msp/signcerts/cert.pem',
      keyPath: '/run/orgs/city/users/ballot-relay/msp/keystore/key.pem',
    });
    expect(Object.keys(networkOrg(network, 'observer').identities)).to.deep.equal(['admin', 'poll-admin', 'ballot-relay', 'auditor']);
    expect(() => networkOrg(network, 'dept')).to.throw(NetworkFileError, /no org 'dept'.*city, observer/);
  });

  it('when an argument is malformed, then the writer refuses it and names the field', function () {
    expect(() => buildNetwork(['quick', 'polls', 'polls', ...org('city', 'CityMSP', 7051).slice(0, 7)])).to.throw(/8 words per org/);
    const bad = org('city', 'CityMSP', 7051);
    bad[2] = 'no-port';
    expect(() => buildNetwork(['quick', 'polls', 'polls', ...bad])).to.throw(/peerEndpoint/);
    expect(() => buildNetwork(['medium', 'polls', 'polls', ...org('city', 'CityMSP', 7051)])).to.throw(/mode/);
  });

  it('when written and read back by the CLI, then the file round-trips; a broken file is refused', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'network-json-'));
    const file = path.join(dir, 'network.json');
    expect(main(['write', file, 'full', 'polls', 'polls', ...org('city', 'CityMSP', 7051)])).to.equal(0);
    expect(readNetworkFile(file).mode).to.equal('full');
    const relative = JSON.parse(fs.readFileSync(file, 'utf8')) as { orgs: { city: { tlsCaCert: string } } };
    relative.orgs.city.tlsCaCert = 'tls/ca.crt';
    fs.writeFileSync(file, JSON.stringify(relative));
    expect(readNetworkFile(file).orgs.city?.tlsCaCert, 'relative to the file').to.equal(path.join(dir, 'tls', 'ca.crt'));
    expect(main(['check', file])).to.equal(0);
    fs.writeFileSync(file, JSON.stringify({ mode: 'quick', channel: 'polls', chaincode: 'polls', orgs: { city: { mspId: 'CityMSP' } } }));
    expect(() => parseNetwork(fs.readFileSync(file, 'utf8'), file)).to.throw(NetworkFileError, /peerEndpoint/);
    const stderr = sinon.stub(process.stderr, 'write').returns(true);
    try {
      expect(main(['check', file])).to.equal(1);
      expect(main(['nope'])).to.equal(2);
      expect(String(stderr.firstCall.args[0])).to.match(/peerEndpoint/);
    } finally {
      stderr.restore();
    }
    fs.rmSync(dir, { recursive: true });
  });
});
