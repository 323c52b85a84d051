import { expect } from 'chai';
import { type BlockSource, configAtBlock } from '../../src/core/config-chain';
import { defaultProvider } from '../../src/core/crypto';
import { SignatureVerifier } from '../../src/core/msp';
import { headerOnly } from '../../src/service/blocks';
import { bftConfig, raftConfig } from '../support/fabric';
import { LedgerBuilder, bftQuorum, headerHash } from '../support/ledger';
import { orgs } from '../support/pki';

const sourceOf = (blocks: readonly Uint8Array[], log: string[] = []): BlockSource => ({
  block: (n) => { log.push(`block ${n}`); return Promise.resolve(blocks[n]!); },
  headerOnly: (n) => { log.push(`header ${n}`); return Promise.resolve(headerOnly(blocks[n]!)); },
});
const verifier = (): SignatureVerifier => new SignatureVerifier(defaultProvider());

describe('configAtBlock', () => {
  it('fetches only genesis, the config blocks and the blocks before them, and ends with the config in force', async () => {
    const b = new LedgerBuilder(raftConfig, [orgs.city.orderer]);
    b.addBlock([]);
    b.addConfigBlock({ ...raftConfig, ordering: [orgs.dept], consenters: [orgs.dept] }); // 2
    b.addConfigBlock({ ...raftConfig, application: [...raftConfig.application, orgs.watchdog], ordering: [orgs.dept], consenters: [orgs.dept] }, [orgs.dept.orderer]); // 3
    for (let i = 0; i < 5; i += 1) b.addBlock([], [orgs.dept.orderer]);
    const log: string[] = [];
    const result = await configAtBlock(7, b.genesisHash, sourceOf(b.blocks, log), verifier());
    expect(result.ok && result.configBlocks).to.deep.equal([0, 2, 3]);
    expect(result.ok && [...result.config.msps.keys()]).to.include('WatchdogMSP');
    expect(result.ok && result.headerHash).to.equal(headerHash(b.blocks[7]!).toString('hex'));
    expect(result.ok && result.signers).to.deep.equal(['DeptMSP:orderer0-dept']);
    expect(log.sort()).to.deep.equal(['block 0', 'block 2', 'block 3', 'header 1', 'header 2', 'header 7']);
  });

  it('asked about a config block, checks it under the config before it', async () => {
    const b = new LedgerBuilder(raftConfig, [orgs.city.orderer]);
    b.addConfigBlock({ ...raftConfig, ordering: [orgs.dept], consenters: [orgs.dept] });
    const result = await configAtBlock(1, b.genesisHash, sourceOf(b.blocks), verifier());
    expect(result).to.deep.include({ ok: true, configBlocks: [0, 1], signers: ['CityMSP:orderer0-city'] });
  });

  it('follows a BFT chain (a quorum of consenters named by identifier header)', async () => {
    const b = new LedgerBuilder(bftConfig, bftQuorum);
    b.addBlock([]);
    b.addBlock([]);
    const result = await configAtBlock(2, b.genesisHash, sourceOf(b.blocks), verifier());
    expect(result.ok, result.ok ? '' : result.problem).to.equal(true);
    expect(result.ok && result.signers).to.have.length(3);
  });

  it('refuses a chain where the service sends another block than the one asked for, or a stale config\'s signers', async () => {
    const b = new LedgerBuilder(raftConfig, [orgs.city.orderer]);
    b.addConfigBlock({ ...raftConfig, ordering: [orgs.dept], consenters: [orgs.dept] });
    b.addBlock([], [orgs.city.orderer]); // signed by the orderer the config block removed
    const stale = await configAtBlock(2, b.genesisHash, sourceOf(b.blocks), verifier());
    expect(stale.ok ? '' : stale.problem).to.match(/^block 2: 0 valid consenter signature\(s\).*signed by CityMSP, which is not an ordering organisation/);
    const shifted = sourceOf([b.blocks[0]!, b.blocks[2]!, b.blocks[2]!]);
    const wrong = await configAtBlock(1, b.genesisHash, shifted, verifier());
    expect(wrong.ok ? '' : wrong.problem).to.equal('the service sent block 2 for block 1');
  });
});
