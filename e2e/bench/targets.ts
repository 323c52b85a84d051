/**
 * The things measured, each as an Operation: a ballot through REST (the gateway as it runs, or restarted with one
 * ballot a transaction), ballots straight through fabric-gateway (CastBallot, or CastBallots of a batch), and the
 * baseline's blind write.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { GatewayError, type Contract } from '@hyperledger/fabric-gateway';
import type { SignerKind } from '@poll-ledger/fabric-client';
import { type BallotRequest, parseResult } from '@poll-ledger/protocol';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { chaincodeErrorCode, connectAs, type Connection, openColourPoll, statusName } from '../test/support/fabric';
import { answersFor, castBallotArgs } from '../test/support/polls';
import { runScript } from '../test/support/network';
import { z } from 'zod';
import { apiKeys, gatewayOpsUrl, gatewayUrl } from '../test/support/rest';
import type { Kind } from './config';
import { closeIdleConnections, postJson } from './http-client';
import type { Operation, Outcome } from './load';

/** What the load generator reads of a ballot's answer: the block of a committed one, or the error's code. */
const BallotReplySchema = z.looseObject({ blockNumber: z.number().optional(), error: z.looseObject({ code: z.string().optional() }).optional() });

export interface Target {
  kind: Kind;
  /** Ballots (baseline: writes) one operation carries. */
  perOp: number;
  /** The operation of one phase; TAG keeps its voters and keys apart from every other phase. */
  operation(tag: string): Operation;
  /** Read conflicts retried out of sight so far (the REST gateway's retry counter). */
  hiddenMvcc(): Promise<number>;
  close(): Promise<void>;
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

/**
 * submitAsync + getStatus: endorse, order, then wait for the commit. `refusal` reads the endorsed result: the code
 * of a ballot it refused (CastBallots refuses ballots one by one and still commits), else undefined.
 */
async function submit(contract: Contract, name: string, args: string[], refusal?: (result: Uint8Array) => string | undefined): Promise<Outcome> {
  try {
    const tx = await contract.submitAsync(name, { arguments: args });
    const status = await tx.getStatus();
    const refused = status.successful ? refusal?.(tx.getResult()) : undefined;
    if (refused !== undefined) return { ok: false, committed: true, code: `BALLOT_REFUSED ${refused}` };
    return { ok: status.successful, committed: true, code: statusName(status.code) };
  } catch (err) {
    if (err instanceof GatewayError) {
      return { ok: false, committed: false, code: chaincodeErrorCode(err) ?? `${err.name} ${grpcStatus[err.code]}` };
    }
    return { ok: false, committed: false, code: `CLIENT_ERROR ${String(err)}`.slice(0, 60) };
  }
}

/** The gateway setting that makes it send one ballot a transaction (CastBallot), as before coalescing. */
const ONE_BALLOT_A_TRANSACTION = { GATEWAY_BALLOT_BATCH_MAX: '1' };

/** Restarts the network's gateway with ENV added (none: as gateway.sh starts it), on the same ports and database. */
async function restartGateway(env: Record<string, string> = {}): Promise<void> {
  await runScript('gateway.sh', ['stop'], { echo: false });
  await runScript('gateway.sh', ['start'], { echo: false, env });
}

/** rest: the gateway as it runs; rest-single: restarted with one ballot a transaction until the target closes. */
export async function restTarget(kind: 'rest' | 'rest-single'): Promise<Target> {
  if (kind === 'rest-single') await restartGateway(ONE_BALLOT_A_TRANSACTION);
  const pollId = await openPoll(`bench-${kind}`);
  const key = apiKeys()['ballot-relay'];
  const ballotsUrl = `${gatewayUrl()}/v1/polls/${pollId}/ballots`;
  return {
    kind,
    perOp: 1,
    operation: (tag) => async (i) => {
      let reply;
      try {
        reply = await postJson(ballotsUrl, { 'x-api-key': key, 'idempotency-key': randomUUID() }, { citizenId: `${tag}-${String(i)}`, answers: answersFor(i) });
      } catch (err) {
        return { ok: false, committed: false, code: `FETCH_ERROR ${String(err)}`.slice(0, 60) };
      }
      const answer = BallotReplySchema.safeParse(reply.body);
      const fields = answer.success ? answer.data : {};
      if ((reply.status === 201 || reply.status === 200) && fields.blockNumber !== undefined) {
        return { ok: true, committed: true, code: 'VALID' };
      }
      const code = fields.error?.code ?? 'COMMIT_UNKNOWN';
      // These two were ordered and committed, just not as VALID.
      return { ok: false, committed: code === 'TRANSACTION_INVALID' || code === 'LEDGER_CONFLICT', code: `${String(reply.status)} ${code}` };
    },
    hiddenMvcc: async () => {
      const text = await (await fetch(`${gatewayOpsUrl()}/metrics`)).text();
      const match = /^fabric_retries_total\{kind="mvcc"\} (\d+)/m.exec(text);
      return Number(match?.[1] ?? 0);
    },
    close: () => {
      closeIdleConnections();
      return kind === 'rest-single' ? restartGateway() : Promise.resolve();
    },
  };
}

/** A voter token and an Idempotency-Key hash for ballot I of phase TAG, as the gateway would make them. */
function ballotOf(tag: string, i: number): BallotRequest {
  return { voterToken: sha256hex(`${tag}\u0000${String(i)}`), answers: answersFor(i), requestId: sha256hex(randomUUID()), requestedAt: '' };
}

/** The first refusal among a CastBallots result's outcomes. */
function firstRefusal(result: Uint8Array): string | undefined {
  for (const outcome of parseResult('CastBallots', result).outcomes) if ('error' in outcome) return outcome.error.code;
  return undefined;
}

/** direct: CastBallot, one ballot a transaction; direct-batch: CastBallots of BATCH ballots. */
export async function directTarget(kind: 'direct' | 'direct-batch', signer: SignerKind, batch: number): Promise<Target> {
  const pollId = await openPoll(`bench-${kind}`);
  const relay = connectRelay(signer);
  const perOp = kind === 'direct' ? 1 : batch;
  return {
    kind,
    perOp,
    operation: (tag) => (i) => {
      if (kind === 'direct') {
        const { voterToken, answers, requestId } = ballotOf(tag, i);
        return submit(relay.contract, 'CastBallot', castBallotArgs(pollId, voterToken, answers, requestId));
      }
      const ballots = Array.from({ length: perOp }, (_, k) => ballotOf(tag, i * perOp + k));
      return submit(relay.contract, 'CastBallots', [pollId, JSON.stringify(ballots)], firstRefusal);
    },
    hiddenMvcc: () => Promise.resolve(0),
    close: () => { relay.close(); return Promise.resolve(); },
  };
}

export function baselineTarget(signer: SignerKind): Target {
  const relay = connectRelay(signer, 'baseline');
  return {
    kind: 'baseline',
    perOp: 1,
    // ~100 bytes of value under a key of its own: nothing to read, nothing to conflict with.
    operation: (tag) => (i) => submit(relay.contract, 'Put', [`${tag}-${String(i)}`, randomBytes(50).toString('hex')]),
    hiddenMvcc: () => Promise.resolve(0),
    close: () => { relay.close(); return Promise.resolve(); },
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
