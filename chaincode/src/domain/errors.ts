import { type AnswerProblem, type ErrorCode, type ErrorPayload, DETAIL_ID_LENGTH } from '@poll-ledger/protocol';
import { canonicalJson } from './canonical';

/**
 * Every refusal the chaincode makes, as a typed error with a stable code. A Fabric client receives only the
 * message, so the message is the canonical JSON of the protocol's ErrorPayload (read back with
 * `decodeChaincodeError`).
 */
export class PollLedgerError extends Error {
  override readonly name: string = 'PollLedgerError';
  readonly code: ErrorCode;

  constructor(readonly payload: ErrorPayload) {
    super(canonicalJson(payload));
    this.code = payload.code;
  }

  /** The human part of the payload. */
  get text(): string {
    return this.payload.message;
  }
}

/** `field`: the argument or the path inside it, such as `pollJson.questions[0].id`, when one is to blame. */
export class InvalidArgumentError extends PollLedgerError {
  constructor(
    text: string,
    readonly field?: string,
  ) {
    const message = { code: 'INVALID_ARGUMENT', message: text } as const;
    super(field === undefined ? message : { ...message, details: { field } });
  }
}

export class ForbiddenError extends PollLedgerError {
  constructor(text: string) {
    super({ code: 'FORBIDDEN', message: text });
  }
}

export class NotFoundError extends PollLedgerError {
  constructor(text: string) {
    super({ code: 'NOT_FOUND', message: text });
  }
}

export class PollNotOpenError extends PollLedgerError {
  constructor(text: string) {
    super({ code: 'POLL_NOT_OPEN', message: text });
  }
}

export class AlreadyVotedError extends PollLedgerError {
  constructor(text: string) {
    super({ code: 'ALREADY_VOTED', message: text });
  }
}

export class InvalidStateError extends PollLedgerError {
  constructor(text: string) {
    super({ code: 'INVALID_STATE', message: text });
  }
}

export class AlreadyExistsError extends PollLedgerError {
  constructor(text: string) {
    super({ code: 'ALREADY_EXISTS', message: text });
  }
}

/** A ballot requested before the voter's stored one: it must not replace the later choice. */
export class SupersededError extends PollLedgerError {
  constructor(text: string) {
    super({ code: 'SUPERSEDED', message: text });
  }
}

/** Where a ballot fails its poll. The ids come from the caller, so they are cut to DETAIL_ID_LENGTH. */
export class InvalidAnswerError extends PollLedgerError {
  readonly details: AnswerProblem;

  constructor(problem: AnswerProblem, text: string) {
    const { subcode, questionId, optionId } = problem;
    const option = optionId === undefined ? {} : { optionId: cutId(optionId) };
    const details = { subcode, questionId: cutId(questionId), ...option };
    super({ code: 'INVALID_ANSWER', message: text, details });
    this.details = details;
  }
}

/** At most DETAIL_ID_LENGTH UTF-16 units, without splitting a surrogate pair. */
function cutId(id: string): string {
  if (id.length <= DETAIL_ID_LENGTH) {
    return id;
  }
  const end = /[\uD800-\uDBFF]/.test(id.charAt(DETAIL_ID_LENGTH - 1)) ? DETAIL_ID_LENGTH - 1 : DETAIL_ID_LENGTH;
  return id.slice(0, end);
}
