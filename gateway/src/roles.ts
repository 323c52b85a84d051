/** The caller roles an API key can hold, as the protocol lists them; each maps to one Fabric identity of the gateway. */
export { ROLES, RoleSchema, Roles, type Role } from '@poll-ledger/protocol';
