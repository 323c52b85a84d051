import { expect } from 'chai';
import sinon from 'sinon';
import * as ballotRules from '../../src/domain/ballot';
import { NotFoundError, PollNotOpenError } from '../../src/domain/errors';
import * as pollRules from '../../src/domain/poll';
import { Ids, TestNetwork } from '../support/network';
import { ballotsJson, cast, castMany, openPoll, pollJson, requestId, voter } from '../support/polls';
import { refusalOf } from '../support/refusals';

describe('PollContract CastBallots refusals of the whole call', () => {
  let net: TestNetwork;
  const two = ballotsJson([{ voterToken: voter(1) }, { voterToken: voter(2) }]);
  beforeEach(async () => {
    net = new TestNetwork();
    await openPoll(net);
  });
  afterEach(() => {
    sinon.restore();
  });

  /** The call must fail, and so commit nothing at all. */
  async function refusedCall(outcome: Promise<unknown>) {
    const committed = net.ledger.committed.length;
    const refusal = await refusalOf(outcome);
    expect(net.ledger.committed).to.have.length(committed);
    expect(net.ledger.keys('ballot~')).to.deep.equal([]);
    return refusal;
  }

  describe('when the caller may not cast ballots, then it is FORBIDDEN before any argument is read', () => {
    for (const [name, who] of [['a DeptMSP ballot-relay', Ids.deptRelay], ['a city poll-admin', Ids.cityAdmin]] as const) {
      it(`then ${name} is refused`, async () => {
        const refusal = await refusedCall(net.submit(who, 'CastBallots', 'p 1', '{'));
        expect(refusal.code).to.equal('FORBIDDEN');
        expect(refusal.message).to.match(/may not cast ballots$/);
      });
    }
  });

  describe('when the arguments are malformed, then it is INVALID_ARGUMENT naming the field', () => {
    const cases: [string, string, string, string][] = [
      ['a bad pollId', 'p 1', two, 'pollId'],
      ['text that is not JSON', 'p1', '[{', 'ballotsJson'],
      ['an object instead of an array', 'p1', '{}', 'ballotsJson'],
      ['an empty array', 'p1', '[]', 'ballotsJson'],
      ['an item without requestId', 'p1', JSON.stringify([{ voterToken: voter(1), answers: {}, requestedAt: '' }]), 'ballotsJson[0].requestId'],
      ['an item with a field of another type', 'p1', JSON.stringify([{ voterToken: 7, answers: {}, requestId: '', requestedAt: '' }]), 'ballotsJson[0].voterToken'],
      ['an item with an unknown field', 'p1', JSON.stringify([{ voterToken: voter(1), answers: {}, requestId: '', requestedAt: '', extra: 1 }]), 'ballotsJson[0]'],
      ['101 ballots, one over the limit', 'p1', ballotsJson(Array.from({ length: 101 }, (_, n) => ({ voterToken: voter(n) }))), 'ballotsJson'],
    ];
    for (const [what, pollId, json, field] of cases) {
      it(`then ${what} is refused`, async () => {
        const refusal = await refusedCall(net.submit(Ids.cityRelay, 'CastBallots', pollId, json));
        expect(refusal).to.deep.include({ code: 'INVALID_ARGUMENT', details: { field } });
      });
    }

    it('then too many ballots says the limit', async () => {
      const many = ballotsJson(Array.from({ length: 101 }, (_, n) => ({ voterToken: voter(n) })));
      const refusal = await refusedCall(net.submit(Ids.cityRelay, 'CastBallots', 'p1', many));
      expect(refusal.message).to.equal('ballotsJson must have at most 100 items');
    });
  });

  it('when the poll does not exist, then it is NOT_FOUND', async () => {
    const refusal = await refusedCall(net.submit(Ids.cityRelay, 'CastBallots', 'p9', two));
    expect(refusal).to.deep.equal({ code: 'NOT_FOUND', message: 'no poll p9' });
  });

  describe('when the poll does not accept ballots, then the whole call is POLL_NOT_OPEN', () => {
    it('then a draft poll refuses', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ id: 'p2' }));
      const refusal = await refusedCall(net.submit(Ids.cityRelay, 'CastBallots', 'p2', two));
      expect(refusal).to.deep.equal({ code: 'POLL_NOT_OPEN', message: 'poll p2 is draft' });
    });

    it('then a tx timestamp after closesAt refuses', async () => {
      net.now = new Date('2026-12-31T00:00:00.001Z');
      const refusal = await refusedCall(net.submit(Ids.cityRelay, 'CastBallots', 'p1', two));
      expect(refusal.code).to.equal('POLL_NOT_OPEN');
    });

    it('then a closed poll refuses even a retried requestId, which CastBallot would answer with its receipt', async () => {
      await cast(net, 1, undefined, requestId(1));
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
      const refusal = await refusalOf(castMany(net, [{ voterToken: voter(1), requestId: requestId(1) }]));
      expect(refusal).to.deep.equal({ code: 'POLL_NOT_OPEN', message: 'poll p1 is closed' });
      expect(await cast(net, 1, undefined, requestId(1))).to.include({ duplicate: true });
    });
  });

  it('when several whole-call checks fail, then the first in order (caller, pollId, ballotsJson, poll, window) wins', async () => {
    const first = (pollId: string, json: string) => refusalOf(net.submit(Ids.cityRelay, 'CastBallots', pollId, json));
    expect(await refusalOf(net.submit(Ids.deptRelay, 'CastBallots', 'p 1', '{'))).to.include({ code: 'FORBIDDEN' });
    expect(await first('p 1', '{')).to.deep.include({ details: { field: 'pollId' } });
    expect(await first('p9', '{')).to.deep.include({ details: { field: 'ballotsJson' } });
    expect(await first('p9', two)).to.include({ code: 'NOT_FOUND' });
    await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ id: 'p2' }));
    expect(await first('p2', ballotsJson([{ voterToken: 'bad' }]))).to.include({ code: 'POLL_NOT_OPEN' });
  });

  describe('when casting one ballot fails for a reason that is not that ballot’s, then the whole call fails', () => {
    it('then a failed state read of a voter’s key fails the transaction and writes nothing', async () => {
      const begin = net.ledger.begin.bind(net.ledger);
      sinon.stub(net.ledger, 'begin').callsFake((txId, timestamp) => {
        const tx = begin(txId, timestamp);
        tx.stub.getState.withArgs(`ballot~p1~${voter(2)}`).rejects(new Error('state read failed'));
        return tx;
      });
      await expect(net.submit(Ids.cityRelay, 'CastBallots', 'p1', two)).to.be.rejectedWith('state read failed');
      expect(net.ledger.keys('ballot~')).to.deep.equal([]);
    });

    it('then a POLL_NOT_OPEN raised while casting a ballot is not turned into that ballot’s outcome', async () => {
      const check = sinon.stub(pollRules, 'assertAcceptingBallots').callThrough();
      check.onCall(2).throws(new PollNotOpenError('poll p1 is closed'));
      const refusal = await refusedCall(net.submit(Ids.cityRelay, 'CastBallots', 'p1', two));
      expect(refusal).to.deep.equal({ code: 'POLL_NOT_OPEN', message: 'poll p1 is closed' });
    });

    it('then a NOT_FOUND raised while casting a ballot is not turned into that ballot’s outcome', async () => {
      sinon.stub(ballotRules, 'assertMayCastAgain').throws(new NotFoundError('no such thing'));
      const refusal = await refusedCall(net.submit(Ids.cityRelay, 'CastBallots', 'p1', two));
      expect(refusal).to.deep.equal({ code: 'NOT_FOUND', message: 'no such thing' });
    });

    it('then a bug (a plain Error) while checking a ballot fails the transaction', async () => {
      sinon.stub(ballotRules, 'validateAnswers').throws(new TypeError('a bug'));
      await expect(net.submit(Ids.cityRelay, 'CastBallots', 'p1', two)).to.be.rejectedWith(TypeError, 'a bug');
      expect(net.ledger.keys('ballot~')).to.deep.equal([]);
    });
  });
});
