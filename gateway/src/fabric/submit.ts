import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Status } from '@hyperledger/fabric-gateway';
import type { SubmitOptions, SubmitResult } from '../domain/ledger';
import { CommitPendingError, ENVELOPE_FRESH_MS } from '../errors';
import type { FabricInstruments } from '../metrics';
import { fromFabricError, grpcCodeOf, isReadConflict, transactionInvalid } from './grpc-errors';

/** The parts of fabric-gateway's Proposal / Transaction / SubmittedTransaction used here. */
export interface CommitLike {
  getStatus(): Promise<Status>;
}
export interface TransactionLike {
  getTransactionId(): string;
  getResult(): Uint8Array;
  getBytes(): Uint8Array;
  submit(): Promise<CommitLike>;
}
export interface ProposalLike {
  endorse(): Promise<TransactionLike>;
}

export interface RetryPolicy {
  /** New proposals after MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT. */
  readonly mvccRetries: number;
  /** Re-sends of the same signed envelope after a submit or commit-status timeout. */
  readonly resubmitRetries: number;
}

const TRANSIENT = new Set<number>([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]);

/**
 * Sends one signed transaction until its commit status is known. Re-sending the same envelope is
 * safe: the ledger keeps only the first copy of a txId (later ones are DUPLICATE_TXID), and it
 * recovers a transaction the orderer acknowledged but lost.
 *
 * Only a submit the orderer refused outright (a non-transient code before any submit went through) is a
 * definite failure. Anything else leaves the outcome unknown, even an UNAVAILABLE answer (a BFT gateway
 * peer reports "insufficient orderers" after some of them took the envelope): CommitPendingError, with the
 * envelope, so that the gateway can see it through (domain/pending.ts).
 */
async function submitUntilKnown(tx: TransactionLike, proposedAt: number, policy: RetryPolicy, instruments: FabricInstruments): Promise<Status> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= policy.resubmitRetries; attempt++) {
    // Too old to be sent again without looking backdated: the gateway endorses it anew (domain/pending.ts).
    if (attempt > 0 && Date.now() - proposedAt > ENVELOPE_FRESH_MS) break;
    if (attempt > 0) instruments.retry('resubmit');
    let commit: CommitLike;
    try {
      commit = await instruments.stage('submit', () => tx.submit());
    } catch (err) {
      const code = grpcCodeOf(err);
      if (attempt === 0 && (code === undefined || !TRANSIENT.has(code))) throw fromFabricError(err);
      lastError = err;
      continue;
    }
    try {
      return await instruments.stage('commit_status', () => commit.getStatus());
    } catch (err) {
      // Submitted: whatever the status call says, the transaction may commit.
      lastError = err;
    }
  }
  throw new CommitPendingError(tx.getTransactionId(), { cause: lastError, prepared: { envelope: tx.getBytes(), result: tx.getResult(), proposedAt } });
}

/**
 * Endorses, submits and waits for commit. A read conflict at commit gets a fresh proposal (a new
 * txId, re-executed against newer state); the number of attempts is bounded by the policy.
 */
export async function submitWithRetry(
  newProposal: () => ProposalLike,
  policy: RetryPolicy,
  instruments: FabricInstruments,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  for (let attempt = 0; ; attempt++) {
    let tx: TransactionLike;
    // The proposal's timestamp is taken when it is built, just now.
    const proposedAt = Date.now();
    try {
      tx = await instruments.stage('endorse', () => newProposal().endorse());
    } catch (err) {
      throw fromFabricError(err);
    }
    const result = tx.getResult();
    const txId = tx.getTransactionId();
    // May throw (a result that fails its schema): then nothing is sent to the orderer.
    if (options.skipCommitIf?.(result)) return { result, txId };

    const status = await submitUntilKnown(tx, proposedAt, policy, instruments);
    if (status.successful) return { result, txId, blockNumber: Number(status.blockNumber) };
    if (isReadConflict(status.code) && options.retryReadConflicts !== false && attempt < policy.mvccRetries) {
      instruments.retry('mvcc');
      continue;
    }
    throw transactionInvalid(txId, status.code);
  }
}
