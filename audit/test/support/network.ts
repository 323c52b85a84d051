import { IDENTITY_NAMES, type Network, type NetworkOrg } from '@poll-ledger/protocol';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface OrgFiles {
  readonly tlsCaCert: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** A network.json of the protocol's schema; every identity of an org uses the same certificate and key files. */
export function networkDescription(orgs: Readonly<Record<string, { mspId: string; port: number }>>, files: OrgFiles): Network {
  const org = ({ mspId, port }: { mspId: string; port: number }): NetworkOrg => ({
    mspId,
    peerEndpoint: `127.0.0.1:${port}`,
    peerHostAlias: 'localhost',
    tlsCaCert: files.tlsCaCert,
    ordererEndpoint: '127.0.0.1:7050',
    caUrl: 'https://localhost:7054',
    identities: Object.fromEntries(
      IDENTITY_NAMES.map((name) => [name, { certPath: files.certPath, keyPath: files.keyPath }]),
    ) as NetworkOrg['identities'],
  });
  return {
    mode: 'quick',
    channel: 'polls',
    chaincode: 'polls',
    orgs: Object.fromEntries(Object.entries(orgs).map(([key, o]) => [key, org(o)])),
  };
}

export function writeNetworkJson(file: string, network: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(network, null, 2)}\n`);
}
