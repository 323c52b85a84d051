/**
 * The three things measured, each as an Operation: a ballot through REST, the same
 * ballot straight through fabric-gateway, and the baseline's blind write.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { GatewayError, type Contract } from '@hyperledger/fabric-gateway';
import type { SignerKind } from '@poll-ledger/fabric-client';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { chaincodeErrorCode, connectAs, type Connection, openColourPoll, statusName } from '../test/support/fabric';
import { answersFor, castBallotArgs } from '../test/support/polls';
import { apiKeys, call, gatewayOpsUrl } from '../test/support/rest';
import type { Kind } from './config';
import type { Operation, Outcome } from './load';

export interface Target {
  kind: Kind;
  /** The operation of one phase; TAG keeps its voters and keys apart from every other phase. */
  operation(tag: string): Operation;
  /** Read conflicts retried out of sight so far (the REST gateway's retry counter). */
  hiddenMvcc(): Promise<number>;
  close(): void;
}

const sha256hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Creates and opens one colour poll for a kind's ballots. */
export async function openPoll(prefix: string): Promise<string> {
  const admin = connectAs('city', 'poll-admin');
  try {
    return await openColourPoll(admin, prefix);
  } finally {
    admin.close();
  }
}

/**
 * The city's ballot-relay as a fabric-gateway client of CHAINCODE (fabric-client's TLS client and signer). It
 * signs with the same signer as the REST gateway (node-crypto by default), so REST/direct compares the REST
 * layer and not two signers.
 */
function connectRelay(signer: SignerKind, chaincode?: string): Connection {
  return connectAs('city', 'ballot-relay', { signer, ...(chaincode !== undefined && { chaincode }) });
}

/** submitAsync + getStatus: endorse, order, then wait for the commit. */
async function submit(contract: Contract, name: string, args: string[]): Promise<Outcome> {
  try {
    const tx = await contract.submitAsync(name, { arguments: args });
    const status = await tx.getStatus();
    return { ok: status.successful, committed: true, code: statusName(status.code) };
  } catch (err) {
    if (err instanceof GatewayError) {
      return { ok: false, committed: false, code: chaincodeErrorCode(err) ?? `${err.name} ${grpcStatus[err.code]}` };
    }
    return { ok: false, committed: false, code: `CLIENT_ERROR ${String(err)}`.slice(0, 60) };
  }
}

export async function restTarget(): Promise<Target> {
  const pollId = await openPoll('bench-rest');
  const key = apiKeys()['ballot-relay'];
  return {
    kind: 'rest',
    operation: (tag) => async (i) => {
      let reply;
      try {
        reply = await call<{ blockNumber?: number; error?: { code?: string } }>('POST', `/v1/polls/${pollId}/ballots`, {
          key, body: { citizenId: `${tag}-${String(i)}`, answers: answersFor(i) }, headers: { 'idempotency-key': randomUUID() },
        });
      } catch (err) {
        return { ok: false, committed: false, code: `FETCH_ERROR ${String(err)}`.slice(0, 60) };
      }
      if ((reply.status === 201 || reply.status === 200) && typeof reply.body.blockNumber === 'number') {
        return { ok: true, committed: true, code: 'VALID' };
      }
      const code = reply.body.error?.code ?? 'COMMIT_UNKNOWN';
      // These two were ordered and committed, just not as VALID.
      return { ok: false, committed: code === 'TRANSACTION_INVALID' || code === 'LEDGER_CONFLICT', code: `${String(reply.status)} ${code}` };
    },
    hiddenMvcc: async () => {
      const text = await (await fetch(`${gatewayOpsUrl}/metrics`)).text();
      const match = /^fabric_retries_total\{kind="mvcc"\} (\d+)/m.exec(text);
      return Number(match?.[1] ?? 0);
    },
    close: () => undefined,
  };
}

export async function directTarget(signer: SignerKind): Promise<Target> {
  const pollId = await openPoll('bench-direct');
  const relay = connectRelay(signer);
  return {
    kind: 'direct',
    operation: (tag) => (i) => {
      // A voter token and an Idempotency-Key hash, as the gateway would make them.
      const token = sha256hex(`${tag}\u0000${String(i)}`);
      return submit(relay.contract, 'CastBallot', castBallotArgs(pollId, token, answersFor(i), sha256hex(randomUUID())));
    },
    hiddenMvcc: () => Promise.resolve(0),
    close: () => { relay.close(); },
  };
}

export function baselineTarget(signer: SignerKind): Target {
  const relay = connectRelay(signer, 'baseline');
  return {
    kind: 'baseline',
    // ~100 bytes of value under a key of its own: nothing to read, nothing to conflict with.
    operation: (tag) => (i) => submit(relay.contract, 'Put', [`${tag}-${String(i)}`, randomBytes(50).toString('hex')]),
    hiddenMvcc: () => Promise.resolve(0),
    close: () => { relay.close(); },
  };
}

/** Retries the first transaction until it commits: gossip needs a while to learn a new chaincode's endorsers. */
export async function waitUntilReady(target: Target, timeoutMs: number): Promise<void> {
  const op = target.operation(`ready-${String(Date.now())}`);
  const until = Date.now() + timeoutMs;
  let last: Outcome | undefined;
  for (let i = 0; Date.now() < until; i++) {
    last = await op(i);
    if (last.ok) return;
    await sleep(1000);
  }
  throw new Error(`${target.kind} never became ready: ${last?.code ?? 'no attempt'}`);
}
