import { createHash } from 'node:crypto';
import { setTimeout as delay, setImmediate } from 'node:timers/promises';
import {
  type Answers,
  BALLOT_CAST,
  BALLOTS_CAST,
  CHAIN_DOMAIN,
  type CountChange,
  type Counts,
  type Poll,
  PollEventNames,
  decodeChaincodeEvent,
} from '@poll-ledger/protocol';
import type { Role } from '../roles';
import { type EventPosition, isAfter, placeEvents } from './events';
import type { EventStream, LedgerClient, LedgerEvent } from './ledger';

/**
 * Live results whose cost does not grow with the ballots: each ballot's event carries its count change (its answers,
 * and for a re-vote those it replaced), so the gateway keeps every poll's count from the chain's events as they
 * commit, and a request reads a snapshot. Nothing is written to the ledger for it (no hot key); each replica keeps
 * its own, from genesis. The snapshot has the ballots root too, so it equals what the chaincode's GetResults, which
 * recounts every ballot and stays the check, answers at the same block.
 */

/** A poll's running result as kept from events: what GetResults would recount at `asOfBlock`. */
export interface RunningCount {
  readonly ballotCount: number;
  readonly counts: Counts;
  /** The head of the hash chain over the ballots counted, in key order, as the protocol defines it. */
  readonly ballotsRoot: string;
  /** Every ballot committed up to this block is counted; -1 before the first event. */
  readonly asOfBlock: number;
}

interface Snapshot {
  readonly version: number;
  readonly ballotCount: number;
  readonly counts: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly ballotsRoot: string;
  readonly asOfBlock: number;
  readonly takenAt: number;
  readonly millis: number;
}

interface PollTally {
  ballotCount: number;
  readonly counts: Map<string, Map<string, number>>;
  /** ballotId → ballotHash of the version counted, for the ballots root. */
  readonly hashes: Map<string, string>;
  /** Bumped by every change, so a snapshot knows whether it is current. */
  version: number;
  snapshot?: Snapshot;
  taking?: Promise<Snapshot>;
}

export interface RunningCountsOptions {
  /**
   * The least time between two snapshots of a changing poll. A snapshot's ballots root hashes every ballot of the
   * poll, so snapshots are also spaced by 20 times the last one's duration: the root costs at most 1/20 of a core.
   */
  readonly minSnapshotMs: number;
}

/** Hashes chained between two yields to the event loop, so a large poll's root does not stall requests. */
const CHAIN_SLICE = 5_000;

export class RunningCounts {
  readonly #polls = new Map<string, PollTally>();
  readonly #options: RunningCountsOptions;
  #applied: EventPosition | undefined;

  constructor(options: RunningCountsOptions = { minSnapshotMs: 1_000 }) {
    this.#options = options;
  }

  /** Where the next replay must start so that nothing is missed: the block of the last event applied. */
  get resumeBlock(): bigint {
    return this.#applied?.block ?? 0n;
  }

  /** Applies one event at its place on the chain; a place already applied (a replay after reconnecting) is skipped. */
  apply(place: EventPosition, event: LedgerEvent): void {
    if (!isAfter(place, this.#applied)) return;
    this.#applied = place;
    const decoded = decodeChaincodeEvent(event.eventName, event.payload);
    if (decoded?.eventName === BALLOT_CAST) {
      this.#change(decoded.payload.pollId, decoded.payload);
    } else if (decoded?.eventName === BALLOTS_CAST) {
      for (const ballot of decoded.payload.ballots) this.#change(decoded.payload.pollId, ballot);
    } else if (decoded?.eventName === PollEventNames.tally || decoded?.eventName === PollEventNames.cancel) {
      // Its results are the chaincode's from now on: the memory of its ballots is freed.
      this.#polls.delete(decoded.payload.pollId);
    }
  }

  /**
   * The running result of `poll` (every option of its questions, 0 for those nobody chose): the latest snapshot, or
   * a new one when the poll changed since and the spacing allows. Requests in between share one snapshot.
   */
  async resultOf(poll: Pick<Poll, 'id' | 'questions'>): Promise<RunningCount> {
    const tally = this.#polls.get(poll.id);
    const snapshot = tally === undefined ? this.#empty(poll.id) : await this.#snapshot(tally, poll.id);
    const counts: Counts = Object.fromEntries(
      poll.questions.map((q) => [q.id, Object.fromEntries(q.options.map((o) => [o.id, snapshot.counts.get(q.id)?.get(o.id) ?? 0]))]),
    );
    return { ballotCount: snapshot.ballotCount, counts, ballotsRoot: snapshot.ballotsRoot, asOfBlock: snapshot.asOfBlock };
  }

  #empty(pollId: string): Snapshot {
    return { version: 0, ballotCount: 0, counts: new Map(), ballotsRoot: chainStart(pollId), asOfBlock: this.#asOfBlock(), takenAt: 0, millis: 0 };
  }

  #asOfBlock(): number {
    return Number(this.#applied?.block ?? -1n);
  }

  #snapshot(tally: PollTally, pollId: string): Promise<Snapshot> {
    const last = tally.snapshot;
    if (last !== undefined) {
      const spacing = Math.max(this.#options.minSnapshotMs, 20 * last.millis);
      if (last.version === tally.version || Date.now() - last.takenAt < spacing) return Promise.resolve(last);
    }
    tally.taking ??= takeSnapshot(tally, pollId, this.#asOfBlock()).finally(() => {
      tally.taking = undefined;
    });
    return tally.taking;
  }

  #change(pollId: string, { ballotId, ballotHash, answers, replaced }: CountChange & { ballotId: string; ballotHash: string }): void {
    let tally = this.#polls.get(pollId);
    if (tally === undefined) {
      tally = { ballotCount: 0, counts: new Map(), hashes: new Map(), version: 0 };
      this.#polls.set(pollId, tally);
    }
    add(tally, answers, 1);
    // A re-vote moves the voter's choices; the ballot was counted once already.
    if (replaced === undefined) tally.ballotCount += 1;
    else add(tally, replaced, -1);
    tally.hashes.set(ballotId, ballotHash);
    tally.version += 1;
  }
}

