import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { ballotHash, type BallotContent } from '../../src/domain/ballot';
import { createPoll } from '../../src/domain/poll';
import { parsePollDefinition } from '../../src/domain/poll-definition';
import {
  addBallots,
  advanceTallyState,
  chainStart,
  chainStep,
  emptyTally,
  referenceTally,
  startTallyState,
} from '../../src/domain/tally';
import { pollJson, voter } from '../support/polls';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const poll = createPoll(parsePollDefinition(pollJson()), 'p1', 'CityMSP', 'tx-0');
const ballot = (citizen: number, q1: string, q2: string[]): BallotContent => ({
  pollId: 'p1',
  ballotId: voter(citizen),
  answers: { q1: [q1], q2 },
  castAt: '2026-03-01T12:00:00.000Z',
  txId: `tx-${citizen}`,
});
const ballots = [ballot(1, 'red', ['usb']), ballot(2, 'blue', ['usb', 'wifi']), ballot(3, 'red', ['hdmi'])];
const inKeyOrder = [...ballots].sort((a, b) => (a.ballotId < b.ballotId ? -1 : 1));

describe('tally', () => {
  describe('chainStart and chainStep', () => {
    it('when a chain starts, then h0 is sha256 of "poll-ledger:ballots:" + pollId', () => {
      expect(chainStart('p1')).to.equal(sha256('poll-ledger:ballots:p1'));
    });

    it('when a ballot is chained, then h_i is sha256 of the hex concatenation of h_{i-1} and its hash', () => {
      expect(chainStep('aa', 'bb')).to.equal(sha256('aabb'));
    });
  });

  describe('emptyTally', () => {
    it('when nothing is counted, then every option of every question is listed with 0', () => {
      expect(emptyTally(poll)).to.deep.equal({
        ballotCount: 0,
        counts: { q1: { red: 0, green: 0, blue: 0 }, q2: { usb: 0, hdmi: 0, wifi: 0 } },
        ballotsRoot: chainStart('p1'),
      });
    });
  });

  describe('addBallots', () => {
    it('when ballots are added, then each chosen option counts once and the chain runs in the given order', () => {
      const tally = addBallots(emptyTally(poll), inKeyOrder);
      expect(tally.ballotCount).to.equal(3);
      expect(tally.counts).to.deep.equal({ q1: { red: 2, green: 0, blue: 1 }, q2: { usb: 2, hdmi: 1, wifi: 1 } });
      const root = inKeyOrder.reduce((head, b) => sha256(head + ballotHash(b)), sha256('poll-ledger:ballots:p1'));
      expect(tally.ballotsRoot).to.equal(root);
    });

    it('when ballots are added, then the tally passed in is left unchanged', () => {
      const before = emptyTally(poll);
      addBallots(before, ballots);
      expect(before.counts.q1?.red).to.equal(0);
      expect(before.ballotCount).to.equal(0);
    });

    it('when ballots are added in two steps, then the result equals adding them at once', () => {
      const once = addBallots(emptyTally(poll), inKeyOrder);
      const twice = addBallots(addBallots(emptyTally(poll), inKeyOrder.slice(0, 1)), inKeyOrder.slice(1));
      expect(twice).to.deep.equal(once);
    });

    it('when a ballot names an option the poll does not have, then it fails loudly', () => {
      const stray = { ...ballot(4, 'purple', ['usb']) };
      expect(() => addBallots(emptyTally(poll), [stray])).to.throw(/names q1\/purple, which its poll does not have/);
      const inherited = { ...stray, answers: { toString: ['x'] } };
      expect(() => addBallots(emptyTally(poll), [inherited])).to.throw(/names toString\/x/);
    });
  });

  describe('referenceTally', () => {
    it('when ballots come in any order, then they are counted in ascending ballotId order', () => {
      expect(referenceTally(poll, [...ballots].reverse())).to.deep.equal(addBallots(emptyTally(poll), inKeyOrder));
    });

    it('when a ballot of another poll is passed, then it fails loudly', () => {
      const foreign = { ...ballot(1, 'red', ['usb']), pollId: 'p2' };
      expect(() => referenceTally(poll, [foreign])).to.throw(/belongs to poll p2/);
    });
  });

  describe('advanceTallyState', () => {
    it('when a batch is applied, then the cursor is its last key and done follows exhaustion', () => {
      const start = startTallyState(poll);
      expect(start).to.include({ pollId: 'p1', cursor: '', done: false, ballotCount: 0 });
      const first = advanceTallyState(start, {
        entries: inKeyOrder.slice(0, 2).map((b) => ({ key: `k-${b.ballotId}`, ballot: b })),
        exhausted: false,
      });
      expect(first).to.include({ cursor: `k-${inKeyOrder[1]?.ballotId ?? ''}`, done: false, ballotCount: 2 });
      const last = advanceTallyState(first, { entries: [], exhausted: true });
      expect(last).to.include({ cursor: first.cursor, done: true, ballotCount: 2 });
    });
  });
});
