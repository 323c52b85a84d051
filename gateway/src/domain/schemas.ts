import {
  BALLOT_CAST,
  BallotCastPayloadSchema,
  BallotPositionSchema,
  BallotSchema,
  CastBallotResultSchema,
  CountsSchema,
  IdSchema,
  IsoDateTimeSchema,
  Limits,
  PollDefinitionSchema,
  PollEventNames,
  PollEventPayloadSchema,
  PollPageSchema,
  PollSchema,
  PollStatusSchema,
  ResultsSchema,
  Sha256HexSchema,
  TallyProgressSchema as LedgerTallyProgressSchema,
  TxIdSchema,
  VoterTokenSchema,
  type PollDefinitionInput,
  type PollEventName,
} from '@poll-ledger/protocol';
import { z } from 'zod';

/**
 * The REST contract shapes (docs/api.md), built from the protocol's schemas so the gateway refuses what the
 * chaincode would refuse, with the same ids, limits and statuses. The same schemas validate requests and
 * generate the OpenAPI document; `.meta({ id })` names them as components (the protocol names PollIn, Poll,
 * Question, Option, Ballot and Results itself).
 */

export const PollIdSchema = IdSchema;
export const BallotIdSchema = VoterTokenSchema;
export { BallotSchema, PollSchema, ResultsSchema, TxIdSchema };

/** The body of `POST /v1/polls`: the protocol's poll definition (unknown fields are dropped). */
export const PollInSchema = PollDefinitionSchema;

export const PollListSchema = PollPageSchema.meta({ id: 'PollList' });

export const ListPollsQuerySchema = z.object({
  status: PollStatusSchema.optional(),
  pageSize: z.coerce.number().int().min(Limits.listPageSize.min).max(Limits.listPageSize.max).default(20),
  bookmark: z.string().max(Limits.bookmarkLength).default(''),
});

// Answers are shape-checked only: the protocol takes any JSON here and the chaincode checks the fit to the poll,
// naming a bad question or option precisely (INVALID_ANSWER), which an id pattern here would pre-empt.
const answerId = z.string().min(1).max(256);
export const AnswersInSchema = z
  .record(answerId, z.array(answerId).max(Limits.optionsPerQuestion.max))
  .meta({ description: 'question id → chosen option ids', example: { q1: ['red'], q2: ['usb', 'wifi'] } });

/** How far a platform's votedAt may be ahead of the gateway's clock (skew); up to this it counts as now. */
export const VOTED_AT_MAX_SKEW_MS = 30_000;

export const BallotInSchema = z
  .object({
    citizenId: z.string().min(1).max(256).meta({ description: 'Never stored, logged or sent to the ledger' }),
    answers: AnswersInSchema,
    votedAt: IsoDateTimeSchema.optional().meta({
      description:
        'When the citizen cast this ballot, by the platform’s clock. It orders a voter’s ballots: a ballot dated before ' +
        'the recorded one is refused (409 SUPERSEDED). Without it, the time the gateway first saw the Idempotency-Key ' +
        `is used. At most ${String(VOTED_AT_MAX_SKEW_MS / 1000)} s ahead of the gateway's clock, which it then counts as now.`,
      example: '2026-05-01T08:00:00.000Z',
    }),
  })
  .meta({ id: 'BallotIn' });

export const ReceiptSchema = CastBallotResultSchema.pick({ pollId: true, ballotId: true, txId: true, ballotHash: true })
  .extend({
    blockNumber: z.int().min(0),
    position: BallotPositionSchema.optional().meta({
      description: 'Only for a ballot written by a CastBallots transaction (the gateway casts concurrent ballots together): its index in that transaction’s ballots',
    }),
  })
  .meta({ id: 'Receipt' });

export const TallyInSchema = z
  .object({
    maxBallots: z
      .int()
      .min(Limits.tallyBatch.min)
      .max(Limits.tallyBatch.max)
      .optional()
      .meta({ description: 'ballots per TallyPoll transaction' }),
  })
  .meta({ id: 'TallyIn' });

export const TallyProgressSchema = LedgerTallyProgressSchema.extend({
  processed: z.int().min(0).meta({ description: 'ballots counted by this request' }),
  batches: z.int().min(1).meta({ description: 'TallyPoll transactions run by this request' }),
  results: ResultsSchema.optional(),
}).meta({ id: 'TallyProgress' });

