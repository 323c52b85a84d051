/** The caller roles an API key can hold; each maps to one Fabric identity of the gateway. */
export const ROLES = ['poll-admin', 'ballot-relay', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
