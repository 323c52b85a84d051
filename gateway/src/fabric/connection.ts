import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Identity } from '@hyperledger/fabric-gateway';
import type { Config } from '../config';
import type { FabricInstruments } from '../metrics';
import { ROLES, type Role } from '../roles';
import { FabricLedger, type RoleIdentity } from './fabric-ledger';
import { createSigning, type SignerKind } from './signer';

type ReadFile = (path: string) => Buffer;

/** One long-lived gRPC connection to the peer, shared by every role's Gateway. */
export function newGrpcClient(config: Pick<Config, 'peerEndpoint' | 'peerHostAlias' | 'tlsCaCert'>, readFile: ReadFile = readFileSync): grpc.Client {
  const credentials = grpc.credentials.createSsl(readFile(config.tlsCaCert));
  const options: grpc.ClientOptions = config.peerHostAlias ? { 'grpc.ssl_target_name_override': config.peerHostAlias } : {};
  return new grpc.Client(config.peerEndpoint, credentials, options);
}

export function loadRoleIdentity(
  files: { certPath: string; keyPath: string },
  mspId: string,
  signer: SignerKind,
  readFile: ReadFile = readFileSync,
): RoleIdentity {
  const identity: Identity = { mspId, credentials: readFile(files.certPath) };
  const key = createPrivateKey(readFile(files.keyPath));
  return { identity, signing: createSigning(signer, key) };
}

/** Builds the Fabric-backed LedgerClient from validated config (reads the cert and key files). */
export function connectLedger(config: Config, instruments: FabricInstruments, readFile: ReadFile = readFileSync): FabricLedger {
  const identities: Partial<Record<Role, RoleIdentity>> = {};
  for (const role of ROLES) {
    const files = config.identities[role];
    if (files) identities[role] = loadRoleIdentity(files, files.mspId ?? config.mspId, config.signer, readFile);
  }
  return new FabricLedger({
    client: newGrpcClient(config, readFile),
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
