import type { ErrorCode as ChaincodeCode, ErrorPayload } from '@poll-ledger/protocol';

/**
 * The HTTP error catalogue: every code the API answers with, its status, and the typed errors. No Fabric or
 * transport imports here, so the domain layer can throw these. Decoding chaincode and gRPC errors into them is
 * the Fabric adapter's job (fabric/chaincode-errors.ts, fabric/grpc-errors.ts).
 */

/** The chaincode's refusals (the protocol's codes, all of them and no others) and their HTTP status. */
const CHAINCODE_STATUS = {
  INVALID_ARGUMENT: 400,
  INVALID_ANSWER: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  POLL_NOT_OPEN: 409,
  ALREADY_VOTED: 409,
  INVALID_STATE: 409,
  ALREADY_EXISTS: 409,
  SUPERSEDED: 409,
} as const satisfies Record<ChaincodeCode, number>;

export const ERROR_STATUS = {
  ...CHAINCODE_STATUS,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  METHOD_NOT_ALLOWED: 405,
  LEDGER_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  LEDGER_ERROR: 502,
  LEDGER_BAD_RESPONSE: 502,
  TRANSACTION_INVALID: 502,
  LEDGER_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetails = Readonly<Record<string, unknown>>;

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

/** A refusal by the chaincode, carrying its protocol code. */
export class ChaincodeError extends ApiError {
  declare readonly code: ChaincodeCode;
}

/** The REST details of a refusal. INVALID_ANSWER keeps the REST names: `reason` is the protocol's subcode. */
function restDetails(payload: ErrorPayload): ErrorDetails | undefined {
  switch (payload.code) {
    case 'INVALID_ANSWER': {
      const { subcode, questionId, optionId } = payload.details;
      return optionId === undefined ? { reason: subcode, questionId } : { reason: subcode, questionId, optionId };
    }
    case 'INVALID_ARGUMENT':
      return payload.details;
    default:
      return undefined;
  }
}

/**
 * The ChaincodeError of a protocol ErrorPayload: a refusal thrown by a transaction (fabric/chaincode-errors.ts takes
 * it out of Fabric's wrapper) and one ballot's refusal in a CastBallots result answer the same.
 */
export function refusalOf(payload: ErrorPayload, options?: { cause?: unknown }): ChaincodeError {
  return new ChaincodeError(payload.code, payload.message, restDetails(payload), options);
}

/** The peer or orderer cannot be reached (or did not answer in time) and nothing was committed. */
export class LedgerUnavailableError extends ApiError {
  constructor(message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('LEDGER_UNAVAILABLE', message, details, options);
  }
}

/** The transaction was committed with a validation code other than VALID (named, e.g. MVCC_READ_CONFLICT). */
export class TransactionInvalidError extends ApiError {
  constructor(
    readonly txId: string,
    readonly validationCode: string,
    conflict: boolean,
    options?: { cause?: unknown },
  ) {
    super(conflict ? 'LEDGER_CONFLICT' : 'TRANSACTION_INVALID', `transaction ${txId} was invalidated: ${validationCode}`, { txId, validationCode }, options);
  }
}

export interface ResponseIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A chaincode answer that does not follow the protocol (not JSON, or failing its result schema). The gateway
 * never passes on a field it could not check.
 */
export class LedgerBadResponseError extends ApiError {
  constructor(
    readonly transaction: string,
    issues: readonly ResponseIssue[],
    options?: { cause?: unknown },
  ) {
    super('LEDGER_BAD_RESPONSE', `the ledger's answer to ${transaction} does not follow the protocol`, { transaction, issues }, options);
  }
}

/** A transaction endorsed and signed, as it was (or may have been) sent to the orderer. */
export interface PreparedTransaction {
  /** fabric-gateway's serialized Transaction (the signed envelope): any replica can submit it again. */
  readonly envelope: Uint8Array;
  /** The chaincode's result at endorsement. */
  readonly result: Uint8Array;
  /** When its proposal was made (its timestamp, as near as the gateway knows it), epoch ms. */
  readonly proposedAt: number;
}

/**
 * How old a signed transaction may be when it is sent to the orderer (again). Its timestamp is its proposal's, and
 * the auditor flags a ballot ordered more than 30 s after a later-dated transaction of its poll as backdated
 * (audit/src/time-order.ts); an older transaction is endorsed anew instead, with a fresh timestamp.
 */
export const ENVELOPE_FRESH_MS = 10_000;

/**
 * The transaction was (or may have been) sent to the orderer but its commit status is still unknown.
 * Not a failure: the HTTP layer answers 202 with a status URL. `prepared` is what the gateway keeps to
 * resolve it (domain/pending.ts); absent when the transaction was sent by an earlier request. `position`: the
 * request's ballot in a CastBallots transaction, whose status URL names it (`?position=N`) so that it resolves
 * to that ballot's receipt.
 */
export class CommitPendingError extends Error {
  constructor(
    readonly txId: string,
    options?: { cause?: unknown; prepared?: PreparedTransaction; position?: number | undefined },
  ) {
    super(`commit status of transaction ${txId} is not known yet`, options);
    this.name = 'CommitPendingError';
    this.prepared = options?.prepared;
    this.position = options?.position;
  }

  readonly prepared: PreparedTransaction | undefined;
  readonly position: number | undefined;

  get statusUrl(): string {
    const url = `/v1/transactions/${this.txId}`;
    return this.position === undefined ? url : `${url}?position=${this.position}`;
  }
}
