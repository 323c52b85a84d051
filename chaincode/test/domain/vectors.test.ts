import { readdirSync } from 'node:fs';
import {
  CastBallotResultSchema,
  type ErrorPayload,
  VECTORS_DIR,
  decodeChaincodeError,
  loadVectors,
} from '@poll-ledger/protocol';
import { expect } from 'chai';
import {
  ballotHash,
  ballotHashText,
  compareStrings,
  isSuperseded,
  receiptOf,
  retriedReceipt,
  validateAnswers,
} from '../../src/domain/ballot';
import { canonicalJson } from '../../src/domain/canonical';
import {
  AlreadyExistsError,
  AlreadyVotedError,
  ForbiddenError,
  InvalidAnswerError,
  InvalidArgumentError,
  InvalidStateError,
  NotFoundError,
  type PollLedgerError,
  PollNotOpenError,
  SupersededError,
} from '../../src/domain/errors';
import { finalResults } from '../../src/domain/results';
import { addBallots, emptyTally, referenceTally } from '../../src/domain/tally';
import { thrownBy } from '../support/refusals';

/** The protocol's language-neutral vectors, each reproduced by the chaincode's own implementation of the rules. */

const VECTOR_FILES = [
  'canonical-json',
  'ballot-hash',
  'ballots-root',
  'answers',
  'receipts',
  'cast-results',
  'error-payloads',
  'revote-order',
] as const;

describe('protocol vectors', () => {
  it('when the protocol ships vector files, then every one of them is checked here', () => {
    const shipped = readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect([...shipped].sort()).to.deep.equal([...VECTOR_FILES].sort());
  });

  describe('canonical-json', () => {
    for (const v of loadVectors('canonical-json')) {
      it(`when ${v.name}, then canonicalJson gives the canonical text`, () => {
        expect(canonicalJson(v.value)).to.equal(v.canonical);
      });
    }
  });

  describe('ballot-hash', () => {
    for (const v of loadVectors('ballot-hash')) {
      it(`when ${v.name} is hashed, then the canonical text and the hash match`, () => {
        expect(ballotHashText(v.content)).to.equal(v.canonical);
        expect(ballotHash(v.content)).to.equal(v.ballotHash);
      });
    }
  });

  describe('ballots-root', () => {
    for (const v of loadVectors('ballots-root')) {
      it(`when ${v.name} is tallied, then the chain heads, counts and root match`, () => {
        for (const ballot of v.ballots) {
          expect(ballotHash(ballot)).to.equal(ballot.ballotHash);
        }
        const inKeyOrder = [...v.ballots].sort((a, b) => compareStrings(a.ballotId, b.ballotId));
        const heads = inKeyOrder.map((_, i) => addBallots(emptyTally(v.poll), inKeyOrder.slice(0, i + 1)).ballotsRoot);
        expect([emptyTally(v.poll).ballotsRoot, ...heads]).to.deep.equal(v.chain);
        const tally = referenceTally(v.poll, v.ballots);
        const state = { pollId: v.poll.id, cursor: '', done: true, ...tally };
        expect(finalResults(v.poll, state)).to.deep.equal(v.results);
      });
    }
  });

  describe('answers', () => {
    for (const v of loadVectors('answers')) {
      it(`when the answers are ${v.name}, then validateAnswers gives the same outcome`, () => {
        if ('canonical' in v.outcome) {
          expect(canonicalJson(validateAnswers(v.poll, v.answers))).to.equal(canonicalJson(v.outcome.canonical));
          return;
        }
        const refusal = thrownBy(() => validateAnswers(v.poll, v.answers));
        expect(refusal.code).to.equal(v.outcome.error.code);
        if ('details' in v.outcome.error) {
          expect(refusal).to.deep.include({ details: v.outcome.error.details });
        }
      });
    }
  });

  describe('receipts', () => {
    for (const v of loadVectors('receipts')) {
      it(`when the receipt is ${v.name}, then a retry yields it only if it matches (${v.matches})`, () => {
        const { ballot } = v;
        const requests = [ballot.requestId ?? '', ...(ballot.earlierRequests ?? []).map((r) => r.requestId)];
        const receipts = requests.map((requestId) => retriedReceipt(ballot, requestId));
        const key = ({ pollId, ballotId, ballotHash: hash, txId }: typeof v.receipt) =>
          canonicalJson({ pollId, ballotId, ballotHash: hash, txId });
        const found = receipts.find((r) => r !== undefined && key(r) === key(v.receipt));
        if (v.matches === 'none') {
          expect(found).to.equal(undefined);
          return;
        }
        const superseded = v.matches === 'earlier' ? { superseded: true } : {};
        expect(found).to.deep.equal({ ...v.receipt, replaced: false, duplicate: true, ...superseded });
        if (v.matches === 'current') {
          expect(receiptOf(ballot, { replaced: false, duplicate: true })).to.deep.equal(found);
        }
      });
    }
  });

  describe('cast-results', () => {
    for (const v of loadVectors('cast-results')) {
      it(`when the result is ${v.name}, then its canonical JSON matches and the schema accepts it`, () => {
        expect(canonicalJson(v.result)).to.equal(v.canonical);
        expect(CastBallotResultSchema.parse(JSON.parse(v.canonical))).to.deep.equal(v.result);
      });
    }
  });

  describe('revote-order', () => {
    for (const v of loadVectors('revote-order')) {
      it(`when ${v.name}, then isSuperseded says ${v.outcome}`, () => {
        expect(isSuperseded(v.stored, v.incoming) ? 'SUPERSEDED' : 'replace').to.equal(v.outcome);
      });
    }
  });

  describe('error-payloads', () => {
    const simple: Readonly<Record<string, (text: string) => PollLedgerError>> = {
      FORBIDDEN: (text) => new ForbiddenError(text),
      NOT_FOUND: (text) => new NotFoundError(text),
      POLL_NOT_OPEN: (text) => new PollNotOpenError(text),
      ALREADY_VOTED: (text) => new AlreadyVotedError(text),
      INVALID_STATE: (text) => new InvalidStateError(text),
      ALREADY_EXISTS: (text) => new AlreadyExistsError(text),
      SUPERSEDED: (text) => new SupersededError(text),
    };
    const errorFor = (payload: ErrorPayload): PollLedgerError => {
      switch (payload.code) {
        case 'INVALID_ANSWER':
          return new InvalidAnswerError(payload.details, payload.message);
        case 'INVALID_ARGUMENT':
          return new InvalidArgumentError(payload.message, payload.details?.field);
        default:
          return (simple[payload.code] ?? expect.fail(`no error class for ${payload.code}`))(payload.message);
      }
    };

    for (const v of loadVectors('error-payloads')) {
      const { payload } = v;
      if (payload === null) {
        continue; // not a payload of this protocol: nothing the chaincode makes
      }
      it(`when the chaincode refuses with ${v.name} (${payload.message}), then its message is the vector's`, () => {
        const decoded = decodeChaincodeError(v.message);
        expect(decoded).to.deep.equal(payload);
        const error = errorFor(decoded ?? expect.fail('the vector does not decode'));
        expect(error.message).to.equal(v.message);
        expect(error.code).to.equal(payload.code);
      });
    }
  });
});
