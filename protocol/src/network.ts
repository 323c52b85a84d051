import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ROLES } from './roles';

/**
 * `network.json`: the machine-readable description of a running network that the scripts write (through
 * `bin/network-json.js`) and the gateway's launcher, the tests, the benchmarks and the auditor read.
 */

/** `host:port`. */
const Endpoint = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port');

export const IdentityFilesSchema = z.strictObject({ certPath: z.string().min(1), keyPath: z.string().min(1) });
export type IdentityFiles = z.output<typeof IdentityFilesSchema>;

/** Every org has an admin and one client identity per role. */
export const IDENTITY_NAMES = ['admin', ...ROLES] as const;
export type IdentityName = (typeof IDENTITY_NAMES)[number];

export const NetworkOrgSchema = z.strictObject({
  mspId: z.string().min(1),
  peerEndpoint: Endpoint,
  /** The TLS server name of the peer (its certificate's SAN). */
  peerHostAlias: z.string().min(1),
  tlsCaCert: z.string().min(1),
  ordererEndpoint: Endpoint,
  caUrl: z.url(),
  identities: z.strictObject(
    Object.fromEntries(IDENTITY_NAMES.map((name) => [name, IdentityFilesSchema])) as Record<
      IdentityName,
      typeof IdentityFilesSchema
    >,
  ),
});
export type NetworkOrg = z.output<typeof NetworkOrgSchema>;

export const NetworkModes = ['quick', 'full'] as const;

export const NetworkSchema = z.strictObject({
  mode: z.enum(NetworkModes),
  channel: z.string().regex(/^[a-z][a-z0-9.-]*$/),
  chaincode: z.string().regex(/^[A-Za-z0-9_.+-]+$/),
  /** Keyed by the scripts' short org names (city, dept, observer). */
  orgs: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), NetworkOrgSchema),
});
export type Network = z.output<typeof NetworkSchema>;

export class NetworkFileError extends Error {
  override readonly name = 'NetworkFileError';
}

/** Parses a network description; the error names the file and every field that is wrong. */
export function parseNetwork(text: string, file = 'network.json'): Network {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NetworkFileError(`${file} is not JSON`);
  }
  const parsed = NetworkSchema.safeParse(value);
  if (!parsed.success) {
    throw new NetworkFileError(`${file} is not a valid network description: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Reads and checks a network description; relative file paths in it are taken from the file's own directory. */
export function readNetworkFile(file: string): Network {
  const network = parseNetwork(fs.readFileSync(file, 'utf8'), file);
  const dir = path.dirname(path.resolve(file));
  const at = (p: string): string => path.resolve(dir, p);
  const orgs = Object.entries(network.orgs).map(([key, org]): [string, NetworkOrg] => [
    key,
    {
      ...org,
      tlsCaCert: at(org.tlsCaCert),
      identities: Object.fromEntries(
        IDENTITY_NAMES.map((name) => [name, { certPath: at(org.identities[name].certPath), keyPath: at(org.identities[name].keyPath) }]),
      ) as NetworkOrg['identities'],
    },
  ]);
  return { ...network, orgs: Object.fromEntries(orgs) };
}

/** One org of the network, or an error naming the orgs there are. */
export function networkOrg(network: Network, orgKey: string, file = 'network.json'): NetworkOrg {
  const org = Object.hasOwn(network.orgs, orgKey) ? network.orgs[orgKey] : undefined;
  if (org === undefined) {
    throw new NetworkFileError(`no org '${orgKey}' in ${file} (it has ${Object.keys(network.orgs).join(', ')})`);
  }
  return org;
}
