import type { BallotRequest, CastBallotResult } from '@poll-ledger/protocol';
import { z } from 'zod';
import { ApiError, CommitPendingError } from '../errors';
import type { Role } from '../roles';
import { Chaincode, type ArgsOf } from './chaincode';
import type { LedgerClient, TxRequest } from './ledger';
import type { Renewed, Renewer } from './pending';
import { type Receipt, ReceiptSchema } from './schemas';

/** What one ballot request gets: a receipt, new or replayed. */
export interface CastOutcome {
  readonly receipt: Receipt;
  /** True when this is the receipt of a ballot cast earlier with the same Idempotency-Key. */
  readonly replayed: boolean;
}

/** How a CastOutcome is kept in the shared state (read back through it, never cast). */
export const CastOutcomeSchema: z.ZodType<CastOutcome> = z.object({ receipt: ReceiptSchema, replayed: z.boolean() });

/** The receipt of a CastBallot(s) result whose transaction (the result's own txId) is in block `blockNumber`. */
export function receiptOf(cast: CastBallotResult, blockNumber: number): Receipt {
  const receipt = { pollId: cast.pollId, ballotId: cast.ballotId, txId: cast.txId, blockNumber, ballotHash: cast.ballotHash };
  return cast.position === undefined ? receipt : { ...receipt, position: cast.position };
}

/**
 * The receipt of a ballot the chaincode found already written by its request (a duplicate, which wrote nothing):
 * its block is its own transaction's, asked of the peer. Unknown yet: CommitPendingError for that transaction.
 */
export async function earlierReceipt(ledger: LedgerClient, role: Role, cast: CastBallotResult, statusWaitMs: number): Promise<Receipt> {
  const status = await ledger.commitStatus(role, cast.txId, statusWaitMs);
  if (!status) throw new CommitPendingError(cast.txId, cast.position === undefined ? {} : { position: cast.position });
  return receiptOf(cast, status.blockNumber);
}

/** The CastBallot call of one ballot (CastBallots' ballot items are CastBallot's arguments after pollId). */
export function castBallotRequest(role: Role, pollId: string, ballot: BallotRequest): TxRequest {
  return { role, name: 'CastBallot', args: [pollId, ballot.voterToken, JSON.stringify(ballot.answers), ballot.requestId, ballot.requestedAt] };
}

const CAST_ARGS = 5;

function castArgs(args: readonly string[]): ArgsOf<'CastBallot'> {
  const [pollId, ballotId, answers, requestId, requestedAt] = args;
  if (args.length !== CAST_ARGS || requestedAt === undefined || pollId === undefined || ballotId === undefined || answers === undefined || requestId === undefined) {
    throw new ApiError('INTERNAL', 'a kept CastBallot request does not have its five arguments');
  }
  return [pollId, ballotId, answers, requestId, requestedAt];
}

/**
 * Casts a ballot and waits for it on the ledger. A duplicate (the ledger holds a ballot of this request id) wrote
 * nothing: its receipt is the earlier transaction's, so there is nothing to order.
 */
async function submitCast(ledger: LedgerClient, request: TxRequest, statusWaitMs: number): Promise<{ cast: CastBallotResult; receipt: Receipt }> {
  const submitted = await new Chaincode(ledger).submit(request.role, 'CastBallot', castArgs(request.args), { skipCommitIf: (result) => result.duplicate });
  const cast = submitted.result;
  if (submitted.blockNumber !== undefined) return { cast, receipt: receiptOf(cast, submitted.blockNumber) };
  // The chaincode found the earlier ballot, so its transaction has committed.
  return { cast, receipt: await earlierReceipt(ledger, request.role, cast, statusWaitMs) };
}

/** One ballot as its own CastBallot transaction. A superseded duplicate (the voter re-voted since) still answers with this request's own receipt. */
export async function castOne(ledger: LedgerClient, request: TxRequest, statusWaitMs: number): Promise<CastOutcome> {
  const { cast, receipt } = await submitCast(ledger, request, statusWaitMs);
  return { receipt, replayed: cast.duplicate };
}

/** Endorses a kept CastBallot anew (domain/pending.ts); the chaincode's request id makes it count at most once. */
export function castBallotRenewer(ledger: LedgerClient, statusWaitMs: number): Renewer {
  return async ({ request }): Promise<Renewed> => {
    const { cast, receipt } = await submitCast(ledger, request, statusWaitMs);
    return { txId: receipt.txId, blockNumber: receipt.blockNumber, result: Buffer.from(JSON.stringify(cast)) };
  };
}
