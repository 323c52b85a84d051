import { expect } from 'chai';
import { decodeBlock } from '../src/block-decoder';
import { LedgerReplay } from '../src/ledger-replay';
import type { ReplayStateJson } from '../src/replay-state';
import { CHANNEL, Codes, LedgerBuilder, NAMESPACE, flipByteInData } from './support/ledger-builder';
import { castTx, pollRecord, pollTx, scenario, voter } from './support/scenario';

function replayAll(blocks: readonly Uint8Array[], replay = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE })): LedgerReplay {
  for (const bytes of blocks) {
    replay.apply(decodeBlock(bytes));
  }
  return replay;
}

describe('ledger-replay', function () {
  describe('LedgerReplay', function () {
    it('when a voter re-votes under last-counts, then the last VALID write wins and the replacement is counted', function () {
      const { blocks, revote } = scenario();
      const lc = replayAll(blocks).polls.get('lc')!;
      expect([...lc.ballots.keys()].sort()).to.deep.equal([voter('alice'), voter('bob'), voter('carol')].sort());
      expect(JSON.parse(lc.ballots.get(voter('alice'))!.value)).to.deep.equal(revote.ballot);
      expect(lc.ballots.get(voter('alice'))!.at).to.include({ block: revote.block, tx: 0, txId: revote.ballot.txId });
      expect(lc).to.include({ ballotWrites: 4, replacedBallots: 1, problemCount: 0 });
    });

    it('when transactions are not VALID (MVCC conflict, endorsement policy failure), then their writes are ignored but counted by code', function () {
      const replay = replayAll(scenario().blocks);
      expect(replay.polls.get('lc')!.ballots.has(voter('erin'))).to.be.false;
      expect(replay.polls.get('nv')!.ballots.has(voter('frank'))).to.be.false;
      expect((JSON.parse(replay.polls.get('nv')!.ballots.get(voter('dave'))!.value) as { answers: unknown }).answers).to.deep.equal({ q1: ['red'], q2: [] });
      expect(replay.toJSON().transactions).to.deep.equal({ VALID: 17, MVCC_READ_CONFLICT: 2, ENDORSEMENT_POLICY_FAILURE: 1 });
    });

    it('when the chain is intact and signed, then no breaks, no signature failures, and the head is the last header hash', function () {
      const { blocks } = scenario();
      const state = replayAll(blocks).toJSON();
      expect(state.chainBreaks).to.deep.equal([]);
      expect(state.signatureFailures).to.deep.equal([]);
      expect(state.signedBlocks).to.equal(blocks.length - 1);
      expect(state.nextBlock).to.equal(blocks.length);
      expect(state.previousHeaderHash).to.equal(decodeBlock(blocks.at(-1)!).headerHash.toString('hex'));
      expect(state.genesisHash).to.equal(decodeBlock(blocks[0]!).headerHash.toString('hex'));
    });

    it('when a byte of a block changed, then the chain breaks at that block with a data hash fault', function () {
      const blocks = [...scenario().blocks];
      blocks[3] = flipByteInData(blocks[3]!);
      const state = replayAll(blocks).toJSON();
      expect(state.chainBreaks).to.have.length(1);
      expect(state.chainBreaks[0]).to.include({ block: 3 });
      expect(state.chainBreaks[0]!.reason).to.match(/data_hash/);
    });

    it('when a block is missing from the sequence, then the next block breaks the chain (number and previous hash)', function () {
      const blocks = [...scenario().blocks];
      blocks.splice(2, 1);
      const breaks = replayAll(blocks).toJSON().chainBreaks;
      expect(breaks.map((b) => b.block)).to.deep.equal([3, 3]);
    });

    it('when a second ballot is written under re-vote policy none, or while the poll is closed, then the poll gets a problem', function () {
      const builder = new LedgerBuilder();
      const poll = pollRecord('p', 'none', 'open');
      builder.addBlock([pollTx(poll, 'CreatePoll')]);
      builder.addBlock([castTx('p', 'x', { q1: ['red'], q2: [] })]);
      builder.addBlock([castTx('p', 'x', { q1: ['blue'], q2: [] })]);
      builder.addBlock([pollTx({ ...poll, status: 'closed' }, 'ClosePoll')]);
      builder.addBlock([castTx('p', 'late', { q1: ['blue'], q2: [] })]);
      const track = replayAll(builder.blocks).polls.get('p')!;
      expect(track.problemCount).to.equal(2);
      expect(track.problems[0]).to.match(/replaced under re-vote policy none/);
      expect(track.problems[1]).to.match(/while the poll was closed/);
    });

    it('when the poll record does not fit the protocol schema, then its ballots are written for a poll with no valid poll record', function () {
      const builder = new LedgerBuilder();
      builder.addBlock([pollTx({ ...pollRecord('p', 'none', 'open'), createdTxId: 'create' }, 'CreatePoll')]);
      builder.addBlock([castTx('p', 'x', { q1: ['red'], q2: [] })]);
      const track = replayAll(builder.blocks).polls.get('p')!;
      expect(track.problems).to.have.length(1);
      expect(track.problems[0]).to.match(/no valid poll record/);
    });

    it('when status index entries are written, then they are neither polls nor ballots', function () {
      const builder = new LedgerBuilder();
      builder.addBlock([{ fn: 'OpenPoll', writes: [{ key: 'pollstatus~open~p', value: {} }] }]);
      expect(replayAll(builder.blocks).polls.size).to.equal(0);
    });

    it('when writes belong to another namespace, then they are not part of any poll', function () {
      const builder = new LedgerBuilder();
      builder.addBlock([{ namespace: '_lifecycle', writes: [{ key: 'poll~evil', value: {} }] }]);
      expect(replayAll(builder.blocks).polls.size).to.equal(0);
    });

    it('when a ballot key is deleted, then the ballot is gone and the poll gets a problem', function () {
      const builder = new LedgerBuilder();
      builder.addBlock([pollTx(pollRecord('p', 'none', 'open'), 'CreatePoll')]);
      const cast = castTx('p', 'x', { q1: ['red'], q2: [] });
      builder.addBlock([cast]);
      builder.addBlock([{ writes: [{ key: `ballot~p~${cast.ballot.ballotId}`, isDelete: true }] }]);
      const track = replayAll(builder.blocks).polls.get('p')!;
      expect(track.ballots.size).to.equal(0);
      expect(track.problems.some((p) => p.includes('deleted'))).to.be.true;
    });

    it('when the state is saved as JSON and restored, then replaying the rest gives the same state as one uninterrupted replay', function () {
      const { blocks } = scenario();
      const full = replayAll(blocks).toJSON();
      for (let k = 1; k < blocks.length; k += 1) {
        const first = replayAll(blocks.slice(0, k));
        const restored = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE }, JSON.parse(JSON.stringify(first.toJSON())) as ReplayStateJson);
        expect(restored.nextBlock).to.equal(k);
        expect(replayAll(blocks.slice(k), restored).toJSON()).to.deep.equal(full);
      }
    });

    it('when a trusted hash is given for a block, then a different header hash breaks the chain there', function () {
      const { blocks } = scenario();
      const trustedHashes = new Map([[2, 'ab'.repeat(32)], [1, decodeBlock(blocks[1]!).headerHash.toString('hex')]]);
      const state = replayAll(blocks, new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE, trustedHashes })).toJSON();
      expect(state.trustedChecks).to.deep.equal([{ block: 1, matched: true }, { block: 2, matched: false }]);
      expect(state.chainBreaks.map((b) => b.block)).to.deep.equal([2]);
    });

    it('when an invalid transaction would have replaced a ballot, then the earlier ballot stays', function () {
      const builder = new LedgerBuilder();
      builder.addBlock([pollTx(pollRecord('p', 'last-counts', 'open'), 'CreatePoll')]);
      const first = castTx('p', 'x', { q1: ['red'], q2: [] });
      builder.addBlock([first]);
      builder.addBlock([castTx('p', 'x', { q1: ['blue'], q2: [] }, { code: Codes.MVCC_READ_CONFLICT })]);
      const track = replayAll(builder.blocks).polls.get('p')!;
      expect(JSON.parse(track.ballots.get(voter('x'))!.value)).to.deep.equal(first.ballot);
      expect(track.replacedBallots).to.equal(0);
    });
  });
});
