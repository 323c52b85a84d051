import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { ApiError, LedgerUnavailableError, TransactionInvalidError } from '../errors';
import { chaincodeRefusal } from './chaincode-errors';
import { errorTexts } from '@poll-ledger/fabric-client';

/** Maps what fabric-gateway and grpc-js throw onto the HTTP error catalogue. */

const VALIDATION_CODE_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

export function validationCodeName(code: number): string {
  return VALIDATION_CODE_NAMES.get(code) ?? `CODE_${code}`;
}

const READ_CONFLICTS = new Set<number>([StatusCode.MVCC_READ_CONFLICT, StatusCode.PHANTOM_READ_CONFLICT]);

/** A read conflict at commit: a new proposal, re-executed against newer state, may succeed. */
export function isReadConflict(validationCode: number): boolean {
  return READ_CONFLICTS.has(validationCode);
}

export function transactionInvalid(txId: string, validationCode: number, options?: { cause?: unknown }): TransactionInvalidError {
  return new TransactionInvalidError(txId, validationCodeName(validationCode), isReadConflict(validationCode), options);
}

// FAILED_PRECONDITION is how the gateway peer reports that no endorsing peers can be reached.
const UNAVAILABLE_GRPC = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.FAILED_PRECONDITION,
]);

/**
 * An endorser the gateway peer could not reach: Fabric's gateway (internal/pkg/gateway/apiutils.go responseStatus)
 * puts the endorser's gRPC error in the detail as grpc-go formats a status, "rpc error: code = Unavailable desc = …".
 * That format is gRPC's, not prose, and it is the only place the reason is given.
 */
const UNREACHABLE_ENDORSER = /^rpc error: code = (Unavailable|DeadlineExceeded) desc = /;

/**
 * ABORTED "failed to collect enough transaction endorsements" because an endorser is down: nothing was sent to the
 * orderer, and the same request succeeds once it is back (or the gateway peer routes around it), so 503, not 502.
 */
function endorserUnreachable(err: GrpcLikeError): boolean {
  if (err.code !== (GrpcStatus.ABORTED as number) || !Array.isArray(err.details)) return false;
  return (err.details as unknown[]).some((detail) => {
    const message = typeof detail === 'object' && detail !== null ? (detail as { message?: unknown }).message : undefined;
    return typeof message === 'string' && UNREACHABLE_ENDORSER.test(message);
  });
}

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

/** The grpc status code of a fabric-gateway / grpc-js error, if it has one. */
export function grpcCodeOf(err: unknown): number | undefined {
  return isGrpcLike(err) ? err.code : undefined;
}

/**
 * How early a CANCELLED may come before our own deadline and still be that deadline: the server times the call
 * from the grpc-timeout header, which grpc-js rounds, and the two clocks run apart a little.
 */
export const DEADLINE_SKEW_MS = 500;

/**
 * Whether a call with `deadline` ended because of it. A gRPC server that sees the deadline first resets the stream
 * with CANCEL, and grpc-js reports that as CANCELLED, not DEADLINE_EXCEEDED (gRPC's PROTOCOL-HTTP2 asks clients to
 * check their deadline on CANCELLED; grpc-go does, grpc-js does not). We never cancel a call ourselves.
 */
export function endedAtDeadline(err: unknown, deadline: number, now: number = Date.now()): boolean {
  const code = grpcCodeOf(err);
  return code === GrpcStatus.DEADLINE_EXCEEDED || (code === GrpcStatus.CANCELLED && now >= deadline - DEADLINE_SKEW_MS);
}

/**
 * Turns anything thrown by fabric-gateway or grpc-js into a typed API error: a chaincode refusal when a peer
 * message carries a protocol error payload, else by gRPC status. A chaincode message that is no payload (for
 * example the shim's own refusal of a wrong argument count) is a 502 LEDGER_ERROR, never a guess from prose.
 */
export function fromFabricError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof CommitError) return transactionInvalid(err.transactionId, err.code, { cause: err });
  if (!isGrpcLike(err)) return new ApiError('INTERNAL', 'internal error', undefined, { cause: err });

  for (const text of errorTexts(err)) {
    const refusal = chaincodeRefusal(text, { cause: err });
    if (refusal) return refusal;
  }
  const txId = (err as { transactionId?: unknown }).transactionId;
  const details = { grpcStatus: grpcStatusName(err.code), ...(typeof txId === 'string' ? { txId } : {}) };
  if (UNAVAILABLE_GRPC.has(err.code) || endorserUnreachable(err)) return new LedgerUnavailableError('the ledger is not reachable', details, { cause: err });
  const what = err instanceof GatewayError ? 'the ledger refused the request' : 'ledger request failed';
  return new ApiError('LEDGER_ERROR', what, details, { cause: err });
}
