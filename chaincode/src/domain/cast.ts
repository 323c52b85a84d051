import type { Ballot, BallotRequest, CastBallotResult, Poll } from '@poll-ledger/protocol';
import { assertMayCastAgain, createBallot, receiptOf, requestTime, retriedReceipt, validateAnswers } from './ballot';
import { AlreadyVotedError, InvalidAnswerError, InvalidArgumentError, PollLedgerError, SupersededError } from './errors';
import { parseArg } from './input';
import { assertAcceptingBallots } from './poll';

/**
 * Casting one ballot, the same for CastBallot and for each ballot of CastBallots: its arguments, then the decision
 * against the poll and the voter's stored ballot. Pure; the contract reads and writes around it.
 */

/** What a ballot's refusals name: CastBallot's arguments, or the fields of one item of CastBallots' `ballotsJson`. */
export interface BallotFields {
  readonly voterToken: string;
  readonly answers: string;
  readonly requestId: string;
  readonly requestedAt: string;
}

export const CAST_BALLOT_FIELDS: BallotFields = {
  voterToken: 'voterToken',
  answers: 'answersJson',
  requestId: 'requestId',
  requestedAt: 'requestedAt',
};

export function batchItemFields(index: number): BallotFields {
  const item = `ballotsJson[${index}]`;
  return {
    voterToken: `${item}.voterToken`,
    answers: `${item}.answers`,
    requestId: `${item}.requestId`,
    requestedAt: `${item}.requestedAt`,
  };
}

/** One ballot's checked arguments; its answers are checked against the poll by `decideCast`. */
export interface CastRequest {
  readonly ballotId: string;
  /** '' for none. */
  readonly requestId: string;
  /** Stored form; undefined for none. */
  readonly requestedAt: string | undefined;
  readonly answers: unknown;
  readonly fields: BallotFields;
}

/** The transaction a ballot is cast in: its id and timestamp. */
export interface CastTx {
  readonly txId: string;
  readonly castAt: string;
}

/** voterToken, requestId and requestedAt, in that order, with CastBallot's own argument schemas. */
export function parseBallotArgs(
  args: Omit<BallotRequest, 'answers'>,
  fields: BallotFields,
  castAt: string,
): Omit<CastRequest, 'answers'> {
  const ballotId = parseArg('voterToken', args.voterToken, fields.voterToken);
  const requestId = parseArg('requestId', args.requestId, fields.requestId);
  const requestedAt = requestTime(parseArg('requestedAt', args.requestedAt, fields.requestedAt), castAt, fields.requestedAt);
  return { ballotId, requestId, requestedAt, fields };
}

/**
 * The index of the first earlier item with the same voterToken, for each item that repeats one. Ballots of one
 * transaction all read the state before it, so a second ballot of a voter could not see the first.
 */
export function repeatedVoters(requests: readonly Pick<BallotRequest, 'voterToken'>[]): ReadonlyMap<number, number> {
  const first = new Map<string, number>();
  const repeats = new Map<number, number>();
  requests.forEach(({ voterToken }, index) => {
    const earlier = first.get(voterToken);
    if (earlier === undefined) {
      first.set(voterToken, index);
    } else {
      repeats.set(index, earlier);
    }
  });
  return repeats;
}

/** Item `index` of CastBallots: its fields as CastBallot's arguments, then that it is the voter's only item. */
export function parseBatchItem(
  item: BallotRequest,
  index: number,
  castAt: string,
  repeats: ReadonlyMap<number, number>,
): CastRequest {
  const fields = batchItemFields(index);
  const args = parseBallotArgs(item, fields, castAt);
  const earlier = repeats.get(index);
  if (earlier !== undefined) {
    const text = `${fields.voterToken} repeats the voterToken of ballotsJson[${earlier}]: one ballot per voter in a call`;
    throw new InvalidArgumentError(text, fields.voterToken);
  }
  return { ...args, answers: item.answers };
}

/** A ballot's outcome: its receipt, and the record to write unless it is a retry (which writes nothing). */
export interface Cast {
  readonly receipt: CastBallotResult;
  readonly ballot?: Ballot;
}

/**
 * CastBallot's rules once the poll and the voter's stored ballot are known: a retried request gets its receipt, then
 * the poll must be open, the answers fit it, and the re-vote policy allow a new version. `position`: the ballot's
 * index in a CastBallots call, stored with it.
 */
export function decideCast(
  poll: Poll,
  existing: Ballot | undefined,
  request: CastRequest,
  tx: CastTx,
  position?: number,
): Cast {
  const retried = retriedReceipt(existing, request.requestId);
  if (retried !== undefined) {
    // Recognised before the open check, so a retry that arrives after closing still gets its receipt.
    return { receipt: retried };
  }
  const { castAt, txId } = tx;
  assertAcceptingBallots(poll, castAt);
  const answers = validateAnswers(poll, request.answers, request.fields.answers);
  const { ballotId, requestedAt } = request;
  assertMayCastAgain(poll, existing, { castAt, requestedAt });
  const draft = { pollId: poll.id, ballotId, answers, castAt, txId, requestedAt, position };
  const ballot = createBallot(draft, request.requestId, existing);
  return { ballot, receipt: receiptOf(ballot, { replaced: existing !== undefined, duplicate: false }) };
}

/**
 * The refusals that belong to one ballot, CastBallots' per-ballot outcomes. Anything else thrown while casting a
 * ballot (POLL_NOT_OPEN or NOT_FOUND, which the whole call already ruled out, a failed state read, a bug) is not
 * the ballot's fault and fails the whole transaction.
 */
const BALLOT_REFUSALS = [InvalidArgumentError, InvalidAnswerError, AlreadyVotedError, SupersededError] as const;

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly refusal: PollLedgerError };

/** Runs one ballot's check: its own refusal is returned, any other error is thrown on. */
export function checkBallot<T>(check: () => T): Checked<T> {
  try {
    return { ok: true, value: check() };
  } catch (error) {
    if (error instanceof PollLedgerError && BALLOT_REFUSALS.some((refusal) => error instanceof refusal)) {
      return { ok: false, refusal: error };
    }
    throw error;
  }
}
