import { expect } from 'chai';
import { Orgs } from '@poll-ledger/protocol';
import { decodeBlock } from '../src/block-decoder';
import { LedgerReplay } from '../src/ledger-replay';
import { type RunInfo, buildReport, reportFindings } from '../src/report';
import { renderReport } from '../src/report-text';
import { CHANNEL, NAMESPACE, flipByteInData } from './support/ledger-builder';
import { rulesScenario, scenario } from './support/scenario';

const run: RunInfo = {
  source: 'directory /x', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 500, resumedFromBlock: null,
  blocksThisRun: 7, ballotWritesThisRun: 6, blocksPerSecond: 14, ballotsPerSecond: 12,
};

function reportOf(blocks: readonly Uint8Array[], genesisHash?: string): ReturnType<typeof buildReport> {
  const replay = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE });
  blocks.forEach((b) => replay.apply(decodeBlock(b)));
  return buildReport({ state: replay.toJSON(), trustedHashes: new Map(), run, ...(genesisHash === undefined ? {} : { genesisHash }) });
}

describe('report', function () {
  describe('renderReport', function () {
    it('when everything matches, then it shows blocks read, transactions by code, chain OK and a table per poll', function () {
      const text = renderReport(reportOf(scenario().blocks));
      expect(text).to.include('blocks read        7 (blocks 0..6; 7 this run, 14 blocks/s, 12 ballots/s)');
      expect(text).to.include('transactions       20: ENDORSEMENT_POLICY_FAILURE 1, MVCC_READ_CONFLICT 2, VALID 17');
      expect(text).to.match(/hash chain {9}OK \(genesis [0-9a-f]{16}…, head block 6 [0-9a-f]{16}…\)/);
      expect(text).to.include('orderer signatures OK (6 signed blocks; signers CityMSP:orderer0-city; config blocks 0; genesis unsigned)');
      expect(text).to.include('polls              3: 2 MATCH, 0 MISMATCH, 1 NOT TALLIED');
      expect(text).to.include('poll lc "Poll lc" (tallied, re-vote last-counts): MATCH');
      expect(text).to.match(/\n {2}field {12}on-ledger {10}recomputed\n/);
      expect(text).to.match(/\n {2}counts\.q1\.blue {3}2 {18}2 {18}MATCH\n/);
      expect(text).to.include('poll op "Poll op" (open, re-vote none): NOT TALLIED');
      expect(text.trimEnd().split('\n').at(-1)).to.equal('verdict: PASS');
    });

    it('when the chain is broken, then it says BROKEN at the first broken block and why, and the verdict FAILs', function () {
      const blocks = [...scenario().blocks];
      blocks[2] = flipByteInData(blocks[2]!);
      const text = renderReport(reportOf(blocks));
      expect(text).to.include('hash chain         BROKEN at block 2');
      expect(text).to.include('block 2: data_hash does not match the SHA-256 of the block data');
      expect(text).to.include('verdict: FAIL (hash chain broken at block 2)');
    });

    it('when the genesis is not pinned, then a WARNING line says so near the top; pinned and matching, then a genesis line and no warning', function () {
      const { blocks } = scenario();
      const unpinned = renderReport(reportOf(blocks)).split('\n');
      expect(unpinned[1]).to.equal('rule changes       none after genesis');
      expect(unpinned[2]).to.match(/^WARNING {12}genesis not pinned \(--genesis-hash\)/);
      const hash = decodeBlock(blocks[0]!).headerHash.toString('hex');
      const pinned = reportOf(blocks, hash.toUpperCase());
      expect(pinned).to.deep.include({ verdict: 'PASS', warnings: [], genesis: { pinned: hash, status: 'MATCH' } });
      expect(renderReport(pinned)).to.include(`genesis            pinned to ${hash.slice(0, 16)}…: MATCH`);
    });

    it("when block 0 is not the pinned genesis, then the audit FAILs on it", function () {
      const report = reportOf(scenario().blocks, 'ab'.repeat(32));
      expect(report.genesis.status).to.equal('MISMATCH');
      expect(report.verdict).to.equal('FAIL');
      expect(report.reasons).to.deep.equal(["block 0's header hash differs from --genesis-hash: this is not the channel the pinned hash names"]);
      expect(buildReport({ state: new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE }).toJSON(), trustedHashes: new Map(), run, genesisHash: 'ab'.repeat(32) }).genesis.status).to.equal('NOT_REACHED');
    });

    it('when rules changed, then RULE CHANGES come first with who signed and what changed, polls open then are marked, and the JSON lists them', function () {
      const s = rulesScenario();
      const report = reportOf(s.blocks, decodeBlock(s.blocks[0]!).headerHash.toString('hex'));
      expect(report.verdict).to.equal('FAIL');
      expect(report.reasons).to.deep.equal(["2 rule change(s) without an observer's approval, or not accepted (see RULE CHANGES)"]);
      expect(report.ruleChanges.map((c) => [c.block, c.kind, c.verdict])).to.deep.equal([
        [s.approvedConfig, 'config', 'OK'], [s.cityDeptConfig, 'config', 'FAILED'], [5, 'chaincode-approval', 'INFO'], [5, 'chaincode-approval', 'INFO'],
        [s.approvedCommit, 'chaincode-definition', 'OK'], [s.cityOnlyCommit, 'chaincode-definition', 'FAILED'],
      ]);
      expect(report.polls.find((p) => p.pollId === 'gov')?.rulesChangedWhileOpen).to.have.length(4);
      expect(report.warnings).to.have.length(1);
      expect(report.warnings[0]).to.match(/^poll gov: rules changed while it was open \(block 3 config update \(1 element changed\) OK; block 4 .* FAILED; .*\)$/);
      const lines = renderReport(report, { quiet: true }).split('\n');
      expect(lines[1]).to.equal('RULE CHANGES       6: 2 FAILED, 2 OK, 2 approval(s)');
      expect(lines[2]).to.equal('  block 3 config update (1 element changed): OK');
      expect(lines).to.include(`  block ${s.cityOnlyCommit} tx ${report.ruleChanges[5]!.txId.slice(0, 16)}… chaincode polls sequence 3: FAILED`);
      const text = lines.join('\n');
      expect(text.indexOf('RULE CHANGES')).to.be.below(text.indexOf('source '));
      expect(text.indexOf('WARNING            poll gov')).to.be.below(text.indexOf('source '));
      expect(text).to.include(`    ! no valid signature of an observer organisation's admin (${Orgs.observers.join(', ')})`);
      expect(text).to.include('    signed by   CityMSP admin admin-city; DeptMSP admin admin-dept');
      expect(text).to.include("    modified [Policy] /Channel/Application/Admins: OR('CityMSP.admin', 'DeptMSP.admin')");
      expect(text).to.include('    endorsed by CityMSP peer peer0-city\n');
      expect(text).to.include('    open polls  gov');
      // Quiet still shows the poll whose rules changed while it was open.
      expect(text).to.include('  RULES CHANGED WHILE OPEN: block 4 config update (1 element changed) (FAILED)');
      expect(text).to.not.include('poll late');
    });

    it('when quiet, then polls that do not MISMATCH are left out', function () {
      const text = renderReport(reportOf(scenario().blocks), { quiet: true });
      expect(text).to.not.include('poll lc');
      expect(text).to.include('polls              3: 2 MATCH');
    });
  });

  describe('reportFindings', function () {
    it('when reports differ only in run details, then their findings are equal', function () {
      const a = reportOf(scenario().blocks);
      const b = { ...a, run: { ...run, durationMs: 1 } };
      expect(reportFindings(a)).to.deep.equal(reportFindings(b));
      expect(reportFindings(a)).to.not.have.property('run');
    });
  });
});
