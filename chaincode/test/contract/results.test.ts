import { TRANSACTION_NAMES } from '@poll-ledger/protocol';
import { expect } from 'chai';
import sinon from 'sinon';
import { Ids, TestNetwork } from '../support/network';
import { ballotsJson, cast, openPoll, pollJson, voter } from '../support/polls';

/**
 * TestNetwork checks every answer of every transaction in this suite against `Transactions[name].result` of the
 * protocol (support/network.ts, `checkResult`). This proves the check covers every transaction and that it bites.
 */
describe('PollContract results against the protocol', () => {
  it('when every transaction succeeds once, then each answer was checked against its protocol schema', async () => {
    const net = new TestNetwork();
    const reader = Ids.observerAuditor;
    await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ revotePolicy: 'last-counts' }));
    await net.submit(Ids.cityAdmin, 'UpdatePoll', pollJson({ revotePolicy: 'last-counts', title: 'Edited' }));
    await net.submit(Ids.cityAdmin, 'OpenPoll', 'p1');
    await cast(net, 1);
    await cast(net, 1, { q1: ['blue'], q2: ['usb', 'wifi'] });
    await net.submit(Ids.cityRelay, 'CastBallots', 'p1', ballotsJson([{ voterToken: voter(2) }]));
    await net.evaluate(reader, 'GetBallot', 'p1', voter(1));
    await net.evaluate(reader, 'GetBallotHistory', 'p1', voter(1));
    await net.evaluate(reader, 'GetLiveResultsPage', 'p1', '10', '');
    await net.evaluate(reader, 'GetResults', 'p1');
    await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
    await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '10');
    await net.evaluate(reader, 'GetResults', 'p1');
    await openPoll(net, { id: 'p2' });
    await net.submit(Ids.cityAdmin, 'CancelPoll', 'p2');
    await net.evaluate(reader, 'GetPoll', 'p2');
    await net.evaluate(reader, 'GetPollHistory', 'p2');
    await net.evaluate(reader, 'ListPolls', '', '10', '');
    expect([...net.checkedResults].sort()).to.deep.equal([...TRANSACTION_NAMES].sort());
  });

  describe('when an answer breaks the protocol, then the test that caused it fails', () => {
    let net: TestNetwork;
    beforeEach(async () => {
      net = new TestNetwork();
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
    });

    it('then a field the schema does not define is caught', async () => {
      const poll = JSON.parse(net.ledger.value('poll~p1') ?? '') as Record<string, unknown>;
      const extra = JSON.stringify({ ...poll, zz: 1 });
      sinon.stub(net.contract, 'GetPoll').resolves(extra);
      await expect(net.evaluate(Ids.cityAuditor, 'GetPoll', 'p1')).to.be.rejectedWith(
        /GetPoll answered outside the protocol/,
      );
    });

    it('then a wrong type is caught', async () => {
      sinon.stub(net.contract, 'TallyPoll').resolves('{"ballotCount":"1"}');
      await expect(net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '1')).to.be.rejectedWith(/TallyPoll answered outside the protocol/);
    });

    it('then text that is not JSON, or not canonical JSON, is caught', async () => {
      sinon.stub(net.contract, 'GetPollHistory').resolves('[');
      await expect(net.evaluate(Ids.cityAuditor, 'GetPollHistory', 'p1')).to.be.rejectedWith(/answered outside/);
      sinon.stub(net.contract, 'GetPoll').resolves(`${net.ledger.value('poll~p1') ?? ''} `);
      await expect(net.evaluate(Ids.cityAuditor, 'GetPoll', 'p1')).to.be.rejectedWith(/not canonical JSON/);
    });
  });
});
