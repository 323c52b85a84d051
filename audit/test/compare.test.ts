import { expect } from 'chai';
import { comparePoll } from '../src/compare';
import { decodeBlock } from '../src/block-decoder';
import { LedgerReplay } from '../src/ledger-replay';
import type { PollTrackJson } from '../src/replay-state';
import { CHANNEL, NAMESPACE } from './support/ledger-builder';
import { scenario } from './support/scenario';

function tracks(blocks: readonly Uint8Array[]): Map<string, PollTrackJson> {
  const replay = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE });
  blocks.forEach((b) => replay.apply(decodeBlock(b)));
  return new Map(replay.toJSON().polls.map((p) => [p.pollId, p]));
}

describe('compare', function () {
  describe('comparePoll', function () {
    const polls = tracks(scenario().blocks);

    it('when the final tally equals the recount, then every row is MATCH and the poll is MATCH', function () {
      const report = comparePoll(polls.get('lc')!);
      expect(report.verdict).to.equal('MATCH');
      expect(report.checks.every((c) => c.verdict === 'MATCH')).to.be.true;
      expect(report.checks.map((c) => c.field)).to.deep.equal([
        'status', 'tally pollId', 'ballotCount',
        'counts.q1.red', 'counts.q1.green', 'counts.q1.blue', 'counts.q2.wifi', 'counts.q2.usb', 'counts.q2.ac',
        'ballotsRoot', 'ballot records',
      ]);
      expect(report.recomputed?.counts).to.deep.equal({ q1: { red: 0, green: 1, blue: 2 }, q2: { wifi: 1, usb: 1, ac: 0 } });
      expect(report.ballots).to.deep.equal({ counted: 3, writes: 4, replaced: 1 });
    });

    it('when the poll has no final tally, then NOT_TALLIED with the running recount for information', function () {
      const report = comparePoll(polls.get('op')!);
      expect(report.verdict).to.equal('NOT_TALLIED');
      expect(report.checks.find((c) => c.field === 'counts.q1.green')).to.deep.equal({ field: 'counts.q1.green', onLedger: '—', recomputed: '1', verdict: 'INFO' });
    });

    it('when the on-ledger result differs from the recount, then the differing rows and the poll are MISMATCH', function () {
      const lc = polls.get('lc')!;
      const tally = JSON.parse(lc.tally!.value) as { counts: { q1: Record<string, number> }; ballotCount: number };
      tally.counts.q1.red = 1;
      tally.ballotCount = 4;
      const report = comparePoll({ ...lc, tally: { ...lc.tally!, value: JSON.stringify(tally) } });
      expect(report.verdict).to.equal('MISMATCH');
      expect(report.checks.filter((c) => c.verdict === 'MISMATCH').map((c) => c.field)).to.deep.equal(['ballotCount', 'counts.q1.red']);
    });

    it('when the tally names an option the poll does not have, then that row is a MISMATCH', function () {
      const lc = polls.get('lc')!;
      const tally = JSON.parse(lc.tally!.value) as { counts: Record<string, Record<string, number>> };
      tally.counts.q3 = { x: 0 };
      const report = comparePoll({ ...lc, tally: { ...lc.tally!, value: JSON.stringify(tally) } });
      expect(report.checks.find((c) => c.field === 'counts.q3.x')).to.include({ onLedger: '0', recomputed: 'absent', verdict: 'MISMATCH' });
    });

    it('when the tally record does not fit the protocol schema, then it is reported, not trusted', function () {
      const lc = polls.get('lc')!;
      const tally = { ...(JSON.parse(lc.tally!.value) as object), ballotsRoot: 'not a hash' };
      const report = comparePoll({ ...lc, tally: { ...lc.tally!, value: JSON.stringify(tally) } });
      expect(report.verdict).to.equal('MISMATCH');
      expect(report.checks[0]).to.include({ field: 'tally record', verdict: 'MISMATCH' });
      expect(report.checks[0]!.onLedger).to.match(/^invalid \(the tally record does not fit the protocol: ballotsRoot: /);
    });

    it('when the poll is marked tallied without a final tally record, then MISMATCH', function () {
      const lc = polls.get('lc')!;
      const { tally: _dropped, ...withoutTally } = lc;
      expect(_dropped).to.not.equal(undefined);
      expect(comparePoll(withoutTally).verdict).to.equal('MISMATCH');
    });

    it('when ballots exist for a poll without a poll record, then MISMATCH', function () {
      const lc = polls.get('lc')!;
      const { poll: _dropped, ...orphan } = lc;
      expect(_dropped).to.not.equal(undefined);
      const report = comparePoll(orphan);
      expect(report.verdict).to.equal('MISMATCH');
      expect(report.checks[0]).to.include({ field: 'poll record', onLedger: 'missing' });
    });

    it('when the replay found problems, then the ballot records row is a MISMATCH', function () {
      const lc = polls.get('lc')!;
      const report = comparePoll({ ...lc, problems: ['something odd'], problemCount: 1 });
      expect(report.checks.at(-1)).to.include({ field: 'ballot records', verdict: 'MISMATCH' });
      expect(report.verdict).to.equal('MISMATCH');
    });
  });
});
