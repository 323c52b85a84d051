import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommand } from '../src/config';
import { ConfigError, UsageError } from '../src/errors';
import { networkDescription, writeNetworkJson } from './support/network';
import { tempDir } from './support/tmp';

describe('config', function () {
  let dir: string;
  let cleanup: () => void;
  beforeEach(function () {
    ({ dir, cleanup } = tempDir());
    const files = { tlsCaCert: `${dir}/ca.crt`, certPath: `${dir}/cert.pem`, keyPath: '../key.pem' };
    const orgs = { observer: { mspId: 'ObserverMSP', port: 9051 }, city: { mspId: 'CityMSP', port: 7051 } };
    writeNetworkJson(path.join(dir, '.run', 'network.json'), networkDescription(orgs, files));
    for (const f of ['ca.crt', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, f), f);
  });
  afterEach(function () {
    cleanup();
  });

  describe('parseCommand', function () {
    it("when given no arguments, then it audits through .run/network.json as the observer's auditor on channel polls", function () {
      const command = parseCommand([], dir);
      expect(command.kind).to.equal('audit');
      if (command.kind !== 'audit') return;
      expect(command.peer).to.include({ endpoint: '127.0.0.1:9051', hostAlias: 'localhost', mspId: 'ObserverMSP' });
      expect(command.peer.certificate.toString()).to.equal('cert.pem');
      // A relative path in network.json is relative to the file, not to the working directory.
      expect(command.peer.privateKey.toString()).to.equal('key.pem');
      expect(command.options).to.include({ channel: 'polls', chaincode: 'polls', quiet: false, timeoutMs: 30000 });
      expect(command.options.checkpoint).to.equal(undefined);
    });

    it('when options are given, then they are resolved and typed', function () {
      const command = parseCommand(['audit', '--org', 'city', '--checkpoint', 'cp.json', '--checkpoint-every', '5', '--until-block', '12', '--json', 'r.json', '--trusted-hash', `3:${'AB'.repeat(32)}`], dir);
      if (command.kind !== 'audit') throw new Error('not audit');
      expect(command.peer.mspId).to.equal('CityMSP');
      expect(command.options.checkpoint).to.deep.equal({ file: path.join(dir, 'cp.json'), every: 5 });
      expect(command.options.untilBlock).to.equal(12);
      expect(command.options.jsonPath).to.equal(path.join(dir, 'r.json'));
      expect([...command.options.trustedHashes]).to.deep.equal([[3, 'ab'.repeat(32)]]);
    });

    it('when an explicit peer is given, then every part of it is required', function () {
      expect(() => parseCommand(['--peer', 'h:1', '--tls-ca', 'ca.crt'], dir)).to.throw(UsageError, /missing --msp-id, --cert, --key/);
      const command = parseCommand(['--peer', 'h:1', '--tls-ca', 'ca.crt', '--msp-id', 'X', '--cert', 'cert.pem', '--key', 'key.pem'], dir);
      expect(command.kind === 'audit' && command.peer.endpoint).to.equal('h:1');
      expect(() => parseCommand(['--peer', 'h:1', '--tls-ca', 'ca.crt', '--msp-id', 'X', '--cert', 'cert.pem', '--key', 'key.pem', '--org', 'city'], dir)).to.throw(UsageError, /cannot be combined/);
    });

    it('when a command, an option or a value is wrong, then a UsageError names it', function () {
      expect(() => parseCommand(['frobnicate'], dir)).to.throw(UsageError, /unknown command 'frobnicate'/);
      expect(() => parseCommand(['--bogus'], dir)).to.throw(UsageError, /bogus/);
      expect(() => parseCommand(['--until-block', '-3'], dir)).to.throw(UsageError);
      expect(() => parseCommand(['--until-block', 'x'], dir)).to.throw(UsageError, /--until-block must be an integer/);
      expect(() => parseCommand(['--trusted-hash', '3:abc'], dir)).to.throw(UsageError, /64 hex digits/);
      expect(() => parseCommand(['verify', '--org', 'city', '--from-dir', dir], dir)).to.throw(UsageError, /--org cannot be used with 'verify'/);
      expect(() => parseCommand(['export'], dir)).to.throw(UsageError, /--out/);
      expect(() => parseCommand(['receipt'], dir)).to.throw(UsageError, /exactly one argument/);
      expect(() => parseCommand(['receipt', 'r.json', '--from-dir', dir, '--org', 'city', '--trust-peer'], dir)).to.throw(UsageError, /alternatives/);
    });

    it('when the network description or a file it names is missing, then a ConfigError says which', function () {
      expect(() => parseCommand(['--network-json', 'nope.json'], dir)).to.throw(ConfigError, /nope\.json/);
      expect(() => parseCommand(['--org', 'dept'], dir)).to.throw(ConfigError, /no org 'dept' in network\.json \(it has observer, city\)/);
      fs.rmSync(path.join(dir, 'key.pem'));
      expect(() => parseCommand([], dir)).to.throw(ConfigError, /observer\.identities\.auditor\.keyPath/);
    });

    it('when network.json does not fit the protocol schema, then a ConfigError names the wrong fields', function () {
      writeNetworkJson(path.join(dir, 'old.json'), { orgs: { observer: { mspId: 'ObserverMSP', peerEndpoint: '127.0.0.1:9051' } } });
      expect(() => parseCommand(['--network-json', 'old.json'], dir)).to.throw(ConfigError, /not a valid network description[\s\S]*orgs\.observer\.tlsCaCert/);
      fs.writeFileSync(path.join(dir, 'text.json'), 'not json');
      expect(() => parseCommand(['--network-json', 'text.json'], dir)).to.throw(ConfigError, /is not JSON/);
    });

    it('when --identity is not an identity name of the protocol, then a UsageError lists the names', function () {
      expect(() => parseCommand(['--identity', 'mayor'], dir)).to.throw(UsageError, /'mayor' is not one of admin, poll-admin, ballot-relay, auditor/);
      const command = parseCommand(['--identity', 'poll-admin'], dir);
      expect(command.kind === 'audit' && command.peer.label).to.match(/poll-admin$/);
    });

    it('when --genesis-hash is given, then it is 64 hex digits, kept in lower case, for audit, verify and receipt', function () {
      const command = parseCommand(['verify', '--from-dir', '.', '--genesis-hash', 'AB'.repeat(32)], dir);
      expect(command.kind === 'verify' && command.options.genesisHash).to.equal('ab'.repeat(32));
      expect(() => parseCommand(['--genesis-hash', 'abc'], dir)).to.throw(UsageError, /--genesis-hash 'abc' must be 64 hex digits/);
      const receipt = parseCommand(['receipt', 'r.json', '--genesis-hash', 'ab'.repeat(32)], dir);
      expect(receipt.kind === 'receipt' && receipt.options).to.deep.include({ genesisHash: 'ab'.repeat(32), trustPeer: false });
      expect(() => parseCommand(['--trust-peer'], dir)).to.throw(UsageError, /--trust-peer cannot be used with 'audit'/);
    });

    it('when a receipt is to be checked without a checkpoint, a pinned genesis or --trust-peer, then it is refused', function () {
      expect(() => parseCommand(['receipt', 'r.json'], dir)).to.throw(UsageError, /'receipt' needs verified trust anchors: --checkpoint <file>.*--genesis-hash <hex>.*--trust-peer/);
      const receipt = parseCommand(['receipt', 'r.json', '--checkpoint', 'cp.json'], dir);
      expect(receipt.kind === 'receipt' && receipt.options.checkpoint?.file).to.equal(path.join(dir, 'cp.json'));
    });

    it('when verify, export and receipt are given their operands, then they parse', function () {
      expect(parseCommand(['verify', '--from-dir', '.'], dir)).to.deep.include({ kind: 'verify', fromDir: dir });
      expect(parseCommand(['export', '--out', 'x'], dir)).to.deep.include({ kind: 'export', outDir: path.join(dir, 'x') });
      const receipt = parseCommand(['receipt', 'r.json', '--from-dir', '.', '--trust-peer'], dir);
      expect(receipt).to.deep.include({ kind: 'receipt', receiptPath: path.join(dir, 'r.json'), source: { fromDir: dir } });
      expect(receipt.kind === 'receipt' && receipt.options.trustPeer).to.be.true;
      expect(parseCommand(['-h'], dir)).to.deep.equal({ kind: 'help' });
    });
  });
});