/** The counts as they are now, and the ballots root over a sorted copy of the hashes, hashed in slices. */
async function takeSnapshot(tally: PollTally, pollId: string, asOfBlock: number): Promise<Snapshot> {
  const started = Date.now();
  const { version, ballotCount } = tally;
  const counts = new Map([...tally.counts].map(([questionId, options]) => [questionId, new Map(options)]));
  // Ballot ids are lowercase hex, so the default string order is the protocol's key order.
  const ids = [...tally.hashes.keys()].sort();
  const hashes = ids.map((id) => tally.hashes.get(id) ?? '');
  let head = chainStart(pollId);
  for (let from = 0; from < hashes.length; from += CHAIN_SLICE) {
    for (const hash of hashes.slice(from, from + CHAIN_SLICE)) head = sha256Hex(head + hash);
    await setImmediate();
  }
  const snapshot = { version, ballotCount, counts, ballotsRoot: head, asOfBlock, takenAt: Date.now(), millis: Date.now() - started };
  tally.snapshot = snapshot;
  return snapshot;
}

/** h0 of the protocol's ballot chain (protocol/src/hashing.ts); the vectors check it. */
export function chainStart(pollId: string): string {
  return sha256Hex(CHAIN_DOMAIN + pollId);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function add(tally: PollTally, answers: Answers, delta: number): void {
  for (const [questionId, optionIds] of Object.entries(answers)) {
    let options = tally.counts.get(questionId);
    if (options === undefined) {
      options = new Map();
      tally.counts.set(questionId, options);
    }
    for (const optionId of optionIds) options.set(optionId, (options.get(optionId) ?? 0) + delta);
  }
}

export interface FollowOptions {
  /** The identity that reads the events (one that may replay from genesis). */
  readonly role: Role;
  readonly signal: AbortSignal;
  /** Wait before reopening a stream that failed or ended. */
  readonly retryMs: number;
  readonly onError: (err: unknown) => void;
}

/**
 * Keeps `counts` up to date until `signal` aborts: reads the chaincode's events from genesis, and after a failure
 * reopens the stream at the block of the last event applied (whole blocks are re-read, so the ordinals line up, and
 * what was applied is skipped).
 */
export async function followRunningCounts(ledger: LedgerClient, counts: RunningCounts, options: FollowOptions): Promise<void> {
  const { signal } = options;
  // A function, not the property: the checks after an await must read it afresh.
  const stopped = (): boolean => signal.aborted;
  while (!stopped()) {
    let stream: EventStream | undefined;
    const stop = (): void => stream?.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      stream = await ledger.events(options.role, counts.resumeBlock);
      signal.throwIfAborted();
      for await (const { place, event } of placeEvents(stream)) counts.apply(place, event);
    } catch (err) {
      if (!stopped()) options.onError(err);
    } finally {
      signal.removeEventListener('abort', stop);
      stream?.close();
    }
    await delay(options.retryMs, undefined, { signal }).catch(() => undefined);
  }
}
