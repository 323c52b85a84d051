/**
 * Calls made in one turn of the event loop, run together once it ends (setImmediate): many requests reach the
 * gateway's shared state at once under load (the ballots of one transaction complete together, concurrent requests
 * of one API key count against one limit), and one statement for them all saves a round trip to PostgreSQL each.
 * `run` answers each item in order; when it fails, every caller of the batch gets its error.
 */
export class TurnBatch<T, R> {
  readonly #run: (items: readonly T[]) => Promise<readonly R[]>;
  #pending: { readonly item: T; readonly resolve: (result: R) => void; readonly reject: (err: unknown) => void }[] = [];

  constructor(run: (items: readonly T[]) => Promise<readonly R[]>) {
    this.#run = run;
  }

  add(item: T): Promise<R> {
    if (this.#pending.length === 0) setImmediate(() => void this.#flush());
    return new Promise((resolve, reject) => this.#pending.push({ item, resolve, reject }));
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    try {
      const results = await this.#run(batch.map((entry) => entry.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${String(batch.length)} got ${String(results.length)} answers`);
      results.forEach((result, i) => batch[i]?.resolve(result));
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    }
  }
}
