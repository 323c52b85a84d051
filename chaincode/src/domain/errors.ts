import { Patterns } from '../config';

/**
 * Every refusal the chaincode makes, as a typed error with a stable code.
 * The message is always `CODE: text`, because that string is all a Fabric client receives.
 */

export const ErrorCodes = [
  'INVALID_ARGUMENT',
  'INVALID_ANSWER',
  'FORBIDDEN',
  'NOT_FOUND',
  'POLL_NOT_OPEN',
  'ALREADY_VOTED',
  'INVALID_STATE',
  'ALREADY_EXISTS',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

export const AnswerSubcodes = [
  'UNKNOWN_QUESTION',
  'UNKNOWN_OPTION',
  'TOO_FEW_CHOICES',
  'TOO_MANY_CHOICES',
  'DUPLICATE_CHOICE',
  'WRONG_TYPE',
  'MISSING_QUESTION',
] as const;
export type AnswerSubcode = (typeof AnswerSubcodes)[number];

export class PollLedgerError extends Error {
  override readonly name: string = 'PollLedgerError';

  constructor(
    readonly code: ErrorCode,
    readonly text: string,
  ) {
    super(`${code}: ${text}`);
  }
}

export class InvalidArgumentError extends PollLedgerError {
  constructor(text: string) {
    super('INVALID_ARGUMENT', text);
  }
}

export class ForbiddenError extends PollLedgerError {
  constructor(text: string) {
    super('FORBIDDEN', text);
  }
}

export class NotFoundError extends PollLedgerError {
  constructor(text: string) {
    super('NOT_FOUND', text);
  }
}

export class PollNotOpenError extends PollLedgerError {
  constructor(text: string) {
    super('POLL_NOT_OPEN', text);
  }
}

export class AlreadyVotedError extends PollLedgerError {
  constructor(text: string) {
    super('ALREADY_VOTED', text);
  }
}

export class InvalidStateError extends PollLedgerError {
  constructor(text: string) {
    super('INVALID_STATE', text);
  }
}

export class AlreadyExistsError extends PollLedgerError {
  constructor(text: string) {
    super('ALREADY_EXISTS', text);
  }
}

/** Where a ballot fails its poll. `questionId`/`optionId` are shown JSON-quoted when they are not valid ids. */
export interface AnswerProblem {
  readonly subcode: AnswerSubcode;
  readonly questionId: string;
  readonly optionId?: string;
}

/** Message: `INVALID_ANSWER: <SUBCODE> <questionId>[/<optionId>]: text`. */
export class InvalidAnswerError extends PollLedgerError {
  constructor(
    readonly details: AnswerProblem,
    text: string,
  ) {
    const question = displayId(details.questionId);
    const where = details.optionId === undefined ? question : `${question}/${displayId(details.optionId)}`;
    super('INVALID_ANSWER', `${details.subcode} ${where}: ${text}`);
  }
}

/** Caller-supplied ids that are not valid ids are quoted (and cut short) so the message stays parseable. */
function displayId(id: string): string {
  return Patterns.id.test(id) ? id : JSON.stringify(id.slice(0, 64));
}
