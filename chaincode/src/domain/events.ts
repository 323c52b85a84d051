import {
  BALLOT_CAST,
  BALLOTS_CAST,
  type Ballot,
  type Answers,
  type BallotCastEvent,
  type BallotsCastPayload,
  type Poll,
  type PollEventName,
  type PollEventPayload,
} from '@poll-ledger/protocol';

/** Chaincode events (names and payloads are the protocol's events.ts). */
export interface ChaincodeEvent {
  readonly name: string;
  readonly payload: PollEventPayload | BallotCastEvent | BallotsCastPayload;
}

export function pollEvent(name: PollEventName, poll: Poll, txId: string): ChaincodeEvent {
  return { name, payload: { pollId: poll.id, status: poll.status, txId } };
}

/**
 * The receipt fields and the count change: the ballot's answers, and `replaced`, those of the stored version it
 * replaced (a re-vote). The ballot id is already a per-poll pseudonym; the answers are in the write set anyway.
 */
export function ballotCastEvent(ballot: Ballot, replaced?: Answers): ChaincodeEvent {
  const { pollId, ballotId, ballotHash, txId, answers } = ballot;
  return { name: BALLOT_CAST, payload: { pollId, ballotId, ballotHash, txId, ...countChange(answers, replaced) } };
}

/** A written ballot's count change, with `replaced` only for a re-vote. */
export function countChange(answers: Answers, replaced: Answers | undefined): Pick<BallotCastEvent, 'answers' | 'replaced'> {
  return replaced === undefined ? { answers } : { answers, replaced };
}

/** A ballot as BallotsCast lists it. */
export type BatchCastEntry = BallotsCastPayload['ballots'][number];

/**
 * The one event of a CastBallots transaction (Fabric keeps only the last event set): the ballots it wrote, in their
 * order; undefined when it wrote none, since the payload lists at least one.
 */
export function ballotsCastEvent(pollId: string, txId: string, ballots: readonly BatchCastEntry[]): ChaincodeEvent | undefined {
  return ballots.length === 0 ? undefined : { name: BALLOTS_CAST, payload: { pollId, txId, ballots: [...ballots] } };
}
