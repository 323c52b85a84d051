/**
 * Time the city does not control. The city's gateway dates every ballot (the proposal timestamp) and Fabric 2.5.9
 * peers do not bound that date, so closing on time must not depend on the city: from closesAt on, the observer may
 * close a poll itself, after which no ballot is accepted whatever its date. What remains (a backdated ballot sent
 * after closesAt but before anyone closed the poll) is left on the ledger here, in a `time-backdated-*` poll, for
 * the auditor to flag.
 */
import { expect } from 'chai';
import { withClockSetBack, sleepUntil } from './support/clock';
import { evaluate, refusalOf, submit, usePollActors } from './support/fabric';
import { runAudit } from './support/audit';
import { colourPoll, uniquePollId, voterToken } from './support/polls';

/** How far ahead closesAt is set: time enough to create and open the poll first. */
const CLOSES_IN_MS = 12_000;
const BACKDATE_MS = 60_000;
const ANSWERS = JSON.stringify({ q1: ['red'], q2: [] });

describe('time: closing on time does not depend on the city', function () {
  const actors = usePollActors();

  /** A poll of the city, open since an hour ago, that closes CLOSES_IN_MS from now; its id and closesAt. */
  async function pollClosingSoon(prefix: string): Promise<{ pollId: string; closesAt: number }> {
    const pollId = uniquePollId(prefix);
    const closesAt = Date.now() + CLOSES_IN_MS;
    const poll = colourPoll(pollId, {
      opensAt: new Date(Date.now() - 3_600_000).toISOString(),
      closesAt: new Date(closesAt).toISOString(),
    });
    await submit(actors.cityAdmin, 'CreatePoll', JSON.stringify(poll));
    await submit(actors.cityAdmin, 'OpenPoll', pollId);
    expect(Date.now(), 'the poll must still be open when the test goes on').to.be.below(closesAt - 2_000);
    return { pollId, closesAt };
  }

  it("when the observer's auditor closes a poll, then it is refused before closesAt and done after; a ballot backdated into the window is then POLL_NOT_OPEN", async function () {
    const { pollId, closesAt } = await pollClosingSoon('time-close');
    expect(await refusalOf(submit(actors.observer, 'ClosePoll', pollId))).to.equal('FORBIDDEN');

    await sleepUntil(closesAt + 1_000);
    const closed = await submit(actors.observer, 'ClosePoll', pollId);
    expect(closed).to.include({ id: pollId, status: 'closed', ownerMsp: 'CityMSP' });

    // The city's relay dates its proposal a minute back, inside [opensAt, closesAt]: the status check still refuses.
    const token = voterToken(pollId, 'late-citizen');
    const backdated = withClockSetBack(BACKDATE_MS, () => submit(actors.relay, 'CastBallot', pollId, token, ANSWERS, '', ''));
    expect(await refusalOf(backdated)).to.equal('POLL_NOT_OPEN');
    expect(await refusalOf(evaluate(actors.observer, 'GetBallot', pollId, token))).to.equal('NOT_FOUND');
  });

  it('when the city casts a backdated ballot after closesAt but before anyone closed the poll, then it is accepted with the backdated castAt (the residual the auditor must flag)', async function () {
    const { pollId, closesAt } = await pollClosingSoon('time-backdated');
    await sleepUntil(closesAt + 1_000);

    const token = voterToken(pollId, 'backdated-citizen');
    // Dated now, the ballot is outside the window.
    expect(await refusalOf(submit(actors.relay, 'CastBallot', pollId, token, ANSWERS, '', ''))).to.equal('POLL_NOT_OPEN');

    const datedAt = Date.now() - BACKDATE_MS;
    const receipt = await withClockSetBack(BACKDATE_MS, () => submit(actors.relay, 'CastBallot', pollId, token, ANSWERS, '', ''));
    const committedBy = Date.now();
    const ballot = await evaluate(actors.observer, 'GetBallot', pollId, token);
    expect(ballot).to.include({ txId: receipt.txId, ballotHash: receipt.ballotHash });
    const castAt = Date.parse(ballot.castAt);
    expect(castAt, 'castAt is the backdated proposal time').to.be.within(datedAt, datedAt + 10_000);
    expect(castAt, 'castAt is inside the window').to.be.below(closesAt);
    expect(committedBy, 'yet the ballot reached the ledger after closesAt').to.be.above(closesAt);
    console.log(`      backdated ballot left on the ledger: poll ${pollId}, txId ${receipt.txId}, castAt ${ballot.castAt}, closesAt ${new Date(closesAt).toISOString()}`);

    // Closed by the observer afterwards: the ballot stays, dated inside the window.
    expect(await submit(actors.observer, 'ClosePoll', pollId)).to.include({ status: 'closed' });
    expect(await evaluate(actors.observer, 'GetBallot', pollId, token)).to.include({ castAt: ballot.castAt });
  });

  it("when the actors.observer runs `poll-ledger-audit close-due` after closesAt, then it closes the due poll from its own peer, and a backdated ballot is POLL_NOT_OPEN", async function () {
    const { pollId, closesAt } = await pollClosingSoon('time-closer');
    const early = await runAudit(['close-due', '--org', 'observer', '--identity', 'auditor']);
    expect(early.code, early.stdout + early.stderr).to.equal(0);
    expect(early.stdout).to.match(new RegExp(`${pollId} +closesAt \\S+ +not due`));

    await sleepUntil(closesAt + 1_000);
    const run = await runAudit(['close-due', '--org', 'observer', '--identity', 'auditor']);
    console.log(run.stdout.split('\n').filter((line) => line.startsWith('close-due') || line.includes(pollId)).map((line) => `      ${line}`).join('\n'));
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.match(new RegExp(`${pollId} +closesAt \\S+ +closed`));
    expect(await evaluate(actors.observer, 'GetPoll', pollId)).to.include({ status: 'closed' });

    const token = voterToken(pollId, 'after-closer');
    expect(await refusalOf(withClockSetBack(BACKDATE_MS, () => submit(actors.relay, 'CastBallot', pollId, token, ANSWERS, '', '')))).to.equal('POLL_NOT_OPEN');
  });
});
