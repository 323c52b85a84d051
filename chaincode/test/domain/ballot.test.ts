import { createHash } from 'node:crypto';
import { type AnswerSubcode, type Ballot, type Poll, Limits } from '@poll-ledger/protocol';
import { expect } from 'chai';
import {
  assertMayCastAgain,
  ballotHash,
  ballotHashText,
  createBallot,
  receiptOf,
  retriedReceipt,
  validateAnswers,
} from '../../src/domain/ballot';
import { InvalidAnswerError } from '../../src/domain/errors';
import { parseArg } from '../../src/domain/input';
import { createPoll } from '../../src/domain/poll';
import { parsePollDefinition } from '../../src/domain/poll-definition';
import { pollJson, requestId, voter } from '../support/polls';
import { thrownBy } from '../support/refusals';

const oneQuestion = (id: string, optionId: string, minChoices: number) => ({
  id,
  text: 'Question',
  type: 'single',
  minChoices,
  maxChoices: 1,
  options: [{ id: optionId, text: 'Option' }],
});
const poll: Poll = { ...createPoll(parsePollDefinition(pollJson()), 'p1', 'CityMSP', 'tx-0'), status: 'open' };
const content = {
  pollId: 'p1',
  ballotId: voter(1),
  answers: { q1: ['red'], q2: ['hdmi', 'usb'] },
  castAt: '2026-03-01T12:00:00.000Z',
  txId: 'tx-1',
};

