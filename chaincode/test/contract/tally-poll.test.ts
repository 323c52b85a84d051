import { type Ballot, Limits } from '@poll-ledger/protocol';
import { expect } from 'chai';
import sinon from 'sinon';
import { canonicalJson } from '../../src/domain/canonical';
import { referenceTally } from '../../src/domain/tally';
import { Ids, TestNetwork } from '../support/network';
import { cast, openPoll, pollJson } from '../support/polls';
import { refusalOf } from '../support/refusals';

const COLOURS = ['red', 'green', 'blue'];

/** An open poll p1 with `n` ballots, then closed. */
async function closedPollWith(net: TestNetwork, n: number, overrides: Record<string, unknown> = {}) {
  await openPoll(net, overrides);
  for (let i = 0; i < n; i += 1) {
    await cast(net, i, { q1: [COLOURS[i % 3] ?? 'red'], q2: i % 2 === 0 ? ['usb'] : ['usb', 'wifi'] });
  }
  await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
}

function storedBallots(net: TestNetwork): Ballot[] {
  return net.ledger.keys('ballot~p1~').map((key) => JSON.parse(net.ledger.value(key) ?? '') as Ballot);
}

describe('PollContract TallyPoll', () => {
  let net: TestNetwork;
  beforeEach(() => {
    net = new TestNetwork();
  });

  it('when ballots are tallied in batches, then each tx counts at most maxBallots, the last one finishes', async () => {
    await closedPollWith(net, 7);
    const steps = [];
    for (let i = 0; i < 3; i += 1) {
      steps.push(await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '3'));
      expect(net.lastTx?.event?.name).to.equal(i < 2 ? undefined : 'PollTallied');
    }
    expect(steps.map((s) => [s.processed, s.ballotCount, s.done, s.status])).to.deep.equal([
      [3, 3, false, 'closed'],
      [3, 6, false, 'closed'],
      [1, 7, true, 'tallied'],
    ]);
    expect(net.lastTx?.writes.map((w) => w.key)).to.deep.equal([
      'tally~p1',
      'poll~p1',
      'pollstatus~closed~p1',
      'pollstatus~tallied~p1',
    ]);
  });

  it('when an unfinished batch is stored, then the tally state holds the cursor and running totals only', async () => {
    await closedPollWith(net, 4);
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '2');
    expect(net.lastTx?.writes.map((w) => w.key)).to.deep.equal(['tally~p1']);
    const state = JSON.parse(net.ledger.value('tally~p1') ?? '') as Record<string, unknown>;
    expect(state).to.include({ pollId: 'p1', cursor: net.ledger.keys('ballot~p1~')[1], ballotCount: 2, done: false });
  });

  it('when the last batch ends exactly on the last ballot, then that batch already finishes', async () => {
    await closedPollWith(net, 6);
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '3');
    expect(await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '3')).to.include(
      { processed: 3, done: true, status: 'tallied' },
    );
  });

  it('when a poll has no ballots, then one tally tx finishes it with zero counts', async () => {
    await closedPollWith(net, 0);
    expect(await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '1')).to.deep.equal({
      pollId: 'p1', processed: 0, ballotCount: 0, done: true, status: 'tallied',
    });
    expect(net.lastTx?.event).to.deep.equal({
      name: 'PollTallied',
      payload: canonicalJson({ pollId: 'p1', status: 'tallied', txId: net.lastTx?.txId }),
    });
  });

  it('when it reads ballots, then it uses one plain range read after the cursor and closes the iterator', async () => {
    await closedPollWith(net, 5);
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '2');
    const spy = sinon.spy(net.ledger, 'begin');
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '2');
    const stub = spy.firstCall.returnValue.stub;
    const cursor = net.ledger.keys('ballot~p1~')[1] ?? '';
    expect(stub.getStateByRange.args).to.deep.equal([[`${cursor}\u0000`, 'ballot~p1~\u{10ffff}']]);
    expect(stub.getStateByRangeWithPagination.called).to.equal(false);
    expect(net.ledger.openIterators).to.equal(0);
  });

  it('when the poll holds more ballots than the peer returns per query, then batches count them all', async () => {
    net = new TestNetwork({ totalQueryLimit: 5 });
    await closedPollWith(net, 12);
    let progress;
    do {
      progress = await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '4');
    } while (!progress.done);
    expect((await net.evaluate(Ids.observerAuditor, 'GetResults', 'p1')).ballotCount).to.equal(12);
  });

  it('when the tally is done, then the results equal a recount of the stored ballots', async () => {
    await closedPollWith(net, 9);
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '4');
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '5000');
    const results = await net.evaluate(Ids.observerAuditor, 'GetResults', 'p1');
    const poll = await net.evaluate(Ids.observerAuditor, 'GetPoll', 'p1');
    const { ballotCount, counts, ballotsRoot } = referenceTally(poll, storedBallots(net));
    expect(results).to.deep.equal({ pollId: 'p1', status: 'tallied', final: true, ballotCount, counts, ballotsRoot });
  });

  it('when a last-counts voter re-voted, then only the latest ballot counts', async () => {
    await openPoll(net, { revotePolicy: 'last-counts' });
    await cast(net, 1, { q1: ['red'], q2: ['usb'] });
    await cast(net, 1, { q1: ['blue'], q2: ['hdmi'] });
    await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '10');
    const results = await net.evaluate(Ids.observerAuditor, 'GetResults', 'p1');
    expect(results.ballotCount).to.equal(1);
    expect(results.counts).to.deep.equal({ q1: { red: 0, green: 0, blue: 1 }, q2: { usb: 0, hdmi: 1, wifi: 0 } });
  });

  for (const status of ['draft', 'open', 'cancelled', 'tallied'] as const) {
    it(`when the poll is ${status}, then it is INVALID_STATE`, async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      if (status !== 'draft') await net.submit(Ids.cityAdmin, 'OpenPoll', 'p1');
      if (status === 'cancelled') await net.submit(Ids.cityAdmin, 'CancelPoll', 'p1');
      if (status === 'tallied') {
        await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
        await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '1');
      }
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '1'))).to.deep.equal(
        { code: 'INVALID_STATE', message: `cannot tally poll p1: it is ${status}` },
      );
    });
  }

  const badBatches: [string, string][] = [
    ['0', 'must be at least 1'],
    [String(Limits.tallyBatch.max + 1), `must be at most ${Limits.tallyBatch.max}`],
    ...['', 'ten', '1.5', '-3', '1234567890'].map((bad): [string, string] => [bad, 'must be a decimal integer']),
  ];
  for (const [maxBallots, problem] of badBatches) {
    it(`when maxBallots is ${JSON.stringify(maxBallots)}, then it is INVALID_ARGUMENT`, async () => {
      await closedPollWith(net, 0);
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', maxBallots))).to.deep.equal(
        { code: 'INVALID_ARGUMENT', message: `maxBallots ${problem}`, details: { field: 'maxBallots' } },
      );
    });
  }

  it('when the owning department tallies its own poll, then it is allowed', async () => {
    await openPoll(net, {}, Ids.deptAdmin);
    await net.submit(Ids.deptAdmin, 'ClosePoll', 'p1');
    expect(await net.submit(Ids.deptAdmin, 'TallyPoll', 'p1', '5')).to.include({ done: true });
  });
});
