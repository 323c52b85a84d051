import type { TxRequest } from './ledger';

/**
 * The gateway's shared state, as ports: what replicas behind one address must agree on. Implemented in memory
 * for development (state/memory.ts) and on PostgreSQL for replicas (state/postgres.ts). Times are epoch ms.
 */

/**
 * What the gateway remembers of one Idempotency-Key (its request id), with the time it was first used (`firstAt`,
 * kept whatever its calls end with):
 * - `running`: a call is in progress somewhere, bound to its fingerprint until `leaseUntil`;
 * - `done`: completed with `value`;
 * - `unknown`: a call failed in a way that may still take effect (its transaction `txId` is pending), so only the
 *   fingerprint is kept;
 * - `seen`: every call so far failed for certain, which binds nothing.
 */
export type Remembered<T> = { readonly firstAt: number; readonly expiresAt: number } & (
  | { readonly state: 'running'; readonly fingerprint: string; readonly leaseUntil: number }
  | { readonly state: 'done'; readonly fingerprint: string; readonly value: T }
  | { readonly state: 'unknown'; readonly fingerprint: string; readonly txId?: string }
  | { readonly state: 'seen' }
);

export interface IdempotencyRecords<T> {
  /** The key's unexpired record. */
  get(key: string): Promise<Remembered<T> | undefined>;
  /** Stores `entry` unless the key has an unexpired record: then that record is returned, else undefined. */
  claim(key: string, entry: Remembered<T>): Promise<Remembered<T> | undefined>;
  put(key: string, entry: Remembered<T>): Promise<void>;
}

/**
 * The open event streams of API keys, as leases: a slot is held until released or, when its holder dies without
 * releasing it, until its lease runs out.
 */
export interface StreamLeases {
  /** A new slot of `key` when it holds fewer than `max` unexpired ones (its id), else undefined. */
  take(key: string, max: number, leaseMs: number): Promise<string | undefined>;
  /** Extends a held slot's lease by `leaseMs` from now. */
  renew(id: string, leaseMs: number): Promise<void>;
  release(id: string): Promise<void>;
}

/** How a transaction the gateway answered 202 for ended. */
export type Resolution =
  /**
   * Committed VALID; `txId` is this transaction's or, after a renewal, the one that carried the request. For
   * CastBallots, `result` is a CastBallots result aligned with this record's ballots (a renewal's outcome for each
   * ballot it carried), and `blockNumber` is 0 when the renewal wrote nothing and was not ordered.
   */
  | { readonly outcome: 'committed'; readonly txId: string; readonly blockNumber: number; readonly result: Uint8Array }
  /** A definite failure: the request is not on the ledger, and this gateway no longer sends it. */
  | { readonly outcome: 'failed'; readonly code: string; readonly message: string }
  /** Renewed as a new transaction, whose own record says how it ended. */
  | { readonly outcome: 'replaced'; readonly by: string };

/** A transaction whose commit status was unknown when the gateway answered, kept until it resolves. */
export interface PendingRecord {
  readonly txId: string;
  /** The chaincode call, so that the request can be endorsed anew. */
  readonly request: TxRequest;
  /** fabric-gateway's serialized signed transaction: any replica can resubmit it. */
  readonly envelope: Uint8Array;
  readonly result: Uint8Array;
  /** When its proposal was made: past ENVELOPE_FRESH_MS it is not sent again. */
  readonly proposedAt: number;
  readonly createdAt: number;
  /** Resubmissions so far. */
  readonly attempts: number;
  readonly resolution?: Resolution;
}

export interface PendingStore {
  add(record: PendingRecord, dueAt: number): Promise<void>;
  get(txId: string): Promise<PendingRecord | undefined>;
  resolve(txId: string, resolution: Resolution): Promise<void>;
  /** Leases up to `limit` unresolved records due by `now` for `leaseMs`, so that one replica works each. */
  claimDue(now: number, limit: number, leaseMs: number): Promise<PendingRecord[]>;
  /** Records a resubmission and when to look again. */
  retryLater(txId: string, attempts: number, dueAt: number): Promise<void>;
  /** Unresolved records, for metrics and start-up logs. */
  countUnresolved(): Promise<number>;
}
