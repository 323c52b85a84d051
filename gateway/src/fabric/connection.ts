import { readFileSync } from 'node:fs';
import { loadIdentity, newPeerClient, type PeerTarget, type SigningIdentity } from '@poll-ledger/fabric-client';
import type { Config } from '../config';
import type { FabricInstruments } from '../metrics';
import { ROLES, type Role } from '../roles';
import { FabricLedger } from './fabric-ledger';

type ReadFile = (path: string) => Buffer;

/** The peer the gateway talks to, with the TLS CA read from its file. */
export function peerTarget(config: Pick<Config, 'peerEndpoint' | 'peerHostAlias' | 'tlsCaCert'>, readFile: ReadFile = readFileSync): PeerTarget {
  return { endpoint: config.peerEndpoint, hostAlias: config.peerHostAlias, tlsCaCert: readFile(config.tlsCaCert) };
}

/** Builds the Fabric-backed LedgerClient from validated config (reads the cert and key files). */
export function connectLedger(config: Config, instruments: FabricInstruments, readFile: ReadFile = readFileSync): FabricLedger {
  const identities: Partial<Record<Role, SigningIdentity>> = {};
  for (const role of ROLES) {
    const files = config.identities[role];
    if (files) identities[role] = loadIdentity(files, files.mspId ?? config.mspId, config.signer, readFile);
  }
  return new FabricLedger({
    // One long-lived gRPC connection to the peer, shared by every role's Gateway.
    client: newPeerClient(peerTarget(config, readFile)),
    identities,
    channel: config.channel,
    chaincode: config.chaincode,
    timeouts: {
      evaluateMs: config.evaluateTimeoutMs,
      endorseMs: config.endorseTimeoutMs,
      submitMs: config.submitTimeoutMs,
      commitStatusMs: config.commitStatusTimeoutMs,
    },
    retry: { mvccRetries: config.mvccRetries, resubmitRetries: config.resubmitRetries },
    instruments,
  });
}
