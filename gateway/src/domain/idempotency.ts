import { ApiError } from '../errors';

export interface IdempotencyOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly now?: () => number;
}

export interface IdempotentOutcome<T> {
  readonly value: T;
  /** True when the value comes from an earlier or concurrent call with the same key. */
  readonly replayed: boolean;
}

/** Per call: which failures may still have taken effect (e.g. the transaction may reach the ledger later). */
export interface RunOptions {
  readonly mayHaveTakenEffect?: (err: unknown) => boolean;
}

/**
 * A remembered request: with `value` when it completed, without one when it failed in a way that may
 * still have taken effect (its outcome is unknown), so only its fingerprint is kept.
 */
type Remembered<T> =
  | { readonly fingerprint: string; readonly expiresAt: number; readonly done: true; readonly value: T }
  | { readonly fingerprint: string; readonly expiresAt: number; readonly done: false };

interface InFlight<T> {
  readonly fingerprint: string;
  readonly promise: Promise<T>;
}

/**
 * Remembers results by request id: concurrent duplicates share one in-flight promise, completed
 * results are kept in a bounded LRU with a TTL. A failure does not store an outcome, so a retry with
 * the same fingerprint runs again (the chaincode's own requestId check still prevents a second
 * ballot). When `mayHaveTakenEffect` says the failure may still take effect (outcome unknown), the
 * fingerprint alone is kept in the same LRU/TTL, so that the key cannot be reused for a different
 * request while the first one may yet commit.
 */
export class IdempotencyStore<T> {
  readonly #options: IdempotencyOptions;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, InFlight<T>>();
  // Map iteration order is insertion order, so the first key is the least recently used.
  readonly #completed = new Map<string, Remembered<T>>();

  constructor(options: IdempotencyOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#completed.size;
  }

  async run(key: string, fingerprint: string, work: () => Promise<T>, options: RunOptions = {}): Promise<IdempotentOutcome<T>> {
    const earlier = this.#recall(key);
    const inFlight = this.#inFlight.get(key);
    if ((earlier && earlier.fingerprint !== fingerprint) || (inFlight && inFlight.fingerprint !== fingerprint)) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request');
    }
    if (earlier?.done) return { value: earlier.value, replayed: true };
    if (inFlight) return { value: await inFlight.promise, replayed: true };

    const promise = (async () => work())();
    this.#inFlight.set(key, { fingerprint, promise });
    try {
      const value = await promise;
      this.#remember(key, { fingerprint, expiresAt: this.#expiry(), done: true, value });
      return { value, replayed: false };
    } catch (err) {
      // An earlier unknown outcome stays remembered even when this retry fails for certain.
      if (options.mayHaveTakenEffect?.(err)) this.#remember(key, { fingerprint, expiresAt: this.#expiry(), done: false });
      throw err;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #recall(key: string): Remembered<T> | undefined {
    const entry = this.#completed.get(key);
    if (!entry) return undefined;
    this.#completed.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#completed.set(key, entry);
    return entry;
  }

  #expiry(): number {
    return this.#now() + this.#options.ttlMs;
  }

  #remember(key: string, entry: Remembered<T>): void {
    this.#completed.delete(key);
    this.#completed.set(key, entry);
    for (const oldest of this.#completed.keys()) {
      if (this.#completed.size <= this.#options.maxEntries) break;
      this.#completed.delete(oldest);
    }
  }
}
