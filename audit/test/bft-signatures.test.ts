import { expect } from 'chai';
import * as path from 'node:path';
import { runAudit } from '../src/audit';
import { DirectoryBlockSource } from '../src/block-source';
import { decodeBlock } from '../src/block-decoder';
import { CONSENTER_RULES, checkBlockSignatures } from '../src/block-signatures';
import { LedgerReplay } from '../src/ledger-replay';
import type { AuditReport } from '../src/report';
import { renderReport } from '../src/report-text';
import type { ReplayStateJson } from '../src/replay-state';
import type { ConfigSpec } from './support/config-builder';
import { type BlockSigner, CHANNEL, LedgerBuilder, NAMESPACE, bftSigner, editSignatures, writeBlocks } from './support/ledger-builder';
import { type TestOrg, orgs, watchdog } from './support/pki';
import { castTx } from './support/scenario';
import { tempDir } from './support/tmp';

/** Fabric 3's full mode (network/configtx.yaml.tmpl): four SmartBFT consenters, one per organisation, ids 1 to 4. */
const members = [orgs.city, orgs.dept, orgs.observer, watchdog];
const four: Partial<ConfigSpec> = { consensus: 'BFT', application: members, ordering: members, consenters: members };
const city = bftSigner(orgs.city, 1);
const dept = bftSigner(orgs.dept, 2);
const observer = bftSigner(orgs.observer, 3);
const dog = bftSigner(watchdog, 4);
const quorum = [city, dept, observer];
/** Config updates as governance allows them: an observer admin and a city admin. */
const approved = { signers: [orgs.observer.admin, orgs.city.admin] };

/** A second orderer node of `org`, enrolled at its own CA: a valid orderer certificate that no mapping names yet. */
function secondNode(org: TestOrg): TestOrg {
  return { ...org, orderer: { ...org.ca.issue({ OU: ['orderer'], CN: `orderer1-${org.key}` }), mspId: org.mspId } };
}

/** A one-ballot block signed by `signers`, with the signed last-config pointer Fabric would write unless given. */
function ballotBlock(builder: LedgerBuilder, signers: readonly BlockSigner[], lastConfig?: number): number {
  return builder.addBlock([castTx('p1', 'alice', { q1: ['red'] })], { signers, ...(lastConfig === undefined ? {} : { lastConfig }) });
}

/** Block 1 of a four-consenter BFT ledger, signed by `signers`, judged against the genesis config. */
function verdictFor(signers: readonly BlockSigner[], edit?: Parameters<typeof editSignatures>[1]): ReturnType<typeof checkBlockSignatures> {
  const builder = new LedgerBuilder({ config: four, signers: quorum });
  ballotBlock(builder, signers);
  const bytes = builder.blocks[1]!;
  return checkBlockSignatures(decodeBlock(edit === undefined ? bytes : editSignatures(bytes, edit)), decodeBlock(builder.blocks[0]!).config, 0);
}

function replay(blocks: readonly Uint8Array[]): ReplayStateJson {
  const ledger = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE });
  blocks.forEach((b) => ledger.apply(decodeBlock(b)));
  return ledger.toJSON();
}

