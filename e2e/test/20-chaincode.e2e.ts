/**
 * The polls chaincode on the real network: conflict-free casting under load, one
 * ballot per voter under concurrency, the poll window, a batched tally that matches
 * what was cast, and refused roles.
 */
import { expect } from 'chai';
import { StatusCode } from '@hyperledger/fabric-gateway';
import {
  chaincodeErrorCode,
  connectAs,
  type Connection,
  evaluate,
  openColourPoll,
  runPool,
  submit,
  tallyAll,
} from './support/fabric';
import { answersFor, castBallotArgs, colourPoll, expectedCounts, uniquePollId, voterToken } from './support/polls';

/** submitAsync + getStatus: the validation code it committed with, or the chaincode's refusal code. */
async function submitStatus(conn: Connection, name: string, args: string[]): Promise<{ code: number | undefined; error?: string }> {
  try {
    const tx = await conn.contract.submitAsync(name, { arguments: args });
    const status = await tx.getStatus();
    return { code: status.code };
  } catch (err) {
    return { code: undefined, error: chaincodeErrorCode(err) ?? String(err) };
  }
}

describe('chaincode: polls and ballots on the real network', function () {
  let admin: Connection;
  let relay: Connection;

  before(function () {
    admin = connectAs('city', 'poll-admin');
    relay = connectAs('city', 'ballot-relay');
  });
  after(function () {
    admin.close();
    relay.close();
  });

  const openPoll = (overrides: Parameters<typeof colourPoll>[1] = {}): Promise<string> => openColourPoll(admin, 'cc', overrides);
  const results = (pollId: string) => evaluate(admin, 'GetResults', pollId);

  it('when 1,000 voters cast with 50 in flight, then every ballot commits VALID with no MVCC conflict, and the batched tally equals the ballots cast', async function () {
    const pollId = await openPoll();
    const voters = Array.from({ length: 1000 }, (_, i) => i);
    const started = Date.now();
    const outcomes = await runPool(50, voters.map((i) => () =>
      submitStatus(relay, 'CastBallot', castBallotArgs(pollId, voterToken(pollId, `citizen-${i.toString()}`), answersFor(i)))));
    const seconds = (Date.now() - started) / 1000;
    console.log(`      CastBallot: 1000 ballots, 50 in flight, ${seconds.toFixed(1)} s, ${(1000 / seconds).toFixed(1)} tx/s`);

    const byCode = new Map<string, number>();
    for (const o of outcomes) byCode.set(String(o.code ?? o.error), (byCode.get(String(o.code ?? o.error)) ?? 0) + 1);
    expect(Object.fromEntries(byCode)).to.deep.equal({ [String(StatusCode.VALID)]: 1000 });
    expect(byCode.get(String(StatusCode.MVCC_READ_CONFLICT))).to.equal(undefined);

    // A ballot after close is refused.
    await submit(admin, 'ClosePoll', pollId);
    const late = await submitStatus(relay, 'CastBallot', castBallotArgs(pollId, voterToken(pollId, 'late-citizen'), answersFor(1)));
    expect(late.error).to.equal('POLL_NOT_OPEN');

    const tallyStarted = Date.now();
    const batches = await tallyAll(admin, pollId, 300);
    console.log(`      TallyPoll: 1000 ballots in ${batches.toString()} batches of 300, ${((Date.now() - tallyStarted) / 1000).toFixed(1)} s`);
    expect(batches).to.equal(4);
    const result = await results(pollId);
    expect(result).to.include({ pollId, status: 'tallied', final: true, ballotCount: 1000 });
    expect(result.counts).to.deep.equal(expectedCounts(voters.map(answersFor)));
    expect(result.ballotsRoot).to.match(/^[0-9a-f]{64}$/);
  });

  it('when 20 casts with one voter token race under policy none, then exactly one is counted', async function () {
    const pollId = await openPoll({ revotePolicy: 'none' });
    const token = voterToken(pollId, 'eager-citizen');
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      submitStatus(relay, 'CastBallot', castBallotArgs(pollId, token, answersFor(i)))));

    const valid = outcomes.filter((o) => o.code === StatusCode.VALID);
    expect(valid).to.have.length(1);
    // The others lose either at endorsement (the first had committed) or at commit (MVCC).
    for (const o of outcomes.filter((x) => x.code !== StatusCode.VALID)) {
      expect([String(StatusCode.MVCC_READ_CONFLICT), 'ALREADY_VOTED']).to.include(String(o.code ?? o.error));
    }
    await submit(admin, 'ClosePoll', pollId);
    await tallyAll(admin, pollId, 100);
    expect((await results(pollId)).ballotCount).to.equal(1);
  });

  it('when a voter re-votes under last-counts, then only the latest ballot counts and the history keeps both', async function () {
    const pollId = await openPoll({ revotePolicy: 'last-counts' });
    const token = voterToken(pollId, 'changing-mind');
    await submit(relay, 'CastBallot', ...castBallotArgs(pollId, token, { q1: ['red'], q2: [] }));
    await submit(relay, 'CastBallot', ...castBallotArgs(pollId, token, { q1: ['blue'], q2: ['usb'] }));
    const history = await evaluate(admin, 'GetBallotHistory', pollId, token);
    expect(history).to.have.length(2);

    await submit(admin, 'ClosePoll', pollId);
    await tallyAll(admin, pollId, 10);
    const result = await results(pollId);
    expect(result.ballotCount).to.equal(1);
    expect(result.counts.q1).to.deep.equal({ red: 0, green: 0, blue: 1 });
  });

  describe('refused roles', function () {
    it('when a ballot-relay creates a poll, then it is FORBIDDEN', async function () {
      const outcome = await submitStatus(relay, 'CreatePoll', [JSON.stringify(colourPoll(uniquePollId('forbidden')))]);
      expect(outcome.error).to.equal('FORBIDDEN');
    });

    it('when a DeptMSP poll-admin casts a ballot, then it is FORBIDDEN', async function () {
      const pollId = await openPoll();
      const dept = connectAs('dept', 'poll-admin');
      try {
        const outcome = await submitStatus(dept, 'CastBallot', castBallotArgs(pollId, voterToken(pollId, 'x'), answersFor(0)));
        expect(outcome.error).to.equal('FORBIDDEN');
      } finally {
        dept.close();
      }
    });

    it('when an observer creates a poll, then it is FORBIDDEN', async function () {
      const observer = connectAs('observer', 'poll-admin');
      try {
        const outcome = await submitStatus(observer, 'CreatePoll', [JSON.stringify(colourPoll(uniquePollId('obs')))]);
        expect(outcome.error).to.equal('FORBIDDEN');
      } finally {
        observer.close();
      }
    });
  });
});
