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

interface Completed<T> {
  readonly fingerprint: string;
  readonly value: T;
  readonly expiresAt: number;
}

interface InFlight<T> {
  readonly fingerprint: string;
  readonly promise: Promise<T>;
}

/**
 * Remembers results by request id: concurrent duplicates share one in-flight promise, completed
 * results are kept in a bounded LRU with a TTL. Failures are forgotten so that a retry runs again
 * (the chaincode's own requestId check still prevents a second ballot).
 */
export class IdempotencyStore<T> {
  readonly #options: IdempotencyOptions;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, InFlight<T>>();
  // Map iteration order is insertion order, so the first key is the least recently used.
  readonly #completed = new Map<string, Completed<T>>();

  constructor(options: IdempotencyOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#completed.size;
  }

  async run(key: string, fingerprint: string, work: () => Promise<T>): Promise<IdempotentOutcome<T>> {
    const earlier = this.#recall(key) ?? this.#inFlight.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request');
      }
      const value = 'value' in earlier ? earlier.value : await earlier.promise;
      return { value, replayed: true };
    }
    const promise = (async () => work())();
    this.#inFlight.set(key, { fingerprint, promise });
    try {
      const value = await promise;
      this.#remember(key, fingerprint, value);
      return { value, replayed: false };
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #recall(key: string): Completed<T> | undefined {
    const entry = this.#completed.get(key);
    if (!entry) return undefined;
    this.#completed.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#completed.set(key, entry);
    return entry;
  }

  #remember(key: string, fingerprint: string, value: T): void {
    this.#completed.set(key, { fingerprint, value, expiresAt: this.#now() + this.#options.ttlMs });
    for (const oldest of this.#completed.keys()) {
      if (this.#completed.size <= this.#options.maxEntries) break;
      this.#completed.delete(oldest);
    }
  }
}
