import { expect } from 'chai';
import { BACKDATE_TOLERANCE_MS, ballotTimeProblems } from '../src/time-order';
import type { StoredValue } from '../src/replay-state';

const poll = { closesAt: '2026-03-10T10:00:00.000Z' };
const at = { block: 5, tx: 0, txId: 'a'.repeat(64) };
const ballot = (castAt: string, requestedAt?: string): StoredValue => ({
  value: JSON.stringify({ castAt, ...(requestedAt === undefined ? {} : { requestedAt }) }),
  at: { ...at, timestamp: castAt },
});
const shift = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

describe('time order of ballot writes', function () {
  const latest = '2026-03-10T09:59:50.000Z';

  it('when a ballot is dated a moment before the latest earlier-ordered transaction of its poll, then nothing is flagged (honest jitter)', function () {
    expect(ballotTimeProblems(poll, latest, undefined, ballot(shift(latest, -BACKDATE_TOLERANCE_MS)))).to.deep.equal([]);
  });

  it('when a ballot is dated well before a transaction of its poll that was ordered earlier, then it is flagged as backdated', function () {
    const problems = ballotTimeProblems(poll, latest, undefined, ballot(shift(latest, -BACKDATE_TOLERANCE_MS - 1)));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/was ordered after a transaction of its poll dated 2026-03-10T09:59:50.000Z: backdated$/);
  });

  it('when that earlier-ordered transaction is dated after closesAt, then the flag says the ballot came after the close', function () {
    const late = '2026-03-10T10:01:00.000Z';
    expect(ballotTimeProblems(poll, late, undefined, ballot('2026-03-10T09:59:00.000Z'))[0]).to.include('which is after the poll closed');
  });

  it('when a re-vote was requested earlier than the ballot it replaced, then the re-vote order is flagged; a later one is not', function () {
    const stored = ballot('2026-03-10T09:30:00.000Z', '2026-03-10T09:30:00.000Z');
    const earlier = ballot('2026-03-10T09:31:00.000Z', '2026-03-10T09:20:00.000Z');
    const later = ballot('2026-03-10T09:31:00.000Z', '2026-03-10T09:31:00.000Z');
    expect(ballotTimeProblems(poll, undefined, stored, earlier)).to.deep.equal([
      'replaced a ballot of the same voter that was requested later: the re-vote order was not kept',
    ]);
    expect(ballotTimeProblems(poll, undefined, stored, later)).to.deep.equal([]);
  });

  it("when a ballot's own requestedAt is after its transaction's time, then it is flagged post-dated; up to that time it is not", function () {
    const castAt = '2026-03-10T09:31:00.000Z';
    expect(ballotTimeProblems(poll, undefined, undefined, ballot(castAt, '2026-03-10T09:31:00.001Z'))).to.deep.equal([
      "was requested at 2026-03-10T09:31:00.001Z, after its transaction's timestamp 2026-03-10T09:31:00.000Z: post-dated",
    ]);
    expect(ballotTimeProblems(poll, undefined, undefined, ballot(castAt, castAt))).to.deep.equal([]);
  });

  it('when ballots of one CastBallots transaction share its time, then each re-vote is judged by its own requestedAt', function () {
    const castAt = '2026-03-10T09:40:00.000Z';
    const stored = ballot('2026-03-10T09:30:00.000Z', '2026-03-10T09:30:00.000Z');
    expect(ballotTimeProblems(poll, castAt, stored, ballot(castAt, '2026-03-10T09:35:00.000Z'))).to.deep.equal([]);
    expect(ballotTimeProblems(poll, castAt, stored, ballot(castAt, '2026-03-10T09:25:00.000Z'))).to.have.length(1);
  });

  it('when a record has no usable time, then no time problem is invented', function () {
    expect(ballotTimeProblems(undefined, latest, { value: 'not json', at }, { value: '{}', at })).to.deep.equal([]);
  });
});
