import { expect } from 'chai';
import { ConfigError, DEFAULT_WEB_DIR, loadConfig } from '../../src/service/config';

describe('service/config', () => {
  it('applies the defaults: the observer org, port 8090, the built page', () => {
    const config = loadConfig({ VERIFIER_NETWORK_JSON: '.run/network.json' });
    expect(config).to.include({ networkJson: '.run/network.json', org: 'observer', port: 8090, rateLimitMax: 300, trustProxyHops: 0, webDir: DEFAULT_WEB_DIR });
  });

  it('reads every setting from its VERIFIER_* variable', () => {
    const config = loadConfig({ VERIFIER_NETWORK_JSON: 'n.json', VERIFIER_ORG: 'watchdog', VERIFIER_PORT: '47000', VERIFIER_RATE_LIMIT_MAX: '5' });
    expect(config).to.include({ org: 'watchdog', port: 47000, rateLimitMax: 5 });
  });

  it('when settings are missing, invalid or unknown, then it names each variable', () => {
    const load = () => loadConfig({ VERIFIER_PORT: 'http', VERIFIER_RATE_LIMT_MAX: '5', OTHER: 'x' });
    expect(load).to.throw(ConfigError);
    try {
      load();
    } catch (err) {
      const { problems } = err as ConfigError;
      expect(problems.join('\n')).to.include('VERIFIER_RATE_LIMT_MAX: unknown setting').and.include('VERIFIER_NETWORK_JSON: is required').and.include('VERIFIER_PORT');
      expect(problems.join('\n')).not.to.include('OTHER');
    }
  });
});
