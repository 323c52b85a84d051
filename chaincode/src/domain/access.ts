import { type OrgKind, type Poll, Roles, orgKindOf } from '@poll-ledger/protocol';
import { ForbiddenError } from './errors';

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

/**
 * UpdatePoll, OpenPoll, ClosePoll, CancelPoll and TallyPoll: a city poll-admin (any poll), or a poll-admin of the
 * department that owns the poll.
 */
export function assertMayManagePoll(caller: Caller, poll: Pick<Poll, 'id' | 'ownerMsp'>): void {
  const mayManage =
    isPollAdminOf(caller, ['city']) || (isPollAdminOf(caller, ['department']) && poll.ownerMsp === caller.mspId);
  if (!mayManage) {
    throw new ForbiddenError(`${describe(caller)} may not change poll ${poll.id}, owned by ${poll.ownerMsp}`);
  }
}

/** CastBallot: only the city's ballot-relay, the identity the gateway casts with on citizens' behalf. */
export function assertMayCastBallot(caller: Caller): void {
  if (!(caller.role === Roles.ballotRelay && orgKindOf(caller.mspId) === 'city')) {
    throw new ForbiddenError(`${describe(caller)} may not cast ballots`);
  }
}
