import {
  BALLOT_CAST,
  BALLOTS_CAST,
  type Ballot,
  type BallotCastPayload,
  type BallotsCastPayload,
  type Poll,
  type PollEventName,
  type PollEventPayload,
} from '@poll-ledger/protocol';

/** Chaincode events (names and payloads are the protocol's events.ts). */
export interface ChaincodeEvent {
  readonly name: string;
  readonly payload: PollEventPayload | BallotCastPayload | BallotsCastPayload;
}

export function pollEvent(name: PollEventName, poll: Poll, txId: string): ChaincodeEvent {
  return { name, payload: { pollId: poll.id, status: poll.status, txId } };
}

/** Only the receipt fields: the ballot id is already a per-poll pseudonym, the answers stay in state. */
export function ballotCastEvent(ballot: Ballot): ChaincodeEvent {
  const { pollId, ballotId, ballotHash, txId } = ballot;
  return { name: BALLOT_CAST, payload: { pollId, ballotId, ballotHash, txId } };
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
