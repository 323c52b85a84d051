import type { Ballot, BallotIn, Poll, PollIn, PollList, Receipt, Results, TallyProgress, TransactionStatus } from '../domain/schemas';
import type { ErrorCode } from '../errors';
import type { RouteId, SseEvent } from './routes';

/**
 * An example of every operation's request body and success responses, for the OpenAPI document (error responses
 * get theirs from ERROR_EXAMPLES). test/openapi.test.ts checks each against its documented schema.
 */
export interface OperationExamples {
  readonly request?: unknown;
  readonly responses: Readonly<Record<number, unknown>>;
}

const TX = '8c4f3a9b2e1d7c6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f';
const TX2 = '1f2e3d4c5b6a79880716253443526170f1e2d3c4b5a69788796a5b4c3d2e1f0a';
const BALLOT_ID = '5d41402abc4b2a76b9719d911017c592e3b0c44298fc1c149afbf4c8996fb924';
const BALLOT_HASH = '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';
const ROOT = 'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9';

const POLL_IN: PollIn = {
  id: 'trams',
  title: 'Colour of the new trams',
  description: 'The city buys 40 trams in 2027.',
  questions: [
    {
      id: 'q1',
      text: 'Which colour?',
      type: 'single',
      minChoices: 1,
      maxChoices: 1,
      options: [
        { id: 'red', text: 'Red' },
        { id: 'blue', text: 'Blue' },
      ],
    },
    {
      id: 'q2',
      text: 'Which extras?',
      type: 'multi',
      minChoices: 0,
      maxChoices: 2,
      options: [
        { id: 'usb', text: 'USB chargers' },
        { id: 'wifi', text: 'Wi-Fi' },
      ],
    },
  ],
  opensAt: '2026-05-01T08:00:00Z',
  closesAt: '2026-05-15T20:00:00Z',
  revotePolicy: 'last-counts',
  resultsVisibility: 'live',
};

const poll = (status: Poll['status']): Poll => ({
  ...POLL_IN,
  id: 'trams',
  description: POLL_IN.description ?? '',
  opensAt: '2026-05-01T08:00:00.000Z',
  closesAt: '2026-05-15T20:00:00.000Z',
  ownerMsp: 'CityMSP',
  status,
  createdTxId: TX2,
  updatedTxId: status === 'draft' ? TX2 : TX,
});

const PENDING = { txId: TX, statusUrl: `/v1/transactions/${TX}` };
/** A ballot cast in a CastBallots transaction with others: its status URL names it. */
const PENDING_BALLOT = { txId: TX, statusUrl: `/v1/transactions/${TX}?position=3`, position: 3 };

const RESULTS: Results = {
  pollId: 'trams',
  status: 'tallied',
  final: true,
  ballotCount: 3,
  counts: { q1: { blue: 1, red: 2 }, q2: { usb: 1, wifi: 2 } },
  ballotsRoot: ROOT,
};

const RECEIPT: Receipt = { pollId: 'trams', ballotId: BALLOT_ID, txId: TX, blockNumber: 42, ballotHash: BALLOT_HASH };
const BATCHED_RECEIPT: Receipt = { ...RECEIPT, position: 3 };

const BALLOT_IN: BallotIn = { citizenId: 'c-123', answers: { q1: ['red'], q2: ['usb', 'wifi'] }, votedAt: '2026-05-02T09:30:00.000Z' };

const BALLOT: Ballot = {
  pollId: 'trams',
  ballotId: BALLOT_ID,
  answers: { q1: ['red'], q2: ['usb', 'wifi'] },
  castAt: '2026-05-02T09:30:01.250Z',
  txId: TX,
  ballotHash: BALLOT_HASH,
};

const LIST: PollList = { polls: [poll('open')], bookmark: '', fetched: 1 };

const TALLY: TallyProgress = { pollId: 'trams', processed: 3, ballotCount: 3, done: true, status: 'tallied', batches: 1, results: RESULTS };