describe('BFT block signatures (Fabric 3, SmartBFT)', function () {
  describe('the quorum', function () {
    it('when a channel has n consenters, then ⌈(n+f+1)/2⌉ of them must sign, f = ⌊(n−1)/3⌋ (fabric policies.ComputeBFTQuorum)', function () {
      const sizes = Array.from({ length: 10 }, (_, i) => CONSENTER_RULES.BFT!.required(i + 1));
      expect(sizes).to.deep.equal([1, 2, 2, 3, 4, 4, 5, 6, 6, 7]);
    });

    it("when the genesis config is read, then configtxgen's BlockValidation reads as 3 out of the 4 consenters' identities", function () {
      const config = decodeBlock(new LedgerBuilder({ config: four }).blocks[0]!).config!;
      expect(config.elements['[Policy] /Channel/Orderer/BlockValidation']).to.match(
        /^OutOf\(3, 'CityMSP identity orderer0-city sha256:[0-9a-f]{16}', 'DeptMSP identity orderer0-dept sha256:[0-9a-f]{16}', 'ObserverMSP identity orderer0-observer sha256:[0-9a-f]{16}', 'WatchdogMSP identity orderer0-watchdog sha256:[0-9a-f]{16}'\) \(mod_policy Admins\)$/,
      );
    });

    it('when a quorum (3 of 4) signs with identifier headers, as SmartBFT writes its blocks, then OK naming the three', function () {
      expect(verdictFor(quorum)).to.deep.equal({
        status: 'OK', signers: ['CityMSP:orderer0-city', 'DeptMSP:orderer0-dept', 'ObserverMSP:orderer0-observer'],
      });
    });

    it('when all four sign, or a consenter signs with a signature header (Fabric accepts both forms), then OK', function () {
      expect(verdictFor([city, dept, observer, dog]).status).to.equal('OK');
      expect(verdictFor([city, orgs.dept.orderer, dog])).to.deep.equal({
        status: 'OK', signers: ['CityMSP:orderer0-city', 'DeptMSP:orderer0-dept', 'WatchdogMSP:orderer0-watchdog'],
      });
    });

    it('when one signature of a 3-of-4 block is removed, then FAILED: one fewer than the quorum, naming who signed', function () {
      expect(verdictFor(quorum, (signatures) => signatures.slice(1))).to.deep.equal({
        status: 'FAILED',
        reason: 'signed by 2 distinct consenter(s) (DeptMSP:orderer0-dept, ObserverMSP:orderer0-observer); BFT with 4 consenters needs 3',
      });
    });

    it('when the city and the department sign alone (the administration without an observer), then FAILED', function () {
      expect(verdictFor([city, dept])).to.have.property('reason').that.matches(/^signed by 2 distinct consenter\(s\) .*needs 3$/);
    });

    it('when one consenter signs twice (a second signature, or a copied one), then it counts once and the block FAILS', function () {
      const reason = '3 signatures by 2 distinct consenter(s) (CityMSP:orderer0-city, DeptMSP:orderer0-dept); BFT with 4 consenters needs 3';
      expect(verdictFor([city, city, dept])).to.deep.equal({ status: 'FAILED', reason });
      expect(verdictFor([city, dept], (signatures) => [...signatures, signatures[0]!])).to.deep.equal({ status: 'FAILED', reason });
      expect(verdictFor([city, dept, orgs.dept.orderer])).to.have.property('reason').that.matches(/^3 signatures by 2 distinct/);
    });
  });

  describe('signatures that are not a consenter’s', function () {
    it("when a quorum's block also carries a signature by an orderer certificate of a member's CA that the mapping does not name, then FAILED", function () {
      const verdict = verdictFor([...quorum, secondNode(orgs.city).orderer]);
      expect(verdict).to.deep.equal({
        status: 'FAILED', reason: 'signature 4 of 4: the signer orderer1-city (CityMSP) is not a consenter of the channel config in force',
      });
    });

    it('when a signature names a consenter id that the mapping does not have, then FAILED', function () {
      expect(verdictFor([city, dept, { ...orgs.observer.orderer, consenterId: 9 }])).to.deep.equal({
        status: 'FAILED', reason: 'signature 3 of 3: signed as consenter 9, which the channel config in force does not name',
      });
    });

    it("when a signature names another consenter's id (the department's key as consenter 1), then FAILED: it does not verify", function () {
      expect(verdictFor([{ ...orgs.dept.orderer, consenterId: 1 }, dept, observer])).to.deep.equal({
        status: 'FAILED', reason: 'signature 1 of 3: signed as consenter 1 (orderer0-city): the signature by CityMSP does not verify',
      });
    });

    it("when a quorum's signature is replaced by the department's ballot-relay client, then FAILED", function () {
      const verdict = verdictFor([city, dept, orgs.dept.client]);
      expect(verdict).to.deep.equal({ status: 'FAILED', reason: 'signature 3 of 3: the signer ballot-relay-dept (DeptMSP) is a client, not an orderer node' });
    });
  });

  describe('the last-config pointer', function () {
    it('when a BFT block is decoded, then its last config comes from the signed OrdererBlockMetadata beside the consenter metadata; a config block names itself', function () {
      const builder = new LedgerBuilder({ config: four, signers: quorum });
      ballotBlock(builder, quorum);
      const config = builder.addConfigBlock({ ...four, batchTimeout: '1s' }, approved);
      ballotBlock(builder, quorum);
      expect(builder.blocks.map((b) => decodeBlock(b).lastConfigIndex)).to.deep.equal([0, 0, config, config]);
      expect(replay(builder.blocks)).to.deep.include({ signatureFailures: [], signedBlocks: 3 });
    });

    it('when a quorum signs a pointer that skips the config in force, or a config block that does not name itself, then FAILED and that config is not adopted', function () {
      const builder = new LedgerBuilder({ config: four, signers: quorum });
      const config = builder.addConfigBlock({ ...four, batchTimeout: '1s' }, approved);
      const skipping = ballotBlock(builder, quorum, 0);
      const selfless = builder.addConfigBlock({ ...four, batchTimeout: '9s' }, approved, { lastConfig: config });
      const state = replay(builder.blocks);
      expect(state.signatureFailures).to.deep.equal([
        { block: skipping, reason: `the signed last-config pointer names block 0, but the config in force is block ${config}'s` },
        { block: selfless, reason: `the signed last-config pointer names block ${config}; a config block must name itself` },
      ]);
      expect(state.configs.map((c) => c.block)).to.deep.equal([0, config]);
    });
  });

  describe('the consenter set changes at a config block', function () {
    it('when an update replaces the watchdog consenter by a new node (id 5), then the config block is judged by the old set and later blocks by the new one', function () {
      const replacement = secondNode(watchdog);
      const builder = new LedgerBuilder({ config: four, signers: quorum });
      const config = builder.addConfigBlock({ ...four, consenters: [orgs.city, orgs.dept, orgs.observer, replacement], consenterIds: [1, 2, 3, 5] }, approved);
      ballotBlock(builder, [city, dept, bftSigner(replacement, 5)]);
      const byRemovedId = ballotBlock(builder, [city, dept, dog]);
      const byRemovedCert = ballotBlock(builder, [city, dept, watchdog.orderer]);
      const state = replay(builder.blocks);
      expect(state.configs.map((c) => c.block)).to.deep.equal([0, config]);
      expect(state.signatureFailures).to.deep.equal([
        { block: byRemovedId, reason: 'signature 3 of 3: signed as consenter 4, which the channel config in force does not name' },
        { block: byRemovedCert, reason: 'signature 3 of 3: the signer orderer0-watchdog (WatchdogMSP) is not a consenter of the channel config in force' },
      ]);
      expect(state.signers).to.include('WatchdogMSP:orderer1-watchdog');
    });

    it('when an update adds a fifth consenter (quorum 4), then three signatures sufficed before it and no longer do after it', function () {
      const fifth = secondNode(orgs.observer);
      const builder = new LedgerBuilder({ config: four, signers: quorum });
      const before = ballotBlock(builder, quorum);
      const config = builder.addConfigBlock({ ...four, consenters: [...members, fifth] }, approved, { signers: quorum });
      const three = ballotBlock(builder, quorum);
      const fourOfFive = ballotBlock(builder, [city, dept, observer, bftSigner(fifth, 5)]);
      const state = replay(builder.blocks);
      expect(state.signatureFailures).to.deep.equal([
        { block: three, reason: 'signed by 3 distinct consenter(s) (CityMSP:orderer0-city, DeptMSP:orderer0-dept, ObserverMSP:orderer0-observer); BFT with 5 consenters needs 4' },
      ]);
      expect(state.signedBlocks).to.equal(3);
      expect([before, config, fourOfFive]).to.deep.equal([1, 2, 4]);
    });

    it('when a config update is signed only with the consenter it brings in, then it is not adopted and what that consenter signs after it fails', function () {
      const replacement = secondNode(watchdog);
      const newcomer = bftSigner(replacement, 5);
      const builder = new LedgerBuilder({ config: four, signers: quorum });
      const spec = { ...four, consenters: [orgs.city, orgs.dept, orgs.observer, replacement], consenterIds: [1, 2, 3, 5] };
      const config = builder.addConfigBlock(spec, approved, { signers: [newcomer, city, dept] });
      const after = ballotBlock(builder, [newcomer, city, dept]);
      const state = replay(builder.blocks);
      expect(state.configs.map((c) => c.block)).to.deep.equal([0]);
      expect(state.signatureFailures.map((f) => f.block)).to.deep.equal([config, after]);
      expect(state.signatureFailures[0]?.reason).to.equal('signature 1 of 3: signed as consenter 5, which the channel config in force does not name');
    });
  });

  describe('the report', function () {
    it('when a BFT block has too few signatures and another a non-consenter one, then the text and the JSON name each block with its reason', async function () {
      const { dir, cleanup } = tempDir();
      try {
        const builder = new LedgerBuilder({ config: four, signers: quorum });
        ballotBlock(builder, quorum);
        const tooFew = ballotBlock(builder, [city, observer]);
        const stranger = ballotBlock(builder, [city, dept, { ...dog, consenterId: 7 }]);
        writeBlocks(path.join(dir, 'blocks'), builder.blocks);
        const { report } = await runAudit({ source: new DirectoryBlockSource(path.join(dir, 'blocks')), channel: CHANNEL, chaincode: NAMESPACE });
        const failures = [
          { block: tooFew, reason: 'signed by 2 distinct consenter(s) (CityMSP:orderer0-city, ObserverMSP:orderer0-observer); BFT with 4 consenters needs 3' },
          { block: stranger, reason: 'signature 3 of 3: signed as consenter 7, which the channel config in force does not name' },
        ];
        const json = JSON.parse(JSON.stringify(report)) as AuditReport;
        expect(json.signatures.failures).to.deep.equal(failures);
        expect(json.verdict).to.equal('FAIL');
        expect(json.reasons).to.include('orderer signature check failed on 2 block(s)');
        const text = renderReport(report);
        expect(text).to.include('orderer signatures FAILED on 2 block(s) (config blocks 0)');
        failures.forEach((f) => expect(text).to.include(`\n                     block ${f.block}: ${f.reason}\n`));
      } finally {
        cleanup();
      }
    });
  });
});
