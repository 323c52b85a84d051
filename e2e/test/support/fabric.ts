/**
 * fabric-gateway connections as a given organization and identity of the test network (through
 * @poll-ledger/fabric-client, the one TLS client and signer), results checked against the protocol's schemas,
 * and chaincode refusals read as protocol error payloads.
 */
import { type Contract, type Gateway, StatusCode } from '@hyperledger/fabric-gateway';
import { chaincodeErrorOf, connectAs as connectToNetwork, type Deadlines, type SignerKind } from '@poll-ledger/fabric-client';
import {
  type ErrorPayload,
  type IdentityName,
  type PollDefinitionInput,
  type ResultOf,
  type TransactionName,
  type TransactionOfKind,
  parseResult,
} from '@poll-ledger/protocol';
import { readNetwork } from './network';
import { colourPoll, uniquePollId } from './polls';

export interface Connection {
  gateway: Gateway;
  contract: Contract;
  mspId: string;
  close(): void;
}

/** Generous deadlines: the test network shares the machine's cores with the load it is under. */
export const DEADLINES: Deadlines = { evaluateMs: 15_000, endorseMs: 30_000, submitMs: 15_000, commitStatusMs: 60_000 };

export interface ConnectOptions {
  /** Default: network.json's chaincode (polls). */
  readonly chaincode?: string;
  /** Default: fabric-client's, node-crypto (the REST gateway's). */
  readonly signer?: SignerKind;
}

/** Connects to ORG's own peer as ORG's identity NAME (admin or a role), as network.json describes them. */
export function connectAs(org: string, name: IdentityName, options: ConnectOptions = {}): Connection {
  const network = readNetwork();
  const connection = connectToNetwork(network, org, name, {
    deadlines: DEADLINES,
    ...(options.signer !== undefined && { signer: options.signer }),
  });
  const contract = connection.gateway.getNetwork(network.channel).getContract(options.chaincode ?? network.chaincode);
  return { gateway: connection.gateway, contract, mspId: connection.mspId, close: () => { connection.close(); } };
}

export const utf8 = new TextDecoder();


/** A transaction's result, parsed with the protocol's result schema: a result it does not define fails the test. */
export function decodeResult<N extends TransactionName>(name: N, bytes: Uint8Array): ResultOf<N> {
  return parseResult(name, bytes);
}

/** Submits NAME and waits for it to commit; its result, checked. */
export async function submit<N extends TransactionOfKind<'submit'>>(conn: Connection, name: N, ...args: string[]): Promise<ResultOf<N>> {
  return decodeResult(name, await conn.contract.submitTransaction(name, ...args));
}

/** Evaluates the query NAME; its result, checked. */
export async function evaluate<N extends TransactionOfKind<'evaluate'>>(conn: Connection, name: N, ...args: string[]): Promise<ResultOf<N>> {
  return decodeResult(name, await conn.contract.evaluateTransaction(name, ...args));
}

/** The chaincode's refusal in a fabric-gateway error, as the protocol's ErrorPayload (fabric-client reads it). */
export function chaincodeError(err: unknown): ErrorPayload | undefined {
  return chaincodeErrorOf(err);
}

/** The stable code of a chaincode refusal (FORBIDDEN, NOT_FOUND, …), wherever the error carries it. */
export function chaincodeErrorCode(err: unknown): string | undefined {
  return chaincodeError(err)?.code;
}

/** The code PROMISE is refused with: the chaincode's, else the error's text. Throws when it is not refused. */
export async function refusalOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return chaincodeErrorCode(err) ?? String(err);
  }
  throw new Error('expected the chaincode to refuse, and it did not');
}

const statusNames = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

/** A transaction validation code by name (VALID, MVCC_READ_CONFLICT, …). */
export function statusName(code: number): string {
  return statusNames.get(code) ?? String(code);
}

/** Creates a colour poll (see polls.ts) as CONN and opens it; its id. */
export async function openColourPoll(conn: Connection, prefix: string, overrides: Partial<PollDefinitionInput> = {}): Promise<string> {
  const id = uniquePollId(prefix);
  await submit(conn, 'CreatePoll', JSON.stringify(colourPoll(id, overrides)));
  await submit(conn, 'OpenPoll', id);
  return id;
}

/** Tallies a closed poll in batches of MAX_BALLOTS until done; the number of TallyPoll transactions it took. */
export async function tallyAll(conn: Connection, pollId: string, maxBallots: number, maxBatches = 1000): Promise<number> {
  for (let batches = 1; batches <= maxBatches; batches += 1) {
    const progress = await submit(conn, 'TallyPoll', pollId, String(maxBallots));
    if (progress.done) return batches;
  }
  throw new Error(`the tally of ${pollId} did not finish in ${String(maxBatches)} batches of ${String(maxBallots)}`);
}

/** Runs TASKS with at most LIMIT of them in flight at once; their results in order. */
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

export interface PollActors {
  /** The city's poll-admin. */
  readonly cityAdmin: Connection;
  /** The city's ballot-relay, the gateway's identity. */
  readonly relay: Connection;
  /** The observer's auditor. */
  readonly observer: Connection;
}

/** Opens the three connections most poll tests act through before the suite's tests, and closes them after. */
export function usePollActors(): PollActors {
  let actors: PollActors | undefined;
  before(function () {
    actors = { cityAdmin: connectAs('city', 'poll-admin'), relay: connectAs('city', 'ballot-relay'), observer: connectAs('observer', 'auditor') };
  });
  after(function () {
    if (actors) for (const conn of [actors.cityAdmin, actors.relay, actors.observer]) conn.close();
  });
  const get = (name: keyof PollActors): Connection => {
    if (!actors) throw new Error('the connections are opened in a before() hook: use them inside tests');
    return actors[name];
  };
  return {
    get cityAdmin() { return get('cityAdmin'); },
    get relay() { return get('relay'); },
    get observer() { return get('observer'); },
  };
}
