import {
  BALLOT_CAST,
  type Ballot,
  type BallotCastPayload,
  type Poll,
  type PollEventName,
  type PollEventPayload,
} from '@poll-ledger/protocol';

/** Chaincode events (names and payloads are the protocol's events.ts). */
export interface ChaincodeEvent {
  readonly name: string;
  readonly payload: PollEventPayload | BallotCastPayload;
}

export function pollEvent(name: PollEventName, poll: Poll, txId: string): ChaincodeEvent {
  return { name, payload: { pollId: poll.id, status: poll.status, txId } };
}

/** Only the receipt fields: the ballot id is already a per-poll pseudonym, the answers stay in state. */
export function ballotCastEvent(ballot: Ballot): ChaincodeEvent {
  const { pollId, ballotId, ballotHash, txId } = ballot;
  return { name: BALLOT_CAST, payload: { pollId, ballotId, ballotHash, txId } };
}