const STATUS: TransactionStatus = {
  txId: TX,
  committed: true,
  valid: true,
  status: 'VALID',
  validationCode: 0,
  blockNumber: 42,
  outcome: 'COMMITTED',
};

const EVENT: SseEvent = {
  id: '42:0',
  data: {
    id: '42:0',
    blockNumber: 42,
    txId: TX,
    eventName: 'BallotCast',
    payload: { pollId: 'trams', ballotId: BALLOT_ID, ballotHash: BALLOT_HASH, txId: TX },
  },
};

export const EXAMPLES: Readonly<Record<RouteId, OperationExamples>> = {
  createPoll: { request: POLL_IN, responses: { 201: poll('draft'), 202: PENDING } },
  listPolls: { responses: { 200: LIST } },
  getPoll: { responses: { 200: poll('open') } },
  openPoll: { responses: { 200: poll('open'), 202: PENDING } },
  closePoll: { responses: { 200: poll('closed'), 202: PENDING } },
  cancelPoll: { responses: { 200: poll('cancelled'), 202: PENDING } },
  tallyPoll: { request: { maxBallots: 1000 }, responses: { 200: TALLY, 202: PENDING } },
  getResults: { responses: { 200: RESULTS } },
  castBallot: { request: BALLOT_IN, responses: { 201: BATCHED_RECEIPT, 200: RECEIPT, 202: PENDING_BALLOT } },
  getBallot: { responses: { 200: BALLOT } },
  getTransaction: { responses: { 200: { ...STATUS, receipt: BATCHED_RECEIPT } } },
  streamEvents: { responses: { 200: EVENT } },
  healthz: { responses: { 200: { status: 'ok' } } },
  openapi: { responses: { 200: { openapi: '3.0.3', info: { title: 'poll-ledger gateway', version: '1' }, paths: {} } } },
  docs: { responses: { 200: '<!doctype html><html lang="en"><head><title>poll-ledger gateway API</title>…' } },
};

/** A message per error code for the examples of error responses; a code without one gets its name. */
export const ERROR_EXAMPLES: Partial<Record<ErrorCode, { readonly message: string; readonly details?: Readonly<Record<string, unknown>> }>> = {
  INVALID_ARGUMENT: {
    message: 'invalid request body',
    details: { issues: [{ in: 'body', path: 'closesAt', code: 'custom', message: 'opensAt must be before closesAt' }] },
  },
  INVALID_ANSWER: { message: 'the question has no such option', details: { reason: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'green' } },
  INVALID_JSON: { message: 'request body is not valid JSON' },
  UNAUTHENTICATED: { message: 'missing or unknown X-API-Key' },
  FORBIDDEN: { message: 'role auditor may not call this route' },
  NOT_FOUND: { message: 'poll trams does not exist' },
  POLL_NOT_OPEN: { message: 'poll trams is not open' },
  ALREADY_VOTED: { message: 'this voter has already voted in poll trams' },
  SUPERSEDED: { message: 'a later ballot of this voter is already recorded' },
  INVALID_STATE: { message: 'poll trams is tallied; it cannot be opened' },
  ALREADY_EXISTS: { message: 'poll trams already exists' },
  LEDGER_CONFLICT: { message: `transaction ${TX} was invalidated: MVCC_READ_CONFLICT`, details: { txId: TX, validationCode: 'MVCC_READ_CONFLICT' } },
  PAYLOAD_TOO_LARGE: { message: 'request body is too large' },
  IDEMPOTENCY_KEY_REUSED: { message: 'this Idempotency-Key was used for a different ballot' },
  RATE_LIMITED: { message: 'too many requests for this API key' },
  LEDGER_BAD_RESPONSE: {
    message: "the ledger's answer to GetPoll does not follow the protocol",
    details: { transaction: 'GetPoll', issues: [{ path: 'status', message: 'Invalid option' }] },
  },
  LEDGER_UNAVAILABLE: { message: 'the ledger is not reachable', details: { grpcStatus: 'UNAVAILABLE' } },
};