export const TransactionStatusSchema = z
  .object({
    txId: TxIdSchema,
    committed: z.boolean(),
    valid: z.boolean(),
    status: z.string().meta({ description: 'PENDING while the peer does not know the transaction, else its validation code name' }),
    validationCode: z.int().nullable(),
    blockNumber: z.int().nullable(),
    outcome: z.enum(['PENDING', 'COMMITTED', 'FAILED']).meta({
      description:
        'Where the request stands. For a transaction the gateway answered 202 for, it follows the gateway’s work on it ' +
        '(resubmitted, or endorsed anew as another transaction) and always ends COMMITTED or FAILED; else it is what the ledger says.',
    }),
    receipt: ReceiptSchema.optional().meta({ description: 'for a ballot, once COMMITTED: its receipt (its txId may be a renewal’s)' }),
    error: z
      .object({ code: z.string(), message: z.string() })
      .optional()
      .meta({ description: 'once FAILED: why; nothing was recorded by the request' }),
  })
  .meta({ id: 'TransactionStatus' });

/**
 * An SSE event id: the event's block and its ordinal among this chaincode's events in that block, and for a ballot
 * of a BallotsCast event (one per CastBallots transaction, sent as one BallotCast per ballot) its position.
 */
export const EVENT_ID = /^(\d{1,19}):(\d{1,9})(?::(\d{1,2}))?$/;
export const EventIdSchema = z.string().regex(EVENT_ID, 'must be <block>:<index> or <block>:<index>:<position>').meta({ example: '42:0' });

// The protocol's events with their place on the ledger: the stream checks every event with this before sending it.
// A BallotsCast event is never sent as such: each of its ballots is a BallotCast with its position (domain/events.ts).
const eventPlace = { id: EventIdSchema, blockNumber: z.int().min(0), txId: TxIdSchema };
const pollEventNames = Object.values(PollEventNames) as [PollEventName, ...PollEventName[]];
export const LedgerEventSchema = z
  .discriminatedUnion('eventName', [
    z.strictObject({
      ...eventPlace,
      position: BallotPositionSchema.optional().meta({ description: 'Only for a ballot of a CastBallots transaction: its index in it' }),
      eventName: z.literal(BALLOT_CAST),
      payload: BallotCastPayloadSchema,
    }),
    z.strictObject({ ...eventPlace, eventName: z.enum(pollEventNames), payload: PollEventPayloadSchema }),
  ])
  .meta({ id: 'LedgerEvent' });

/** A live poll's running count as the gateway keeps it from the chain's events (domain/running-counts.ts). */
export const RunningResultsSchema = z
  .strictObject({
    pollId: IdSchema,
    status: PollStatusSchema,
    final: z.literal(false),
    ballotCount: z.int().min(0),
    counts: CountsSchema,
    ballotsRoot: Sha256HexSchema.meta({ description: 'head of the hash chain over the ballots counted, in key order' }),
    asOfBlock: z.int().min(-1).meta({ description: 'every ballot committed up to this block is counted', example: 1204 }),
    source: z.literal('running-count').meta({ description: 'kept from ballot events; ?recount=true asks the chaincode to recount every ballot' }),
  })
  .meta({ id: 'RunningResults' });

export const ResultsOrRunningSchema = z.union([ResultsSchema, RunningResultsSchema]);

export type PollIn = PollDefinitionInput;
export type Poll = z.output<typeof PollSchema>;
export type PollList = z.output<typeof PollListSchema>;
export type ListPollsQuery = z.output<typeof ListPollsQuerySchema>;
export type AnswersIn = z.output<typeof AnswersInSchema>;
export type BallotIn = z.output<typeof BallotInSchema>;
export type Receipt = z.output<typeof ReceiptSchema>;
export type Ballot = z.output<typeof BallotSchema>;
export type Results = z.output<typeof ResultsSchema>;
export type RunningResults = z.output<typeof RunningResultsSchema>;
export type TallyProgress = z.output<typeof TallyProgressSchema>;
export type TransactionStatus = z.output<typeof TransactionStatusSchema>;
