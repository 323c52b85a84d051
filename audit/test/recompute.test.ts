import { referenceTally } from '@poll-ledger/chaincode/dist/domain';
import { expect } from 'chai';
import type { StoredValue } from '../src/ledger-replay';
import { recomputePoll } from '../src/recompute';
import { parsePollRecord } from '../src/records';
import { ballotRecord, pollRecord, voter } from './support/scenario';

type Answers = Record<string, string[]>;

function stored(pollId: string, name: string, answers: Answers, overrides: Record<string, unknown> = {}): [string, StoredValue] {
  const txId = `tx-${name}`;
  const castAt = '2026-06-01T12:00:00.000Z';
  const ballot = { ...ballotRecord(pollId, voter(name), answers, txId, castAt), ...overrides };
  return [voter(name), { value: JSON.stringify(ballot), at: { block: 1, tx: 0, txId, timestamp: castAt } }];
}

describe('recompute', function () {
  describe('recomputePoll', function () {
    const poll = pollRecord('p1', 'none', 'tallied');
    const definition = parsePollRecord(JSON.stringify(poll));

    it("when given raw ballots in any order, then counts, ballot count and the key-ordered chain equal the chaincode's reference tally", function () {
      const entries = [
        stored('p1', 'zed', { q1: ['blue'], q2: ['ac', 'usb'] }),
        stored('p1', 'amy', { q1: ['red'], q2: [] }),
        stored('p1', 'kim', { q1: ['blue'], q2: ['wifi'] }),
      ];
      const result = recomputePoll(definition, new Map(entries));
      const reference = referenceTally(poll, entries.map(([, s]) => JSON.parse(s.value) as never));
      expect(result).to.deep.include({ ballotCount: 3, counts: reference.counts, ballotsRoot: reference.ballotsRoot });
      expect(result.counts).to.deep.equal({ q1: { red: 1, green: 0, blue: 2 }, q2: { wifi: 1, usb: 1, ac: 1 } });
      expect(result.problems).to.deep.equal([]);
    });

    it('when there are no ballots, then every option is 0 and the root is the chain start', function () {
      const result = recomputePoll(definition, new Map());
      expect(result.ballotCount).to.equal(0);
      expect(result.ballotsRoot).to.equal(referenceTally(poll, []).ballotsRoot);
    });

    it('when a stored ballotHash is not the hash of its content, then a problem names the ballot', function () {
      const entry = stored('p1', 'amy', { q1: ['red'], q2: [] }, { ballotHash: '0'.repeat(64) });
      expect(recomputePoll(definition, new Map([entry])).problems[0]).to.match(/not the hash of its content/);
    });

    it("when the record's txId is not the writing transaction, or castAt is not its timestamp, then problems", function () {
      const [id, value] = stored('p1', 'amy', { q1: ['red'], q2: [] });
      const moved: StoredValue = { value: value.value, at: { ...value.at, txId: 'other', timestamp: '2026-06-02T00:00:00.000Z' } };
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

    it('when castAt is outside the poll window, then a problem', function () {
      const entry = stored('p1', 'amy', { q1: ['red'], q2: [] });
      const late = pollRecord('p1', 'none', 'tallied');
      const closedEarly = parsePollRecord(JSON.stringify({ ...late, closesAt: '2026-03-01T00:00:00.000Z' }));
      expect(recomputePoll(closedEarly, new Map([entry])).problems[0]).to.match(/outside/);
    });
  });
});
