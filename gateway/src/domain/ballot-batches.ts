import { performance } from 'node:perf_hooks';
import type { BallotRequest } from '@poll-ledger/protocol';
import type { Role } from '../roles';
import type { CastOutcome } from './cast';

/** The bounds of one CastBallots transaction, and when one is sent. */
export interface BatchLimits {
  /** Ballots per transaction (at most the protocol's Limits.castBatch.max). */
  readonly maxBallots: number;
  /** Bytes of the ballots' JSON per transaction; a single ballot larger than this goes alone. */
  readonly maxBytes: number;
  /** Transactions of one poll in flight; while this many are, ballots are gathered instead of sent. */
  readonly maxInFlight: number;
  /**
   * The least time between two transactions of one poll: ballots that arrive sooner gather for the next. It bounds
   * Fabric's per-transaction cost (signatures, endorsement, validation) at 1000 / minIntervalMs transactions a second
   * per poll, so batches grow with the load, while a ballot after a quiet spell goes at once.
   */
  readonly minIntervalMs: number;
  /**
   * How long a ballot that could be sent at once waits for others. 0: only for those that arrive in the same turn
   * of the event loop (a setImmediate), so a lone ballot is not delayed.
   */
  readonly waitMs: number;
}

/**
 * Sends one CastBallots transaction of `ballots` and waits for it: one settlement per ballot, in their order.
 * Rejects only for a fault of its own (then every ballot gets that error).
 */
export type SendBallots = (role: Role, pollId: string, ballots: readonly BallotRequest[]) => Promise<readonly PromiseSettledResult<CastOutcome>[]>;

/**
 * Why a batch was sent when it was: `idle` (fewer than maxInFlight of its poll were in flight), `full` (it reached
 * maxBallots or maxBytes), `settled` (a batch of its poll settled while ballots waited), `paced` (minIntervalMs after
 * the poll's previous transaction).
 */
export type FlushReason = 'idle' | 'full' | 'settled' | 'paced';

/** What a person tuning the limits needs to see (metrics.ts implements it over prom-client). */
export interface BatchInstruments {
  sent(ballots: number, bytes: number, reason: FlushReason): void;
  /** How long a ballot waited from its arrival until its batch was sent. */
  waited(seconds: number): void;
  /** A ballot arrived while a ballot of the same voter was in an open transaction, so it waits for that one. */
  heldBack(): void;
  /** Ballots waiting and batches in flight, over every poll, after each change. */
  depth(queued: number, inFlight: number): void;
  /** Ballots sent again in a new transaction after a read conflict invalidated theirs. */
  reproposed(ballots: number): void;
}

interface Waiting {
  readonly ballot: BallotRequest;
  readonly bytes: number;
  readonly since: number;
  readonly settle: (result: PromiseSettledResult<CastOutcome>) => void;
}

/** The ballots of one (role, poll): one Fabric identity and one poll per CastBallots transaction. */
interface Lane {
  readonly key: string;
  readonly role: Role;
  readonly pollId: string;
  queue: Waiting[];
  queuedBytes: number;
  inFlight: number;
  /** When its last transaction was sent (performance.now()). */
  lastSentAt: number;
  /** The voters of the ballots in flight: a later ballot of one of them waits until that transaction settles. */
  readonly open: Set<string>;
  cancelTimer?: () => void;
}

/** `[` and `]` around the ballots, and a comma between two. */
const ARRAY_BYTES = 2;
const SEPARATOR_BYTES = 1;

function ballotBytes(ballot: BallotRequest): number {
  return Buffer.byteLength(JSON.stringify(ballot), 'utf8');
}

function after(ms: number, run: () => void): () => void {
  if (ms === 0) {
    const immediate = setImmediate(run);
    return () => { clearImmediate(immediate); };
  }
  const timer = setTimeout(run, ms);
  return () => { clearTimeout(timer); };
}

/**
 * Gathers concurrent ballots of one poll into CastBallots transactions, Nagle-style and paced: a ballot is sent at
 * once (with whatever arrived in the same turn, or within `waitMs`) when the poll's last transaction left at least
 * `minIntervalMs` ago and fewer than `maxInFlight` are in flight; otherwise ballots wait and go together at the next
 * slot, up to `maxBallots` and `maxBytes` per transaction. A batch is thus as large as the load makes it, Fabric's
 * per-transaction cost stays bounded, and a lone ballot is not delayed.
 * Two ballots of one voter are never in transactions open at the same time (nor in one transaction, which the
 * chaincode would refuse): the later waits until the earlier's transaction has settled, so a voter's re-vote cannot
 * invalidate (MVCC) a whole batch of other voters' ballots.
 */
export class BallotBatches {
  readonly #send: SendBallots;
  readonly #limits: BatchLimits;
  readonly #instruments: BatchInstruments | undefined;
  readonly #lanes = new Map<string, Lane>();
  #queued = 0;
  #inFlight = 0;

  constructor(send: SendBallots, limits: Readonly<BatchLimits>, instruments?: BatchInstruments) {
    this.#send = send;
    this.#limits = limits;
    this.#instruments = instruments;
  }

