/** fabric-gateway connections as a given organization and role of the test network. */
import * as grpc from '@grpc/grpc-js';
import { connect, Contract, Gateway, hash, Identity, Signer, signers } from '@hyperledger/fabric-gateway';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { readNetworkInfo } from './network';

export interface Connection {
  gateway: Gateway;
  contract: Contract;
  mspId: string;
  close(): void;
}

export function newGrpcClient(org: string): grpc.Client {
  const info = readNetworkInfo().orgs[org];
  if (!info) throw new Error(`no org ${org} in network.json`);
  const credentials = grpc.credentials.createSsl(fs.readFileSync(info.tlsCaCert));
  return new grpc.Client(info.peerEndpoint, credentials, {
    'grpc.ssl_target_name_override': info.peerHostAlias,
  });
}

export function identityOf(org: string, role: string): { identity: Identity; signer: Signer } {
  const info = readNetworkInfo().orgs[org];
  const files = info?.identities[role];
  if (!info || !files) throw new Error(`no identity ${role} for org ${org} in network.json`);
  return {
    identity: { mspId: info.mspId, credentials: fs.readFileSync(files.certPath) },
    signer: signers.newPrivateKeySigner(crypto.createPrivateKey(fs.readFileSync(files.keyPath))),
  };
}

/** Connects to ORG's own peer as ORG's ROLE identity. */
export function connectAs(org: string, role: string): Connection {
  const net = readNetworkInfo();
  const client = newGrpcClient(org);
  const { identity, signer } = identityOf(org, role);
  const gateway = connect({
    client,
    identity,
    signer,
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 15_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  const contract = gateway.getNetwork(net.channel).getContract(net.chaincode);
  return {
    gateway,
    contract,
    mspId: identity.mspId,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

export const utf8 = new TextDecoder();

interface DetailedError {
  message?: string;
  details?: { message?: string }[];
}

/**
 * The stable code at the front of a chaincode refusal (`CODE: text`), wherever the
 * fabric-gateway error carries it: in the endorsement details for submits, in the
 * message for evaluates.
 */
export function chaincodeErrorCode(err: unknown): string | undefined {
  const e = err as DetailedError;
  const texts = [...(e.details ?? []).map((d) => d.message ?? ''), e.message ?? ''];
  for (const text of texts) {
    const match = /(?:chaincode response \d+, |^)([A-Z][A-Z_]+):/.exec(text);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** Runs TASKS with at most LIMIT of them in flight at once. */
export async function runPool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task) results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
