import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { IDENTITY_NAMES, type Network, NetworkSchema, readNetworkFile } from './network';

/**
 * `poll-ledger-network-json`: the one writer of network.json (called by the network scripts), and a validated
 * reader for shell scripts.
 *
 *   write <file> <mode> <channel> <chaincode> ORG...
 *     ORG is 8 words: <key> <mspId> <peerEndpoint> <peerHostAlias> <tlsCaCert> <ordererEndpoint> <caUrl> <orgDir>;
 *     identities are read from <orgDir>/users/<name>/msp/{signcerts/cert.pem,keystore/key.pem}.
 *   check <file>
 *     exits 1 with every problem when the file is not a valid network description.
 */

const ORG_WORDS = 8;

/** One org as the scripts describe it; NetworkSchema checks it. */
function orgEntry(words: readonly string[]): [string, unknown] {
  const [key = '', mspId = '', peerEndpoint = '', peerHostAlias = '', tlsCaCert = '', ordererEndpoint = '', caUrl = '', orgDir = ''] =
    words;
  const orgRoot = path.resolve(orgDir);
  const identity = (name: string) => ({
    certPath: path.join(orgRoot, 'users', name, 'msp', 'signcerts', 'cert.pem'),
    keyPath: path.join(orgRoot, 'users', name, 'msp', 'keystore', 'key.pem'),
  });
  const identities = Object.fromEntries(IDENTITY_NAMES.map((name) => [name, identity(name)]));
  return [key, { mspId, peerEndpoint, peerHostAlias, tlsCaCert: path.resolve(tlsCaCert), ordererEndpoint, caUrl, identities }];
}

export function buildNetwork(args: readonly string[]): Network {
  const [mode, channel, chaincode, ...orgWords] = args;
  if (orgWords.length === 0 || orgWords.length % ORG_WORDS !== 0) {
    throw new Error(`write needs <mode> <channel> <chaincode> and ${ORG_WORDS} words per org`);
  }
  const orgs: [string, unknown][] = [];
  for (let i = 0; i < orgWords.length; i += ORG_WORDS) {
    orgs.push(orgEntry(orgWords.slice(i, i + ORG_WORDS)));
  }
  const parsed = NetworkSchema.safeParse({ mode, channel, chaincode, orgs: Object.fromEntries(orgs) });
  if (!parsed.success) {
    throw new Error(`the network description is not valid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function main(argv: readonly string[]): number {
  const [command, file, ...rest] = argv;
  try {
    if (command === 'write' && file !== undefined) {
      const network = buildNetwork(rest);
      fs.writeFileSync(file, `${JSON.stringify(network, null, 2)}\n`);
      return 0;
    }
    if (command === 'check' && file !== undefined) {
      readNetworkFile(file);
      return 0;
    }
    process.stderr.write('usage: poll-ledger-network-json write <file> <mode> <channel> <chaincode> ORG... | check <file>\n');
    return 2;
  } catch (err) {
    process.stderr.write(`poll-ledger-network-json: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
