import { z } from 'zod';
import type { ErrorCode } from './errors';
import { ErrorPayloadSchema } from './errors';
import { BALLOT_CAST, BALLOTS_CAST, PollEventNames } from './events';
import {
  IdSchema,
  IsoDateTimeSchema,
  Sha256HexSchema,
  StoredTimeSchema,
  TxIdSchema,
  VoterTokenSchema,
  Patterns,
} from './ids';
import { type Bounds, Limits } from './limits';
import {
  BallotPositionSchema,
  BallotSchema,
  CountsSchema,
  PollDefinitionSchema,
  PollSchema,
  PollStatusSchema,
  PollStatuses,
  ResultsSchema,
} from './records';

/**
 * Every transaction of the `polls` chaincode: its arguments (all strings, in order), its result (canonical JSON
 * text), the event it emits and who may call it. The chaincode parses its arguments with these schemas, the
 * gateway checks every result against them, and docs/protocol.md is generated from this table.
 */

/** A JSON-text argument whose parsed value must satisfy `schema`. */
export function jsonArgument<T extends z.ZodType>(schema: T, description: string) {
  return z
    .string()
    .meta({ description })
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A decimal integer argument, such as a page size. */
export const decimalArgument = (bounds: Bounds) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, 'must be a decimal integer')
    .transform(Number)
    .pipe(z.int().min(bounds.min).max(bounds.max));

/** An argument where `''` means "none". */
const orEmpty = <T extends z.ZodType<string>>(schema: T) => z.union([z.literal(''), schema]);

/**
 * One ballot of CastBallots: CastBallot's arguments after pollId. Only the shape is checked here; each field is
 * checked inside the chaincode against CastBallot's own argument rules, so a bad field refuses only its ballot.
 */
export const BallotRequestSchema = z.strictObject({
  voterToken: z.string(),
  answers: z.unknown(),
  requestId: z.string(),
  requestedAt: z.string(),
});
export type BallotRequest = z.output<typeof BallotRequestSchema>;

export const Args = {
  pollId: IdSchema,
  ballotId: VoterTokenSchema,
  voterToken: VoterTokenSchema,
  pollJson: jsonArgument(PollDefinitionSchema, 'JSON text of a Poll in'),
  /** Any JSON here; its fit to the poll is checked against the poll (INVALID_ARGUMENT / INVALID_ANSWER). */
  answersJson: jsonArgument(z.unknown(), 'JSON text: question id → chosen option ids'),
  /** `''` when the caller sent no Idempotency-Key. */
  requestId: orEmpty(z.string().regex(Patterns.requestId, 'must be 64 lowercase hex chars')),
  /**
   * When the request was first made (the gateway's first sight of its Idempotency-Key, or the platform's votedAt):
   * not after the tx timestamp. `''`: none, the tx timestamp orders the ballot.
   */
  requestedAt: orEmpty(IsoDateTimeSchema),
  ballotsJson: jsonArgument(
    z.array(BallotRequestSchema).min(Limits.castBatch.min).max(Limits.castBatch.max),
    'JSON text: an array of ballots {voterToken, answers, requestId, requestedAt}, each as CastBallot takes them',
  ),
  maxBallots: decimalArgument(Limits.tallyBatch),
  /** `''` lists every poll. */
  status: orEmpty(PollStatusSchema),
  listPageSize: decimalArgument(Limits.listPageSize),
  livePageSize: decimalArgument(Limits.livePageSize),
  /** `''` for the first page; otherwise the bookmark of the previous page of the same listing. */
  bookmark: z.string().max(Limits.bookmarkLength),
} as const;
export type ArgName = keyof typeof Args;

