import { Limits } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { Ids, TestNetwork } from '../support/network';
import { cast, openPoll, requestId, voter } from '../support/polls';
import { refusalOf } from '../support/refusals';

const RED = { q1: ['red'], q2: ['usb'] };
const BLUE = { q1: ['blue'], q2: ['hdmi'] };
const GREEN = { q1: ['green'], q2: ['wifi'] };
/** Instants on the day of the test network's clock, minute m, second s. */
const at = (m: number, s = 0) => new Date(Date.UTC(2026, 2, 1, 12, m, s)).toISOString();

describe('PollContract CastBallot: a retried earlier request never replaces a later ballot (last-counts)', () => {
  let net: TestNetwork;
  const ballot = () => net.evaluate(Ids.observerAuditor, 'GetBallot', 'p1', voter(1));
  const castAs = (answers: Record<string, unknown>, request: number, requestedAt: string) =>
    cast(net, 1, answers, requestId(request), 'p1', requestedAt);

  beforeEach(async () => {
    net = new TestNetwork();
    await openPoll(net, { revotePolicy: 'last-counts' });
    net.now = new Date(at(10));
  });

  it('when R1 (requested first) arrives after R2, then it is SUPERSEDED, writes nothing, and R2 stays', async () => {
    const r2 = await castAs(BLUE, 2, at(2));
    const refusal = await refusalOf(castAs(RED, 1, at(1)));
    expect(refusal).to.deep.equal({
      code: 'SUPERSEDED',
      message: `a later ballot of this voter is already recorded: this one was requested at ${at(1)}, the recorded one at ${at(2)}`,
    });
    expect(net.lastTx?.writes).to.deep.equal([]);
    expect(net.lastTx?.event).to.equal(undefined);
    expect(await ballot()).to.deep.include({ txId: r2.txId, answers: BLUE, requestId: requestId(2), requestedAt: at(2) });
  });

  it('when a ballot was requested at the same time or later, then it replaces the stored one', async () => {
    await castAs(BLUE, 2, at(2));
    const same = await castAs(GREEN, 3, at(2));
    expect(same).to.include({ replaced: true, duplicate: false });
    const later = await castAs(RED, 4, at(3));
    expect(later).to.include({ replaced: true });
    const stored = await ballot();
    expect(stored).to.deep.include({ answers: RED, requestedAt: at(3) });
    expect(stored.earlierRequests?.map((r) => [r.requestId, r.requestedAt])).to.deep.equal([
      [requestId(2), at(2)],
      [requestId(3), at(2)],
    ]);
  });

  it('when a remembered request is retried with its old requestedAt, then it still gets its receipt (duplicate first)', async () => {
    const r1 = await castAs(RED, 1, at(1));
    await castAs(BLUE, 2, at(2));
    expect(await castAs(RED, 1, at(1))).to.deep.equal({ ...r1, duplicate: true, superseded: true });
  });

  it('when the stored ballot has no requestedAt, then its castAt is what a new request must not precede', async () => {
    net.now = new Date(at(5));
    await cast(net, 1, BLUE, requestId(2), 'p1');
    expect(await refusalOf(castAs(RED, 1, at(4, 59)))).to.include({ code: 'SUPERSEDED' });
    expect(await castAs(RED, 3, at(5))).to.include({ replaced: true });
  });

  it('when a new ballot has no requestedAt, then its tx timestamp orders it', async () => {
    await castAs(BLUE, 2, at(9));
    net.now = new Date(at(8));
    expect(await refusalOf(cast(net, 1, RED, requestId(3), 'p1'))).to.include({ code: 'SUPERSEDED' });
    net.now = new Date(at(9));
    expect(await cast(net, 1, RED, requestId(3), 'p1')).to.include({ replaced: true });
    expect(await ballot()).not.to.have.property('requestedAt');
  });

  it('when a superseded request is also malformed or late, then the earlier checks answer first', async () => {
    await castAs(BLUE, 2, at(2));
    expect(await refusalOf(castAs({ q1: ['pink'] }, 1, at(1)))).to.include({ code: 'INVALID_ANSWER' });
    await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
    expect(await refusalOf(castAs(RED, 1, at(1)))).to.include({ code: 'POLL_NOT_OPEN' });
  });

  it(`when a request older than the ${Limits.earlierRequests} remembered ones is retried, then it is SUPERSEDED, not a new ballot`, async () => {
    const versions = Limits.earlierRequests + 2;
    for (let n = 0; n < versions; n += 1) {
      await castAs(n % 2 === 0 ? RED : BLUE, 100 + n, at(0, n));
    }
    const before = await ballot();
    expect(before.earlierRequests).to.have.length(Limits.earlierRequests);
    expect(before.earlierRequests?.some((r) => r.requestId === requestId(100))).to.equal(false);
    expect(await refusalOf(castAs(GREEN, 100, at(0, 0)))).to.include({ code: 'SUPERSEDED' });
    expect(net.lastTx?.writes).to.deep.equal([]);
    expect(await ballot()).to.deep.equal(before);
    expect(await castAs(RED, 101, at(0, 1))).to.include({ duplicate: true, superseded: true });
  });

  it('when the poll is revotePolicy none, then a second ballot is ALREADY_VOTED whenever it was requested', async () => {
    await openPoll(net, { id: 'p2' });
    await cast(net, 1, BLUE, requestId(2), 'p2', at(2));
    expect(await refusalOf(cast(net, 1, RED, requestId(1), 'p2', at(1)))).to.include({ code: 'ALREADY_VOTED' });
  });
});
