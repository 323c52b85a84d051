import type {
  Ballot,
  BallotHistory,
  Poll,
  PollHistory,
  PollPage,
  PollStatus,
  TallyState,
} from '@poll-ledger/protocol';
import { InvalidArgumentError, NotFoundError } from '../domain/errors';
import {
  type KeyRange,
  allPollsRange,
  ballotKey,
  ballotRange,
  isInRange,
  lastKeySegment,
  pollKey,
  pollStatusKey,
  pollStatusRange,
  rangeAfter,
  tallyKey,
} from '../domain/keys';
import type { TallyBatch } from '../domain/tally';
import type { StateEntry, WorldState } from './world-state';

export interface BallotPage {
  readonly ballots: readonly Ballot[];
  readonly bookmark: string;
}

/**
 * Typed records over the world state, and the one place that keeps the `pollstatus~` index in step with polls.
 * Values are trusted on read: only this chaincode writes them, after validation.
 */
export class PollStore {
  readonly #state: WorldState;

  constructor(state: WorldState) {
    this.#state = state;
  }

  async findPoll(pollId: string): Promise<Poll | undefined> {
    return (await this.#state.get(pollKey(pollId))) as Poll | undefined;
  }

  async loadPoll(pollId: string): Promise<Poll> {
    return required(await this.findPoll(pollId), `no poll ${pollId}`);
  }

  async insertPoll(poll: Poll): Promise<void> {
    await this.#state.put(pollKey(poll.id), poll);
    await this.#state.put(pollStatusKey(poll.status, poll.id), {});
  }

  /** Writes the new version, and moves the status index entry when the status changed. */
  async replacePoll(previous: Poll, poll: Poll): Promise<void> {
    await this.#state.put(pollKey(poll.id), poll);
    if (previous.status !== poll.status) {
      await this.#state.delete(pollStatusKey(previous.status, poll.id));
      await this.#state.put(pollStatusKey(poll.status, poll.id), {});
    }
  }

  /** A page of polls, all of them or those in one status (through the index). */
  async listPolls(status: PollStatus | undefined, pageSize: number, bookmark: string): Promise<PollPage> {
    const range = status === undefined ? allPollsRange() : pollStatusRange(status);
    const page = await this.#state.readPage(range, pageSize, checkBookmark(range, bookmark));
    const polls: Poll[] = [];
    for (const entry of page.entries) {
      polls.push(status === undefined ? (entry.value as Poll) : await this.loadPoll(lastKeySegment(entry.key)));
    }
    return { polls, bookmark: page.bookmark, fetched: page.fetched };
  }

  async findBallot(pollId: string, ballotId: string): Promise<Ballot | undefined> {
    return (await this.#state.get(ballotKey(pollId, ballotId))) as Ballot | undefined;
  }

  /** The stored ballots of `ballotIds` in order (undefined where none), read together. */
  async findBallots(pollId: string, ballotIds: readonly string[]): Promise<(Ballot | undefined)[]> {
    return (await this.#state.getMany(ballotIds.map((id) => ballotKey(pollId, id)))) as (Ballot | undefined)[];
  }

  async loadBallot(pollId: string, ballotId: string): Promise<Ballot> {
    return required(await this.findBallot(pollId, ballotId), `no ballot ${ballotId} in poll ${pollId}`);
  }

  async putBallot(ballot: Ballot): Promise<void> {
    await this.#state.put(ballotKey(ballot.pollId, ballot.ballotId), ballot);
  }

  /** Writes ballots together (no two of the same voter). */
  async putBallots(ballots: readonly Ballot[]): Promise<void> {
    await this.#state.putMany(ballots.map((ballot) => ({ key: ballotKey(ballot.pollId, ballot.ballotId), value: ballot })));
  }

  /** Up to `limit` ballots after the cursor key, with a plain range read (TallyPoll is a write transaction). */
  async readBallotBatch(pollId: string, cursor: string, limit: number): Promise<TallyBatch> {
    const { entries, exhausted } = await this.#state.readRange(rangeAfter(ballotRange(pollId), cursor), limit);
    return { entries: entries.map((e) => ({ key: e.key, ballot: e.value as Ballot })), exhausted };
  }

  /** One page of a poll's ballots, for read-only live counts. */
  async readBallotPage(pollId: string, pageSize: number, bookmark: string): Promise<BallotPage> {
    const range = ballotRange(pollId);
    const page = await this.#state.readPage(range, pageSize, checkBookmark(range, bookmark));
    return { ballots: page.entries.map((e: StateEntry) => e.value as Ballot), bookmark: page.bookmark };
  }

  async findTally(pollId: string): Promise<TallyState | undefined> {
    return (await this.#state.get(tallyKey(pollId))) as TallyState | undefined;
  }

  async putTally(state: TallyState): Promise<void> {
    await this.#state.put(tallyKey(state.pollId), state);
  }

  async pollHistory(pollId: string): Promise<PollHistory> {
    return (await this.#state.history(pollKey(pollId))) as PollHistory;
  }

  async ballotHistory(pollId: string, ballotId: string): Promise<BallotHistory> {
    return (await this.#state.history(ballotKey(pollId, ballotId))) as BallotHistory;
  }
}

function required<T>(value: T | undefined, text: string): T {
  if (value === undefined) {
    throw new NotFoundError(text);
  }
  return value;
}

/** A bookmark must come from the same listing, so a caller cannot read outside the range it asked for. */
function checkBookmark(range: KeyRange, bookmark: string): string {
  if (bookmark !== '' && !isInRange(range, bookmark)) {
    throw new InvalidArgumentError('bookmark does not belong to this listing', 'bookmark');
  }
  return bookmark;
}
