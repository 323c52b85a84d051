import { expect } from 'chai';
import { chainNext, chainStart, recomputePoll } from '../src/recompute';
import { parsePollRecord } from '../src/records';
import type { StoredValue } from '../src/replay-state';
import { ballotRecord, pollRecord, txIdOf, voter } from './support/scenario';

type Answers = Record<string, string[]>;

function stored(pollId: string, name: string, answers: Answers, overrides: Record<string, unknown> = {}): [string, StoredValue] {
  const txId = txIdOf(name);
  const castAt = '2026-06-01T12:00:00.000Z';
  const ballot = { ...ballotRecord(pollId, voter(name), answers, txId, castAt), ...overrides };
  return [voter(name), { value: JSON.stringify(ballot), at: { block: 1, tx: 0, txId, timestamp: castAt } }];
}

describe('recompute', function () {
  describe('recomputePoll', function () {
    const poll = pollRecord('p1', 'none', 'tallied');
    const definition = parsePollRecord(JSON.stringify(poll));

    it('when given raw ballots in any order, then counts, ballot count and the chain over the ballots in key order', function () {
      const entries = [
        stored('p1', 'zed', { q1: ['blue'], q2: ['ac', 'usb'] }),
        stored('p1', 'amy', { q1: ['red'], q2: [] }),
        stored('p1', 'kim', { q1: ['blue'], q2: ['wifi'] }),
      ];
      const result = recomputePoll(definition, new Map(entries));
      const inKeyOrder = [...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => JSON.parse(s.value) as { ballotHash: string });
      const root = inKeyOrder.reduce((head, b) => chainNext(head, b.ballotHash), chainStart('p1'));
      expect(result).to.deep.include({ ballotCount: 3, ballotsRoot: root });
      expect(result.counts).to.deep.equal({ q1: { red: 1, green: 0, blue: 2 }, q2: { wifi: 1, usb: 1, ac: 1 } });
      expect(result.problems).to.deep.equal([]);
    });

    it('when there are no ballots, then every option is 0 and the root is the chain start', function () {
      const result = recomputePoll(definition, new Map());
      expect(result.ballotCount).to.equal(0);
      expect(result.ballotsRoot).to.equal(chainStart('p1'));
    });

    it('when a stored ballotHash is not the hash of its content, then a problem names the ballot', function () {
      const entry = stored('p1', 'amy', { q1: ['red'], q2: [] }, { ballotHash: '0'.repeat(64) });
      expect(recomputePoll(definition, new Map([entry])).problems[0]).to.match(/not the hash of its content/);
    });

    it("when the record's txId is not the writing transaction, or castAt is not its timestamp, then problems", function () {
      const [id, value] = stored('p1', 'amy', { q1: ['red'], q2: [] });
      const moved: StoredValue = { value: value.value, at: { ...value.at, txId: txIdOf('other'), timestamp: '2026-06-02T00:00:00.000Z' } };
      const problems = recomputePoll(definition, new Map([[id, moved]])).problems;
      expect(problems.some((p) => p.includes('names tx'))).to.be.true;
      expect(problems.some((p) => p.includes("writing transaction's timestamp"))).to.be.true;
    });

    it('when answers break the definition (unknown option, too many, missing question), then problems, and unknown options are not counted', function () {
      const entries = [
        stored('p1', 'a', { q1: ['purple'], q2: [] }),
        stored('p1', 'b', { q1: ['red', 'blue'], q2: [] }),
        stored('p1', 'c', { q1: ['red'] }),
      ];
      const result = recomputePoll(definition, new Map(entries));
      expect(result.problems.join('\n')).to.match(/unknown option/).and.match(/outside \[1, 1\]/).and.match(/does not answer question q2/);
      expect(result.counts.q1).to.deep.equal({ red: 2, green: 0, blue: 1 });
    });

    it('when a ballot value is not a ballot record, then it is a problem and not counted', function () {
      const result = recomputePoll(definition, new Map([[voter('x'), { value: '{"oops":1}', at: { block: 1, tx: 0, txId: 't' } }]]));
      expect(result.ballotCount).to.equal(0);
      expect(result.problems[0]).to.match(/not counted/);
    });

    it('when a ballot record does not fit the protocol schema (a field it does not define), then it is a problem and not counted', function () {
      const entry = stored('p1', 'amy', { q1: ['red'], q2: [] }, { extra: true });
      const result = recomputePoll(definition, new Map([entry]));
      expect(result.ballotCount).to.equal(0);
      expect(result.problems).to.have.length(1);
      expect(result.problems[0]).to.match(/does not fit the protocol.*not counted/);
    });

    it("when a ballot's option ids are not stored in canonical (sorted) order, then a problem, and it is still counted", function () {
      const [id, value] = stored('p1', 'amy', { q1: ['red'], q2: ['wifi', 'ac'] });
      const result = recomputePoll(definition, new Map([[id, value]]));
      expect(result.ballotCount).to.equal(1);
      expect(result.problems).to.deep.equal([`ballot ${id}: the option ids of q2 are not in canonical (sorted) order`]);
    });

    it('when answers name an option twice, then exactly that problem, naming the option', function () {
      const [id, value] = stored('p1', 'amy', { q1: ['red'], q2: ['ac', 'ac'] });
      const result = recomputePoll(definition, new Map([[id, value]]));
      expect(result.problems).to.deep.equal([`ballot ${id}: question q2 names option ac twice`]);
    });

    it('when castAt is outside the poll window, then a problem', function () {
      const entry = stored('p1', 'amy', { q1: ['red'], q2: [] });
      const late = pollRecord('p1', 'none', 'tallied');
      const closedEarly = parsePollRecord(JSON.stringify({ ...late, closesAt: '2026-03-01T00:00:00.000Z' }));
      expect(recomputePoll(closedEarly, new Map([entry])).problems[0]).to.match(/outside/);
    });
  });
});
