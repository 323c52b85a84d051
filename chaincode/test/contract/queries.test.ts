import type { Counts } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { chainStart } from '../../src/domain/tally';
import { Ids, TestNetwork } from '../support/network';
import { cast, openPoll, pollJson, voter } from '../support/polls';
import { refusalOf } from '../support/refusals';

const reader = Ids.observerAuditor;

function addCounts(a: Counts, b: Counts): Counts {
  return Object.fromEntries(
    Object.entries(a).map(([q, options]) => [
      q,
      Object.fromEntries(Object.entries(options).map(([o, n]) => [o, n + (b[q]?.[o] ?? 0)])),
    ]),
  );
}

describe('PollContract queries', () => {
  let net: TestNetwork;
  beforeEach(() => {
    net = new TestNetwork();
  });

  describe('GetPoll', () => {
    it('when the poll exists, then it is returned as stored', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      await net.evaluate(reader, 'GetPoll', 'p1');
      expect(net.lastReply).to.equal(net.ledger.value('poll~p1'));
    });

    it('when it does not, then it is NOT_FOUND; a malformed id is INVALID_ARGUMENT', async () => {
      expect(await refusalOf(net.evaluate(reader, 'GetPoll', 'p1'))).to.deep.equal(
        { code: 'NOT_FOUND', message: 'no poll p1' },
      );
      expect(await refusalOf(net.evaluate(reader, 'GetPoll', ''))).to.deep.include(
        { code: 'INVALID_ARGUMENT', details: { field: 'pollId' } },
      );
    });
  });

  describe('ListPolls', () => {
    it('when no poll has the status, then the page is empty with an empty bookmark', async () => {
      const none = await net.evaluate(reader, 'ListPolls', 'tallied', '10', '');
      expect(none).to.deep.include({ polls: [], bookmark: '' });
    });

    beforeEach(async () => {
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ id }));
      }
      await net.submit(Ids.cityAdmin, 'OpenPoll', 'b');
      await net.submit(Ids.cityAdmin, 'OpenPoll', 'd');
    });

    it('when no status is given, then all polls are listed page by page with a bookmark', async () => {
      const first = await net.evaluate(reader, 'ListPolls', '', '2', '');
      expect(first.polls.map((p) => p.id)).to.deep.equal(['a', 'b']);
      expect(first).to.include({ bookmark: 'poll~c', fetched: 2 });
      const last = await net.evaluate(reader, 'ListPolls', '', '3', first.bookmark);
      expect(last.polls.map((p) => p.id)).to.deep.equal(['c', 'd', 'e']);
      expect(last.bookmark).to.equal('');
    });

    it('when a status is given, then only polls in that status are listed, through the index', async () => {
      const open = await net.evaluate(reader, 'ListPolls', 'open', '10', '');
      expect(open.polls.map((p) => [p.id, p.status])).to.deep.equal([['b', 'open'], ['d', 'open']]);
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'b');
      expect((await net.evaluate(reader, 'ListPolls', 'open', '10', '')).polls.map((p) => p.id)).to.deep.equal(['d']);
      expect((await net.evaluate(reader, 'ListPolls', 'draft', '10', '')).polls.map((p) => p.id)).to.deep.equal(
        ['a', 'c', 'e'],
      );
    });

    it('when the status, page size or bookmark is wrong, then it is INVALID_ARGUMENT naming the argument', async () => {
      const list = (...args: [string, string, string]) => refusalOf(net.evaluate(reader, 'ListPolls', ...args));
      expect(await list('opened', '10', '')).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: 'status must be "" or one of "draft", "open", "closed", "tallied", "cancelled"',
        details: { field: 'status' },
      });
      expect(await list('', '0', '')).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: 'listPageSize must be at least 1',
        details: { field: 'listPageSize' },
      });
      expect(await list('', '101', '')).to.deep.include({ message: 'listPageSize must be at most 100' });
      expect(await list('', 'ten', '')).to.deep.include({ message: 'listPageSize must be a decimal integer' });
      expect(await list('open', '10', 'poll~a')).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: 'bookmark does not belong to this listing',
        details: { field: 'bookmark' },
      });
      expect(await list('', '10', 'ballot~a~x')).to.deep.include({ details: { field: 'bookmark' } });
      expect(await list('', '10', `poll~${'a'.repeat(1000)}`)).to.deep.include({
        message: 'bookmark must have at most 1000 characters',
      });
    });
  });

  describe('GetBallot and GetBallotHistory', () => {
    beforeEach(async () => {
      await openPoll(net, { revotePolicy: 'last-counts' });
      await cast(net, 1, { q1: ['red'], q2: ['usb'] });
      await cast(net, 1, { q1: ['blue'], q2: ['usb'] });
    });

    it('when a ballot was replaced, then GetBallot shows the latest and the history both, newest first', async () => {
      const ballot = await net.evaluate(reader, 'GetBallot', 'p1', voter(1));
      const history = await net.evaluate(reader, 'GetBallotHistory', 'p1', voter(1));
      expect(history.map((h) => [h.txId, h.isDelete])).to.have.length(2);
      expect(history[0]).to.deep.include(
        { txId: ballot.txId, isDelete: false, value: ballot, timestamp: ballot.castAt },
      );
      expect((history[1]?.value as { answers: unknown }).answers).to.deep.equal({ q1: ['red'], q2: ['usb'] });
    });

    it('when there is no such ballot, then both are NOT_FOUND; a malformed ballot id is INVALID_ARGUMENT', async () => {
      const missing = { code: 'NOT_FOUND', message: `no ballot ${voter(2)} in poll p1` };
      expect(await refusalOf(net.evaluate(reader, 'GetBallot', 'p1', voter(2)))).to.deep.equal(missing);
      expect(await refusalOf(net.evaluate(reader, 'GetBallotHistory', 'p1', voter(2)))).to.deep.equal(missing);
      expect(await refusalOf(net.evaluate(reader, 'GetBallot', 'p1', 'xyz'))).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: 'ballotId must be 64 lowercase hex chars',
        details: { field: 'ballotId' },
      });
    });
  });

  describe('GetPollHistory', () => {
    it('when a poll changed status, then every version is listed newest first', async () => {
      await openPoll(net);
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
      const history = await net.evaluate(reader, 'GetPollHistory', 'p1');
      expect(history.map((h) => (h.value as { status: string }).status)).to.deep.equal(['closed', 'open', 'draft']);
    });

    it('when the poll never existed, then it is NOT_FOUND', async () => {
      expect(await refusalOf(net.evaluate(reader, 'GetPollHistory', 'p1'))).to.deep.equal(
        { code: 'NOT_FOUND', message: 'no poll p1' },
      );
    });
  });

  describe('GetResults', () => {
    it('when a live poll is open, then a running count is returned with final false', async () => {
      await openPoll(net);
      await cast(net, 1, { q1: ['red'], q2: ['usb'] });
      await cast(net, 2, { q1: ['red'], q2: ['usb', 'hdmi'] });
      const results = await net.evaluate(reader, 'GetResults', 'p1');
      expect(results).to.deep.include({ pollId: 'p1', status: 'open', final: false, ballotCount: 2 });
      expect(results.counts).to.deep.equal({ q1: { red: 2, green: 0, blue: 0 }, q2: { usb: 2, hdmi: 1, wifi: 0 } });
      expect(results.ballotsRoot).not.to.equal(chainStart('p1'));
    });

    it('when a live poll has no ballots yet, then every option shows 0 and the root is h0', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      expect(await net.evaluate(reader, 'GetResults', 'p1')).to.deep.include({
        status: 'draft', final: false, ballotCount: 0, ballotsRoot: chainStart('p1'),
      });
    });

    it('when a live poll holds more ballots than one query returns, then the count is still complete', async () => {
      net = new TestNetwork({ totalQueryLimit: 3 });
      await openPoll(net);
      for (let i = 0; i < 8; i += 1) await cast(net, i);
      expect((await net.evaluate(reader, 'GetResults', 'p1')).ballotCount).to.equal(8);
      expect(net.ledger.openIterators).to.equal(0);
    });

    it('when an after-close poll is not tallied yet, then it is INVALID_STATE', async () => {
      await openPoll(net, { resultsVisibility: 'after-close' });
      expect(await refusalOf(net.evaluate(reader, 'GetResults', 'p1'))).to.deep.equal(
        { code: 'INVALID_STATE', message: 'poll p1 publishes results once tallied; it is open' },
      );
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
      expect(await refusalOf(net.evaluate(reader, 'GetResults', 'p1'))).to.include({ code: 'INVALID_STATE' });
      await net.submit(Ids.cityAdmin, 'TallyPoll', 'p1', '10');
      expect(await net.evaluate(reader, 'GetResults', 'p1')).to.include({ final: true, status: 'tallied' });
    });

    it('when the poll does not exist, then it is NOT_FOUND', async () => {
      expect(await refusalOf(net.evaluate(reader, 'GetResults', 'p1'))).to.include({ code: 'NOT_FOUND' });
    });
  });

  describe('GetLiveResultsPage', () => {
    beforeEach(async () => {
      await openPoll(net);
      for (let i = 0; i < 5; i += 1) await cast(net, i, { q1: [i < 3 ? 'red' : 'green'], q2: ['wifi'] });
    });

    it('when pages are read to the end, then they add up to the running count', async () => {
      const first = await net.evaluate(reader, 'GetLiveResultsPage', 'p1', '3', '');
      expect(first).to.include({ pollId: 'p1', ballotCount: 3, done: false });
      const second = await net.evaluate(reader, 'GetLiveResultsPage', 'p1', '3', first.bookmark);
      expect(second).to.include({ ballotCount: 2, done: true, bookmark: '' });
      const whole = await net.evaluate(reader, 'GetResults', 'p1');
      expect(addCounts(first.counts, second.counts)).to.deep.equal(whole.counts);
    });

    it('when the bookmark or page size is wrong, then it is INVALID_ARGUMENT', async () => {
      const page = (...args: [string, string]) => refusalOf(net.evaluate(reader, 'GetLiveResultsPage', 'p1', ...args));
      expect(await page('3', 'ballot~p2~x')).to.deep.include(
        { message: 'bookmark does not belong to this listing', details: { field: 'bookmark' } },
      );
      expect(await page('10001', '')).to.deep.include(
        { message: 'livePageSize must be at most 10000', details: { field: 'livePageSize' } },
      );
    });

    it('when the poll publishes after close only, then it is INVALID_STATE', async () => {
      await openPoll(net, { id: 'p2', resultsVisibility: 'after-close' });
      expect(await refusalOf(net.evaluate(reader, 'GetLiveResultsPage', 'p2', '3', ''))).to.include(
        { code: 'INVALID_STATE' },
      );
    });
  });

  it('when an unknown transaction is called, then it is INVALID_ARGUMENT', async () => {
    const { stub } = net.ledger.begin('tx', net.now);
    stub.getFunctionAndParameters.returns({ fcn: 'DropPoll', params: [] });
    const ctx = net.contract.createContext();
    ctx.stub = stub;
    expect(await refusalOf(net.contract.unknownTransaction(ctx))).to.deep.equal(
      { code: 'INVALID_ARGUMENT', message: 'no transaction named DropPoll' },
    );
  });
});
