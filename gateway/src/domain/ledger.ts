import type { Role } from '../roles';

/** One chaincode call, made with the Fabric identity that belongs to `role`. */
export interface TxRequest {
  readonly role: Role;
  readonly name: string;
  readonly args: readonly string[];
}

export interface SubmitOptions {
  /**
   * Checked on the endorsed result before it is sent to the orderer. When it returns true the
   * transaction is not submitted: used for CastBallot's `duplicate: true`, which writes nothing.
   * When it throws, nothing is submitted and the error is the submit's.
   */
  readonly skipCommitIf?: (result: Uint8Array) => boolean;
  /**
   * False: a read conflict at commit (MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT) is thrown as a
   * TransactionInvalidError at once, for a caller that re-proposes on its own (CastBallots re-proposes only the
   * ballots its transaction would have written). Default: a new proposal of the same request, a bounded number of
   * times.
   */
  readonly retryReadConflicts?: boolean;
}

export interface SubmitResult {
  readonly result: Uint8Array;
  readonly txId: string;
  /** Undefined when the commit was skipped. */
  readonly blockNumber?: number;
}

export interface CommitStatus {
  readonly txId: string;
  readonly validationCode: number;
  /** Fabric's name of the code, e.g. VALID or MVCC_READ_CONFLICT. */
  readonly validationCodeName: string;
  readonly valid: boolean;
  readonly blockNumber: number;
}

export interface LedgerEvent {
  readonly blockNumber: bigint;
  readonly txId: string;
  readonly eventName: string;
  readonly payload: Uint8Array;
}

export interface EventStream extends AsyncIterable<LedgerEvent> {
  close(): void;
}

/**
 * The port to the ledger: what the domain needs from Fabric, narrow enough to stub in tests, with no Fabric
 * types in it (fabric/fabric-ledger.ts implements it). Failures are thrown as the typed errors of ../errors
 * (ApiError subclasses or CommitPendingError).
 */
export interface LedgerClient {
  evaluate(request: TxRequest): Promise<Uint8Array>;
  /** Endorse, submit and wait for commit, with retries; resolves only for a VALID transaction. */
  submit(request: TxRequest, options?: SubmitOptions): Promise<SubmitResult>;
  /**
   * Sends a signed transaction kept from an earlier submit (CommitPendingError's envelope) again, and waits up to
   * `waitMs` for its commit status (undefined if not known by then).
   */
  resubmit(role: Role, envelope: Uint8Array, waitMs: number): Promise<CommitStatus | undefined>;
  /** The commit status of any transaction, or undefined if it has not committed within `waitMs`. */
  commitStatus(role: Role, txId: string, waitMs: number): Promise<CommitStatus | undefined>;
  /** The channel's block height, via a cheap query to the peer. */
  blockHeight(role: Role): Promise<number>;
  /** Chaincode events from `startBlock` (inclusive), or from the next block when omitted. */
  events(role: Role, startBlock?: bigint): Promise<EventStream>;
  close(): void;
}
