import { expect } from 'chai';
import { type DecodedBlock, decodeBlock } from '../src/block-decoder';
import { LedgerReplay } from '../src/ledger-replay';
import { anchorsFromCheckpoint, anchorsFromGenesis, anchorsFromSource } from '../src/trust-anchors';
import { CHANNEL, LedgerBuilder, NAMESPACE } from './support/ledger-builder';
import { orgs, rogue } from './support/pki';
import { castTx, rulesScenario } from './support/scenario';

/** Reads like the CLI: a missing or empty block is not available. */
const reader = (blocks: readonly Uint8Array[]) => (n: number): Promise<DecodedBlock | undefined> =>
  Promise.resolve(blocks[n] === undefined || blocks[n].length === 0 ? undefined : decodeBlock(blocks[n]));
const hashOf = (bytes: Uint8Array): string => decodeBlock(bytes).headerHash.toString('hex');
const adminsPolicy = '[Policy] /Channel/Application/Admins';

describe('trust-anchors', function () {
  const s = rulesScenario();
  const last = decodeBlock(s.blocks.at(-1)!);

  describe('anchorsFromGenesis', function () {
    it('when block 0 has the pinned hash, then the config chain is replayed through each config block to the one in force', async function () {
      const anchors = await anchorsFromGenesis(reader(s.blocks), last, hashOf(s.blocks[0]!));
      expect(anchors).to.deep.include({ source: 'config chain replayed from the pinned genesis (config blocks 0, 3, 4)', verified: true });
      expect(anchors.problem).to.equal(undefined);
      expect(anchors.config?.elements[adminsPolicy]).to.match(/^OR\('CityMSP.admin', 'DeptMSP.admin'\)/);
    });

    it('when block 0 differs from the pin, then no anchors', async function () {
      const anchors = await anchorsFromGenesis(reader(s.blocks), last, 'ab'.repeat(32));
      expect(anchors).to.deep.include({ problem: "block 0's header hash differs from --genesis-hash" });
      expect(anchors.config).to.equal(undefined);
    });

    it('when a config block on the way is forged (signed by a rogue consenter it adds itself), then no anchors', async function () {
      const b = new LedgerBuilder();
      b.addBlock([castTx('p', 'a', { q1: ['red'], q2: [] })]);
      const forged = b.addConfigBlock({ ordering: [orgs.city, rogue], consenters: [rogue] }, { signers: [rogue.admin] }, { signers: [rogue.orderer] });
      b.addBlock([castTx('p', 'b', { q1: ['red'], q2: [] })], { signers: [rogue.orderer] });
      const anchors = await anchorsFromGenesis(reader(b.blocks), decodeBlock(b.blocks.at(-1)!), hashOf(b.blocks[0]!));
      expect(anchors.problem).to.equal(`block ${forged} on the config chain: signed by RogueMSP, which is not an orderer organisation of the channel`);
    });

    it('when a block between config blocks is missing, then no anchors', async function () {
      const blocks = s.blocks.map((b, n) => (n === 2 ? new Uint8Array(0) : b));
      expect((await anchorsFromGenesis(reader(blocks), last, hashOf(s.blocks[0]!))).problem).to.equal('block 2 is not available from the source');
    });
  });

  describe('anchorsFromCheckpoint', function () {
    function stateTo(k: number): ReturnType<LedgerReplay['toJSON']> {
      const replay = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE });
      s.blocks.slice(0, k + 1).forEach((b) => replay.apply(decodeBlock(b)));
      return replay.toJSON();
    }

    it('when the block was audited, then the config in force at it; after the audit, the latest config if the block names it', function () {
      const state = stateTo(6);
      expect(anchorsFromCheckpoint(state, 'cp.json', decodeBlock(s.blocks[2]!)).source).to.equal('checkpoint cp.json (audited to block 6), config of block 0');
      expect(anchorsFromCheckpoint(state, 'cp.json', decodeBlock(s.blocks[5]!)).source).to.equal('checkpoint cp.json (audited to block 6), config of block 4');
      const after = anchorsFromCheckpoint(state, 'cp.json', last);
      expect(after.config?.elements[adminsPolicy]).to.match(/^OR\(/);
      expect(after.problem).to.equal(undefined);
    });

    it('when the block names a config the checkpoint has not verified, or the genesis differs from the pin, then no anchors', function () {
      expect(anchorsFromCheckpoint(stateTo(3), 'cp.json', last).problem).to.equal(
        `block ${last.number} names config block 4, which the checkpoint has not verified: audit past block ${last.number} first`,
      );
      expect(anchorsFromCheckpoint(stateTo(6), 'cp.json', last, 'ab'.repeat(32)).problem).to.equal("the checkpoint's genesis block differs from --genesis-hash");
    });
  });

  describe('anchorsFromSource', function () {
    it('when asked to trust the source, then its own config block, marked unverified', async function () {
      const anchors = await anchorsFromSource(reader(s.blocks), last);
      expect(anchors).to.deep.include({ verified: false, source: "the source's own config block 4 (--trust-peer): NOT VERIFIED" });
      expect(anchors.config).to.not.equal(undefined);
    });
  });
});
