import { loadVectors } from '@poll-ledger/protocol';
import { RunningCounts, chainStart, followRunningCounts } from '../../src/domain/running-counts';
import { expect } from '../chai';
import { ballotCastEvent, eventStream, fakeLedger, hexOf, ledgerEvent } from '../fakes';
import { POLL } from '../fixtures';

const place = (block: number, index: number) => ({ block: BigInt(block), index });
const batch = (tag: string, ballots: { answers: Record<string, string[]>; replaced?: Record<string, string[]> }[]) => ({
  pollId: 'p1',
  txId: hexOf(tag),
  ballots: ballots.map((b, position) => ({ ballotId: hexOf(`${tag} ${String(position)}`), ballotHash: hexOf(`h ${tag} ${String(position)}`), position, ...b })),
});

describe('RunningCounts', () => {
  const fresh = () => new RunningCounts({ minSnapshotMs: 0 });

  it('when no ballot has been seen, then every option of the poll counts 0 and the root is h0', async () => {
    expect(await fresh().resultOf(POLL)).to.deep.equal({ ballotCount: 0, counts: { q1: { red: 0, blue: 0 } }, ballotsRoot: chainStart('p1'), asOfBlock: -1 });
  });

  it('when the ballots of the protocol’s vectors arrive in any order, then counts and ballotsRoot are the vectors’ results', async () => {
    for (const vector of loadVectors('ballots-root')) {
      const counts = fresh();
      [...vector.ballots].reverse().forEach((ballot, index) => {
        const { pollId, ballotId, ballotHash, txId, answers } = ballot;
        counts.apply(place(1, index), ledgerEvent(1, txId, 'BallotCast', { pollId, ballotId, ballotHash, txId, answers }));
      });
      const { ballotCount, counts: tallied, ballotsRoot } = await counts.resultOf(vector.poll);
      expect({ ballotCount, counts: tallied, ballotsRoot }, vector.name).to.deep.equal({
        ballotCount: vector.results.ballotCount, counts: vector.results.counts, ballotsRoot: vector.results.ballotsRoot,
      });
    }
  });

  it('when a snapshot was taken moments ago, then requests share it until the spacing has passed', async () => {
    const counts = new RunningCounts({ minSnapshotMs: 60_000 });
    counts.apply(place(1, 0), ledgerEvent(1, hexOf('a')));
    const first = await counts.resultOf(POLL);
    counts.apply(place(2, 0), ledgerEvent(2, hexOf('b')));
    expect(await counts.resultOf(POLL)).to.deep.equal(first);
    expect(await fresh().resultOf(POLL)).to.not.deep.equal(first);
  });

  it('when BallotCast and BallotsCast events arrive, then each ballot counts once, and a re-vote moves its choice', async () => {
    const counts = fresh();
    counts.apply(place(3, 0), ledgerEvent(3, hexOf('a'), 'BallotCast', ballotCastEvent('a', { q1: ['red'] })));
    counts.apply(place(4, 0), ledgerEvent(4, hexOf('b'), 'BallotsCast', batch('b', [{ answers: { q1: ['red'] } }, { answers: { q1: ['blue'] } }])));
    counts.apply(place(4, 1), ledgerEvent(4, hexOf('c'), 'BallotCast', ballotCastEvent('c', { q1: ['blue'] }, { q1: ['red'] })));
    expect(await counts.resultOf(POLL)).to.deep.include({ ballotCount: 3, counts: { q1: { red: 1, blue: 2 } }, asOfBlock: 4 });
  });

  it('when an event is applied again (a replay after reconnecting), then it is not counted twice', async () => {
    const counts = fresh();
    const event = ledgerEvent(3, hexOf('a'));
    counts.apply(place(3, 0), event);
    counts.apply(place(3, 0), event);
    counts.apply(place(2, 5), ledgerEvent(2, hexOf('z')));
    expect((await counts.resultOf(POLL)).ballotCount).to.equal(1);
    expect(counts.resumeBlock).to.equal(3n);
  });

  it('when events belong to another poll or to no protocol, then this poll’s count does not move', async () => {
    const counts = fresh();
    counts.apply(place(1, 0), ledgerEvent(1, hexOf('a'), 'BallotCast', { ...ballotCastEvent('a'), pollId: 'p2' }));
    counts.apply(place(1, 1), ledgerEvent(1, hexOf('b'), 'BallotCast', { pollId: 'p1' }));
    counts.apply(place(1, 2), ledgerEvent(1, hexOf('c'), 'PollOpened', { pollId: 'p1', status: 'open', txId: hexOf('c') }));
    expect(await counts.resultOf(POLL)).to.deep.include({ ballotCount: 0, counts: { q1: { red: 0, blue: 0 } }, asOfBlock: 1 });
    expect((await counts.resultOf({ ...POLL, id: 'p2' })).ballotCount).to.equal(1);
  });

  it('when a poll is tallied, then its ballots are forgotten (its results are the chaincode’s)', async () => {
    const counts = fresh();
    counts.apply(place(1, 0), ledgerEvent(1, hexOf('a')));
    counts.apply(place(2, 0), ledgerEvent(2, hexOf('t'), 'PollTallied', { pollId: 'p1', status: 'tallied', txId: hexOf('t') }));
    expect((await counts.resultOf(POLL)).ballotCount).to.equal(0);
  });

  describe('followRunningCounts', () => {
    it('when the stream fails, then it is reopened at the block of the last event applied and nothing counts twice', async () => {
      const ledger = fakeLedger();
      const controller = new AbortController();
      const failing = {
        ...eventStream([]),
        async *[Symbol.asyncIterator]() {
          yield ledgerEvent(5, hexOf('a'));
          await Promise.resolve();
          throw new Error('peer went away');
        },
      };
      ledger.events.onFirstCall().resolves(failing);
      ledger.events.onSecondCall().resolves(eventStream([ledgerEvent(5, hexOf('a')), ledgerEvent(5, hexOf('b')), ledgerEvent(6, hexOf('c'))]));
      const counts = fresh();
      const errors: unknown[] = [];
      const following = followRunningCounts(ledger, counts, { role: 'auditor', signal: controller.signal, retryMs: 1, onError: (err) => errors.push(err) });
      for (let i = 0; i < 100 && (await counts.resultOf(POLL)).ballotCount < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await following;
      expect(ledger.events.getCalls().map((call) => call.args)).to.deep.equal([['auditor', 0n], ['auditor', 5n]]);
      expect(await counts.resultOf(POLL)).to.deep.include({ ballotCount: 3, asOfBlock: 6 });
      expect(errors.map((err) => (err as Error).message)).to.deep.equal(['peer went away']);
    });

    it('when shutdown aborts, then the open stream is closed and following ends without an error', async () => {
      const ledger = fakeLedger();
      const stream = eventStream([ledgerEvent(1, hexOf('a'))]);
      ledger.events.resolves(stream);
      const controller = new AbortController();
      const errors: unknown[] = [];
      const following = followRunningCounts(ledger, new RunningCounts(), { role: 'auditor', signal: controller.signal, retryMs: 1, onError: (err) => errors.push(err) });
      await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort();
      await following;
      expect(stream.closed).to.equal(true);
      expect(errors).to.deep.equal([]);
      expect(ledger.events.callCount).to.equal(1);
    });
  });
});
