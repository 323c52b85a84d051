import { ApiError, CommitPendingError } from '../errors';
import type { IdempotencyRecords, Remembered } from './state';

export interface IdempotencyOptions {
  readonly ttlMs: number;
  /** How long a running call binds its key on other replicas before they may run it themselves. */
  readonly leaseMs: number;
  readonly now?: () => number;
}

export interface IdempotentOutcome<T> {
  readonly value: T;
  /** True when the value comes from an earlier or concurrent call with the same key. */
  readonly replayed: boolean;
}

/** Per call: which failures may still have taken effect, and the key's first time if the key is new. */
export interface RunOptions {
  readonly mayHaveTakenEffect?: (err: unknown) => boolean;
  /** The time to remember for a key seen for the first time (default: now); later calls get the remembered one. */
  readonly firstAt?: number;
}

/** What the work gets: the key's first time, and the transaction of an earlier call whose outcome is unknown. */
export interface Attempt {
  readonly firstAt: number;
  readonly pendingTxId?: string;
}

interface InFlight<T> {
  readonly fingerprint: string;
  readonly promise: Promise<T>;
}

/**
 * Runs work once per request id. The records (memory or PostgreSQL, shared by replicas) bind a key to its
 * request's fingerprint from the first call on: a key reused for a different request is refused on any
 * replica. Concurrent duplicates in one process share one in-flight promise; on two replicas both may run,
 * and the chaincode's own request-id check keeps it to one ballot. A failure stores no outcome, so a retry runs
 * again; when `mayHaveTakenEffect` says the failure may still take effect, the fingerprint stays bound (with the
 * pending txId, which the next attempt receives). Every key keeps the time it was first used, which the work
 * receives on every call, so a retry is dated like the first attempt.
 */
export class IdempotencyStore<T> {
  readonly #records: IdempotencyRecords<T>;
  readonly #options: IdempotencyOptions;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, InFlight<T>>();

  constructor(records: IdempotencyRecords<T>, options: IdempotencyOptions) {
    this.#records = records;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async run(key: string, fingerprint: string, work: (attempt: Attempt) => Promise<T>, options: RunOptions = {}): Promise<IdempotentOutcome<T>> {
    const inFlight = this.#inFlight.get(key);
    if (inFlight) {
      if (inFlight.fingerprint !== fingerprint) throw reused();
      return { value: await inFlight.promise, replayed: true };
    }
    // Registered before the first await, so that concurrent duplicates in this process share it.
    const outcome = this.#runOnce(key, fingerprint, work, options);
    const value = outcome.then((o) => o.value);
    value.catch(() => undefined);
    this.#inFlight.set(key, { fingerprint, promise: value });
    try {
      return await outcome;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #runOnce(key: string, fingerprint: string, work: (attempt: Attempt) => Promise<T>, options: RunOptions): Promise<IdempotentOutcome<T>> {
    const now = this.#now();
    const running: Remembered<T> = { state: 'running', fingerprint, leaseUntil: now + this.#options.leaseMs, firstAt: options.firstAt ?? now, expiresAt: this.#expiry() };
    const earlier = await this.#records.claim(key, running);
    if (earlier) {
      const expiredLease = earlier.state === 'running' && earlier.leaseUntil <= now;
      if (earlier.state !== 'seen' && !expiredLease && earlier.fingerprint !== fingerprint) throw reused();
      if (earlier.state === 'done') return { value: earlier.value, replayed: true };
    }
    const firstAt = earlier?.firstAt ?? running.firstAt;
    const wasUnknown = earlier?.state === 'unknown';
    const pendingTxId = earlier?.state === 'unknown' ? earlier.txId : undefined;
    if (earlier) await this.#records.put(key, { ...running, firstAt });
    try {
      const value = await work(pendingTxId === undefined ? { firstAt } : { firstAt, pendingTxId });
      await this.#records.put(key, { state: 'done', fingerprint, value, firstAt, expiresAt: this.#expiry() });
      return { value, replayed: false };
    } catch (err) {
      const unknown = options.mayHaveTakenEffect?.(err) ?? false;
      // An earlier unknown outcome stays bound even when this retry fails for certain.
      const txId = err instanceof CommitPendingError ? err.txId : pendingTxId;
      const next: Remembered<T> =
        unknown || wasUnknown
          ? { state: 'unknown', fingerprint, firstAt, expiresAt: this.#expiry(), ...(txId === undefined ? {} : { txId }) }
          : { state: 'seen', firstAt, expiresAt: this.#expiry() };
      await this.#records.put(key, next);
      throw err;
    }
  }

  #expiry(): number {
    return this.#now() + this.#options.ttlMs;
  }
}

function reused(): ApiError {
  return new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request');
}
