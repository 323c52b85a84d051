import type { PollTrackJson, StoredValue } from './replay-state';
import type { RuleChangeRef } from './rule-changes';

/**
 * Everything the replay collects about one poll: the last VALID write of its poll record, its tally record and each
 * of its ballot keys, how many ballot writes there were, what looked wrong along the way, and the rule changes made
 * while it was open.
 */

/** Problems kept per poll in the report; all of them are counted. */
const MAX_PROBLEMS = 50;

export interface PollTrack {
  readonly pollId: string;
  poll?: StoredValue;
  tally?: StoredValue;
  /** ballotId → its last VALID write. */
  readonly ballots: Map<string, StoredValue>;
  /** VALID writes to this poll's ballot keys, re-votes included. */
  ballotWrites: number;
  /** Writes that replaced an earlier ballot of the same voter. */
  replacedBallots: number;
  problems: string[];
  problemCount: number;
  readonly rulesChangedWhileOpen: RuleChangeRef[];
  /** The latest timestamp among the VALID transactions that wrote this poll's keys so far, in ledger order. */
  latestDated?: string;
}

export function newPollTrack(pollId: string): PollTrack {
  return { pollId, ballots: new Map(), ballotWrites: 0, replacedBallots: 0, problems: [], problemCount: 0, rulesChangedWhileOpen: [] };
}

export function addRuleChange(track: PollTrack, change: RuleChangeRef): void {
  if (track.rulesChangedWhileOpen.length < MAX_PROBLEMS) {
    track.rulesChangedWhileOpen.push(change);
  }
}

export function addProblem(track: PollTrack, problem: string): void {
  track.problemCount += 1;
  if (track.problems.length < MAX_PROBLEMS) {
    track.problems.push(problem);
  }
}

export function pollTrackToJson(track: PollTrack): PollTrackJson {
  return {
    pollId: track.pollId,
    ...(track.poll === undefined ? {} : { poll: track.poll }),
    ...(track.tally === undefined ? {} : { tally: track.tally }),
    ballots: [...track.ballots.entries()],
    ballotWrites: track.ballotWrites,
    replacedBallots: track.replacedBallots,
    problems: [...track.problems],
    problemCount: track.problemCount,
    ...(track.rulesChangedWhileOpen.length === 0 ? {} : { rulesChangedWhileOpen: [...track.rulesChangedWhileOpen] }),
    ...(track.latestDated === undefined ? {} : { latestDated: track.latestDated }),
  };
}

export function pollTrackFromJson(json: PollTrackJson): PollTrack {
  return {
    pollId: json.pollId,
    ...(json.poll === undefined ? {} : { poll: json.poll }),
    ...(json.tally === undefined ? {} : { tally: json.tally }),
    ballots: new Map(json.ballots),
    ballotWrites: json.ballotWrites,
    replacedBallots: json.replacedBallots,
    problems: [...json.problems],
    problemCount: json.problemCount,
    rulesChangedWhileOpen: [...(json.rulesChangedWhileOpen ?? [])],
    ...(json.latestDated === undefined ? {} : { latestDated: json.latestDated }),
  };
}
