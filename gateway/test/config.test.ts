import { ConfigError, envName, loadConfig } from '../src/config';
import { expect } from './chai';

const VALID_ENV = {
  GATEWAY_PEER_ENDPOINT: 'localhost:7051',
  GATEWAY_TLS_CA_CERT: '/certs/ca.pem',
  GATEWAY_MSP_ID: 'CityMSP',
  GATEWAY_IDENTITIES: JSON.stringify({ 'ballot-relay': { certPath: '/id/relay.pem', keyPath: '/id/relay.key' } }),
  GATEWAY_API_KEYS: JSON.stringify([{ id: 'platform', sha256: 'f'.repeat(64), role: 'ballot-relay' }]),
  GATEWAY_VOTER_TOKEN_SECRET: 's'.repeat(32),
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  describe('envName', () => {
    it('when given a camelCase key, then returns the GATEWAY_ SCREAMING_SNAKE name', () => {
      expect(envName('peerEndpoint')).to.equal('GATEWAY_PEER_ENDPOINT');
      expect(envName('tlsCaCert')).to.equal('GATEWAY_TLS_CA_CERT');
    });
  });

  describe('loadConfig', () => {
    it('when the required variables are set, then the other settings take their defaults', () => {
      const config = loadConfig(VALID_ENV);
      expect(config).to.include({ port: 8080, channel: 'polls', chaincode: 'polls', signer: 'node-crypto', mvccRetries: 3, bodyLimit: '64kb' });
      expect(config.identities['ballot-relay']).to.deep.equal({ certPath: '/id/relay.pem', keyPath: '/id/relay.key' });
    });

    it('when the event-stream, operations-listener and readiness settings are not set, then they take their defaults', () => {
      expect(loadConfig(VALID_ENV)).to.include({ sseMaxStreamsPerKey: 4, sseResumeMaxBlocks: 1000, opsPort: 8081, opsHost: '127.0.0.1', readyCacheMs: 2000 });
    });

    it('when the event-stream, operations-listener and readiness settings are set, then they are read, and bad values are named', () => {
      const env = { GATEWAY_SSE_MAX_STREAMS_PER_KEY: '2', GATEWAY_SSE_RESUME_MAX_BLOCKS: '0', GATEWAY_OPS_PORT: '9100', GATEWAY_OPS_HOST: '0.0.0.0', GATEWAY_READY_CACHE_MS: '0' };
      expect(loadConfig({ ...VALID_ENV, ...env })).to.include({ sseMaxStreamsPerKey: 2, sseResumeMaxBlocks: 0, opsPort: 9100, opsHost: '0.0.0.0', readyCacheMs: 0 });
      const problems = problemsOf(() => loadConfig({ ...VALID_ENV, GATEWAY_SSE_MAX_STREAMS_PER_KEY: '0', GATEWAY_OPS_PORT: '70000' }));
      expect(problems.map((problem) => problem.split(':')[0])).to.have.members(['GATEWAY_SSE_MAX_STREAMS_PER_KEY', 'GATEWAY_OPS_PORT']);
    });

    it('when the ballot batching settings are not set, then ballots are gathered, up to the protocol’s 100 per transaction, at most 20 transactions a second per poll, with no wait', () => {
      expect(loadConfig(VALID_ENV)).to.include({ ballotBatchMax: 100, ballotBatchMaxBytes: 524_288, ballotBatchInFlight: 16, ballotBatchIntervalMs: 50, ballotBatchWaitMs: 0 });
    });

    it('when the ballot batching settings are set, then they are read, and values beyond the protocol’s limits are named', () => {
      const env = { GATEWAY_BALLOT_BATCH_MAX: '1', GATEWAY_BALLOT_BATCH_MAX_BYTES: '65536', GATEWAY_BALLOT_BATCH_IN_FLIGHT: '8', GATEWAY_BALLOT_BATCH_INTERVAL_MS: '0', GATEWAY_BALLOT_BATCH_WAIT_MS: '5' };
      expect(loadConfig({ ...VALID_ENV, ...env })).to.include({ ballotBatchMax: 1, ballotBatchMaxBytes: 65_536, ballotBatchInFlight: 8, ballotBatchIntervalMs: 0, ballotBatchWaitMs: 5 });
      const bad = { GATEWAY_BALLOT_BATCH_MAX: '101', GATEWAY_BALLOT_BATCH_MAX_BYTES: '10', GATEWAY_BALLOT_BATCH_IN_FLIGHT: '0', GATEWAY_BALLOT_BATCH_WAIT_MS: '-1' };
      const problems = problemsOf(() => loadConfig({ ...VALID_ENV, ...bad }));
      expect(problems.map((problem) => problem.split(':')[0])).to.have.members(Object.keys(bad));
    });

    it('when numbers arrive as text, then they are coerced', () => {
      const config = loadConfig({ ...VALID_ENV, GATEWAY_PORT: '9000', GATEWAY_MVCC_RETRIES: '0' });
      expect(config.port).to.equal(9000);
      expect(config.mvccRetries).to.equal(0);
    });

    it('when several variables are missing or invalid, then the error lists every one by its variable name', () => {
      const problems = problemsOf(() => loadConfig({ GATEWAY_PORT: 'eighty', GATEWAY_VOTER_TOKEN_SECRET: 'short' }));
      const named = problems.map((problem) => problem.split(':')[0]);
      expect(named).to.include.members([
        'GATEWAY_PORT',
        'GATEWAY_PEER_ENDPOINT',
        'GATEWAY_TLS_CA_CERT',
        'GATEWAY_MSP_ID',
        'GATEWAY_IDENTITIES',
        'GATEWAY_API_KEYS',
        'GATEWAY_VOTER_TOKEN_SECRET',
      ]);
    });

    it('when a JSON setting is not JSON, then the error says so', () => {
      const problems = problemsOf(() => loadConfig({ ...VALID_ENV, GATEWAY_API_KEYS: '[{oops' }));
      expect(problems).to.deep.equal(['GATEWAY_API_KEYS: is not valid JSON']);
    });

    it('when an API key has a bad hash or role, then the error points into the array', () => {
      const keys = [{ id: 'k', sha256: 'XYZ', role: 'root' }];
      const problems = problemsOf(() => loadConfig({ ...VALID_ENV, GATEWAY_API_KEYS: JSON.stringify(keys) }));
      expect(problems.join('\n')).to.match(/GATEWAY_API_KEYS\[0\]\[sha256\]/).and.match(/GATEWAY_API_KEYS\[0\]\[role\]/);
    });

    it("when an API key's role has no identity, then it is refused", () => {
      const keys = [{ id: 'admin', sha256: 'e'.repeat(64), role: 'poll-admin' }];
      const problems = problemsOf(() => loadConfig({ ...VALID_ENV, GATEWAY_API_KEYS: JSON.stringify(keys) }));
      expect(problems).to.deep.equal(['GATEWAY_API_KEYS[0][role]: role poll-admin has no identity in GATEWAY_IDENTITIES']);
    });

    it('when two API keys share an id or hash, then it is refused', () => {
      const key = { id: 'platform', sha256: 'f'.repeat(64), role: 'ballot-relay' };
      const problems = problemsOf(() => loadConfig({ ...VALID_ENV, GATEWAY_API_KEYS: JSON.stringify([key, key]) }));
      expect(problems).to.have.length(2);
    });

    it('when an unknown GATEWAY_ variable is set, then it is reported rather than ignored', () => {
      const problems = problemsOf(() => loadConfig({ ...VALID_ENV, GATEWAY_RATE_LIMT_MAX: '5', OTHER_VAR: 'x' }));
      expect(problems).to.deep.equal(['GATEWAY_RATE_LIMT_MAX: unknown setting']);
    });

    it('when GATEWAY_CONFIG_FILE names a JSON file, then its values are used and the environment overrides them', () => {
      const file = { ...VALID_ENV, GATEWAY_PORT: 7000, GATEWAY_CHANNEL: 'from-file', GATEWAY_IDENTITIES: JSON.parse(VALID_ENV.GATEWAY_IDENTITIES) as unknown };
      const read = (path: string) => (path === '/run/gateway.json' ? JSON.stringify(file) : '');
      const config = loadConfig({ GATEWAY_CONFIG_FILE: '/run/gateway.json', GATEWAY_CHANNEL: 'from-env' }, read);
      expect(config.port).to.equal(7000);
      expect(config.channel).to.equal('from-env');
      expect(config.identities['ballot-relay']?.certPath).to.equal('/id/relay.pem');
    });

    it('when the config file cannot be read, then the error names GATEWAY_CONFIG_FILE', () => {
      const read = () => {
        throw new Error('ENOENT');
      };
      const problems = problemsOf(() => loadConfig({ GATEWAY_CONFIG_FILE: '/missing.json' }, read));
      expect(problems[0]).to.match(/^GATEWAY_CONFIG_FILE: cannot read \/missing\.json/);
    });

    it('when the config file is not a JSON object, then it is refused', () => {
      const problems = problemsOf(() => loadConfig({ GATEWAY_CONFIG_FILE: '/x.json' }, () => '[1]'));
      expect(problems).to.deep.equal(['GATEWAY_CONFIG_FILE: /x.json must hold a JSON object']);
    });

    it('when the error is shown, then its message lists one problem per line', () => {
      const error = new ConfigError(['A: x', 'B: y']);
      expect(error.message).to.equal('Invalid gateway configuration:\n  A: x\n  B: y');
    });
  });
});
