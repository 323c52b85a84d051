import {
  Args,
  AnswersSchema,
  BALLOTS_CAST,
  ChaincodeEventSchema,
  Limits,
  PollDefinitionSchema,
  PollSchema as ProtocolPollSchema,
  PollStatuses,
  ROLES as PROTOCOL_ROLES,
  loadVectors,
  type Poll,
} from '@poll-ledger/protocol';
import { z } from 'zod';
import { loadConfig } from '../../src/config';
import {
  BallotIdSchema,
  BallotInSchema,
  BallotSchema,
  LedgerEventSchema,
  ListPollsQuerySchema,
  PollIdSchema,
  PollInSchema,
  PollSchema,
  ReceiptSchema,
  ResultsSchema,
  TallyInSchema,
  TxIdSchema,
} from '../../src/domain/schemas';
import { ROUTES } from '../../src/http/routes';
import { ROLES } from '../../src/roles';
import { expect } from '../chai';
import { POLL, POLL_IN } from '../fixtures';

/**
 * The gateway's request schemas must agree with the protocol: what the protocol accepts, the gateway accepts, and
 * what the protocol refuses, the gateway refuses before it costs an endorsement. These tests fail when either side
 * changes alone.
 */

const answersVectors = loadVectors('answers');
const rootVectors = loadVectors('ballots-root');
const VECTOR_POLLS: readonly Poll[] = [...new Map([...answersVectors, ...rootVectors].map((v): [string, Poll] => [v.poll.id, v.poll])).values()];

type Definition = Record<string, unknown> & { questions: Record<string, unknown>[] };
const definition = (): Definition => structuredClone(POLL_IN);
const question = (changes: Record<string, unknown>) => (): Definition => {
  const poll = definition();
  poll.questions = [{ ...poll.questions[0], ...changes }];
  return poll;
};
const options = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `o${i}`, text: `Option ${i}` }));
const Q1 = POLL_IN.questions[0]!;
const questions = (count: number) => Array.from({ length: count }, (_, i) => ({ ...Q1, id: `q${i}` }));

/** Poll definitions the protocol refuses, each for one reason. */
const REFUSED: Readonly<Record<string, () => Definition>> = {
  'a poll id with ~': () => ({ ...definition(), id: 'p~1' }),
  'an empty poll id': () => ({ ...definition(), id: '' }),
  'a poll id starting with -': () => ({ ...definition(), id: '-p' }),
  'a poll id of 65 chars': () => ({ ...definition(), id: 'p'.repeat(65) }),
  'a question id with a space': question({ id: 'q 1' }),
  'an option id with /': question({ options: [{ id: 'r/d', text: 'Red' }] }),
  'opensAt equal to closesAt': () => ({ ...definition(), closesAt: POLL_IN.opensAt }),
  'opensAt after closesAt': () => ({ ...definition(), opensAt: '2027-01-01T00:00:00Z' }),
  'the same instant in two zones': () => ({ ...definition(), opensAt: '2026-06-01T02:00:00+02:00', closesAt: '2026-06-01T00:00:00Z' }),
  'a date that does not exist': () => ({ ...definition(), opensAt: '2026-02-30T00:00:00Z' }),
  'a time without a zone': () => ({ ...definition(), opensAt: '2026-01-01T00:00:00' }),
  'maxChoices above the options': question({ type: 'multi', maxChoices: 3 }),
  'maxChoices 2 on a single question': question({ type: 'single', maxChoices: 2, minChoices: 0 }),
  'minChoices above maxChoices': question({ type: 'multi', minChoices: 2, maxChoices: 1 }),
  'an option id twice': question({ options: [{ id: 'red', text: 'Red' }, { id: 'red', text: 'Rouge' }] }),
  'a question id twice': () => ({ ...definition(), questions: [Q1, Q1] }),
  'a blank title': () => ({ ...definition(), title: '   ' }),
  'a title over the limit': () => ({ ...definition(), title: 't'.repeat(Limits.titleLength + 1) }),
  'a description over the limit': () => ({ ...definition(), description: 'd'.repeat(Limits.descriptionLength + 1) }),
  'a question text over the limit': question({ text: 'q'.repeat(Limits.questionTextLength + 1) }),
  'an option text over the limit': question({ options: [{ id: 'red', text: 'r'.repeat(Limits.optionTextLength + 1) }] }),
  'no questions': () => ({ ...definition(), questions: [] }),
  'too many questions': () => ({ ...definition(), questions: questions(Limits.questions.max + 1) }),
  'no options': question({ options: [] }),
  'too many options': question({ type: 'multi', maxChoices: 1, options: options(Limits.optionsPerQuestion.max + 1) }),
  'an unknown revote policy': () => ({ ...definition(), revotePolicy: 'sometimes' }),
};

