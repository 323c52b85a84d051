import { type Answers, type Poll, parseKey } from '@poll-ledger/protocol';
import type { BallotFinding } from './ballot-tx';
import { ballotTimeProblems } from './time-order';
import type { KvWrite, NamespaceWrites } from './block-decoder';
import { type PollTrack, addProblem, addRuleChange, newPollTrack, pollTrackFromJson, pollTrackToJson } from './poll-track';
import { RecordError, parseBallotRecord, parsePollRecord } from './records';
import type { PollTrackJson, StoredValue, WriteRef } from './replay-state';
import type { RuleChangeRef } from './rule-changes';

/**
 * The chaincode's world state as VALID writes left it, per poll (last write wins, in block and transaction order),
 * by the protocol's key layout. Writes the lifecycle forbids are recorded as problems of their poll as they happen:
 * a deleted record, a ballot while the poll is not open, a replaced ballot under re-vote policy none.
 */

export class WorldStateView {
  readonly #namespace: string;
  readonly #polls = new Map<string, PollTrack>();
  /** Parsed poll records, so a ballot's poll status check does not re-parse; derived, never checkpointed. */
  readonly #parsedPolls = new Map<string, Poll | undefined>();

  constructor(namespace: string, polls: readonly PollTrackJson[] = []) {
    this.#namespace = namespace;
    for (const track of polls) {
      this.#polls.set(track.pollId, pollTrackFromJson(track));
    }
  }

  get polls(): ReadonlyMap<string, PollTrack> {
    return this.#polls;
  }

  /** Applies a VALID transaction's writes to the chaincode's namespace; returns how many were ballot writes. */
  apply(namespaces: readonly NamespaceWrites[], at: WriteRef): number {
    let ballotWrites = 0;
    for (const ns of namespaces) {
      if (ns.namespace !== this.#namespace) {
        continue;
      }
      for (const write of ns.writes) {
        ballotWrites += this.#applyWrite(write, at);
      }
    }
    return ballotWrites;
  }

  /** Records what a transaction's own arguments and result show to be wrong with its ballot writes (ballot-tx.ts). */
  addFindings(findings: readonly BallotFinding[], at: WriteRef): void {
    for (const finding of findings) {
      addProblem(this.#track(finding.pollId), `${finding.message}, at block ${at.block} tx ${at.tx} (${at.txId})`);
    }
  }

  /** The polls whose current record says `open` (from PollOpened to PollClosed or PollCancelled). */
  /** The answers of a ballot as the state holds it now; undefined when there is none (or its record is not valid). */
  ballotAnswers(pollId: string, ballotId: string): Answers | undefined {
    const stored = this.#polls.get(pollId)?.ballots.get(ballotId);
    if (stored === undefined) return undefined;
    try {
      return parseBallotRecord(stored.value).answers;
    } catch (err) {
      if (err instanceof RecordError) return undefined;
      throw err;
    }
  }

  openPollIds(): string[] {
    return [...this.#polls.values()].filter((track) => this.#parsedPoll(track)?.status === 'open').map((t) => t.pollId);
  }

  /** Marks each of `pollIds` as having had its rules changed while open. */
  markRuleChange(pollIds: readonly string[], change: RuleChangeRef): void {
    for (const id of pollIds) {
      const track = this.#polls.get(id);
      if (track !== undefined) {
        addRuleChange(track, change);
      }
    }
  }

  toJSON(): PollTrackJson[] {
    return [...this.#polls.values()].map(pollTrackToJson);
  }

  #applyWrite(write: KvWrite, at: WriteRef): number {
    const key = parseKey(write.key);
    // Status index entries carry nothing to audit; keys outside the layout are not the chaincode's records.
    if (key.kind === 'other' || key.kind === 'pollStatus') {
      return 0;
    }
    const track = this.#track(key.pollId);
    const stored: StoredValue = { value: write.value.toString('utf8'), at };
    const where = `block ${at.block} tx ${at.tx} (${at.txId})`;
    try {
      return this.#applyKeyWrite(track, key, write, stored, where);
    } finally {
      // After the write's own checks: a ballot is compared with what was ordered before it.
      if (at.timestamp !== undefined && (track.latestDated === undefined || at.timestamp > track.latestDated)) {
        track.latestDated = at.timestamp;
      }
    }
  }

  #applyKeyWrite(
    track: PollTrack,
    key: Exclude<ReturnType<typeof parseKey>, { kind: 'other' | 'pollStatus' }>,
    write: KvWrite,
    stored: StoredValue,
    where: string,
  ): number {
    if (key.kind === 'poll') {
      this.#parsedPolls.delete(key.pollId);
      if (write.isDelete) {
        delete track.poll;
        addProblem(track, `the poll record was deleted at ${where}`);
      } else {
        track.poll = stored;
      }
      return 0;
    }
    if (key.kind === 'tally') {
      if (write.isDelete) {
        delete track.tally;
        addProblem(track, `the tally record was deleted at ${where}`);
      } else {
        track.tally = stored;
      }
      return 0;
    }
    return this.#applyBallotWrite(track, key.ballotId, write.isDelete, stored, where);
  }

  #applyBallotWrite(track: PollTrack, ballotId: string, isDelete: boolean, stored: StoredValue, where: string): number {
    const poll = this.#parsedPoll(track);
    if (poll !== undefined && poll.status !== 'open') {
      addProblem(track, `ballot ${ballotId} was written while the poll was ${poll.status}, at ${where}`);
    }
    if (poll === undefined) {
      addProblem(track, `ballot ${ballotId} was written for a poll with no valid poll record, at ${where}`);
    }
    if (isDelete) {
      track.ballots.delete(ballotId);
      addProblem(track, `ballot ${ballotId} was deleted at ${where}`);
      return 0;
    }
    const previous = track.ballots.get(ballotId);
    for (const problem of ballotTimeProblems(poll, track.latestDated, previous, stored)) {
      addProblem(track, `ballot ${ballotId} ${problem}, at ${where}`);
    }
    if (previous !== undefined) {
      track.replacedBallots += 1;
      if (poll?.revotePolicy !== 'last-counts') {
        addProblem(track, `ballot ${ballotId} was replaced under re-vote policy ${poll?.revotePolicy ?? '?'}, at ${where}`);
      }
    }
    track.ballots.set(ballotId, stored);
    track.ballotWrites += 1;
    return 1;
  }

  #track(pollId: string): PollTrack {
    let track = this.#polls.get(pollId);
    if (track === undefined) {
      track = newPollTrack(pollId);
      this.#polls.set(pollId, track);
    }
    return track;
  }

  #parsedPoll(track: PollTrack): Poll | undefined {
    if (!this.#parsedPolls.has(track.pollId)) {
      let parsed: Poll | undefined;
      try {
        parsed = track.poll === undefined ? undefined : parsePollRecord(track.poll.value);
      } catch (err) {
        if (!(err instanceof RecordError)) {
          throw err;
        }
        parsed = undefined;
      }
      this.#parsedPolls.set(track.pollId, parsed);
    }
    return this.#parsedPolls.get(track.pollId);
  }
}