  /** Casts one ballot in the next transaction of its poll that may take it; settles with that ballot's own outcome. */
  cast(role: Role, pollId: string, ballot: BallotRequest): Promise<CastOutcome> {
    const lane = this.#lane(role, pollId);
    if (lane.open.has(ballot.voterToken)) this.#instruments?.heldBack();
    return new Promise((resolve, reject) => {
      const bytes = ballotBytes(ballot);
      const settle = (result: PromiseSettledResult<CastOutcome>) => {
        if (result.status === 'fulfilled') resolve(result.value);
        else reject(result.reason as Error);
      };
      lane.queue.push({ ballot, bytes, since: performance.now(), settle });
      lane.queuedBytes += bytes;
      this.#queued++;
      this.#depth();
      this.#schedule(lane);
    });
  }

  #lane(role: Role, pollId: string): Lane {
    const key = `${role}\u0000${pollId}`;
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { key, role, pollId, queue: [], queuedBytes: 0, inFlight: 0, lastSentAt: -Infinity, open: new Set() };
      this.#lanes.set(key, lane);
    }
    return lane;
  }

  /** Milliseconds until the lane may send its next transaction (0 or less: now). */
  #untilDue(lane: Lane): number {
    return lane.lastSentAt + this.#limits.minIntervalMs - performance.now();
  }

  #schedule(lane: Lane): void {
    // At the in-flight limit, the ballots wait for a batch to settle (#dispatch flushes then).
    if (lane.inFlight >= this.#limits.maxInFlight) return;
    const untilDue = this.#untilDue(lane);
    const full = lane.queue.length >= this.#limits.maxBallots || lane.queuedBytes >= this.#limits.maxBytes;
    if (full && untilDue <= 0) {
      this.#flush(lane, 'full');
      return;
    }
    if (lane.cancelTimer) return;
    const paced = untilDue > 0;
    const delay = paced ? Math.ceil(untilDue) : this.#limits.waitMs;
    lane.cancelTimer = after(delay, () => {
      lane.cancelTimer = undefined;
      this.#flush(lane, paced ? 'paced' : 'idle');
    });
  }

  #flush(lane: Lane, reason: FlushReason): void {
    lane.cancelTimer?.();
    lane.cancelTimer = undefined;
    let paced = false;
    while (lane.inFlight < this.#limits.maxInFlight) {
      if (this.#untilDue(lane) > 0) {
        paced = true;
        break;
      }
      const batch = this.#take(lane);
      if (batch.items.length === 0) break;
      lane.lastSentAt = performance.now();
      void this.#dispatch(lane, batch.items, batch.bytes, batch.full ? 'full' : reason);
    }
    // Only a paced stop sets a timer: held-back voters wait for their transaction to settle, which flushes again.
    if (paced && lane.queue.length > 0) this.#schedule(lane);
    if (lane.queue.length === 0 && lane.inFlight === 0) this.#lanes.delete(lane.key);
  }

  /** The next batch, in arrival order: ballots of voters in flight (or already in it) stay for a later one. */
  #take(lane: Lane): { items: Waiting[]; bytes: number; full: boolean } {
    const items: Waiting[] = [];
    const rest: Waiting[] = [];
    const voters = new Set<string>();
    let bytes = ARRAY_BYTES;
    let full = false;
    for (const waiting of lane.queue) {
      const voter = waiting.ballot.voterToken;
      const fits = items.length === 0 || bytes + SEPARATOR_BYTES + waiting.bytes <= this.#limits.maxBytes;
      if (!fits) full = true;
      if (full || !fits || lane.open.has(voter) || voters.has(voter)) {
        rest.push(waiting);
        continue;
      }
      items.push(waiting);
      voters.add(voter);
      bytes += waiting.bytes + (items.length > 1 ? SEPARATOR_BYTES : 0);
      if (items.length >= this.#limits.maxBallots) full = true;
    }
    lane.queue = rest;
    return { items, bytes, full };
  }

  async #dispatch(lane: Lane, items: readonly Waiting[], bytes: number, reason: FlushReason): Promise<void> {
    lane.inFlight++;
    this.#inFlight++;
    this.#queued -= items.length;
    const sentAt = performance.now();
    for (const item of items) {
      lane.queuedBytes -= item.bytes;
      lane.open.add(item.ballot.voterToken);
      this.#instruments?.waited((sentAt - item.since) / 1000);
    }
    this.#instruments?.sent(items.length, bytes, reason);
    this.#depth();
    const results = await this.#send(lane.role, lane.pollId, items.map((item) => item.ballot)).catch((err: unknown) =>
      items.map((): PromiseSettledResult<CastOutcome> => ({ status: 'rejected', reason: err })),
    );
    lane.inFlight--;
    this.#inFlight--;
    for (const item of items) lane.open.delete(item.ballot.voterToken);
    items.forEach((item, index) => {
      item.settle(results[index] ?? { status: 'rejected', reason: new Error(`the batch answered ${results.length} of ${items.length} ballots`) });
    });
    this.#depth();
    this.#flush(lane, 'settled');
  }

  #depth(): void {
    this.#instruments?.depth(this.#queued, this.#inFlight);
  }
}