describe('ballot', () => {
  describe('validateAnswers', () => {
    it('when the answers fit the poll, then they come back with question and option ids sorted', () => {
      const answers = validateAnswers(poll, { q2: ['usb', 'hdmi'], q1: ['red'] });
      expect(JSON.stringify(answers)).to.equal('{"q1":["red"],"q2":["hdmi","usb"]}');
    });

    it('when a question allows no choice, then an empty array is an answer', () => {
      const relaxed = parsePollDefinition(pollJson({ questions: [oneQuestion('q', 'a', 0)] }));
      expect(validateAnswers(relaxed, { q: [] })).to.deep.equal({ q: [] });
    });

    it('when the answers are not an object, then they are refused as INVALID_ARGUMENT on answersJson', () => {
      for (const raw of [['red'], null, 'red', 1]) {
        expect(thrownBy(() => validateAnswers(poll, raw))).to.deep.equal({
          code: 'INVALID_ARGUMENT',
          message: 'answersJson must be a JSON object mapping question ids to option id arrays',
          details: { field: 'answersJson' },
        });
      }
    });

    const base = { q1: ['red'], q2: ['usb'] };
    type Refusal = [AnswerSubcode, string, string?];
    const refusals: [string, unknown, Refusal, string][] = [
      ['a question is unknown', { ...base, q3: ['x'] }, ['UNKNOWN_QUESTION', 'q3'], 'the poll has no such question'],
      ['an unknown question id is not an id', { ...base, 'a/b c': [] }, ['UNKNOWN_QUESTION', 'a/b c'], 'the poll has no such question'],
      ['__proto__ is given as a question', JSON.parse('{"q1":["red"],"q2":["usb"],"__proto__":[]}'), ['UNKNOWN_QUESTION', '__proto__'], 'the poll has no such question'],
      ['a question is missing', { q1: ['red'] }, ['MISSING_QUESTION', 'q2'], 'every question must be answered'],
      ['an answer is not an array', { ...base, q1: 'red' }, ['WRONG_TYPE', 'q1'], 'the answer must be an array of option ids'],
      ['an answer holds a number', { ...base, q1: [1] }, ['WRONG_TYPE', 'q1'], 'the answer must be an array of option ids'],
      ['an answer is null', { ...base, q1: null }, ['WRONG_TYPE', 'q1'], 'the answer must be an array of option ids'],
      ['an option is unknown', { ...base, q1: ['purple'] }, ['UNKNOWN_OPTION', 'q1', 'purple'], 'the question has no such option'],
      ['an option is chosen twice', { ...base, q2: ['usb', 'usb'] }, ['DUPLICATE_CHOICE', 'q2', 'usb'], 'an option is chosen twice'],
      ['too few options are chosen', { ...base, q1: [] }, ['TOO_FEW_CHOICES', 'q1'], 'choose at least 1'],
      ['too many options are chosen', { ...base, q2: ['usb', 'hdmi', 'wifi'] }, ['TOO_MANY_CHOICES', 'q2'], 'choose at most 2'],
      ['a single question gets two options', { ...base, q1: ['red', 'blue'] }, ['TOO_MANY_CHOICES', 'q1'], 'choose at most 1'],
    ];
    for (const [when, answers, [subcode, questionId, optionId], message] of refusals) {
      it(`when ${when}, then it is refused as INVALID_ANSWER ${subcode}`, () => {
        const details = optionId === undefined ? { subcode, questionId } : { subcode, questionId, optionId };
        const refusal = thrownBy(() => validateAnswers(poll, answers));
        expect(refusal).to.deep.equal({ code: 'INVALID_ANSWER', message, details });
      });
    }

    it('when an id in the details is over 64 characters, then it is cut, never inside a surrogate pair', () => {
      const long = `${'q'.repeat(63)}😀tail`;
      expect(thrownBy(() => validateAnswers(poll, { ...base, [long]: [] }))).to.deep.include(
        { details: { subcode: 'UNKNOWN_QUESTION', questionId: 'q'.repeat(63) } },
      );
      const option = 'o'.repeat(70);
      expect(thrownBy(() => validateAnswers(poll, { ...base, q1: [option] }))).to.deep.include(
        { details: { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'o'.repeat(64) } },
      );
    });

    it('when ids are named like Object.prototype members, then they are ordinary ids', () => {
      const tricky = parsePollDefinition(pollJson({ questions: [oneQuestion('constructor', 'toString', 1)] }));
      expect(thrownBy(() => validateAnswers(tricky, {}))).to.deep.include(
        { details: { subcode: 'MISSING_QUESTION', questionId: 'constructor' } },
      );
      expect(validateAnswers(tricky, { constructor: ['toString'] })).to.deep.equal({ constructor: ['toString'] });
    });

    it('when an answer is refused, then the error details name the subcode, question and option', () => {
      expect(() => validateAnswers(poll, { q1: ['purple'], q2: ['usb'] }))
        .to.throw(InvalidAnswerError)
        .with.property('details')
        .that.deep.equals({ subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'purple' });
    });
  });

  describe('ballotHash', () => {
    it('when a ballot is hashed, then it is sha256 of canonical { pollId, ballotId, answers, castAt, txId }', () => {
      const canonical =
        `{"answers":{"q1":["red"],"q2":["hdmi","usb"]},"ballotId":"${voter(1)}","castAt":"2026-03-01T12:00:00.000Z",` +
        `"pollId":"p1","txId":"tx-1"}`;
      const expected = createHash('sha256').update(canonical).digest('hex');
      expect(ballotHashText(content)).to.equal(canonical);
      expect(ballotHash(content)).to.equal(expected);
      expect(ballotHash({ ...content, ballotHash: 'x', requestId: 'y' } as Ballot)).to.equal(expected);
    });
  });

  describe('createBallot', () => {
    it('when there is no requestId, then the record has none', () => {
      expect(createBallot(content, '')).to.deep.equal({ ...content, ballotHash: ballotHash(content) });
    });

    it('when there is a requestId, then the record keeps it outside the hash', () => {
      const expected = { ...content, ballotHash: ballotHash(content), requestId: requestId(1) };
      expect(createBallot(content, requestId(1))).to.deep.equal(expected);
    });
  });

  describe('receiptOf', () => {
    it('when a receipt is made, then it names the ballot, its hash and tx, and the outcome', () => {
      const ballot = createBallot(content, '');
      expect(receiptOf(ballot, { replaced: true, duplicate: false })).to.deep.equal({
        pollId: 'p1', ballotId: voter(1), ballotHash: ballot.ballotHash, txId: 'tx-1', replaced: true, duplicate: false,
      });
    });
  });

  describe('createBallot with a previous version', () => {
    const version = (n: number, request: string, previous?: Ballot): Ballot =>
      createBallot({ ...content, txId: `tx-${n}` }, request, previous);

    it('when a ballot replaces one with a requestId, then it remembers that request outside the hash', () => {
      const first = version(1, requestId(1));
      const second = version(2, requestId(2), first);
      expect(second.earlierRequests).to.deep.equal([
        { requestId: requestId(1), txId: 'tx-1', ballotHash: first.ballotHash },
      ]);
      expect(second.ballotHash).to.equal(ballotHash({ ...content, txId: 'tx-2' }));
    });

    it('when the replaced version had no requestId, then nothing is remembered for it', () => {
      expect(version(2, requestId(2), version(1, ''))).not.to.have.property('earlierRequests');
      const third = version(3, '', version(2, '', version(1, requestId(1))));
      expect(third.earlierRequests?.map((r) => r.requestId)).to.deep.equal([requestId(1)]);
    });

    it(`when more than ${Limits.earlierRequests} versions are replaced, then the oldest requests are dropped`, () => {
      let ballot = version(0, requestId(0));
      for (let n = 1; n <= Limits.earlierRequests + 2; n += 1) {
        ballot = version(n, requestId(n), ballot);
      }
      const kept = ballot.earlierRequests ?? [];
      expect(kept).to.have.length(Limits.earlierRequests);
      expect(kept[0]).to.include({ requestId: requestId(2), txId: 'tx-2' });
      expect(kept.at(-1)).to.include({ requestId: requestId(Limits.earlierRequests + 1) });
      expect(retriedReceipt(ballot, requestId(1))).to.equal(undefined);
      expect(retriedReceipt(ballot, requestId(2))).to.include({ txId: 'tx-2', superseded: true });
    });
  });

  describe('retriedReceipt', () => {
    const stored = createBallot(content, requestId(1));

    it('when the stored ballot has the same non-empty requestId, then it is its duplicate receipt', () => {
      expect(retriedReceipt(stored, requestId(1))).to.deep.equal(
        receiptOf(stored, { replaced: false, duplicate: true }),
      );
    });

    it('when the requestId wrote an earlier version, then it is that version’s receipt, superseded', () => {
      const current = createBallot({ ...content, txId: 'tx-2', answers: { q1: ['blue'] } }, requestId(2), stored);
      expect(retriedReceipt(current, requestId(1))).to.deep.equal({
        pollId: 'p1', ballotId: voter(1), ballotHash: stored.ballotHash, txId: 'tx-1',
        replaced: false, duplicate: true, superseded: true,
      });
      expect(retriedReceipt(current, requestId(2))).to.deep.equal(
        receiptOf(current, { replaced: false, duplicate: true }),
      );
    });

    it('when the requestId differs, is empty, or nothing is stored, then it is not a retry', () => {
      expect(retriedReceipt(stored, requestId(2))).to.equal(undefined);
      expect(retriedReceipt(createBallot(content, ''), '')).to.equal(undefined);
      expect(retriedReceipt(undefined, requestId(1))).to.equal(undefined);
    });
  });

  describe('assertMayCastAgain', () => {
    const stored = createBallot(content, '');
    const castingAgain = (policy: Poll['revotePolicy'], existing: typeof stored | undefined) => () => {
      assertMayCastAgain({ ...poll, revotePolicy: policy }, existing, { castAt: '2026-03-01T12:00:01.000Z' });
    };

    it('when the policy is none and a ballot exists, then it is refused as ALREADY_VOTED', () => {
      expect(thrownBy(castingAgain('none', stored))).to.deep.equal(
        { code: 'ALREADY_VOTED', message: `ballot ${voter(1)} was already cast in poll p1` },
      );
    });

    it('when the policy is last-counts, or no ballot exists, then casting is allowed', () => {
      expect(castingAgain('last-counts', stored)).not.to.throw();
      expect(castingAgain('none', undefined)).not.to.throw();
    });
  });

  describe('the voterToken, ballotId and requestId arguments', () => {
    it('when they are 64 lowercase hex characters, then they are accepted', () => {
      expect(parseArg('voterToken', voter(1))).to.equal(voter(1));
      expect(parseArg('ballotId', voter(1))).to.equal(voter(1));
      expect(parseArg('requestId', requestId(1))).to.equal(requestId(1));
    });

    it('when the requestId is empty, then it means no idempotency key', () => {
      expect(parseArg('requestId', '')).to.equal('');
    });

    for (const bad of ['', 'abc', voter(1).toUpperCase(), `${voter(1)}0`, `${voter(1).slice(1)}g`]) {
      it(`when a token is ${JSON.stringify(bad.slice(0, 12))}… of ${bad.length}, then it is INVALID_ARGUMENT`, () => {
        expect(thrownBy(() => parseArg('voterToken', bad))).to.deep.equal({
          code: 'INVALID_ARGUMENT',
          message: 'voterToken must be 64 lowercase hex chars',
          details: { field: 'voterToken' },
        });
        if (bad !== '') {
          expect(thrownBy(() => parseArg('requestId', bad))).to.deep.equal({
            code: 'INVALID_ARGUMENT',
            message: 'requestId must be 64 lowercase hex chars',
            details: { field: 'requestId' },
          });
        }
      });
    }
  });
});
