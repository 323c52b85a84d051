import { type OrgKind, type Poll, Roles, orgKindOf } from '@poll-ledger/protocol';
import { ForbiddenError } from './errors';
import { isoToMillis } from './time';

/**
 * Who may change what (MSPs and roles are the protocol's roles.ts). Queries are open to every channel member (the
 * peer's channel ACLs decide membership), so only writes are checked here.
 */

export interface Caller {
  readonly mspId: string;
  /** The `role` certificate attribute; undefined when the certificate has none. */
  readonly role: string | undefined;
}

const describe = (caller: Caller): string => `${caller.role ?? '(no role)'} of ${caller.mspId}`;

const isPollAdminOf = (caller: Caller, kinds: readonly OrgKind[]): boolean =>
  caller.role === Roles.pollAdmin && kinds.includes(orgKindOf(caller.mspId));

/**
 * CreatePoll, and the first check of every other poll change: a poll-admin of the city or of a department.
 * A new poll belongs to its creator's MSP.
 */
export function assertPollAdmin(caller: Caller): void {
  if (!isPollAdminOf(caller, ['city', 'department'])) {
    throw new ForbiddenError(`${describe(caller)} may not create polls`);
  }
}

/** A city poll-admin manages any poll; a department poll-admin the polls of its own department. */
const mayManage = (caller: Caller, poll: Pick<Poll, 'ownerMsp'>): boolean =>
  isPollAdminOf(caller, ['city']) || (isPollAdminOf(caller, ['department']) && poll.ownerMsp === caller.mspId);

/** UpdatePoll, OpenPoll, CancelPoll and TallyPoll (and ClosePoll before closesAt): the poll's managers. */
export function assertMayManagePoll(caller: Caller, poll: Pick<Poll, 'id' | 'ownerMsp'>): void {
  if (!mayManage(caller, poll)) {
    throw new ForbiddenError(`${describe(caller)} may not change poll ${poll.id}, owned by ${poll.ownerMsp}`);
  }
}

/**
 * ClosePoll: the poll's managers at any time; from closesAt on (tx timestamp ≥ closesAt), any identity of a channel
 * member (the peer's ACL decides membership). So an observer can close a due poll: closing on time does not depend
 * on the organisations that run the poll, which choose their own tx timestamps.
 */
export function assertMayClosePoll(caller: Caller, poll: Pick<Poll, 'id' | 'ownerMsp' | 'closesAt'>, txTime: string): void {
  if (!mayManage(caller, poll) && isoToMillis(txTime) < isoToMillis(poll.closesAt)) {
    const when = `from its closesAt ${poll.closesAt} on, not at ${txTime}`;
    throw new ForbiddenError(`${describe(caller)} may close poll ${poll.id}, owned by ${poll.ownerMsp}, only ${when}`);
  }
}

/** CastBallot: only the city's ballot-relay, the identity the gateway casts with on citizens' behalf. */
export function assertMayCastBallot(caller: Caller): void {
  if (!(caller.role === Roles.ballotRelay && orgKindOf(caller.mspId) === 'city')) {
    throw new ForbiddenError(`${describe(caller)} may not cast ballots`);
  }
}
