import {
  type Answers,
  type Ballot,
  type BALLOT_HASH_FIELDS,
  type CastBallotResult,
  type Poll,
  type Question,
  type RequestRecord,
  Limits,
} from '@poll-ledger/protocol';
import { canonicalJson, sha256Hex } from './canonical';
import { AlreadyVotedError, InvalidAnswerError, InvalidArgumentError, SupersededError } from './errors';
import { isRecord } from './input';
import { isoToMillis, toStoredTime } from './time';

/** The part of a ballot that its hash covers. */
export type BallotContent = Pick<Ballot, (typeof BALLOT_HASH_FIELDS)[number]>;
/** A new ballot's content, when its request was first made and its place in a CastBallots call (outside the hash). */
export type BallotDraft = BallotContent & Pick<Ballot, 'requestedAt' | 'position'>;
/** What orders the versions of one voter's ballot. */
export type OrderTimes = Pick<Ballot, 'castAt' | 'requestedAt'>;

/** The text a ballot's hash is taken of: canonical JSON of `{ pollId, ballotId, answers, castAt, txId }`. */
export function ballotHashText(ballot: BallotContent): string {
  const { pollId, ballotId, answers, castAt, txId } = ballot;
  return canonicalJson({ pollId, ballotId, answers, castAt, txId });
}

export function ballotHash(ballot: BallotContent): string {
  return sha256Hex(ballotHashText(ballot));
}

/**
 * The new ballot record; when it replaces `previous`, it carries the requests of the earlier versions (those with a
 * requestId), oldest first, keeping only the newest `Limits.earlierRequests`.
 */
export function createBallot(draft: BallotDraft, requestId: string, previous?: Ballot): Ballot {
  const { requestedAt, position, ...content } = draft;
  const ballot: Ballot = { ...content, ballotHash: ballotHash(content) };
  const withRequest = {
    ...ballot,
    ...(requestId !== '' && { requestId }),
    ...(requestedAt !== undefined && { requestedAt }),
    ...(position !== undefined && { position }),
  };
  const earlier = earlierRequestsAfter(previous);
  return earlier.length === 0 ? withRequest : { ...withRequest, earlierRequests: earlier };
}

function earlierRequestsAfter(previous: Ballot | undefined): RequestRecord[] {
  if (previous === undefined) {
    return [];
  }
  const kept = previous.earlierRequests ?? [];
  const { requestId, txId, ballotHash: hash, requestedAt } = previous;
  if (requestId === undefined || requestId === '') {
    return kept;
  }
  const entry = { requestId, txId, ballotHash: hash, ...(requestedAt !== undefined && { requestedAt }) };
  const all = [...kept, entry];
  return all.slice(Math.max(0, all.length - Limits.earlierRequests));
}

/**
 * A ballot's `requestedAt` (already an ISO date-time with a zone, or '') in stored form; undefined for ''. A request
 * cannot have been made after the transaction that carries it. `field` names it in a refusal.
 */
export function requestTime(requestedAt: string, txTime: string, field = 'requestedAt'): string | undefined {
  if (requestedAt === '') {
    return undefined;
  }
  const stored = toStoredTime(requestedAt);
  if (isoToMillis(stored) > isoToMillis(txTime)) {
    throw new InvalidArgumentError(`${field} must not be after the transaction timestamp ${txTime}`, field);
  }
  return stored;
}

/** A ballot's place in the re-vote order: when its request was first made, else its tx timestamp. */
export function orderTime(ballot: OrderTimes): string {
  return ballot.requestedAt ?? ballot.castAt;
}

/** Whether `incoming` was requested before `stored`, so it must not replace it (equal times replace). */
export function isSuperseded(stored: OrderTimes, incoming: OrderTimes): boolean {
  return isoToMillis(orderTime(incoming)) < isoToMillis(orderTime(stored));
}

/** The receipt of a stored version; `position` when CastBallots wrote it, so a retry's receipt equals the first. */
export function receiptOf(ballot: Ballot, outcome: { replaced: boolean; duplicate: boolean }): CastBallotResult {
  const { pollId, ballotId, ballotHash: hash, txId, position } = ballot;
  return { pollId, ballotId, ballotHash: hash, txId, ...outcome, ...(position !== undefined && { position }) };
}

