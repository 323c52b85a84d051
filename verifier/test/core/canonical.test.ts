import { loadVectors } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { ballotHash, canonicalJson, chainNext, chainStart } from '../../src/core/canonical';
import { defaultProvider, nobleProvider } from '../../src/core/crypto';

describe('canonical encoding and hashes, on the protocol vectors', () => {
  it('canonicalJson gives each vector its RFC 8785 text', () => {
    for (const v of loadVectors('canonical-json')) expect(canonicalJson(v.value), v.name).to.equal(v.canonical);
  });

  it('ballotHash hashes the canonical content', () => {
    for (const v of loadVectors('ballot-hash')) {
      expect(canonicalJson(v.content), v.name).to.equal(v.canonical);
      expect(ballotHash(v.content, nobleProvider), v.name).to.equal(v.ballotHash);
    }
  });

  it('the ballots root chain gives h0..hn in key order', () => {
    for (const v of loadVectors('ballots-root')) {
      const sorted = [...v.ballots].sort((a, b) => (a.ballotId < b.ballotId ? -1 : 1));
      const heads = [chainStart(v.poll.id, nobleProvider)];
      for (const b of sorted) heads.push(chainNext(heads.at(-1)!, b.ballotHash, nobleProvider));
      expect(heads, v.name).to.deep.equal(v.chain);
      expect(heads.at(-1), v.name).to.equal(v.results.ballotsRoot);
    }
  });

  it('the WebCrypto provider agrees with the pure JavaScript one', () => {
    const web = defaultProvider();
    expect(Buffer.from(web.sha256(Buffer.from('abc'))).toString('hex')).to.equal(Buffer.from(nobleProvider.sha256(Buffer.from('abc'))).toString('hex'));
  });
});