export const CastBallotResultSchema = z.strictObject({
  pollId: IdSchema,
  ballotId: VoterTokenSchema,
  ballotHash: Sha256HexSchema,
  txId: TxIdSchema,
  /** This ballot replaced an earlier one of the same voter (last-counts). */
  replaced: z.boolean(),
  /** The request had already written a ballot: nothing was written, and this is that ballot's receipt. */
  duplicate: z.boolean(),
  /** Only with `duplicate`: the request's ballot has since been replaced by a later one of the same voter. */
  superseded: z.literal(true).optional(),
  /** Only for a ballot written by CastBallots: its index in that transaction's ballots. */
  position: BallotPositionSchema.optional(),
});
export type CastBallotResult = z.output<typeof CastBallotResultSchema>;

/** One ballot's outcome in CastBallots: its receipt (as CastBallot's result), or its refusal, which wrote nothing. */
export const BallotOutcomeSchema = z.union([
  z.strictObject({ receipt: CastBallotResultSchema }),
  z.strictObject({ error: ErrorPayloadSchema }),
]);
export type BallotOutcome = z.output<typeof BallotOutcomeSchema>;

export const CastBallotsResultSchema = z.strictObject({
  pollId: IdSchema,
  txId: TxIdSchema,
  /** One per ballot of `ballotsJson`, in its order. */
  outcomes: z.array(BallotOutcomeSchema).min(Limits.castBatch.min).max(Limits.castBatch.max),
});
export type CastBallotsResult = z.output<typeof CastBallotsResultSchema>;

export const TallyProgressSchema = z.strictObject({
  pollId: IdSchema,
  /** Ballots counted by this transaction. */
  processed: z.int().min(0),
  ballotCount: z.int().min(0),
  done: z.boolean(),
  /** The poll's status after this transaction. */
  status: PollStatusSchema,
});
export type TallyProgress = z.output<typeof TallyProgressSchema>;

export const PollPageSchema = z.strictObject({
  polls: z.array(PollSchema),
  /** '' after the last page. */
  bookmark: z.string(),
  fetched: z.int().min(0),
});
export type PollPage = z.output<typeof PollPageSchema>;

export const LiveResultsPageSchema = z.strictObject({
  pollId: IdSchema,
  ballotCount: z.int().min(0),
  counts: CountsSchema,
  bookmark: z.string(),
  done: z.boolean(),
});
export type LiveResultsPage = z.output<typeof LiveResultsPageSchema>;

/** One version of a key, newest first as the peer returns them; `value` is null for a delete. */
const historyOf = <T extends z.ZodType>(record: T) =>
  z.array(
    z.strictObject({ txId: TxIdSchema, timestamp: StoredTimeSchema, isDelete: z.boolean(), value: record.nullable() }),
  );
export const BallotHistorySchema = historyOf(BallotSchema);
export const PollHistorySchema = historyOf(PollSchema);
export type BallotHistory = z.output<typeof BallotHistorySchema>;
export type PollHistory = z.output<typeof PollHistorySchema>;

export interface TransactionSpec {
  /** `submit`: endorsed and ordered, it may write; `evaluate`: a read-only query. */
  readonly kind: 'submit' | 'evaluate';
  readonly args: readonly ArgName[];
  readonly result: z.ZodType;
  readonly events?: readonly string[];
  readonly caller: string;
  readonly refusals: readonly ErrorCode[];
  readonly summary: string;
}

const MANAGER = 'poll-admin of CityMSP (any poll), or poll-admin of the department MSP that owns the poll';
const CLOSER = `${MANAGER}; from the poll's closesAt on (tx timestamp ≥ closesAt), any identity of a channel member`;
const ANYONE = 'any identity of a channel member';
const QUERY_REFUSALS: readonly ErrorCode[] = ['INVALID_ARGUMENT', 'NOT_FOUND'];
const TRANSITION_REFUSALS: readonly ErrorCode[] = ['FORBIDDEN', 'INVALID_ARGUMENT', 'NOT_FOUND', 'INVALID_STATE'];

