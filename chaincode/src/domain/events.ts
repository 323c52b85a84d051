import type { Ballot } from './ballot';
import type { Poll, PollAction } from './poll';

/** Chaincode events. Payloads carry no citizen data: the ballot id is already a per-poll pseudonym. */

export const PollEvents = {
  create: 'PollCreated',
  update: 'PollUpdated',
  open: 'PollOpened',
  close: 'PollClosed',
  cancel: 'PollCancelled',
  tally: 'PollTallied',
} as const satisfies Record<PollAction | 'create' | 'update', string>;

export const BALLOT_CAST = 'BallotCast';

export interface ChaincodeEvent {
  readonly name: string;
  readonly payload: Readonly<Record<string, string>>;
}

export function pollEvent(name: string, poll: Poll, txId: string): ChaincodeEvent {
  return { name, payload: { pollId: poll.id, status: poll.status, txId } };
}

export function ballotCastEvent(ballot: Ballot): ChaincodeEvent {
  const { pollId, ballotId, ballotHash, txId } = ballot;
  return { name: BALLOT_CAST, payload: { pollId, ballotId, ballotHash, txId } };
}
