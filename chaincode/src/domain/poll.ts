import { type Poll, type PollStatus, GeneratedPollId } from '@poll-ledger/protocol';
import { InvalidStateError, PollNotOpenError } from './errors';
import type { PollDefinition } from './poll-definition';
import { isoToMillis } from './time';

/** The lifecycle of a poll record: draft → open → closed → tallied, and cancelled from draft or open. */

export function generatedPollId(txId: string): string {
  return GeneratedPollId.prefix + txId.slice(0, GeneratedPollId.txIdChars);
}

/** A new poll in draft, owned by the creator's MSP. */
export function createPoll(definition: PollDefinition, id: string, ownerMsp: string, txId: string): Poll {
  return { ...definition, id, ownerMsp, status: 'draft', createdTxId: txId, updatedTxId: txId };
}

/** Replaces the definition of a draft poll; the id, owner, status and creation tx stay. */
export function updatePoll(poll: Poll, definition: PollDefinition, txId: string): Poll {
  if (poll.status !== 'draft') {
    throw new InvalidStateError(`poll ${poll.id} is ${poll.status}; only a draft poll can be updated`);
  }
  const { id, ownerMsp, status, createdTxId } = poll;
  return { ...definition, id, ownerMsp, status, createdTxId, updatedTxId: txId };
}

export type PollAction = 'open' | 'close' | 'cancel' | 'tally';

export interface Transition {
  readonly from: readonly PollStatus[];
  readonly to: PollStatus;
}

/** The whole lifecycle. Any move not listed here is INVALID_STATE. */
export const Transitions: Readonly<Record<PollAction, Transition>> = {
  open: { from: ['draft'], to: 'open' },
  close: { from: ['open'], to: 'closed' },
  cancel: { from: ['draft', 'open'], to: 'cancelled' },
  tally: { from: ['closed'], to: 'tallied' },
};

/** Refuses an action the poll's status does not allow. */
export function assertTransitionAllowed(poll: Poll, action: PollAction): void {
  if (!Transitions[action].from.includes(poll.status)) {
    throw new InvalidStateError(`cannot ${action} poll ${poll.id}: it is ${poll.status}`);
  }
}

/** The poll after `action`, recorded as changed by txId. */
export function transitionPoll(poll: Poll, action: PollAction, txId: string): Poll {
  assertTransitionAllowed(poll, action);
  return { ...poll, status: Transitions[action].to, updatedTxId: txId };
}

/** A ballot is accepted only while the poll is open and the tx timestamp is within [opensAt, closesAt]. */
export function assertAcceptingBallots(poll: Poll, txTime: string): void {
  if (poll.status !== 'open') {
    throw new PollNotOpenError(`poll ${poll.id} is ${poll.status}`);
  }
  const at = isoToMillis(txTime);
  if (at < isoToMillis(poll.opensAt) || at > isoToMillis(poll.closesAt)) {
    const window = `from ${poll.opensAt} to ${poll.closesAt}`;
    throw new PollNotOpenError(`poll ${poll.id} accepts ballots ${window}, not at ${txTime}`);
  }
}