/** Definitions at the limits, which both must accept. */
const AT_LIMITS: Readonly<Record<string, () => Definition>> = {
  'the longest title': () => ({ ...definition(), title: 't'.repeat(Limits.titleLength) }),
  'the most questions': () => ({ ...definition(), questions: questions(Limits.questions.max) }),
  'the most options, all choosable': question({ type: 'multi', maxChoices: Limits.optionsPerQuestion.max, options: options(Limits.optionsPerQuestion.max) }),
  'a 64-char poll id': () => ({ ...definition(), id: 'p'.repeat(64) }),
};

describe('request schemas agree with the protocol', () => {
  describe('poll definitions', () => {
    it('when the vectors hold polls, then both schemas accept each one as a definition', () => {
      expect(VECTOR_POLLS).to.not.have.length(0);
      for (const poll of [...VECTOR_POLLS, POLL_IN]) {
        expect(PollDefinitionSchema.safeParse(poll).success, `protocol: ${poll.id ?? ''}`).to.equal(true);
        expect(PollInSchema.safeParse(poll).success, `gateway: ${poll.id ?? ''}`).to.equal(true);
      }
    });

    for (const [name, make] of Object.entries(AT_LIMITS)) {
      it(`when a definition has ${name}, then both accept it`, () => {
        expect(PollDefinitionSchema.safeParse(make()).success).to.equal(true);
        expect(PollInSchema.safeParse(make()).success).to.equal(true);
      });
    }

    for (const [name, make] of Object.entries(REFUSED)) {
      it(`when a definition has ${name}, then the protocol refuses it and so does the gateway`, () => {
        expect(PollDefinitionSchema.safeParse(make()).success, 'protocol').to.equal(false);
        expect(PollInSchema.safeParse(make()).success, 'gateway').to.equal(false);
      });
    }

    it('when fields the chaincode sets itself are sent, then both drop them', () => {
      const sent = { ...POLL_IN, status: 'tallied', ownerMsp: 'Evil', createdTxId: 'x' };
      expect(PollInSchema.parse(sent)).to.deep.equal(PollDefinitionSchema.parse(sent)).and.not.have.property('status');
    });
  });

  describe('records the gateway answers with', () => {
    it('when the vectors hold stored polls, ballots, results and receipts, then the REST schemas accept them', () => {
      for (const poll of [...VECTOR_POLLS, POLL]) expect(PollSchema.safeParse(poll).success, poll.id).to.equal(true);
      for (const vector of rootVectors) {
        expect(ResultsSchema.safeParse(vector.results).success, vector.name).to.equal(true);
        for (const ballot of vector.ballots) expect(BallotSchema.safeParse(ballot).success, vector.name).to.equal(true);
      }
      for (const vector of loadVectors('receipts')) {
        expect(ReceiptSchema.safeParse({ ...vector.receipt, blockNumber: 7 }).success, vector.name).to.equal(true);
      }
    });

    it('when the protocol names its chaincode events, then the stream sends each as LedgerEvent, but BallotsCast, split per ballot', () => {
      const namesOf = (name: z.ZodType): unknown[] => (name instanceof z.ZodLiteral ? [...name.values] : name instanceof z.ZodEnum ? name.options : []);
      const sent = LedgerEventSchema.options.flatMap((option) => namesOf(option.shape.eventName));
      const names = ChaincodeEventSchema.options.flatMap((option) => namesOf(option.shape.eventName));
      expect([...sent, BALLOTS_CAST]).to.have.members(names);
    });

    it('when a live count is answered, then ballotsRoot is a required hash, never null', () => {
      const results = rootVectors[0]!.results;
      expect(ResultsSchema.safeParse({ ...results, final: false, status: 'open' }).success).to.equal(true);
      expect(ResultsSchema.safeParse({ ...results, ballotsRoot: null }).success).to.equal(false);
    });

    it('when the REST Poll is the protocol Poll, then a stored poll missing a protocol field is refused', () => {
      const partial: Partial<Poll> = { ...POLL };
      delete partial.updatedTxId;
      expect(ProtocolPollSchema.safeParse(partial).success).to.equal(false);
      expect(PollSchema.safeParse(partial).success).to.equal(false);
    });
  });

  describe('limits, ids and statuses', () => {
    const { min, max } = Limits.listPageSize;
    for (const size of [min - 1, min, max, max + 1]) {
      it(`when a page size of ${size} is asked, then the gateway decides as ListPolls would`, () => {
        expect(ListPollsQuerySchema.safeParse({ pageSize: String(size) }).success).to.equal(Args.listPageSize.safeParse(String(size)).success);
      });
    }

    for (const length of [Limits.bookmarkLength, Limits.bookmarkLength + 1]) {
      it(`when a bookmark of ${length} chars is sent, then the gateway decides as ListPolls would`, () => {
        const bookmark = 'b'.repeat(length);
        expect(ListPollsQuerySchema.safeParse({ bookmark }).success).to.equal(Args.bookmark.safeParse(bookmark).success);
      });
    }

    for (const status of [...PollStatuses, 'running', 'OPEN']) {
      it(`when the status filter is "${status}", then the gateway decides as ListPolls would`, () => {
        expect(ListPollsQuerySchema.safeParse({ status }).success).to.equal(Args.status.safeParse(status).success);
      });
    }

    const tally = Limits.tallyBatch;
    for (const maxBallots of [tally.min - 1, tally.min, tally.max, tally.max + 1]) {
      it(`when maxBallots is ${maxBallots}, then the tally body and the gateway setting decide as TallyPoll would`, () => {
        const protocol = Args.maxBallots.safeParse(String(maxBallots)).success;
        expect(TallyInSchema.safeParse({ maxBallots }).success).to.equal(protocol);
        expect(configAccepts({ GATEWAY_TALLY_BATCH_SIZE: String(maxBallots) })).to.equal(protocol);
      });
    }

    it('when path ids are checked, then poll, ballot and transaction ids follow the protocol patterns', () => {
      for (const id of ['p1', 'p~1', '', 'p'.repeat(64), 'p'.repeat(65), 'a_b-C9', '-a']) {
        expect(PollIdSchema.safeParse(id).success, id).to.equal(Args.pollId.safeParse(id).success);
      }
      for (const id of ['c'.repeat(64), 'C'.repeat(64), 'c'.repeat(63), 'g'.repeat(64)]) {
        expect(BallotIdSchema.safeParse(id).success, id).to.equal(Args.ballotId.safeParse(id).success);
        expect(TxIdSchema.safeParse(id).success, id).to.equal(Args.ballotId.safeParse(id).success);
      }
    });
  });

  describe('answers', () => {
    const ballot = (answers: unknown) => BallotInSchema.safeParse({ citizenId: 'c-1', answers }).success;

    for (const vector of answersVectors) {
      it(`when a ballot is "${vector.name}", then the gateway refuses it only if the chaincode would`, () => {
        if ('canonical' in vector.outcome) {
          expect(ballot(vector.answers)).to.equal(true);
          expect(ballot(vector.outcome.canonical)).to.equal(true);
        } else if (!ballot(vector.answers)) {
          expect(vector.outcome).to.have.property('error');
        }
      });
    }

    it('when answers follow the protocol schema, then the gateway accepts them, keys and option lists alike', () => {
      const answers = { q1: ['red'], 'Q_2-x': ['a', 'b'], ['q'.repeat(64)]: [] };
      expect(AnswersSchema.safeParse(answers).success).to.equal(true);
      expect(ballot(answers)).to.equal(true);
      const most = { q1: options(Limits.optionsPerQuestion.max).map((o) => o.id) };
      expect(ballot(most)).to.equal(true);
      expect(ballot({ q1: [...most.q1, 'one-more'] })).to.equal(false);
    });

    it('when an answer key is not a protocol id, then it is left to the chaincode, which names it (INVALID_ANSWER)', () => {
      const answers = { 'a question id: with spaces': ['x'] };
      expect(AnswersSchema.safeParse(answers).success).to.equal(false);
      expect(ballot(answers)).to.equal(true);
    });
  });

  describe('roles', () => {
    it('when the gateway lists roles, then they are the protocol roles, in the same order', () => {
      expect([...ROLES]).to.deep.equal([...PROTOCOL_ROLES]);
    });

    it('when routes grant access, then every role named is a protocol role and every protocol role has a route', () => {
      const granted = new Set(Object.values(ROUTES).flatMap((route) => (route.access === 'public' ? [] : [...route.access])));
      expect([...granted].sort()).to.deep.equal([...PROTOCOL_ROLES].sort());
    });

    it('when API keys are configured, then exactly the protocol roles are accepted', () => {
      for (const role of PROTOCOL_ROLES) expect(configAccepts(keyFor(role)), role).to.equal(true);
      expect(configAccepts(keyFor('root'))).to.equal(false);
    });
  });
});

const BASE_ENV = {
  GATEWAY_PEER_ENDPOINT: 'localhost:7051',
  GATEWAY_TLS_CA_CERT: '/ca.pem',
  GATEWAY_MSP_ID: 'CityMSP',
  GATEWAY_IDENTITIES: JSON.stringify(Object.fromEntries(PROTOCOL_ROLES.map((role) => [role, { certPath: '/c', keyPath: '/k' }]))),
  GATEWAY_API_KEYS: JSON.stringify([{ id: 'k', sha256: 'a'.repeat(64), role: 'auditor' }]),
  GATEWAY_VOTER_TOKEN_SECRET: 's'.repeat(32),
};

function keyFor(role: string): Record<string, string> {
  return { GATEWAY_API_KEYS: JSON.stringify([{ id: 'k', sha256: 'a'.repeat(64), role }]) };
}

function configAccepts(env: Record<string, string>): boolean {
  try {
    loadConfig({ ...BASE_ENV, ...env });
    return true;
  } catch {
    return false;
  }
}