export const Transactions = {
  CreatePoll: {
    kind: 'submit',
    args: ['pollJson'],
    result: PollSchema,
    events: [PollEventNames.create],
    caller: 'poll-admin of CityMSP or a department MSP; the poll belongs to the caller’s MSP',
    refusals: ['FORBIDDEN', 'INVALID_ARGUMENT', 'ALREADY_EXISTS'],
    summary: 'creates a draft poll; without an id it gets `p-` + the first 20 chars of the txId',
  },
  UpdatePoll: {
    kind: 'submit',
    args: ['pollJson'],
    result: PollSchema,
    events: [PollEventNames.update],
    caller: MANAGER,
    refusals: ['FORBIDDEN', 'INVALID_ARGUMENT', 'NOT_FOUND', 'INVALID_STATE'],
    summary: 'replaces the definition of a draft poll (pollJson must have its id)',
  },
  OpenPoll: {
    kind: 'submit',
    args: ['pollId'],
    result: PollSchema,
    events: [PollEventNames.open],
    caller: MANAGER,
    refusals: TRANSITION_REFUSALS,
    summary: 'draft → open',
  },
  ClosePoll: {
    kind: 'submit',
    args: ['pollId'],
    result: PollSchema,
    events: [PollEventNames.close],
    caller: CLOSER,
    refusals: TRANSITION_REFUSALS,
    summary: 'open → closed',
  },
  CancelPoll: {
    kind: 'submit',
    args: ['pollId'],
    result: PollSchema,
    events: [PollEventNames.cancel],
    caller: MANAGER,
    refusals: TRANSITION_REFUSALS,
    summary: 'draft or open → cancelled',
  },
  CastBallot: {
    kind: 'submit',
    args: ['pollId', 'voterToken', 'answersJson', 'requestId', 'requestedAt'],
    result: CastBallotResultSchema,
    events: [BALLOT_CAST],
    caller: 'ballot-relay of CityMSP only',
    refusals: [
      'FORBIDDEN',
      'INVALID_ARGUMENT',
      'NOT_FOUND',
      'POLL_NOT_OPEN',
      'INVALID_ANSWER',
      'ALREADY_VOTED',
      'SUPERSEDED',
    ],
    summary:
      'writes only `ballot~{pollId}~{voterToken}`; a retried requestId returns its receipt and writes nothing; ' +
      'a ballot requested before the stored one is SUPERSEDED',
  },
  CastBallots: {
    kind: 'submit',
    args: ['pollId', 'ballotsJson'],
    result: CastBallotsResultSchema,
    events: [BALLOTS_CAST],
    caller: 'ballot-relay of CityMSP only',
    // Whole-transaction refusals; each ballot's own refusal (INVALID_ARGUMENT, INVALID_ANSWER, ALREADY_VOTED,
    // SUPERSEDED) is its outcome in the result, and the others still commit.
    refusals: ['FORBIDDEN', 'INVALID_ARGUMENT', 'NOT_FOUND', 'POLL_NOT_OPEN'],
    summary:
      'many ballots of one poll: each is checked, written to its own `ballot~{pollId}~{voterToken}` and refused ' +
      'on its own as CastBallot would; a voterToken twice in one call refuses the second (INVALID_ARGUMENT). One ' +
      'BallotsCast event lists the ballots written',
  },
  TallyPoll: {
    kind: 'submit',
    args: ['pollId', 'maxBallots'],
    result: TallyProgressSchema,
    events: [PollEventNames.tally],
    caller: MANAGER,
    refusals: TRANSITION_REFUSALS,
    summary: 'counts up to maxBallots ballots after the stored cursor; the last step marks the poll tallied',
  },
  GetPoll: {
    kind: 'evaluate',
    args: ['pollId'],
    result: PollSchema,
    caller: ANYONE,
    refusals: QUERY_REFUSALS,
    summary: 'the poll record',
  },
  ListPolls: {
    kind: 'evaluate',
    args: ['status', 'listPageSize', 'bookmark'],
    result: PollPageSchema,
    caller: ANYONE,
    refusals: ['INVALID_ARGUMENT'],
    summary: 'a page of polls in id order, all or those in one status',
  },
  GetBallot: {
    kind: 'evaluate',
    args: ['pollId', 'ballotId'],
    result: BallotSchema,
    caller: ANYONE,
    refusals: QUERY_REFUSALS,
    summary: 'the ballot record as stored',
  },
  GetBallotHistory: {
    kind: 'evaluate',
    args: ['pollId', 'ballotId'],
    result: BallotHistorySchema,
    caller: ANYONE,
    refusals: QUERY_REFUSALS,
    summary: 'every version of a ballot, newest first',
  },
  GetPollHistory: {
    kind: 'evaluate',
    args: ['pollId'],
    result: PollHistorySchema,
    caller: ANYONE,
    refusals: QUERY_REFUSALS,
    summary: 'every version of a poll, newest first',
  },
  GetResults: {
    kind: 'evaluate',
    args: ['pollId'],
    result: ResultsSchema,
    caller: ANYONE,
    refusals: ['INVALID_ARGUMENT', 'NOT_FOUND', 'INVALID_STATE'],
    summary: 'the final result of a tallied poll; a complete running count (final: false) of a live one',
  },
  GetLiveResultsPage: {
    kind: 'evaluate',
    args: ['pollId', 'livePageSize', 'bookmark'],
    result: LiveResultsPageSchema,
    caller: ANYONE,
    refusals: ['INVALID_ARGUMENT', 'NOT_FOUND', 'INVALID_STATE'],
    summary: 'one page of a running count of a live poll',
  },
} as const satisfies Record<string, TransactionSpec>;

