import type { CastBallotResult, ErrorPayload } from '@poll-ledger/protocol';
import { expect } from 'chai';
import sinon from 'sinon';
import { ballotHash, ballotHashText } from '../../src/domain/ballot';
import { canonicalJson } from '../../src/domain/canonical';
import { Ids, TestNetwork } from '../support/network';
import { cast, castMany, openPoll, requestId, voter } from '../support/polls';
import { refusalOf } from '../support/refusals';

type Outcome = { receipt: CastBallotResult } | { error: ErrorPayload };
const receiptOf = (outcome: Outcome | undefined): CastBallotResult => {
  if (outcome === undefined || !('receipt' in outcome)) {
    return expect.fail(`expected a receipt, got ${JSON.stringify(outcome)}`);
  }
  return outcome.receipt;
};

describe('PollContract CastBallots', () => {
  let net: TestNetwork;
  beforeEach(async () => {
    net = new TestNetwork();
    await openPoll(net);
  });

  describe('when distinct voters cast in one call', () => {
    const voters = [1, 2, 3, 4, 5];
    const items = voters.map((n) => ({ voterToken: voter(n), answers: { q1: ['green'], q2: ['wifi', 'usb'] } }));

    it('then each ballot is written once, to its own key, and gets a receipt with its position', async () => {
      const result = await castMany(net, items);
      const txId = net.lastTx?.txId ?? '';
      expect(result).to.include({ pollId: 'p1', txId });
      expect(net.lastTx?.writes.map((w) => w.key)).to.deep.equal(voters.map((n) => `ballot~p1~${voter(n)}`));
      for (const [position, n] of voters.entries()) {
        const stored = await net.evaluate(Ids.observerAuditor, 'GetBallot', 'p1', voter(n));
        expect(result.outcomes[position]).to.deep.equal({
          receipt: {
            pollId: 'p1',
            ballotId: voter(n),
            ballotHash: stored.ballotHash,
            txId,
            replaced: false,
            duplicate: false,
            position,
          },
        });
        expect(stored).to.include({ txId, position });
        expect(stored.answers).to.deep.equal({ q1: ['green'], q2: ['usb', 'wifi'] });
      }
    });

    it('then one BallotsCast event lists the ballots, in order, with their positions', async () => {
      const result = await castMany(net, items);
      const ballots = result.outcomes.map((o) => {
        const { ballotId, ballotHash: hash, position } = receiptOf(o);
        return { ballotId, ballotHash: hash, position, answers: { q1: ['green'], q2: ['usb', 'wifi'] } };
      });
      expect(net.lastTx?.event).to.deep.equal({
        name: 'BallotsCast',
        payload: canonicalJson({ pollId: 'p1', txId: result.txId, ballots }),
      });
    });

    it('then it reads only the poll key and each voter’s own key, with no range query', async () => {
      const spy = sinon.spy(net.ledger, 'begin');
      await castMany(net, items);
      const stub = spy.firstCall.returnValue.stub;
      const keys = stub.getState.args.map(([key]) => key);
      expect(keys).to.deep.equal(['poll~p1', ...voters.map((n) => `ballot~p1~${voter(n)}`)]);
      expect(stub.getStateByRange.called || stub.getStateByRangeWithPagination.called).to.equal(false);
    });

    it('then the position is stored but not hashed', async () => {
      await castMany(net, items);
      const stored = await net.evaluate(Ids.observerAuditor, 'GetBallot', 'p1', voter(3));
      expect(stored.position).to.equal(2);
      expect(stored.ballotHash).to.equal(ballotHash(stored));
      expect(ballotHashText(stored)).not.to.include('position');
      const { pollId, ballotId, answers, castAt, txId } = stored;
      expect(ballotHashText(stored)).to.equal(canonicalJson({ pollId, ballotId, answers, castAt, txId }));
    });

    it('then the running count counts each ballot once', async () => {
      await castMany(net, items);
      const results = await net.evaluate(Ids.observerAuditor, 'GetResults', 'p1');
      expect(results).to.include({ ballotCount: 5, final: false });
      expect(results.counts).to.deep.equal({ q1: { red: 0, green: 5, blue: 0 }, q2: { usb: 5, hdmi: 0, wifi: 5 } });
    });

    it('then a call of 100 ballots, the limit, is accepted', async () => {
      const all = Array.from({ length: 100 }, (_, n) => ({ voterToken: voter(100 + n) }));
      const result = await castMany(net, all);
      expect(result.outcomes.map((o) => receiptOf(o).position)).to.deep.equal(all.map((_, n) => n));
      expect(net.ledger.keys('ballot~')).to.have.length(100);
    });

    it('then a retry through CastBallot gets the first receipt, position included, as a duplicate', async () => {
      const result = await castMany(net, [{ voterToken: voter(1) }, { voterToken: voter(2), requestId: requestId(2) }]);
      const retry = await cast(net, 2, { q1: ['blue'], q2: ['hdmi'] }, requestId(2));
      expect(retry).to.deep.equal({ ...receiptOf(result.outcomes[1]), duplicate: true });
      expect(retry.position).to.equal(1);
      expect(net.lastTx?.writes).to.deep.equal([]);
    });
  });

  describe('when a call mixes good and refused ballots under revotePolicy none', () => {
    it('then each refused ballot gets its own error, writes nothing, and the others commit', async () => {
      await cast(net, 1, undefined, requestId(1));
      const first = await cast(net, 2, undefined, requestId(2));
      const alreadyVoted = await refusalOf(cast(net, 1, undefined, requestId(5)));
      const result = await castMany(net, [
        { voterToken: voter(10) },
        { voterToken: voter(11), answers: { q1: ['pink'], q2: ['usb'] } },
        { voterToken: 'not-a-token' },
        { voterToken: voter(10), answers: { q1: ['blue'], q2: ['usb'] } },
        { voterToken: voter(1), requestId: requestId(5) },
        { voterToken: voter(2), requestId: requestId(2), answers: { q1: ['blue'], q2: ['usb'] } },
        { voterToken: voter(12) },
        { voterToken: voter(13), requestId: 'abc' },
        { voterToken: voter(14), requestedAt: '2099-01-01T00:00:00Z' },
        { voterToken: voter(15), answers: ['red'] },
      ]);
      const { outcomes, txId } = result;
      const field = (index: number, name: string) => ({ field: `ballotsJson[${index}].${name}` });
      expect(outcomes.map((o) => ('error' in o ? o.error.code : 'receipt'))).to.deep.equal([
        'receipt',
        'INVALID_ANSWER',
        'INVALID_ARGUMENT',
        'INVALID_ARGUMENT',
        'ALREADY_VOTED',
        'receipt',
        'receipt',
        'INVALID_ARGUMENT',
        'INVALID_ARGUMENT',
        'INVALID_ARGUMENT',
      ]);
      expect(outcomes[1]).to.deep.equal({
        error: {
          code: 'INVALID_ANSWER',
          message: 'the question has no such option',
          details: { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'pink' },
        },
      });
      expect(outcomes[3]).to.deep.equal({
        error: {
          code: 'INVALID_ARGUMENT',
          message: 'ballotsJson[3].voterToken repeats the voterToken of ballotsJson[0]: one ballot per voter in a call',
          details: field(3, 'voterToken'),
        },
      });
      expect(outcomes[4]).to.deep.equal({ error: alreadyVoted });
      expect(outcomes[5]).to.deep.equal({ receipt: { ...first, duplicate: true } });
      expect(receiptOf(outcomes[6])).to.include({ ballotId: voter(12), txId, position: 6, duplicate: false });
      for (const [index, name] of [[2, 'voterToken'], [7, 'requestId'], [8, 'requestedAt'], [9, 'answers']] as const) {
        expect(outcomes[index]).to.have.nested.property('error.details').that.deep.equals(field(index, name));
        expect(outcomeMessage(outcomes[index])).to.match(new RegExp(`^ballotsJson\\[${index}\\]\\.${name} `));
      }

      expect(net.lastTx?.writes.map((w) => w.key)).to.deep.equal([`ballot~p1~${voter(10)}`, `ballot~p1~${voter(12)}`]);
      const event = JSON.parse(net.lastTx?.event?.payload ?? '{}') as { ballots: { position: number }[] };
      expect(event.ballots.map((b) => b.position)).to.deep.equal([0, 6]);
      const stored = await net.evaluate(Ids.cityAuditor, 'GetBallot', 'p1', voter(10));
      expect(stored.answers).to.deep.equal({ q1: ['red'], q2: ['usb'] });
    });

    it('then a call that writes no ballot commits no write and no event', async () => {
      const first = await cast(net, 1, undefined, requestId(1));
      const result = await castMany(net, [
        { voterToken: voter(1), requestId: requestId(1) },
        { voterToken: voter(2), answers: {} },
      ]);
      expect(result.outcomes[0]).to.deep.equal({ receipt: { ...first, duplicate: true } });
      expect(result.outcomes[1]).to.have.nested.property('error.code', 'INVALID_ANSWER');
      expect(net.lastTx?.writes).to.deep.equal([]);
      expect(net.lastTx?.event).to.equal(undefined);
    });
  });

  describe('when the revote policy is last-counts', () => {
    beforeEach(async () => {
      await openPoll(net, { id: 'p2', revotePolicy: 'last-counts' });
    });

    it('then a voter’s new ballot replaces the stored one, and the history keeps both', async () => {
      const before = await cast(net, 1, { q1: ['red'], q2: ['usb'] }, requestId(1), 'p2');
      const result = await castMany(net, [
        { voterToken: voter(2) },
        { voterToken: voter(1), answers: { q1: ['blue'], q2: ['hdmi'] }, requestId: requestId(2) },
      ], 'p2');
      expect(receiptOf(result.outcomes[1])).to.include({ replaced: true, duplicate: false, position: 1 });
      const event = JSON.parse(net.lastTx?.event?.payload ?? '{}') as { ballots: { replaced?: unknown }[] };
      expect(event.ballots.map((b) => b.replaced)).to.deep.equal([undefined, { q1: ['red'], q2: ['usb'] }]);
      const stored = await net.evaluate(Ids.cityAuditor, 'GetBallot', 'p2', voter(1));
      expect(stored).to.include({ txId: result.txId, requestId: requestId(2), position: 1 });
      expect(stored.answers).to.deep.equal({ q1: ['blue'], q2: ['hdmi'] });
      expect(stored.earlierRequests).to.deep.equal(
        [{ requestId: requestId(1), txId: before.txId, ballotHash: before.ballotHash }],
      );
      const history = await net.evaluate(Ids.cityAuditor, 'GetBallotHistory', 'p2', voter(1));
      expect(history.map((h) => h.txId)).to.deep.equal([result.txId, before.txId]);
      expect(history[1]?.value).not.to.have.property('position');
    });

    it('then a ballot requested before the stored one is SUPERSEDED, and a late retry gets its old receipt', async () => {
      await cast(net, 3, undefined, '', 'p2', '2026-03-01T11:00:00Z');
      const superseded = await refusalOf(cast(net, 3, undefined, '', 'p2', '2026-03-01T10:00:00Z'));
      const first = await cast(net, 1, { q1: ['red'], q2: ['usb'] }, requestId(1), 'p2');
      await cast(net, 1, { q1: ['blue'], q2: ['hdmi'] }, requestId(2), 'p2');
      const result = await castMany(net, [
        { voterToken: voter(3), requestedAt: '2026-03-01T10:00:00Z' },
        { voterToken: voter(1), requestId: requestId(1) },
        { voterToken: voter(4) },
      ], 'p2');
      expect(result.outcomes[0]).to.deep.equal({ error: superseded });
      expect(superseded.code).to.equal('SUPERSEDED');
      expect(result.outcomes[1]).to.deep.equal({ receipt: { ...first, duplicate: true, superseded: true } });
      expect(receiptOf(result.outcomes[2])).to.include({ ballotId: voter(4), position: 2 });
      expect(net.lastTx?.writes.map((w) => w.key)).to.deep.equal([`ballot~p2~${voter(4)}`]);
    });
  });
});

function outcomeMessage(outcome: Outcome | undefined): string {
  return outcome !== undefined && 'error' in outcome ? outcome.error.message : '';
}
