import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';

/** The one catalogue of error codes and their HTTP status. */
export const ERROR_STATUS = {
  INVALID_ARGUMENT: 400,
  INVALID_ANSWER: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  POLL_NOT_OPEN: 409,
  ALREADY_VOTED: 409,
  INVALID_STATE: 409,
  ALREADY_EXISTS: 409,
  LEDGER_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  LEDGER_ERROR: 502,
  TRANSACTION_INVALID: 502,
  LEDGER_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Codes the chaincode puts at the start of its error messages (docs/chaincode-api.md). */
export const CHAINCODE_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_ANSWER',
  'FORBIDDEN',
  'NOT_FOUND',
  'POLL_NOT_OPEN',
  'ALREADY_VOTED',
  'INVALID_STATE',
  'ALREADY_EXISTS',
] as const satisfies readonly ErrorCode[];
type ChaincodeCode = (typeof CHAINCODE_CODES)[number];

/** Base of every error the API reports; its code decides the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  get httpStatus(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A refusal by the chaincode, carrying its stable code. */
export class ChaincodeError extends ApiError {
  declare readonly code: ChaincodeCode;
}

/** The peer or orderer cannot be reached (or did not answer in time) and nothing was committed. */
export class LedgerUnavailableError extends ApiError {
  constructor(message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('LEDGER_UNAVAILABLE', message, details, options);
  }
}

/** The transaction was committed with a validation code other than VALID. */
export class TransactionInvalidError extends ApiError {
  constructor(readonly txId: string, readonly validationCode: number, options?: { cause?: unknown }) {
    const name = validationCodeName(validationCode);
    const conflict = validationCode === StatusCode.MVCC_READ_CONFLICT || validationCode === StatusCode.PHANTOM_READ_CONFLICT;
    super(conflict ? 'LEDGER_CONFLICT' : 'TRANSACTION_INVALID', `transaction ${txId} was invalidated: ${name}`, { txId, validationCode: name }, options);
  }
}

/**
 * The transaction was (or may have been) sent to the orderer but its commit status is still unknown.
 * Not a failure: the HTTP layer answers 202 with a status URL.
 */
export class CommitPendingError extends Error {
  constructor(readonly txId: string, options?: { cause?: unknown }) {
    super(`commit status of transaction ${txId} is not known yet`, options);
    this.name = 'CommitPendingError';
  }

  get statusUrl(): string {
    return `/v1/transactions/${this.txId}`;
  }
}

const VALIDATION_CODE_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

export function validationCodeName(code: number): string {
  return VALIDATION_CODE_NAMES.get(code) ?? `CODE_${code}`;
}

const chaincodeCodes: ReadonlySet<string> = new Set(CHAINCODE_CODES);
// Fabric's gateway wraps a chaincode error as "chaincode response <status>, <chaincode message>".
const CHAINCODE_RESPONSE = 'chaincode response ';

/** The chaincode's own message inside a peer error text, if there is one. */
function chaincodeMessage(text: string): string | undefined {
  const start = text.indexOf(CHAINCODE_RESPONSE);
  if (start < 0) return undefined;
  const comma = text.indexOf(', ', start + CHAINCODE_RESPONSE.length);
  return comma < 0 ? undefined : text.slice(comma + 2);
}

// An id is bare when valid, else a JSON string (the chaincode quotes ids that could break the format).
const ANSWER_ID = /^(?:"(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+)/;

function readAnswerId(text: string): { id: string; rest: string } | undefined {
  const raw = ANSWER_ID.exec(text)?.[0];
  if (raw === undefined) return undefined;
  try {
    return { id: raw.startsWith('"') ? (JSON.parse(raw) as string) : raw, rest: text.slice(raw.length) };
  } catch {
    return undefined;
  }
}

/** `<SUBCODE> <questionId>[/<optionId>]: text` → { reason, questionId, optionId? }. */
function answerDetails(text: string): ErrorDetails | undefined {
  const space = text.indexOf(' ');
  const reason = text.slice(0, space);
  const question = space > 0 && /^[A-Z_]+$/.test(reason) ? readAnswerId(text.slice(space + 1)) : undefined;
  if (!question) return undefined;
  const option = question.rest.startsWith('/') ? readAnswerId(question.rest.slice(1)) : undefined;
  return option ? { reason, questionId: question.id, optionId: option.id } : { reason, questionId: question.id };
}

interface Refusal {
  readonly code: ChaincodeCode;
  readonly text: string;
  readonly details?: ErrorDetails;
}

/** Reads `CODE: text` from a chaincode message; undefined when it does not start with a known code. */
export function parseChaincodeMessage(message: string): Refusal | undefined {
  const colon = message.indexOf(':');
  const code = colon < 0 ? '' : message.slice(0, colon).trim();
  if (!chaincodeCodes.has(code)) return undefined;
  const text = message.slice(colon + 1).trim() || code;
  return { code: code as ChaincodeCode, text, details: code === 'INVALID_ANSWER' ? answerDetails(text) : undefined };
}

// FAILED_PRECONDITION is how the gateway peer reports that no endorsing peers can be reached.
const UNAVAILABLE_GRPC = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.FAILED_PRECONDITION,
]);

function grpcStatusName(code: number): string {
  return GrpcStatus[code] ?? `GRPC_${code}`;
}

interface GrpcLikeError {
  code: number;
  message: string;
  details?: unknown;
}

function isGrpcLike(err: unknown): err is GrpcLikeError {
  return err instanceof Error && typeof (err as Partial<GrpcLikeError>).code === 'number';
}

function messagesOf(err: GrpcLikeError): string[] {
  const details = Array.isArray(err.details) ? (err.details as { message?: unknown }[]) : [];
  const fromDetails = details.map((detail) => detail.message).filter((m): m is string => typeof m === 'string');
  return [...fromDetails, err.message];
}

/**
 * Turns anything thrown by fabric-gateway or grpc-js into a typed API error. Chaincode refusals are
 * recognised by the leading `CODE:` of the chaincode's message in the error details.
 */
export function fromChaincodeError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof CommitError) return new TransactionInvalidError(err.transactionId, err.code, { cause: err });
  if (!isGrpcLike(err)) return new ApiError('INTERNAL', 'internal error', undefined, { cause: err });

  for (const text of messagesOf(err)) {
    const message = chaincodeMessage(text);
    const refusal = message === undefined ? undefined : parseChaincodeMessage(message);
    if (refusal) return new ChaincodeError(refusal.code, refusal.text, refusal.details, { cause: err });
  }
  const txId = (err as { transactionId?: unknown }).transactionId;
  const details = { grpcStatus: grpcStatusName(err.code), ...(typeof txId === 'string' ? { txId } : {}) };
  if (UNAVAILABLE_GRPC.has(err.code)) return new LedgerUnavailableError('the ledger is not reachable', details, { cause: err });
  const what = err instanceof GatewayError ? 'the ledger refused the request' : 'ledger request failed';
  return new ApiError('LEDGER_ERROR', what, details, { cause: err });
}

/** The grpc status code of a fabric-gateway / grpc-js error, if it has one. */
export function grpcCodeOf(err: unknown): number | undefined {
  return isGrpcLike(err) ? err.code : undefined;
}
