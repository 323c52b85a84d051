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

/** Per call: which failures may still have taken effect, and the key's first time if the key is new. */
export interface RunOptions {
  readonly mayHaveTakenEffect?: (err: unknown) => boolean;
  /** The time to remember for a key seen for the first time (default: now); later calls get the remembered one. */
  readonly firstAt?: number;
}

/**
 * A remembered key, with the time it was first used (`firstAt`, kept whatever its calls end with): `done` with the
 * value it completed with; `unknown` when a call failed in a way that may still take effect, so only its fingerprint
 * is kept; `seen` when every call so far failed for certain, which binds nothing.
 */
type Remembered<T> = { readonly firstAt: number; readonly expiresAt: number } & (
  | { readonly state: 'done'; readonly fingerprint: string; readonly value: T }
  | { readonly state: 'unknown'; readonly fingerprint: string }
  | { readonly state: 'seen' }
);

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
 * request while the first one may yet commit. Every key also keeps the time it was first used, which
 * the work receives on every call, so a retry is dated like the first attempt.
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

  async run(
    key: string,
    fingerprint: string,
    work: (firstAt: number) => Promise<T>,
    options: RunOptions = {},
  ): Promise<IdempotentOutcome<T>> {
    const earlier = this.#recall(key);
    const inFlight = this.#inFlight.get(key);
    const bound = earlier?.state === 'seen' ? undefined : earlier?.fingerprint;
    if ((bound !== undefined && bound !== fingerprint) || (inFlight && inFlight.fingerprint !== fingerprint)) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request');
    }
    if (earlier?.state === 'done') return { value: earlier.value, replayed: true };
    if (inFlight) return { value: await inFlight.promise, replayed: true };

    const firstAt = earlier?.firstAt ?? options.firstAt ?? this.#now();
    // Remembered before the work runs, so the key's first time survives however this call ends.
    if (!earlier) this.#remember(key, { state: 'seen', firstAt, expiresAt: this.#expiry() });
    const promise = (async () => work(firstAt))();
    this.#inFlight.set(key, { fingerprint, promise });
    try {
      const value = await promise;
      this.#remember(key, { state: 'done', fingerprint, value, firstAt, expiresAt: this.#expiry() });
      return { value, replayed: false };
    } catch (err) {
      // An earlier unknown outcome stays remembered even when this retry fails for certain.
      if (options.mayHaveTakenEffect?.(err)) {
        this.#remember(key, { state: 'unknown', fingerprint, firstAt, expiresAt: this.#expiry() });
      }
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