export type TransactionName = keyof typeof Transactions;
export const TRANSACTION_NAMES = Object.keys(Transactions) as TransactionName[];
/** The result type of a transaction, as its schema parses it. */
export type ResultOf<N extends TransactionName> = z.output<(typeof Transactions)[N]['result']>;

/** The status filter values of ListPolls, for callers that build the argument. */
export const LIST_STATUS_VALUES = ['', ...PollStatuses] as const;

/** The transactions of one kind: `submit` (endorsed and ordered, may write) or `evaluate` (a query). */
export type TransactionOfKind<K extends TransactionSpec['kind']> = {
  [N in TransactionName]: (typeof Transactions)[N]['kind'] extends K ? N : never;
}[TransactionName];
export type QueryName = TransactionOfKind<'evaluate'>;
export type SubmitName = TransactionOfKind<'submit'>;

// Homomorphic over a type parameter, so a tuple of arg names maps to a tuple of strings of the same length.
type StringsFor<T extends readonly unknown[]> = { readonly [I in keyof T]: string };
/** One string per argument the protocol lists for the transaction, in its order. */
export type ArgsOf<N extends TransactionName> = StringsFor<(typeof Transactions)[N]['args']>;

export interface ResultIssue {
  /** Where in the result, as a dotted path ('' for the whole). */
  readonly path: string;
  readonly message: string;
}

// A few issues are enough to find the fault; whoever needs all of them has the cause.
const MAX_ISSUES = 10;

/** A chaincode answer that does not fit its transaction's result schema. */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';

  constructor(
    readonly transaction: TransactionName,
    readonly issues: readonly ResultIssue[],
    options?: { cause?: unknown },
  ) {
    super(`${transaction} answered outside the protocol: ${issues.map((i) => `${i.path || '(result)'} ${i.message}`).join('; ')}`, options);
  }
}

/** Parses and checks a transaction's result (UTF-8 JSON bytes or text); throws ProtocolViolation when it does not fit. */
export function parseResult<N extends TransactionName>(name: N, result: Uint8Array | string): ResultOf<N> {
  let value: unknown;
  try {
    value = JSON.parse(typeof result === 'string' ? result : new TextDecoder('utf-8', { fatal: true }).decode(result));
  } catch (err) {
    throw new ProtocolViolation(name, [{ path: '', message: 'is not UTF-8 JSON' }], { cause: err });
  }
  const schema: z.ZodType = Transactions[name].result;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, MAX_ISSUES).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ProtocolViolation(name, issues, { cause: parsed.error });
  }
  // The schema of N produced it: TypeScript cannot narrow the indexed table entry by itself.
  return parsed.data as ResultOf<N>;
}
