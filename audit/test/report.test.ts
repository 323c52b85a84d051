import { expect } from 'chai';
import { decodeBlock } from '../src/block-decoder';
import { LedgerReplay } from '../src/ledger-replay';
import { type RunInfo, buildReport, renderReport, reportFindings } from '../src/report';
import { CHANNEL, NAMESPACE, flipByteInData } from './support/ledger-builder';
import { scenario } from './support/scenario';

const run: RunInfo = {
  source: 'directory /x', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 500, resumedFromBlock: null,
  blocksThisRun: 7, ballotWritesThisRun: 6, blocksPerSecond: 14, ballotsPerSecond: 12,
};

function reportOf(blocks: readonly Uint8Array[]): ReturnType<typeof buildReport> {
  const replay = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE });
  blocks.forEach((b) => replay.apply(decodeBlock(b)));
  return buildReport({ state: replay.toJSON(), trustedHashes: new Map(), run });
}

describe('report', function () {
  describe('renderReport', function () {
    it('when everything matches, then it shows blocks read, transactions by code, chain OK and a table per poll', function () {
      const text = renderReport(reportOf(scenario().blocks));
      expect(text).to.include('blocks read        7 (blocks 0..6; 7 this run, 14 blocks/s, 12 ballots/s)');
      expect(text).to.include('transactions       20: ENDORSEMENT_POLICY_FAILURE 1, MVCC_READ_CONFLICT 2, VALID 17');
      expect(text).to.match(/hash chain {9}OK \(genesis [0-9a-f]{16}…, head block 6 [0-9a-f]{16}…\)/);
      expect(text).to.include('orderer signatures OK (6 signed blocks; signers OrdererMSP:orderer0; genesis unsigned)');
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