/**
 * The duplicate receipt when this request (non-empty requestId) already wrote a version of this ballot: the current
 * one, or one of the remembered earlier versions (`superseded: true`). Under either policy it writes nothing.
 */
export function retriedReceipt(existing: Ballot | undefined, requestId: string): CastBallotResult | undefined {
  if (requestId === '' || existing === undefined) {
    return undefined;
  }
  if (existing.requestId === requestId) {
    return receiptOf(existing, { replaced: false, duplicate: true });
  }
  const earlier = [...(existing.earlierRequests ?? [])].reverse().find((r) => r.requestId === requestId);
  if (earlier === undefined) {
    return undefined;
  }
  const { pollId, ballotId } = existing;
  const { ballotHash: hash, txId } = earlier;
  return { pollId, ballotId, ballotHash: hash, txId, replaced: false, duplicate: true, superseded: true };
}

/**
 * Under `none` a voter's second ballot is refused; under `last-counts` it replaces the first, unless it was requested
 * before it: then a later choice of the voter is already recorded, and a late request must not undo it.
 */
export function assertMayCastAgain(poll: Poll, existing: Ballot | undefined, incoming: OrderTimes): void {
  if (existing === undefined) {
    return;
  }
  if (poll.revotePolicy === 'none') {
    throw new AlreadyVotedError(`ballot ${existing.ballotId} was already cast in poll ${poll.id}`);
  }
  if (isSuperseded(existing, incoming)) {
    const times = `requested at ${orderTime(incoming)}, the recorded one at ${orderTime(existing)}`;
    throw new SupersededError(`a later ballot of this voter is already recorded: this one was ${times}`);
  }
}

/**
 * Checks a ballot's answers against its poll and returns them in canonical form.
 * Every question must be answered exactly once, with an array of distinct known option ids of allowed length.
 * `field` names the answers in a refusal that is not about one answer.
 */
export function validateAnswers(poll: Pick<Poll, 'questions'>, raw: unknown, field = 'answersJson'): Answers {
  if (!isRecord(raw)) {
    const text = `${field} must be a JSON object mapping question ids to option id arrays`;
    throw new InvalidArgumentError(text, field);
  }
  const questions = new Map(poll.questions.map((q) => [q.id, q]));
  const unknown = Object.keys(raw)
    .sort()
    .find((questionId) => !questions.has(questionId));
  if (unknown !== undefined) {
    throw new InvalidAnswerError({ subcode: 'UNKNOWN_QUESTION', questionId: unknown }, 'the poll has no such question');
  }
  const answers = poll.questions.map((q) => {
    const choices = Object.hasOwn(raw, q.id) ? raw[q.id] : undefined;
    return [q.id, validateChoices(q, choices)] as const;
  });
  return Object.fromEntries(answers.sort(([a], [b]) => compareStrings(a, b)));
}

function validateChoices(question: Question, choices: unknown): string[] {
  const questionId = question.id;
  if (choices === undefined) {
    throw new InvalidAnswerError({ subcode: 'MISSING_QUESTION', questionId }, 'every question must be answered');
  }
  if (!Array.isArray(choices) || !choices.every((c): c is string => typeof c === 'string')) {
    throw new InvalidAnswerError({ subcode: 'WRONG_TYPE', questionId }, 'the answer must be an array of option ids');
  }
  const known = new Set(question.options.map((o) => o.id));
  const seen = new Set<string>();
  for (const optionId of choices) {
    if (!known.has(optionId)) {
      const problem = { subcode: 'UNKNOWN_OPTION', questionId, optionId } as const;
      throw new InvalidAnswerError(problem, 'the question has no such option');
    }
    if (seen.has(optionId)) {
      throw new InvalidAnswerError({ subcode: 'DUPLICATE_CHOICE', questionId, optionId }, 'an option is chosen twice');
    }
    seen.add(optionId);
  }
  if (choices.length < question.minChoices) {
    throw new InvalidAnswerError({ subcode: 'TOO_FEW_CHOICES', questionId }, `choose at least ${question.minChoices}`);
  }
  if (choices.length > question.maxChoices) {
    throw new InvalidAnswerError({ subcode: 'TOO_MANY_CHOICES', questionId }, `choose at most ${question.maxChoices}`);
  }
  return [...choices].sort(compareStrings);
}

/** Code-unit order, as RFC 8785 sorts keys; ids are ASCII, so this is also byte order. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
