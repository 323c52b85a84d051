import { expect } from 'chai';
import {
  BallotSchema,
  decodeChaincodeError,
  decodeChaincodeEvent,
  ErrorCodes,
  Limits,
  Args,
  loadVectors,
  parseKey,
  ballotKey,
  pollKey,
  pollStatusKey,
  tallyKey,
  PollDefinitionSchema,
  PollSchema,
  Transactions,
  parseResult,
  ProtocolViolation,
} from '../src';

const poll = loadVectors('ballots-root')[2]!.poll;
const definition = {
  title: 'Benches',
  questions: [
    { id: 'q1', text: 'Where?', type: 'multi', minChoices: 1, maxChoices: 2, options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }] },
  ],
  opensAt: '2026-05-01T08:00:00+03:00',
  closesAt: '2026-05-02T08:00:00Z',
  revotePolicy: 'none',
  resultsVisibility: 'live',
};

function issuesOf(value: unknown): string[] {
  const parsed = PollDefinitionSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('protocol schemas', function () {
  describe('poll definitions', function () {
    it('when a definition is well formed, then it parses and unknown fields are dropped', function () {
      const parsed = PollDefinitionSchema.parse({ ...definition, ownerMsp: 'CityMSP', extra: 1 });
      expect(parsed).to.not.have.property('ownerMsp');
      expect(parsed).to.not.have.property('extra');
    });

    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['opensAt is not before closesAt', { closesAt: definition.opensAt }, /closesAt: opensAt must be before closesAt/],
      ['a zone-less time', { opensAt: '2026-05-01T08:00:00' }, /opensAt: must be an ISO 8601/],
      ['a date that does not exist', { opensAt: '2026-02-30T08:00:00Z' }, /opensAt: must be an ISO 8601/],
      ['a blank title', { title: '   ' }, /title: must not be empty/],
      ['a bad question id', { questions: [{ ...definition.questions[0], id: 'a~b' }] }, /questions\.0\.id: must match/],
      ['maxChoices above the options', { questions: [{ ...definition.questions[0], maxChoices: 3 }] }, /maxChoices: must be an integer from 1 to 2/],
      ['a single question with maxChoices 2', { questions: [{ ...definition.questions[0], type: 'single' }] }, /maxChoices: must be an integer from 1 to 1/],
      ['minChoices above maxChoices', { questions: [{ ...definition.questions[0], minChoices: 2, maxChoices: 1 }] }, /minChoices/],
      ['a repeated question id', { questions: [definition.questions[0], definition.questions[0]] }, /questions\.1\.id: question id q1 appears twice/],
      ['a repeated option id', { questions: [{ ...definition.questions[0], options: [{ id: 'a', text: 'A' }, { id: 'a', text: 'B' }] }] }, /option id a appears twice/],
      ['an unknown revote policy', { revotePolicy: 'sometimes' }, /revotePolicy/],
    ];
    for (const [what, change, expected] of refusals) {
      it(`when ${what}, then the definition is refused`, function () {
        expect(issuesOf({ ...definition, ...change }).join('\n')).to.match(expected);
      });
    }
  });

  describe('records', function () {
    it('when a stored record has a field the protocol does not define, then it is refused', function () {
      expect(PollSchema.safeParse(poll).success).to.equal(true);
      expect(PollSchema.safeParse({ ...poll, secret: 'x' }).success).to.equal(false);
      const ballot = loadVectors('ballots-root')[2]!.ballots[0]!;
      expect(BallotSchema.safeParse({ ...ballot, citizenId: 'c-1' }).success).to.equal(false);
    });

    it('when a ballot or an earlier request has a requestedAt, then it must be a stored time', function () {
      const ballot = loadVectors('receipts').at(-1)!.ballot;
      expect(ballot.requestedAt).to.be.a('string');
      expect(ballot.earlierRequests?.[0]?.requestedAt).to.be.a('string');
      expect(BallotSchema.safeParse({ ...ballot, requestedAt: '2026-03-10T09:02:00Z' }).success).to.equal(false);
    });

    it('when a stored time is not in toISOString() form, then the poll is refused', function () {
      expect(PollSchema.safeParse({ ...poll, opensAt: '2026-03-01T00:00:00Z' }).success).to.equal(false);
    });
  });

  describe('transaction arguments', function () {
    it('when pollJson is not JSON, then the issue says so', function () {
      const parsed = Args.pollJson.safeParse('{');
      expect(parsed.success).to.equal(false);
      expect(parsed.error?.issues[0]?.message).to.equal('is not valid JSON');
    });

    it('when decimal arguments are out of bounds or not decimal, then they are refused', function () {
      expect(Args.maxBallots.parse(String(Limits.tallyBatch.max))).to.equal(Limits.tallyBatch.max);
      expect(Args.maxBallots.safeParse(String(Limits.tallyBatch.max + 1)).success).to.equal(false);
      expect(Args.maxBallots.safeParse('1e3').success).to.equal(false);
      expect(Args.listPageSize.safeParse('0').success).to.equal(false);
    });

    it("when requestId or status is '', then it means none", function () {
      expect(Args.requestId.parse('')).to.equal('');
      expect(Args.status.parse('')).to.equal('');
      expect(Args.requestId.safeParse('ABC').success).to.equal(false);
    });

    it("when requestedAt is '' or an ISO date-time with a zone, then it is accepted; a zone-less time is not", function () {
      expect(Args.requestedAt.parse('')).to.equal('');
      expect(Args.requestedAt.parse('2026-05-01T08:00:00.123456+02:00')).to.equal('2026-05-01T08:00:00.123456+02:00');
      expect(Args.requestedAt.safeParse('2026-05-01T08:00:00').success).to.equal(false);
      expect(Transactions.CastBallot.args.at(-1)).to.equal('requestedAt');
    });

    it('every transaction names only known arguments and has a result schema', function () {
      for (const [name, spec] of Object.entries(Transactions)) {
        for (const arg of spec.args) expect(Args, `${name}.${arg}`).to.have.property(arg);
        expect(spec.result, name).to.have.property('safeParse');
      }
    });
  });

  describe('errors and events', function () {
    it('when a chaincode message is an error payload, then it decodes; anything else is undefined', function () {
      for (const vector of loadVectors('error-payloads')) {
        expect(decodeChaincodeError(vector.message) ?? null, vector.name).to.deep.equal(vector.payload);
      }
    });

    it('every error code has a payload form', function () {
      for (const code of ErrorCodes) {
        const details = code === 'INVALID_ANSWER' ? { subcode: 'WRONG_TYPE', questionId: 'q1' } : undefined;
        expect(decodeChaincodeError(JSON.stringify({ code, message: 'm', details })), code).to.not.equal(undefined);
      }
    });

    it('when an event payload has its documented shape, then it decodes; a payload with extra data does not', function () {
      const ballot = loadVectors('ballots-root')[2]!.ballots[0]!;
      const receipt = { pollId: ballot.pollId, ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, txId: ballot.txId };
      const payload = { ...receipt, answers: ballot.answers, replaced: { q1: ['a'] } };
      const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      expect(decodeChaincodeEvent('BallotCast', bytes(payload))?.payload).to.deep.equal(payload);
      // The count change is part of the event: without it a running count could not be kept.
      expect(decodeChaincodeEvent('BallotCast', bytes(receipt))).to.equal(undefined);
      expect(decodeChaincodeEvent('BallotCast', bytes({ ...payload, voter: 'x' }))).to.equal(undefined);
      const batch = { pollId: ballot.pollId, txId: ballot.txId, ballots: [{ ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, position: 0, answers: ballot.answers }] };
      expect(decodeChaincodeEvent('BallotsCast', bytes(batch))?.payload).to.deep.equal(batch);
      expect(decodeChaincodeEvent('PollOpened', bytes({ pollId: 'p1', status: 'open', txId: ballot.txId }))?.eventName).to.equal('PollOpened');
      expect(decodeChaincodeEvent('Nope', bytes(payload))).to.equal(undefined);
    });
  });

  describe('keys', function () {
    it('when a key is built by the layout, then it parses back', function () {
      expect(parseKey(pollKey('p1'))).to.deep.equal({ kind: 'poll', pollId: 'p1' });
      expect(parseKey(ballotKey('p1', 'ab'))).to.deep.equal({ kind: 'ballot', pollId: 'p1', ballotId: 'ab' });
      expect(parseKey(tallyKey('p1'))).to.deep.equal({ kind: 'tally', pollId: 'p1' });
      expect(parseKey(pollStatusKey('open', 'p1'))).to.deep.equal({ kind: 'pollStatus', status: 'open', pollId: 'p1' });
      expect(parseKey('ballot~p1')).to.deep.equal({ kind: 'other' });
      expect(parseKey('ballot~p1~a~b')).to.deep.equal({ kind: 'other' });
    });
  });
});

describe('parseResult', function () {
  it('when a result fits its schema, then it is returned typed; otherwise ProtocolViolation names the transaction', function () {
    const vector = loadVectors('cast-results')[0]!;
    expect(parseResult('CastBallot', vector.canonical)).to.deep.equal(vector.result);
    expect(() => parseResult('CastBallot', '{"pollId":"p1"}')).to.throw(ProtocolViolation, /CastBallot answered outside the protocol: .*ballotId/);
    expect(() => parseResult('GetPoll', new TextEncoder().encode('not json'))).to.throw(ProtocolViolation, /not UTF-8 JSON/);
  });
});
