import { type Counts, type Poll, type TallyState, CHAIN_DOMAIN } from '@poll-ledger/protocol';
import { type BallotContent, ballotHash, compareStrings } from './ballot';
import { sha256Hex } from './canonical';

/**
 * The tally: per-option counts, the ballot count and a hash chain over the ballots in key order.
 * Pure functions, shared by the chaincode's TallyPoll and live results and by anyone who recomputes a result.
 */

/** Counts (every option of every question, 0 included), ballots counted, and the chain head over them. */
export type Tally = Pick<TallyState, 'ballotCount' | 'counts' | 'ballotsRoot'>;

/** h0 = sha256hex("poll-ledger:ballots:" + pollId) */
export const chainStart = (pollId: string): string => sha256Hex(CHAIN_DOMAIN + pollId);

/** h_i = sha256hex(h_{i-1} + ballotHash_i), a concatenation of hex strings. */
export const chainStep = (head: string, hash: string): string => sha256Hex(head + hash);

export function emptyTally(poll: Pick<Poll, 'id' | 'questions'>): Tally {
  const counts = Object.fromEntries(
    poll.questions.map((q) => [q.id, Object.fromEntries(q.options.map((o) => [o.id, 0]))]),
  );
  return { ballotCount: 0, counts, ballotsRoot: chainStart(poll.id) };
}

/** Counts `ballots` in the order given, which must be key order (ascending ballotId) for the chain to match. */
export function addBallots(tally: Tally, ballots: Iterable<BallotContent>): Tally {
  const counts: Counts = Object.fromEntries(
    Object.entries(tally.counts).map(([questionId, options]) => [questionId, { ...options }]),
  );
  let { ballotCount, ballotsRoot } = tally;
  for (const ballot of ballots) {
    for (const [questionId, optionIds] of Object.entries(ballot.answers)) {
      for (const optionId of optionIds) {
        increment(counts, questionId, optionId, ballot.ballotId);
      }
    }
    ballotCount += 1;
    ballotsRoot = chainStep(ballotsRoot, ballotHash(ballot));
  }
  return { ballotCount, counts, ballotsRoot };
}

function increment(counts: Counts, questionId: string, optionId: string, ballotId: string): void {
  const options = Object.hasOwn(counts, questionId) ? counts[questionId] : undefined;
  const current = options !== undefined && Object.hasOwn(options, optionId) ? options[optionId] : undefined;
  if (options === undefined || current === undefined) {
    // Ballots are validated before they are written, so this means the state is not what this chaincode wrote.
    throw new Error(`ballot ${ballotId} names ${questionId}/${optionId}, which its poll does not have`);
  }
  options[optionId] = current + 1;
}

/** The result of a poll recomputed from its raw ballots, in any order: what an auditor compares with the ledger. */
export function referenceTally(poll: Pick<Poll, 'id' | 'questions'>, ballots: Iterable<BallotContent>): Tally {
  const sorted = [...ballots].sort((a, b) => compareStrings(a.ballotId, b.ballotId));
  const stranger = sorted.find((b) => b.pollId !== poll.id);
  if (stranger !== undefined) {
    throw new Error(`ballot ${stranger.ballotId} belongs to poll ${stranger.pollId}, not ${poll.id}`);
  }
  return addBallots(emptyTally(poll), sorted);
}

export function startTallyState(poll: Pick<Poll, 'id' | 'questions'>): TallyState {
  return { pollId: poll.id, cursor: '', done: false, ...emptyTally(poll) };
}

/** One TallyPoll batch: the ballots after the cursor in key order, and whether the range ended within the batch. */
export interface TallyBatch {
  readonly entries: readonly { readonly key: string; readonly ballot: BallotContent }[];
  readonly exhausted: boolean;
}

export function advanceTallyState(state: TallyState, batch: TallyBatch): TallyState {
  const last = batch.entries.at(-1);
  return {
    pollId: state.pollId,
    cursor: last === undefined ? state.cursor : last.key,
    done: batch.exhausted,
    ...addBallots(state, batch.entries.map((e) => e.ballot)),
  };
}
