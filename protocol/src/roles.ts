import { z } from 'zod';

/** Who is who on the channel: the organisations the chaincode knows by MSP ID, and the client roles. */
export const Orgs = {
  /** City IT: its poll-admins manage every poll; its ballot-relay is the only identity that casts ballots. */
  city: 'CityMSP',
  /** Independent observers (a civic observer and a civic watchdog): they endorse and audit; they may read everything and change nothing. */
  observers: ['ObserverMSP', 'WatchdogMSP'],
} as const satisfies { city: string; observers: readonly string[] };

/**
 * `department`: any other member of the channel; its poll-admins create polls and manage the polls they own. A new
 * department needs no chaincode change, because joining the channel already needs an observer admin's signature
 * (docs/governance.md). A new observer does: it must be listed above, or it would count as a department.
 */
export type OrgKind = 'city' | 'department' | 'observer';

export function orgKindOf(mspId: string): OrgKind {
  if (mspId === Orgs.city) return 'city';
  return (Orgs.observers as readonly string[]).includes(mspId) ? 'observer' : 'department';
}

/** The certificate attribute (issued by each org's Fabric CA with `:ecert`) that carries the caller's role. */
export const ROLE_ATTRIBUTE = 'role';

export const Roles = {
  pollAdmin: 'poll-admin',
  ballotRelay: 'ballot-relay',
  auditor: 'auditor',
} as const;

/** Every client role, in one list: API keys map to one of these, and every org's CA issues one identity of each. */
export const ROLES = [Roles.pollAdmin, Roles.ballotRelay, Roles.auditor] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);
