import { type Ballot, type Poll } from '@poll-ledger/protocol';
import { expect } from 'chai';
import {
  assertMayCastAgain,
  ballotHash,
  createBallot,
  isSuperseded,
  orderTime,
  requestTime,
} from '../../src/domain/ballot';
import { parseArg } from '../../src/domain/input';
import { createPoll } from '../../src/domain/poll';
import { parsePollDefinition } from '../../src/domain/poll-definition';
import { pollJson, requestId, voter } from '../support/polls';
import { thrownBy } from '../support/refusals';

const poll: Poll = {
  ...createPoll(parsePollDefinition(pollJson({ revotePolicy: 'last-counts' })), 'p1', 'CityMSP', 'tx-0'),
  status: 'open',
};
const content = (txId: string, castAt: string) => ({
  pollId: 'p1',
  ballotId: voter(1),
  answers: { q1: ['red'], q2: ['usb'] },
  castAt,
  txId,
});
const TX_TIME = '2026-03-01T12:00:00.000Z';

describe('the re-vote order', () => {
  describe('requestTime (the requestedAt argument)', () => {
    it('when it is empty, then there is none', () => {
      expect(requestTime(parseArg('requestedAt', ''), TX_TIME)).to.equal(undefined);
    });

    it('when it has a zone, then it is stored in toISOString form (milliseconds, truncated)', () => {
      expect(requestTime(parseArg('requestedAt', '2026-03-01T13:00:00+01:00'), TX_TIME)).to.equal(TX_TIME);
      expect(requestTime('2026-03-01T11:59:59.123999Z', TX_TIME)).to.equal('2026-03-01T11:59:59.123Z');
    });

    it('when it is after the tx timestamp, even by a millisecond, then it is INVALID_ARGUMENT naming requestedAt', () => {
      expect(thrownBy(() => requestTime('2026-03-01T12:00:00.001Z', TX_TIME))).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: `requestedAt must not be after the transaction timestamp ${TX_TIME}`,
        details: { field: 'requestedAt' },
      });
    });

    for (const bad of ['2026-03-01T12:00:00', '2026-02-30T12:00:00Z', 'yesterday', ' ']) {
      it(`when it is ${JSON.stringify(bad)}, then the argument is INVALID_ARGUMENT naming requestedAt`, () => {
        expect(thrownBy(() => parseArg('requestedAt', bad))).to.deep.include({
          code: 'INVALID_ARGUMENT',
          details: { field: 'requestedAt' },
        });
      });
    }
  });

  describe('createBallot', () => {
    it('when a requestedAt is given, then the record keeps it outside the hash', () => {
      const ballot = createBallot({ ...content('tx-1', TX_TIME), requestedAt: '2026-03-01T11:00:00.000Z' }, requestId(1));
      expect(ballot).to.deep.equal({
        ...content('tx-1', TX_TIME),
        ballotHash: ballotHash(content('tx-1', TX_TIME)),
        requestId: requestId(1),
        requestedAt: '2026-03-01T11:00:00.000Z',
      });
    });

    it('when none is given, then the record has no requestedAt key at all', () => {
      const ballot = createBallot({ ...content('tx-1', TX_TIME), requestedAt: undefined }, requestId(1));
      expect(Object.keys(ballot)).not.to.include('requestedAt');
    });

    it('when a version with requestedAt is replaced, then its earlierRequests entry keeps it', () => {
      const first = createBallot({ ...content('tx-1', TX_TIME), requestedAt: '2026-03-01T11:00:00.000Z' }, requestId(1));
      const untimed = createBallot(content('tx-2', '2026-03-01T12:01:00.000Z'), requestId(2), first);
      const third = createBallot(content('tx-3', '2026-03-01T12:02:00.000Z'), requestId(3), untimed);
      expect(third.earlierRequests).to.deep.equal([
        { requestId: requestId(1), txId: 'tx-1', ballotHash: first.ballotHash, requestedAt: '2026-03-01T11:00:00.000Z' },
        { requestId: requestId(2), txId: 'tx-2', ballotHash: untimed.ballotHash },
      ]);
    });
  });

  describe('orderTime and isSuperseded', () => {
    it('when a ballot has a requestedAt, then it orders the ballot; otherwise castAt does', () => {
      expect(orderTime({ castAt: TX_TIME, requestedAt: '2026-03-01T11:00:00.000Z' })).to.equal('2026-03-01T11:00:00.000Z');
      expect(orderTime({ castAt: TX_TIME })).to.equal(TX_TIME);
    });

    it('when the times are equal, then the new ballot is not superseded', () => {
      expect(isSuperseded({ castAt: TX_TIME }, { castAt: '2026-03-01T12:05:00.000Z', requestedAt: TX_TIME })).to.equal(false);
    });
  });

  describe('assertMayCastAgain under last-counts', () => {
    const stored: Ballot = createBallot(
      { ...content('tx-2', '2026-03-01T12:00:05.000Z'), requestedAt: '2026-03-01T12:00:02.000Z' },
      requestId(2),
    );

    it('when the new ballot was requested before the stored one, then it is SUPERSEDED', () => {
      const late = { castAt: '2026-03-01T12:00:09.000Z', requestedAt: '2026-03-01T12:00:01.000Z' };
      expect(thrownBy(() => { assertMayCastAgain(poll, stored, late); })).to.deep.equal({
        code: 'SUPERSEDED',
        message:
          'a later ballot of this voter is already recorded: this one was requested at 2026-03-01T12:00:01.000Z, ' +
          'the recorded one at 2026-03-01T12:00:02.000Z',
      });
    });

    it('when the new ballot was requested at the same time or later, then it may replace the stored one', () => {
      for (const requestedAt of ['2026-03-01T12:00:02.000Z', '2026-03-01T12:00:03.000Z']) {
        expect(() => { assertMayCastAgain(poll, stored, { castAt: '2026-03-01T12:00:09.000Z', requestedAt }); }).not.to.throw();
      }
    });

    it('when the policy is none, then a second ballot is ALREADY_VOTED whatever its time', () => {
      const none = { ...poll, revotePolicy: 'none' } as const;
      const late = { castAt: '2026-03-01T12:00:09.000Z', requestedAt: '2026-03-01T12:00:01.000Z' };
      expect(thrownBy(() => { assertMayCastAgain(none, stored, late); })).to.include({ code: 'ALREADY_VOTED' });
    });
  });
});
