import { expect } from 'chai';
import { canonicalJson } from '../../src/domain/canonical';
import { Ids, TestNetwork } from '../support/network';
import { cast, openPoll, pollJson } from '../support/polls';
import { refusalOf } from '../support/refusals';

/** The default poll of support/polls.ts closes at this instant. */
const CLOSES_AT = new Date('2026-12-31T00:00:00.000Z');
const before = (ms: number) => new Date(CLOSES_AT.getTime() - ms);

describe('PollContract ClosePoll on time: anyone on the channel may close a due poll', () => {
  let net: TestNetwork;
  beforeEach(async () => {
    net = new TestNetwork();
    await openPoll(net);
  });

  it("when the observer's auditor closes the poll at its closesAt, then it is closed and PollClosed is emitted", async () => {
    net.now = CLOSES_AT;
    const closed = await net.submit(Ids.observerAuditor, 'ClosePoll', 'p1');
    expect(closed).to.include({ status: 'closed', updatedTxId: net.lastTx?.txId, ownerMsp: 'CityMSP' });
    expect(net.lastTx?.event).to.deep.equal({
      name: 'PollClosed',
      payload: canonicalJson({ pollId: 'p1', status: 'closed', txId: net.lastTx?.txId }),
    });
    expect(net.ledger.keys('pollstatus~')).to.deep.equal(['pollstatus~closed~p1']);
  });

  it("when the observer's poll-admin closes a department's poll after its closesAt, then it is closed", async () => {
    await openPoll(net, { id: 'd1' }, Ids.deptAdmin);
    net.now = new Date(CLOSES_AT.getTime() + 3_600_000);
    expect(await net.submit(Ids.observerAdmin, 'ClosePoll', 'd1')).to.include({ status: 'closed', ownerMsp: 'DeptMSP' });
  });

  it('when a non-manager tries one millisecond before closesAt, then it is FORBIDDEN and nothing is written', async () => {
    net.now = before(1);
    const refusal = await refusalOf(net.submit(Ids.observerAuditor, 'ClosePoll', 'p1'));
    expect(refusal).to.deep.equal({
      code: 'FORBIDDEN',
      message:
        'auditor of ObserverMSP may close poll p1, owned by CityMSP, only from its closesAt 2026-12-31T00:00:00.000Z ' +
        'on, not at 2026-12-30T23:59:59.999Z',
    });
    expect(net.lastTx?.writes).to.deep.equal([]);
    expect(await net.evaluate(Ids.observerAuditor, 'GetPoll', 'p1')).to.include({ status: 'open' });
  });

  it('when a manager closes before closesAt, then that is allowed as before', async () => {
    net.now = before(86_400_000);
    expect(await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1')).to.include({ status: 'closed' });
  });

  it("when a ballot comes after the observer's close, then it is POLL_NOT_OPEN even when backdated inside the window", async () => {
    net.now = CLOSES_AT;
    await net.submit(Ids.observerAuditor, 'ClosePoll', 'p1');
    net.now = before(60_000);
    expect(await refusalOf(cast(net, 1))).to.deep.equal({ code: 'POLL_NOT_OPEN', message: 'poll p1 is closed' });
    expect(net.lastTx?.writes).to.deep.equal([]);
    expect(net.ledger.keys('ballot~')).to.deep.equal([]);
  });

  it('when nobody has closed the poll yet, then a ballot backdated inside the window is still accepted (the residual)', async () => {
    net.now = before(60_000);
    const receipt = await cast(net, 1);
    expect(await net.evaluate(Ids.observerAuditor, 'GetBallot', 'p1', receipt.ballotId)).to.include({
      castAt: before(60_000).toISOString(),
    });
  });

  it('when the poll is not open, then a due close is INVALID_STATE, whoever sends it', async () => {
    await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ id: 'draft1' }));
    net.now = CLOSES_AT;
    expect(await refusalOf(net.submit(Ids.observerAuditor, 'ClosePoll', 'draft1'))).to.deep.equal(
      { code: 'INVALID_STATE', message: 'cannot close poll draft1: it is draft' },
    );
    await net.submit(Ids.observerAuditor, 'ClosePoll', 'p1');
    expect(await refusalOf(net.submit(Ids.observerAuditor, 'ClosePoll', 'p1'))).to.include({ code: 'INVALID_STATE' });
  });

  it('when a non-manager names a malformed or unknown poll, then it is INVALID_ARGUMENT or NOT_FOUND: the poll is needed first', async () => {
    expect(await refusalOf(net.submit(Ids.observerAuditor, 'ClosePoll', 'a~b'))).to.deep.include(
      { code: 'INVALID_ARGUMENT', details: { field: 'pollId' } },
    );
    expect(await refusalOf(net.submit(Ids.cityNoRole, 'ClosePoll', 'nope'))).to.deep.equal(
      { code: 'NOT_FOUND', message: 'no poll nope' },
    );
  });
});
