import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ChaincodeError, CommitPendingError, ENVELOPE_FRESH_MS, TransactionInvalidError } from '../errors';
import type { LedgerClient, SubmitOptions, SubmitResult, TxRequest } from './ledger';
import type { PendingRecord, PendingStore, Resolution } from './state';

/** A request carried by a new transaction: the one that committed VALID with it. */
export interface Renewed {
  readonly txId: string;
  readonly blockNumber: number;
  readonly result: Uint8Array;
}

/**
 * Endorses and submits a kept record's request anew. Throws a ChaincodeError or TransactionInvalidError when the
 * ledger refuses it for good, CommitPendingError when the new transaction's outcome is unknown again (a
 * RenewalPendingError when the new transaction carries another request than the record's), anything else when it
 * may be tried later. Only requests the chaincode makes idempotent may have one (CastBallot, CastBallots: the
 * request ids and ballot keys make at most one of the old and new transactions count for each ballot).
 */
export type Renewer = (record: PendingRecord) => Promise<Renewed>;

/**
 * A renewal whose outcome is unknown, carrying another request than the record it renews (CastBallots renews only
 * the ballots its first transaction would have written): that request is kept with the new transaction.
 */
export class RenewalPendingError extends CommitPendingError {
  constructor(
    readonly request: TxRequest,
    pending: CommitPendingError,
  ) {
    super(pending.txId, { cause: pending, ...(pending.prepared ? { prepared: pending.prepared } : {}) });
  }
}

/** A kept transaction and its renewals, first to last (the last is `last`). */
export interface KeptChain {
  readonly first: PendingRecord;
  readonly last: PendingRecord;
  readonly chain: readonly PendingRecord[];
}

export interface PendingOptions {
  /** Resubmissions of the same envelope before it is taken for dead. */
  readonly maxResubmits: number;
  /** The first wait between resubmissions; doubled each time, up to 30 s. */
  readonly retryBaseMs: number;
  /** How long each commit-status check waits. */
  readonly statusWaitMs: number;
  /** How long a replica holds a record it works on. */
  readonly leaseMs: number;
  /** Records claimed per sweep. */
  readonly batch: number;
  /** Records worked at once. */
  readonly concurrency: number;
  readonly now?: () => number;
}

export interface SweepLog {
  resolved(txId: string, resolution: Resolution): void;
  failedToWork(txId: string, err: unknown): void;
}

const MAX_BACKOFF_MS = 30_000;
const MAX_REPLACEMENTS = 16;
/** The commit-status wait of a status lookup: a quick look, the sweeps do the waiting. */
const QUICK_LOOK_MS = 200;

/** A definite refusal: the request is not on the ledger and will not be by this transaction. */
function isDefinite(err: unknown): err is ApiError {
  return err instanceof ChaincodeError || err instanceof TransactionInvalidError;
}

/**
 * The gateway's ownership of every transaction it answered 202 for: the signed envelope is kept (in the shared
 * state, so any replica and a restarted gateway can carry on), resubmitted until it commits, has been sent
 * `maxResubmits` times over a growing backoff without committing, or is older than ENVELOPE_FRESH_MS (sent later, a
 * ballot would be ordered long after its own timestamp, which the auditor flags); then, for a request that has a Renewer, it is
 * endorsed and submitted anew, else it ends as a definite failure (NOT_COMMITTED). Every status URL thus ends
 * committed or failed, never pending for good.
 */
export class PendingTransactions {
  readonly #ledger: LedgerClient;
  readonly #store: PendingStore;
  readonly #renewers: Readonly<Partial<Record<string, Renewer>>>;
  readonly #options: PendingOptions;
  readonly #now: () => number;

