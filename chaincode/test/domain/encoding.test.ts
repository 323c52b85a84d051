import { ErrorCodes, Limits, decodeChaincodeError } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { canonicalBytes, canonicalJson, decodeJson, sha256Hex } from '../../src/domain/canonical';
import {
  InvalidAnswerError,
  InvalidArgumentError,
  NotFoundError,
  PollLedgerError,
} from '../../src/domain/errors';
import { parseArg } from '../../src/domain/input';
import {
  allPollsRange,
  ballotKey,
  ballotRange,
  isInRange,
  lastKeySegment,
  pollKey,
  pollStatusKey,
  pollStatusRange,
  rangeAfter,
  tallyKey,
} from '../../src/domain/keys';
import { timestampToIso, toStoredTime } from '../../src/domain/time';
import { thrownBy } from '../support/refusals';

describe('canonical', () => {
  it('when a value is encoded, then keys are sorted at every level and there is no white space', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 2 }], a: 'x', c: undefined })).to.equal('{"a":"x","b":[{"a":2,"z":1}]}');
    expect(canonicalBytes({ b: 1, a: 2 }).toString('utf8')).to.equal('{"a":2,"b":1}');
  });

  it('when a value has no JSON form, then encoding fails instead of writing nothing', () => {
    expect(() => canonicalJson(undefined)).to.throw(TypeError);
    expect(() => canonicalJson(Number.NaN)).to.throw();
  });

  it('when bytes are decoded, then the JSON value comes back', () => {
    expect(decodeJson(Buffer.from('{"a":[1]}'))).to.deep.equal({ a: [1] });
  });

  it('when text is hashed, then it is lowercase hex sha256 of its UTF-8 bytes', () => {
    expect(sha256Hex('abc')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('errors', () => {
  it('when a refusal is made, then its message is the canonical JSON of its payload and it carries the code', () => {
    const error = new NotFoundError('no poll p9');
    expect(error.message).to.equal('{"code":"NOT_FOUND","message":"no poll p9"}');
    expect(error).to.be.instanceOf(PollLedgerError);
    expect(error).to.include({ code: 'NOT_FOUND', text: 'no poll p9' });
    expect(ErrorCodes).to.include(error.code);
    expect(decodeChaincodeError(error.message)).to.deep.equal(error.payload);
  });

  it('when an argument is refused, then the field is in the details only when it is known', () => {
    expect(new InvalidArgumentError('pollId must match x', 'pollId').message).to.equal(
      '{"code":"INVALID_ARGUMENT","details":{"field":"pollId"},"message":"pollId must match x"}',
    );
    expect(new InvalidArgumentError('no transaction named X').payload).to.deep.equal(
      { code: 'INVALID_ARGUMENT', message: 'no transaction named X' },
    );
  });

  it('when an answer is refused, then the details carry subcode, question and option, ids JSON-escaped', () => {
    const problem = { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'x "y"' } as const;
    const error = new InvalidAnswerError(problem, 'no such option');
    expect(error.message).to.equal(
      '{"code":"INVALID_ANSWER","details":{"optionId":"x \\"y\\"","questionId":"q1","subcode":"UNKNOWN_OPTION"},' +
        '"message":"no such option"}',
    );
    expect(error.code).to.equal('INVALID_ANSWER');
    expect(decodeChaincodeError(error.message)).to.deep.equal(
      { code: 'INVALID_ANSWER', message: 'no such option', details: problem },
    );
  });
});

describe('keys', () => {
  it('when keys are built, then they follow the documented layout', () => {
    expect(pollKey('p1')).to.equal('poll~p1');
    expect(pollStatusKey('open', 'p1')).to.equal('pollstatus~open~p1');
    expect(ballotKey('p1', 'ab')).to.equal('ballot~p1~ab');
    expect(tallyKey('p1')).to.equal('tally~p1');
  });

  it('when a prefix range is built, then it holds that prefix only', () => {
    const range = ballotRange('p1');
    expect(range.start).to.equal('ballot~p1~');
    expect(isInRange(range, 'ballot~p1~ab')).to.equal(true);
    expect(isInRange(range, 'ballot~p10~ab')).to.equal(false);
    expect(isInRange(allPollsRange(), 'pollstatus~open~p1')).to.equal(false);
    expect(isInRange(pollStatusRange('open'), 'pollstatus~open~p1')).to.equal(true);
  });

  it('when a range continues after a key, then it starts just after that key', () => {
    expect(rangeAfter(ballotRange('p1'), '')).to.deep.equal(ballotRange('p1'));
    expect(rangeAfter(ballotRange('p1'), 'ballot~p1~ab').start).to.equal('ballot~p1~ab\u0000');
  });

  it('when the last segment is taken, then it is the id the key ends with', () => {
    expect(lastKeySegment('pollstatus~open~p1')).to.equal('p1');
  });
});

describe('time', () => {
  it('when a time has an offset or fewer digits, then it is stored in UTC milliseconds', () => {
    expect(toStoredTime('2026-05-01T10:30+02:00')).to.equal('2026-05-01T08:30:00.000Z');
    expect(toStoredTime('2026-05-01T10:30:00.123456789Z')).to.equal('2026-05-01T10:30:00.123Z');
  });

  it('when a protobuf timestamp is converted, then a Long or a number of seconds both work', () => {
    expect(timestampToIso({ seconds: 1772366400, nanos: 5e8 })).to.equal('2026-03-01T12:00:00.500Z');
    const long = { toString: () => '1772366400' };
    expect(timestampToIso({ seconds: long, nanos: 999_999 })).to.equal('2026-03-01T12:00:00.000Z');
  });
});

describe('parseArg', () => {
  it('when a decimal argument is in bounds, then it is parsed to a number', () => {
    expect(parseArg('maxBallots', String(Limits.tallyBatch.max))).to.equal(Limits.tallyBatch.max);
    expect(parseArg('livePageSize', '10000')).to.equal(10000);
  });

  it('when a decimal argument is malformed or out of bounds, then it is INVALID_ARGUMENT naming the argument', () => {
    for (const bad of ['', '1e3', '-1', ' 5', '2.5', '0x10', '1234567890']) {
      expect(thrownBy(() => parseArg('maxBallots', bad))).to.deep.equal(
        { code: 'INVALID_ARGUMENT', message: 'maxBallots must be a decimal integer', details: { field: 'maxBallots' } },
      );
    }
    expect(thrownBy(() => parseArg('maxBallots', '0'))).to.include({ message: 'maxBallots must be at least 1' });
    const tooMany = Limits.tallyBatch.max + 1;
    expect(thrownBy(() => parseArg('maxBallots', String(tooMany)))).to.include({ message: `maxBallots must be at most ${tooMany - 1}` });
  });

  it('when a value is not one of the allowed, then the message lists them', () => {
    expect(parseArg('status', '')).to.equal('');
    expect(parseArg('status', 'open')).to.equal('open');
    expect(thrownBy(() => parseArg('status', 'x'))).to.include({
      message: 'status must be "" or one of "draft", "open", "closed", "tallied", "cancelled"',
    });
  });

  it('when a JSON argument is not JSON, then it says so; any JSON passes answersJson', () => {
    expect(thrownBy(() => parseArg('answersJson', '{'))).to.deep.equal(
      { code: 'INVALID_ARGUMENT', message: 'answersJson is not valid JSON', details: { field: 'answersJson' } },
    );
    expect(parseArg('answersJson', '[1]')).to.deep.equal([1]);
  });
});
