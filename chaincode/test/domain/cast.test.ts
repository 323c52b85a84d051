import type { Poll } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { ballotHash } from '../../src/domain/ballot';
import {
  CAST_BALLOT_FIELDS,
  checkBallot,
  decideCast,
  parseBallotArgs,
  parseBatchItem,
  repeatedVoters,
} from '../../src/domain/cast';
import {
  AlreadyVotedError,
  ForbiddenError,
  InvalidAnswerError,
  InvalidArgumentError,
  InvalidStateError,
  NotFoundError,
  PollLedgerError,
  PollNotOpenError,
  SupersededError,
} from '../../src/domain/errors';
import { createPoll } from '../../src/domain/poll';
import { parsePollDefinition } from '../../src/domain/poll-definition';
import { ballotItem, pollJson, voter } from '../support/polls';
import { thrownBy } from '../support/refusals';

const poll: Poll = { ...createPoll(parsePollDefinition(pollJson()), 'p1', 'CityMSP', 'tx-0'), status: 'open' };
const castAt = '2026-03-01T12:00:00.000Z';
const tx = { txId: 'a'.repeat(64), castAt };

describe('cast', () => {
  describe('repeatedVoters', () => {
    it('when a voterToken comes again, then each later item points at the first one', () => {
      const items = [voter(1), voter(2), voter(1), 'x', voter(1), 'x'].map((voterToken) => ({ voterToken }));
      expect([...repeatedVoters(items)]).to.deep.equal([[2, 0], [4, 0], [5, 3]]);
    });
  });

  describe('parseBatchItem', () => {
    it('when a field is malformed, then INVALID_ARGUMENT names it inside ballotsJson', () => {
      const refusal = thrownBy(() => parseBatchItem(ballotItem({ voterToken: voter(1), requestId: 'abc' }), 4, castAt, new Map()));
      expect(refusal).to.deep.include({ code: 'INVALID_ARGUMENT', details: { field: 'ballotsJson[4].requestId' } });
      expect(refusal.message).to.equal('ballotsJson[4].requestId must be 64 lowercase hex chars');
    });

    it('when the fields are checked, then in CastBallot’s order, and the repeat after them', () => {
      const bad = ballotItem({ voterToken: 'x', requestId: 'abc', requestedAt: 'no' });
      const refusal = (item: typeof bad) => thrownBy(() => parseBatchItem(item, 1, castAt, new Map([[1, 0]])));
      expect(refusal(bad)).to.deep.include({ details: { field: 'ballotsJson[1].voterToken' } });
      expect(refusal({ ...bad, voterToken: voter(1) })).to.deep.include({ details: { field: 'ballotsJson[1].requestId' } });
      const late = { ...bad, voterToken: voter(1), requestId: '' };
      expect(refusal(late)).to.deep.include({ details: { field: 'ballotsJson[1].requestedAt' } });
      const repeated = thrownBy(() => parseBatchItem(ballotItem({ voterToken: voter(1) }), 1, castAt, new Map([[1, 0]])));
      expect(repeated).to.deep.include({ code: 'INVALID_ARGUMENT', details: { field: 'ballotsJson[1].voterToken' } });
    });

    it('when the item is well-formed, then its answers are kept as sent, for the poll to check', () => {
      const request = parseBatchItem(ballotItem({ voterToken: voter(1), answers: ['red'] }), 0, castAt, new Map());
      expect(request).to.deep.include({ ballotId: voter(1), requestId: '', requestedAt: undefined, answers: ['red'] });
    });
  });

  describe('decideCast', () => {
    const request = { ...parseBallotArgs(ballotItem({ voterToken: voter(1) }), CAST_BALLOT_FIELDS, castAt), answers: { q1: ['red'], q2: ['usb'] } };

    it('when a position is given, then the record stores it and the hash ignores it', () => {
      const { ballot, receipt } = decideCast(poll, undefined, request, tx, 7);
      const { ballot: plain } = decideCast(poll, undefined, request, tx);
      expect(ballot).to.include({ position: 7 });
      expect(plain).not.to.have.property('position');
      expect(ballot?.ballotHash).to.equal(plain?.ballotHash);
      expect(ballot?.ballotHash).to.equal(ballotHash(ballot!));
      expect(receipt).to.include({ position: 7, duplicate: false });
    });

    it('when the answers are not an object, then the refusal names the answers field it was given', () => {
      const fields = { ...CAST_BALLOT_FIELDS, answers: 'ballotsJson[2].answers' };
      const refusal = thrownBy(() => decideCast(poll, undefined, { ...request, answers: [], fields }, tx));
      expect(refusal).to.deep.include({ details: { field: 'ballotsJson[2].answers' } });
      expect(refusal.message).to.match(/^ballotsJson\[2\]\.answers must be a JSON object/);
    });
  });

  describe('checkBallot', () => {
    const ballotRefusals: PollLedgerError[] = [
      new InvalidArgumentError('bad', 'ballotsJson[0].voterToken'),
      new InvalidAnswerError({ subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'x' }, 'no such option'),
      new AlreadyVotedError('again'),
      new SupersededError('later one recorded'),
    ];
    for (const error of ballotRefusals) {
      it(`when a check throws ${error.code}, then it is that ballot’s refusal`, () => {
        expect(checkBallot(() => { throw error; })).to.deep.equal({ ok: false, refusal: error });
      });
    }

    const others: Error[] = [
      new PollNotOpenError('closed'),
      new NotFoundError('no poll'),
      new ForbiddenError('no'),
      new InvalidStateError('state'),
      new TypeError('a bug'),
      new Error('state read failed'),
    ];
    for (const error of others) {
      const name = error instanceof PollLedgerError ? error.code : error.name;
      it(`when a check throws ${name}, then it is thrown on to fail the transaction`, () => {
        expect(() => checkBallot(() => { throw error; })).to.throw(error);
      });
    }

    it('when the check passes, then its value comes back', () => {
      expect(checkBallot(() => 42)).to.deep.equal({ ok: true, value: 42 });
    });
  });
});