  constructor(ledger: LedgerClient, store: PendingStore, renewers: Readonly<Partial<Record<string, Renewer>>>, options: PendingOptions) {
    this.#ledger = ledger;
    this.#store = store;
    this.#renewers = renewers;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Takes over the transaction of a CommitPendingError (before the 202 is answered). */
  async adopt(request: TxRequest, err: CommitPendingError): Promise<void> {
    if (!err.prepared) return;
    const record: PendingRecord = { txId: err.txId, request, ...err.prepared, createdAt: this.#now(), attempts: 0 };
    await this.#store.add(record, this.#now() + this.#options.retryBaseMs);
  }

  /**
   * The record of `txId` and the records of its renewals, or undefined if this gateway never owned it. A record
   * still open whose transaction has committed VALID is resolved on the way.
   */
  async lookup(txId: string): Promise<KeptChain | undefined> {
    const first = await this.#store.get(txId);
    if (!first) return undefined;
    const chain = [first];
    let last = first;
    for (let hops = 0; last.resolution?.outcome === 'replaced' && hops < MAX_REPLACEMENTS; hops++) {
      const next = await this.#store.get(last.resolution.by);
      if (!next) break;
      last = next;
      chain.push(last);
    }
    if (!last.resolution) {
      const status = await this.#ledger.commitStatus(last.request.role, last.txId, QUICK_LOOK_MS).catch(() => undefined);
      if (status?.valid) {
        const resolution: Resolution = { outcome: 'committed', txId: last.txId, blockNumber: status.blockNumber, result: last.result };
        await this.#store.resolve(last.txId, resolution);
        last = { ...last, resolution };
        chain[chain.length - 1] = last;
      }
    }
    return { first: chain[0] ?? first, last, chain };
  }

  /**
   * Works the records that are due, `concurrency` at a time (each may wait on the peer for its commit status, so
   * one after the other would leave a backlog of thousands, after an orderer outage, for many minutes); resolves
   * with how many were worked.
   */
  async sweep(log?: SweepLog): Promise<number> {
    const due = await this.#store.claimDue(this.#now(), this.#options.batch, this.#options.leaseMs);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let record = due[next++]; record !== undefined; record = due[next++]) {
        try {
          const resolution = await this.#work(record);
          if (resolution) log?.resolved(record.txId, resolution);
        } catch (err) {
          log?.failedToWork(record.txId, err);
          await this.#later(record, record.attempts).catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.concurrency, due.length) }, worker));
    return due.length;
  }

  /** Sweeps, then waits `intervalMs` (or goes on at once while a full batch was due), until the returned function is called. */
  start(intervalMs: number, log?: SweepLog): () => Promise<void> {
    const stop = new AbortController();
    const loop = (async () => {
      while (!stop.signal.aborted) {
        const worked = await this.sweep(log).catch((err: unknown) => {
          log?.failedToWork('*', err);
          return 0;
        });
        if (worked < this.#options.batch) await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    })();
    return async () => {
      stop.abort();
      await loop;
    };
  }

  async #work(record: PendingRecord): Promise<Resolution | undefined> {
    const { role } = record.request;
    let status = await this.#ledger.commitStatus(role, record.txId, this.#options.statusWaitMs);
    const fresh = this.#now() - record.proposedAt <= ENVELOPE_FRESH_MS;
    if (!status && fresh && record.attempts < this.#options.maxResubmits) {
      status = await this.#ledger.resubmit(role, record.envelope, this.#options.statusWaitMs).catch(() => undefined);
      if (!status) {
        await this.#later(record, record.attempts + 1);
        return undefined;
      }
    }
    if (status?.valid) return this.#resolve(record, { outcome: 'committed', txId: record.txId, blockNumber: status.blockNumber, result: record.result });
    const why = status
      ? `it was invalidated (${status.validationCodeName})`
      : fresh
        ? `it was sent ${String(record.attempts + 1)} times and never ordered`
        : 'it was not ordered while fresh, and an older one would look backdated';
    return this.#renew(record, why, status?.validationCodeName);
  }

  async #renew(record: PendingRecord, why: string, validationCode: string | undefined): Promise<Resolution | undefined> {
    const renew = this.#renewers[record.request.name];
    if (!renew) {
      const message = `transaction ${record.txId} did not commit: ${why}; nothing was recorded by it`;
      return this.#resolve(record, { outcome: 'failed', code: validationCode ?? 'NOT_COMMITTED', message });
    }
    try {
      const renewed = await renew(record);
      return await this.#resolve(record, { outcome: 'committed', ...renewed });
    } catch (err) {
      if (isDefinite(err)) return this.#resolve(record, { outcome: 'failed', code: err.code, message: err.message });
      if (err instanceof CommitPendingError && err.prepared) {
        await this.adopt(err instanceof RenewalPendingError ? err.request : record.request, err);
        return this.#resolve(record, { outcome: 'replaced', by: err.txId });
      }
      throw err;
    }
  }

  async #resolve(record: PendingRecord, resolution: Resolution): Promise<Resolution> {
    await this.#store.resolve(record.txId, resolution);
    return resolution;
  }

  #later(record: PendingRecord, attempts: number): Promise<void> {
    const backoff = Math.min(this.#options.retryBaseMs * 2 ** attempts, MAX_BACKOFF_MS);
    return this.#store.retryLater(record.txId, attempts, this.#now() + backoff);
  }
}

/**
 * The ledger as the HTTP layer uses it: every submit whose outcome is unknown is adopted (kept and seen through)
 * before the 202 is answered.
 */
export function adoptingLedger(ledger: LedgerClient, pending: PendingTransactions): LedgerClient {
  return {
    evaluate: (request) => ledger.evaluate(request),
    submit: async (request: TxRequest, options?: SubmitOptions): Promise<SubmitResult> => {
      try {
        return await ledger.submit(request, options);
      } catch (err) {
        if (err instanceof CommitPendingError) await pending.adopt(request, err);
        throw err;
      }
    },
    resubmit: (role, envelope, waitMs) => ledger.resubmit(role, envelope, waitMs),
    commitStatus: (role, txId, waitMs) => ledger.commitStatus(role, txId, waitMs),
    blockHeight: (role) => ledger.blockHeight(role),
    events: (role, startBlock) => ledger.events(role, startBlock),
    close: () => {
      ledger.close();
    },
  };
}
