import { z } from 'zod';

/**
 * The contract shapes of BRIEF §4. The same schemas validate requests and generate the OpenAPI
 * document; `.meta({ id })` names them as components.
 */

export const POLL_STATUSES = ['draft', 'open', 'closed', 'tallied', 'cancelled'] as const;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const PollIdSchema = z.string().regex(ID_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
export const HexIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex chars');
// Shape checks only; the chaincode is the authority on the rest (calendar dates, opensAt < closesAt,
// choice bounds against the options), so its INVALID_ARGUMENT / INVALID_ANSWER messages stay precise.
const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'must be an ISO 8601 date-time with a zone')
  .meta({ description: 'ISO 8601 date-time with a zone (Z or ±hh:mm)', example: '2026-05-01T08:00:00Z' });

export const OptionSchema = z.object({ id: PollIdSchema, text: z.string().min(1).max(200) }).meta({ id: 'Option' });

export const QuestionSchema = z
  .object({
    id: PollIdSchema,
    text: z.string().min(1).max(500),
    type: z.enum(['single', 'multi']),
    minChoices: z.number().int().min(0),
    maxChoices: z.number().int().min(1),
    options: z.array(OptionSchema).min(1).max(100),
  })
  .meta({ id: 'Question' });

export const PollInSchema = z
  .object({
    id: PollIdSchema.optional(),
    title: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    questions: z.array(QuestionSchema).min(1).max(50),
    opensAt: isoTime,
    closesAt: isoTime,
    revotePolicy: z.enum(['none', 'last-counts']),
    resultsVisibility: z.enum(['live', 'after-close']),
  })
  .meta({ id: 'PollIn' });

export const PollSchema = PollInSchema.extend({
  id: PollIdSchema,
  ownerMsp: z.string(),
  status: z.enum(POLL_STATUSES),
  createdTxId: z.string().optional(),
  updatedTxId: z.string().optional(),
}).meta({ id: 'Poll' });

export const PollListSchema = z
  .object({ polls: z.array(PollSchema), bookmark: z.string(), fetched: z.number().int() })
  .meta({ id: 'PollList' });

export const ListPollsQuerySchema = z.object({
  status: z.enum(POLL_STATUSES).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  bookmark: z.string().max(1000).default(''),
});

// Answer ids are not pattern-checked here: the chaincode names a bad one precisely (INVALID_ANSWER).
const answerId = z.string().min(1).max(256);
export const AnswersSchema = z
  .record(answerId, z.array(answerId).max(100))
  .meta({ description: 'question id → chosen option ids', example: { q1: ['red'], q2: ['wifi', 'usb'] } });

export const BallotInSchema = z
  .object({
    citizenId: z.string().min(1).max(256).meta({ description: 'Never stored, logged or sent to the ledger' }),
    answers: AnswersSchema,
  })
  .meta({ id: 'BallotIn' });

export const ReceiptSchema = z
  .object({ pollId: z.string(), ballotId: HexIdSchema, txId: z.string(), blockNumber: z.number().int(), ballotHash: z.string() })
  .meta({ id: 'Receipt' });

export const BallotSchema = z
  .object({
    pollId: z.string(),
    ballotId: HexIdSchema,
    answers: AnswersSchema,
    castAt: z.string(),
    txId: z.string(),
    ballotHash: z.string(),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Ballot' });

export const ResultsSchema = z
  .object({
    pollId: z.string(),
    status: z.enum(POLL_STATUSES),
    final: z.boolean(),
    ballotCount: z.number().int(),
    counts: z.record(z.string(), z.record(z.string(), z.number().int())),
    ballotsRoot: z.string().nullable().meta({ description: 'null for live counts aggregated page by page' }),
  })
  .meta({ id: 'Results' });

export const TallyInSchema = z
  .object({ maxBallots: z.number().int().min(1).max(5000).optional().meta({ description: 'ballots per TallyPoll transaction' }) })
  .meta({ id: 'TallyIn' });

export const TallyProgressSchema = z
  .object({
    pollId: z.string(),
    done: z.boolean(),
    status: z.enum(POLL_STATUSES),
    batches: z.number().int(),
    processed: z.number().int(),
    ballotCount: z.number().int(),
    results: ResultsSchema.optional(),
  })
  .meta({ id: 'TallyProgress' });

export const TransactionStatusSchema = z
  .object({
    txId: HexIdSchema,
    committed: z.boolean(),
    valid: z.boolean(),
    status: z.string().meta({ description: 'PENDING while the peer does not know the transaction, else its validation code name' }),
    validationCode: z.number().int().nullable(),
    blockNumber: z.number().int().nullable(),
  })
  .meta({ id: 'TransactionStatus' });

export const LedgerEventSchema = z
  .object({ id: z.string(), blockNumber: z.number().int(), txId: z.string(), eventName: z.string(), payload: z.unknown() })
  .meta({ id: 'LedgerEvent' });

export type PollIn = z.output<typeof PollInSchema>;
export type Poll = z.output<typeof PollSchema>;
export type PollList = z.output<typeof PollListSchema>;
export type PollStatus = (typeof POLL_STATUSES)[number];
export type ListPollsQuery = z.output<typeof ListPollsQuerySchema>;
export type Answers = z.output<typeof AnswersSchema>;
export type BallotIn = z.output<typeof BallotInSchema>;
export type Receipt = z.output<typeof ReceiptSchema>;
export type Ballot = z.output<typeof BallotSchema>;
export type Results = z.output<typeof ResultsSchema>;
export type TallyProgress = z.output<typeof TallyProgressSchema>;
export type TransactionStatus = z.output<typeof TransactionStatusSchema>;
