import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAudit } from '../src/audit';
import { DirectoryBlockSource } from '../src/block-source';
import { decodeBlock } from '../src/block-decoder';
import { type AuditReport, reportFindings } from '../src/report';
import { CHANNEL, NAMESPACE, flipByteInData, impostorSigner, ordererSigner, reseal, tamperWrite, writeBlocks } from './support/ledger-builder';
import { orgs } from './support/pki';
import { rulesScenario, scenario } from './support/scenario';
import { tempDir } from './support/tmp';

describe('audit', function () {
  let dir: string;
  let cleanup: () => void;
  beforeEach(function () {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(function () {
    cleanup();
  });

  async function auditBlocks(blocks: readonly Uint8Array[], options: { untilBlock?: number; checkpoint?: string; every?: number; genesisHash?: string } = {}): Promise<AuditReport> {
    const blockDir = path.join(dir, 'blocks');
    fs.rmSync(blockDir, { recursive: true, force: true });
    writeBlocks(blockDir, blocks);
    const { report } = await runAudit({
      source: new DirectoryBlockSource(blockDir),
      channel: CHANNEL,
      chaincode: NAMESPACE,
      ...(options.untilBlock === undefined ? {} : { untilBlock: options.untilBlock }),
      ...(options.checkpoint === undefined ? {} : { checkpoint: { file: options.checkpoint, every: options.every ?? 1 } }),
      ...(options.genesisHash === undefined ? {} : { genesisHash: options.genesisHash }),
    });
    return report;
  }

  const verdictOf = (report: AuditReport, pollId: string): string | undefined => report.polls.find((p) => p.pollId === pollId)?.verdict;

  describe('runAudit', function () {
    it('when the ledger is intact, then PASS: chain OK, signatures OK, tallied polls MATCH and the open poll NOT_TALLIED', async function () {
      const report = await auditBlocks(scenario().blocks);
      expect(report.verdict).to.equal('PASS');
      expect(report.chain).to.deep.equal({ status: 'OK', firstBrokenBlock: null, breaks: [] });
      expect(report.signatures.status).to.equal('OK');
      expect(report.summary).to.deep.equal({ polls: 3, match: 2, mismatch: 0, notTallied: 1 });
      expect(report.transactions).to.deep.include({ total: 20, byValidationCode: { ENDORSEMENT_POLICY_FAILURE: 1, MVCC_READ_CONFLICT: 2, VALID: 17 } });
      expect(report.transactions.invalid.map((t) => [t.block, t.tx, t.validationCode, t.functionName])).to.deep.equal([
        [3, 4, 'MVCC_READ_CONFLICT', 'CastBallot'],
        [3, 5, 'ENDORSEMENT_POLICY_FAILURE', 'CastBallot'],
        [4, 1, 'MVCC_READ_CONFLICT', 'CastBallot'],
      ]);
      expect(report.run).to.include({ blocksThisRun: 7, ballotWritesThisRun: 6, resumedFromBlock: null });
    });

    it('when audited to block k, then resumed from the checkpoint, then the final report equals an uninterrupted audit', async function () {
      const { blocks } = scenario();
      const full = reportFindings(await auditBlocks(blocks));
      for (let k = 0; k < blocks.length - 1; k += 1) {
        const checkpoint = path.join(dir, `checkpoint-${k}.json`);
        const partial = await auditBlocks(blocks, { untilBlock: k, checkpoint, every: 3 });
        expect(partial.ledger.lastBlock).to.equal(k);
        expect(JSON.parse(fs.readFileSync(checkpoint, 'utf8'))).to.include({ nextBlock: k + 1 });
        const resumed = await auditBlocks(blocks, { checkpoint });
        expect(resumed.run.resumedFromBlock).to.equal(k + 1);
        expect(resumed.run.blocksThisRun).to.equal(blocks.length - k - 1);
        expect(reportFindings(resumed)).to.deep.equal(full);
      }
    });

    it('when the checkpoint is already at the head, then a re-run reads no block and reports the same', async function () {
      const { blocks } = scenario();
      const checkpoint = path.join(dir, 'checkpoint.json');
      const first = await auditBlocks(blocks, { checkpoint });
      const again = await auditBlocks(blocks, { checkpoint });
      expect(again.run.blocksThisRun).to.equal(0);
      expect(reportFindings(again)).to.deep.equal(reportFindings(first));
    });

    it('when rules changed and the audit is resumed from a checkpoint at any block, then rule changes, marked polls and genesis pin are reported as uninterrupted', async function () {
      const { blocks } = rulesScenario();
      const genesisHash = decodeBlock(blocks[0]!).headerHash.toString('hex');
      const full = reportFindings(await auditBlocks(blocks, { genesisHash }));
      expect(full.ruleChanges).to.have.length(6);
      expect(full.genesis.status).to.equal('MATCH');
      for (const k of [2, 3, 4, 6]) {
        const checkpoint = path.join(dir, `rules-${k}.json`);
        await auditBlocks(blocks, { untilBlock: k, checkpoint, genesisHash });
        expect(reportFindings(await auditBlocks(blocks, { checkpoint, genesisHash }))).to.deep.equal(full);
      }
    });

    it('when asked to stop after a block (a signal), then it stops there, saves the checkpoint, and a rerun finishes', async function () {
      const { blocks } = scenario();
      const blockDir = path.join(dir, 'blocks');
      writeBlocks(blockDir, blocks);
      const checkpoint = { file: path.join(dir, 'cp.json'), every: 100 };
      let seen = 0;
      const first = await runAudit({ source: new DirectoryBlockSource(blockDir), channel: CHANNEL, chaincode: NAMESPACE, checkpoint, shouldStop: () => ++seen >= 3 });
      expect(first.interrupted).to.be.true;
      expect(first.report.run.stoppedEarly).to.match(/interrupted before block 3/);
      const second = await runAudit({ source: new DirectoryBlockSource(blockDir), channel: CHANNEL, chaincode: NAMESPACE, checkpoint });
      expect(second.report.verdict).to.equal('PASS');
      expect(second.report.run.resumedFromBlock).to.equal(3);
    });
  });

  describe('tamper evidence on exported copies', function () {
    it('when one byte of an exported block changed, then the hash chain is BROKEN at that block and the audit FAILs', async function () {
      const blocks = [...scenario().blocks];
      blocks[4] = flipByteInData(blocks[4]!);
      const report = await auditBlocks(blocks);
      expect(report.chain.status).to.equal('BROKEN');
      expect(report.chain.firstBrokenBlock).to.equal(4);
      expect(report.verdict).to.equal('FAIL');
    });

    it("when a ballot's value in a VALID transaction's write set changed, then the chain is BROKEN and the poll MISMATCHes", async function () {
      const s = scenario();
      const blocks = [...s.blocks];
      const key = `ballot~lc~${s.revote.ballot.ballotId}`;
      blocks[s.revote.block] = tamperWrite(blocks[s.revote.block]!, key, (v) => v.replace('"blue"', '"red"'));
      const report = await auditBlocks(blocks);
      expect(report.chain.firstBrokenBlock).to.equal(s.revote.block);
      expect(verdictOf(report, 'lc')).to.equal('MISMATCH');
      const lc = report.polls.find((p) => p.pollId === 'lc')!;
      expect(lc.checks.filter((c) => c.verdict === 'MISMATCH').map((c) => c.field)).to.deep.equal([
        'counts.q1.red', 'counts.q1.blue', 'ballotsRoot', 'ballot records',
      ]);
    });

    it('when the ballot edit is re-sealed (hashes recomputed, re-signed with the orderer key), then the chain is OK but the recount still MISMATCHes', async function () {
      const s = scenario();
      const blocks = [...s.blocks];
      blocks[s.revote.block] = tamperWrite(blocks[s.revote.block]!, `ballot~lc~${s.revote.ballot.ballotId}`, (v) => v.replace('"blue"', '"green"'));
      const report = await auditBlocks(reseal(blocks, s.revote.block, ordererSigner));
      expect(report.chain.status).to.equal('OK');
      expect(report.signatures.status).to.equal('OK');
      expect(verdictOf(report, 'lc')).to.equal('MISMATCH');
      expect(report.verdict).to.equal('FAIL');
    });

    it("when the edit is re-sealed without the orderer's key, then the orderer signatures FAIL from that block on", async function () {
      const s = scenario();
      const blocks = [...s.blocks];
      blocks[s.revote.block] = tamperWrite(blocks[s.revote.block]!, `ballot~lc~${s.revote.ballot.ballotId}`, (v) => v.replace('"blue"', '"green"'));
      const report = await auditBlocks(reseal(blocks, s.revote.block, impostorSigner));
      expect(report.chain.status).to.equal('OK');
      expect(report.signatures.status).to.equal('FAILED');
      expect(report.signatures.failures.map((f) => f.block)).to.deep.equal(
        Array.from({ length: blocks.length - s.revote.block }, (_, i) => s.revote.block + i),
      );
    });

    it("when the edit is re-sealed with the city's ballot-relay key (a client of the orderer organisation's CA), then the signatures FAIL", async function () {
      const s = scenario();
      const blocks = [...s.blocks];
      blocks[s.revote.block] = tamperWrite(blocks[s.revote.block]!, `ballot~lc~${s.revote.ballot.ballotId}`, (v) => v.replace('"blue"', '"green"'));
      const report = await auditBlocks(reseal(blocks, s.revote.block, orgs.city.client));
      expect(report.chain.status).to.equal('OK');
      expect(report.signatures.failures[0]).to.deep.equal({ block: s.revote.block, reason: 'the signer ballot-relay-city (CityMSP) is a client, not an orderer node' });
      expect(report.verdict).to.equal('FAIL');
    });

    it("when blocks are re-sealed with a peer's key of the orderer organisation's CA, then the signatures FAIL", async function () {
      const { blocks } = scenario();
      const report = await auditBlocks(reseal(blocks, 3, orgs.city.peer));
      expect(report.chain.status).to.equal('OK');
      expect(report.signatures.failures.map((f) => f.block)).to.deep.equal([3, 4, 5, 6]);
      expect(report.signatures.failures[0]?.reason).to.equal('the signer peer0-city (CityMSP) is a peer, not an orderer node');
    });

    it('when the on-ledger result (the final tally record) changed, then the poll MISMATCHes on that field', async function () {
      const s = scenario();
      const blocks = [...s.blocks];
      blocks[s.tallyBlock] = tamperWrite(blocks[s.tallyBlock]!, 'tally~lc', (v) => v.replace('"green":1', '"green":7'));
      const report = await auditBlocks(reseal(blocks, s.tallyBlock, ordererSigner));
      const lc = report.polls.find((p) => p.pollId === 'lc')!;
      expect(lc.verdict).to.equal('MISMATCH');
      expect(lc.checks.filter((c) => c.verdict === 'MISMATCH')).to.deep.equal([
        { field: 'counts.q1.green', onLedger: '7', recomputed: '1', verdict: 'MISMATCH' },
      ]);
      expect(verdictOf(report, 'nv')).to.equal('MATCH');
    });

    it('when a block file is missing, then the replay stops there and the chain is BROKEN at it', async function () {
      const { blocks } = scenario();
      const blockDir = path.join(dir, 'blocks');
      writeBlocks(blockDir, blocks);
      fs.rmSync(path.join(blockDir, '3.block'));
      const { report } = await runAudit({ source: new DirectoryBlockSource(blockDir), channel: CHANNEL, chaincode: NAMESPACE });
      expect(report.chain.firstBrokenBlock).to.equal(3);
      expect(report.ledger.lastBlock).to.equal(2);
      expect(report.run.stoppedEarly).to.match(/block 3/);
      expect(report.verdict).to.equal('FAIL');
    });

    it('when a block file is not a block at all, then the chain is BROKEN at it', async function () {
      const blocks = [...scenario().blocks];
      blocks[2] = Buffer.from('garbage');
      const report = await auditBlocks(blocks);
      expect(report.chain.breaks[0]).to.include({ block: 2 });
      expect(report.verdict).to.equal('FAIL');
    });

    it('when the peer serves fewer blocks than a trusted hash names (withheld blocks), then FAIL with NOT_REACHED', async function () {
      const { blocks } = scenario();
      const blockDir = path.join(dir, 'blocks');
      writeBlocks(blockDir, blocks.slice(0, 4));
      const head = decodeBlock(blocks[5]!).headerHash.toString('hex');
      const { report } = await runAudit({
        source: new DirectoryBlockSource(blockDir), channel: CHANNEL, chaincode: NAMESPACE, trustedHashes: new Map([[5, head]]),
      });
      expect(report.trustedHashes).to.deep.equal([{ block: 5, hash: head, status: 'NOT_REACHED' }]);
      expect(report.verdict).to.equal('FAIL');
    });
  });
});
