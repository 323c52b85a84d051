import { expect } from 'chai';
import sinon from 'sinon';
import { ballotHash } from '../../src/domain/ballot';
import { canonicalJson } from '../../src/domain/canonical';
import { Ids, TestNetwork } from '../support/network';
import { answersJson, cast, openPoll, pollJson, requestId, voter } from '../support/polls';
import { refusalOf } from '../support/refusals';

describe('PollContract CastBallot', () => {
  let net: TestNetwork;
  beforeEach(async () => {
    net = new TestNetwork();
    await openPoll(net);
  });

  describe('when a valid ballot is cast', () => {
    it('then the receipt names the ballot, its hash and the tx', async () => {
      const receipt = await cast(net, 1, { q2: ['wifi', 'usb'], q1: ['red'] });
      const stored = await net.evaluate(Ids.observerAuditor, 'GetBallot', 'p1', voter(1));
      expect(receipt).to.deep.equal({
        pollId: 'p1',
        ballotId: voter(1),
        ballotHash: ballotHash(stored),
        txId: stored.txId,
        replaced: false,
        duplicate: false,
      });
      expect(stored.answers).to.deep.equal({ q1: ['red'], q2: ['usb', 'wifi'] });
      expect(stored).not.to.have.property('requestId');
    });

    it('then it writes only its own ballot key, as canonical JSON stamped with the tx time', async () => {
      net.now = new Date('2026-06-01T08:00:00.250Z');
      await cast(net, 1);
      const tx = net.lastTx;
      expect(tx?.writes.map((w) => w.key)).to.deep.equal([`ballot~p1~${voter(1)}`]);
      const value = tx?.writes[0]?.value ?? '';
      expect(value).to.equal(canonicalJson(JSON.parse(value)));
      expect(JSON.parse(value)).to.include({ castAt: '2026-06-01T08:00:00.250Z', txId: tx?.txId });
    });

    it('then it reads only the poll key and its own ballot key, with no range query', async () => {
      const spy = sinon.spy(net.ledger, 'begin');
      await cast(net, 1);
      const stub = spy.firstCall.returnValue.stub;
      expect(stub.getState.args.map(([key]) => key)).to.deep.equal(['poll~p1', `ballot~p1~${voter(1)}`]);
      expect(stub.getStateByRange.called || stub.getStateByRangeWithPagination.called).to.equal(false);
    });

    it('then BallotCast carries the receipt fields and the answers it adds to the count, nothing else', async () => {
      const { ballotHash: hash, txId } = await cast(net, 1, { q2: ['wifi', 'usb'], q1: ['red'] });
      const answers = { q1: ['red'], q2: ['usb', 'wifi'] };
      expect(net.lastTx?.event).to.deep.equal({
        name: 'BallotCast',
        payload: canonicalJson({ pollId: 'p1', ballotId: voter(1), ballotHash: hash, txId, answers }),
      });
    });

    it('then a requestId is kept in the record', async () => {
      await cast(net, 1, undefined, requestId(1));
      expect(await net.evaluate(Ids.cityAuditor, 'GetBallot', 'p1', voter(1))).to.include({ requestId: requestId(1) });
    });
  });

  describe('when the arguments are malformed, then it is INVALID_ARGUMENT naming the field', () => {
    const good = { pollId: 'p1', voterToken: voter(1), answersJson: answersJson(), requestId: '', requestedAt: '' };
    const cases: [keyof typeof good, string][] = [
      ['pollId', 'p 1'],
      ['voterToken', 'not-a-token'],
      ['voterToken', voter(1).toUpperCase()],
      ['requestId', 'abc'],
      ['requestedAt', '2026-03-01T11:00:00'],
      ['requestedAt', 'yesterday'],
      ['requestedAt', '2099-01-01T00:00:00Z'],
      ['answersJson', '{"q1":'],
      ['answersJson', '["red"]'],
    ];
    for (const [field, bad] of cases) {
      it(`then ${field} ${JSON.stringify(bad.slice(0, 16))} is refused`, async () => {
        const args = { ...good, [field]: bad };
        const { pollId, voterToken, requestId: request, requestedAt } = args;
        const outcome = net.submit(Ids.cityRelay, 'CastBallot', pollId, voterToken, args.answersJson, request, requestedAt);
        const refusal = await refusalOf(outcome);
        expect(refusal).to.deep.include({ code: 'INVALID_ARGUMENT', details: { field } });
        expect(refusal.message).to.match(new RegExp(`^${field} `));
      });
    }
  });

  it('when several checks fail, then the first in the documented order is reported', async () => {
    const relay = Ids.cityRelay;
    const first = (...args: [string, string, string, string, string]) =>
      refusalOf(net.submit(relay, 'CastBallot', ...args));
    const byDept = net.submit(Ids.deptRelay, 'CastBallot', 'p 1', 'x', '{', 'y', 'z');
    expect(await refusalOf(byDept)).to.include({ code: 'FORBIDDEN' });
    expect(await first('p 1', 'x', '{', 'y', 'z')).to.deep.include({ details: { field: 'pollId' } });
    expect(await first('p9', 'x', '{', 'y', 'z')).to.deep.include({ details: { field: 'voterToken' } });
    expect(await first('p9', voter(1), '{', 'y', 'z')).to.deep.include({ details: { field: 'requestId' } });
    expect(await first('p9', voter(1), '{', '', 'z')).to.deep.include({ details: { field: 'requestedAt' } });
    expect(await first('p9', voter(1), '{', '', '2099-01-01T00:00:00Z')).to.deep.include(
      { details: { field: 'requestedAt' } },
    );
    expect(await first('p9', voter(1), '{', '', '')).to.deep.include({ details: { field: 'answersJson' } });
    expect(await first('p9', voter(1), '[]', '', '')).to.include({ code: 'NOT_FOUND' });
    await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ id: 'p2' }));
    expect(await first('p2', voter(1), '[]', '', '')).to.include({ code: 'POLL_NOT_OPEN' });
    expect(await first('p1', voter(1), '[]', '', '')).to.deep.include({ details: { field: 'answersJson' } });
    await cast(net, 1);
    expect(await first('p1', voter(1), '{}', '', '')).to.include({ code: 'INVALID_ANSWER' });
    expect(await first('p1', voter(1), answersJson(), '', '')).to.include({ code: 'ALREADY_VOTED' });
  });

  it('when the poll does not exist, then it is NOT_FOUND', async () => {
    expect(await refusalOf(cast(net, 1, undefined, '', 'p9'))).to.deep.equal(
      { code: 'NOT_FOUND', message: 'no poll p9' },
    );
  });

  describe('when the poll does not accept ballots, then it is POLL_NOT_OPEN', () => {
    it('then a draft poll refuses', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ id: 'p2' }));
      const refusal = await refusalOf(cast(net, 1, undefined, '', 'p2'));
      expect(refusal).to.deep.equal({ code: 'POLL_NOT_OPEN', message: 'poll p2 is draft' });
    });

    it('then a closed or cancelled poll refuses', async () => {
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
      expect(await refusalOf(cast(net, 1))).to.deep.equal({ code: 'POLL_NOT_OPEN', message: 'poll p1 is closed' });
      await openPoll(net, { id: 'p2' });
      await net.submit(Ids.cityAdmin, 'CancelPoll', 'p2');
      expect(await refusalOf(cast(net, 1, undefined, '', 'p2'))).to.include({ message: 'poll p2 is cancelled' });
    });

    it('then an open poll refuses a tx timestamp before opensAt or after closesAt', async () => {
      net.now = new Date('2025-12-31T23:59:59.999Z');
      const early = await refusalOf(cast(net, 1));
      expect(early).to.include({ code: 'POLL_NOT_OPEN' });
      expect(early.message).to.match(/^poll p1 accepts ballots from 2026-01-01T00:00:00.000Z to /);
      net.now = new Date('2026-12-31T00:00:00.001Z');
      expect(await refusalOf(cast(net, 1))).to.include({ code: 'POLL_NOT_OPEN' });
      net.now = new Date('2026-12-31T00:00:00.000Z');
      await expect(cast(net, 1)).to.be.fulfilled;
    });
  });

  describe('when the answers do not fit the poll, then it is INVALID_ANSWER with subcode, question and option', () => {
    const cases: [string, string, string | undefined, Record<string, unknown>][] = [
      ['UNKNOWN_QUESTION', 'q9', undefined, { q1: ['red'], q2: ['usb'], q9: [] }],
      ['UNKNOWN_OPTION', 'q1', 'pink', { q1: ['pink'], q2: ['usb'] }],
      ['TOO_FEW_CHOICES', 'q2', undefined, { q1: ['red'], q2: [] }],
      ['TOO_MANY_CHOICES', 'q2', undefined, { q1: ['red'], q2: ['usb', 'hdmi', 'wifi'] }],
      ['DUPLICATE_CHOICE', 'q2', 'usb', { q1: ['red'], q2: ['usb', 'usb'] }],
      ['WRONG_TYPE', 'q1', undefined, { q1: 'red', q2: ['usb'] }],
      ['MISSING_QUESTION', 'q2', undefined, { q1: ['red'] }],
    ];
    for (const [subcode, questionId, optionId, answers] of cases) {
      const where = optionId === undefined ? questionId : `${questionId}/${optionId}`;
      it(`then ${subcode} ${where} is reported and nothing is written`, async () => {
        const details = optionId === undefined ? { subcode, questionId } : { subcode, questionId, optionId };
        expect(await refusalOf(cast(net, 1, answers))).to.deep.include({ code: 'INVALID_ANSWER', details });
        expect(net.lastTx?.writes).to.deep.equal([]);
      });
    }

    it('then a caller-supplied id is cut to 64 characters in the details', async () => {
      const long = `q${'x'.repeat(100)}`;
      const refusal = await refusalOf(cast(net, 1, { q1: ['red'], q2: ['usb'], [long]: [] }));
      expect(refusal).to.deep.include({ details: { subcode: 'UNKNOWN_QUESTION', questionId: long.slice(0, 64) } });
    });
  });

  describe('when the revote policy is none', () => {
    it('then a second ballot from the same voter is ALREADY_VOTED, with or without a new requestId', async () => {
      await cast(net, 1, undefined, requestId(1));
      expect(await refusalOf(cast(net, 1))).to.include({ code: 'ALREADY_VOTED' });
      expect(await refusalOf(cast(net, 1, undefined, requestId(2)))).to.include({ code: 'ALREADY_VOTED' });
    });

    it('then a retry with the same requestId returns the first receipt as a duplicate and writes nothing', async () => {
      const first = await cast(net, 1, undefined, requestId(1));
      const retry = await cast(net, 1, { q1: ['blue'], q2: ['hdmi'] }, requestId(1));
      expect(retry).to.deep.equal({ ...first, duplicate: true });
      expect(net.lastTx?.writes).to.deep.equal([]);
      expect(net.lastTx?.event).to.equal(undefined);
    });

    it('then a retry that arrives after the poll closed still gets its receipt', async () => {
      const first = await cast(net, 1, undefined, requestId(1));
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
      expect(await cast(net, 1, undefined, requestId(1))).to.deep.equal({ ...first, duplicate: true });
    });

    it('then two voters never touch each other’s keys', async () => {
      await cast(net, 1);
      await cast(net, 2);
      expect(net.ledger.keys('ballot~')).to.have.length(2);
    });
  });

  describe('when the revote policy is last-counts', () => {
    beforeEach(async () => {
      await openPoll(net, { id: 'p2', revotePolicy: 'last-counts' });
    });

    it('then a second ballot replaces the first and says so', async () => {
      await cast(net, 1, { q1: ['red'], q2: ['usb'] }, '', 'p2');
      const second = await cast(net, 1, { q1: ['blue'], q2: ['hdmi'] }, requestId(2), 'p2');
      expect(second).to.include({ replaced: true, duplicate: false });
      expect(net.lastTx?.writes.map((w) => w.key)).to.deep.equal([`ballot~p2~${voter(1)}`]);
      const stored = await net.evaluate(Ids.cityAuditor, 'GetBallot', 'p2', voter(1));
      expect(stored).to.include({ txId: second.txId, requestId: requestId(2) });
      expect(stored.answers).to.deep.equal({ q1: ['blue'], q2: ['hdmi'] });
    });

    it('then the replacement’s BallotCast names the answers it replaced, so a running count moves them', async () => {
      await cast(net, 1, { q1: ['red'], q2: ['usb'] }, '', 'p2');
      const second = await cast(net, 1, { q1: ['blue'], q2: ['hdmi'] }, requestId(2), 'p2');
      expect(JSON.parse(net.lastTx?.event?.payload ?? '{}')).to.deep.equal({
        pollId: 'p2',
        ballotId: voter(1),
        ballotHash: second.ballotHash,
        txId: second.txId,
        answers: { q1: ['blue'], q2: ['hdmi'] },
        replaced: { q1: ['red'], q2: ['usb'] },
      });
    });

    it('then a retry with the same requestId is a duplicate, not a replacement', async () => {
      const first = await cast(net, 1, undefined, requestId(1), 'p2');
      expect(await cast(net, 1, { q1: ['green'], q2: ['usb'] }, requestId(1), 'p2')).to.deep.equal(
        { ...first, duplicate: true },
      );
      expect(net.lastTx?.writes).to.deep.equal([]);
    });

    it('then a late retry of an earlier request gets that request’s receipt, superseded, and writes nothing', async () => {
      const first = await cast(net, 1, { q1: ['red'], q2: ['usb'] }, requestId(1), 'p2');
      const second = await cast(net, 1, { q1: ['blue'], q2: ['hdmi'] }, requestId(2), 'p2');
      const before = await net.evaluate(Ids.cityAuditor, 'GetBallot', 'p2', voter(1));
      const retry = await cast(net, 1, { q1: ['red'], q2: ['usb'] }, requestId(1), 'p2');
      expect(retry).to.deep.equal({ ...first, duplicate: true, superseded: true });
      expect(net.lastTx?.writes).to.deep.equal([]);
      expect(net.lastTx?.event).to.equal(undefined);
      const after = await net.evaluate(Ids.cityAuditor, 'GetBallot', 'p2', voter(1));
      expect(after).to.deep.equal(before);
      expect(after).to.include({ txId: second.txId, requestId: requestId(2) });
      expect(after.earlierRequests).to.deep.equal([
        { requestId: requestId(1), txId: first.txId, ballotHash: first.ballotHash },
      ]);
      expect(after.ballotHash).to.equal(ballotHash(after));
      const retrySecond = await cast(net, 1, undefined, requestId(2), 'p2');
      expect(retrySecond).to.deep.equal({ ...second, replaced: false, duplicate: true });
    });

    it('then a late retry of an earlier request still gets its receipt after the poll closed', async () => {
      const first = await cast(net, 1, undefined, requestId(1), 'p2');
      await cast(net, 1, { q1: ['blue'], q2: ['hdmi'] }, requestId(2), 'p2');
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'p2');
      const retry = await cast(net, 1, undefined, requestId(1), 'p2');
      expect(retry).to.deep.equal({ ...first, duplicate: true, superseded: true });
    });

    it('then only the requests of the last 32 replaced versions are remembered', async () => {
      const receipts = [];
      for (let n = 0; n <= 33; n += 1) {
        receipts.push(await cast(net, 1, undefined, requestId(100 + n), 'p2'));
      }
      const stored = await net.evaluate(Ids.cityAuditor, 'GetBallot', 'p2', voter(1));
      expect(stored.earlierRequests).to.have.length(32);
      expect(stored.earlierRequests?.[0]).to.include({ requestId: requestId(101), txId: receipts[1]?.txId });
      expect(await cast(net, 1, undefined, requestId(101), 'p2')).to.include({ duplicate: true, superseded: true });
      const forgotten = await cast(net, 1, undefined, requestId(100), 'p2');
      expect(forgotten).to.include({ duplicate: false, replaced: true });
    });
  });
});
