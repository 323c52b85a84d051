import * as grpc from '@grpc/grpc-js';
import { type Gateway, GatewayError, type Network } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { type Deadlines, type SigningIdentity, chaincodeErrorOf, connectGateway, createSigning, newPeerClient, waitForReady } from '@poll-ledger/fabric-client';
import { createPrivateKey } from 'node:crypto';
import type { BlockSource, RawBlock } from './block-source';
import type { PeerTarget } from './config';
import { ConfigError, ConnectionError } from './errors';

/**
 * The auditor's connection to its own organisation's peer, with its own identity: blocks through the peer's deliver
 * service, and qscc queries (chain height, a block by number or transaction id). Nothing goes through the city's
 * REST gateway. The TLS client, the signer and the gateway come from fabric-client, like every package's; the rest of
 * the auditor's Fabric specifics live in this file.
 */

export interface PeerLedger extends BlockSource {
  blockByNumber(n: number): Promise<Uint8Array>;
  /** undefined when the peer has no such transaction. */
  blockByTxId(txId: string): Promise<Uint8Array | undefined>;
  /** The ballot currently stored under the key (GetBallot), or undefined when there is none. */
  currentBallot(pollId: string, ballotId: string): Promise<string | undefined>;
  close(): void;
}

export interface PeerLedgerOptions {
  readonly channel: string;
  readonly chaincode: string;
  readonly timeoutMs: number;
}

export async function openPeerLedger(target: PeerTarget, options: PeerLedgerOptions): Promise<PeerLedger> {
  const { client, gateway } = await connectToPeer(target, { evaluateMs: options.timeoutMs });
  return new FabricPeerLedger(client, gateway, target, options);
}

/** The gRPC client and Gateway to the organisation's own peer, as the target's identity; fails fast when unreachable. */
export async function connectToPeer(target: PeerTarget, deadlines: Deadlines): Promise<{ client: grpc.Client; gateway: Gateway }> {
  const who = signingIdentity(target);
  const client = newPeerClient(target);
  try {
    await waitForReady(client, deadlines.evaluateMs ?? deadlines.endorseMs ?? 30_000);
  } catch (err) {
    client.close();
    throw new ConnectionError(`cannot reach ${target.label}`, { endpoint: target.endpoint }, { cause: err });
  }
  return { client, gateway: connectGateway(client, who, deadlines) };
}

/**
 * The identity from the certificate and key config.ts already read (so a missing file was named there). The
 * fabric-default signer takes any key fabric-gateway does; the auditor only queries, so signing speed does not matter.
 */
function signingIdentity(target: PeerTarget): SigningIdentity {
  try {
    return {
      identity: { mspId: target.mspId, credentials: target.certificate },
      signing: createSigning('fabric-default', createPrivateKey(target.privateKey)),
    };
  } catch (err) {
    throw new ConfigError(`the private key for ${target.label} is not a usable PEM key`, {}, { cause: err });
  }
}

class FabricPeerLedger implements PeerLedger {
  readonly #client: grpc.Client;
  readonly #gateway: Gateway;
  readonly #network: Network;
  readonly #target: PeerTarget;
  readonly #options: PeerLedgerOptions;

  constructor(client: grpc.Client, gateway: Gateway, target: PeerTarget, options: PeerLedgerOptions) {
    this.#client = client;
    this.#gateway = gateway;
    this.#network = gateway.getNetwork(options.channel);
    this.#target = target;
    this.#options = options;
  }

  get description(): string {
    return this.#target.label;
  }

  async lastBlockNumber(): Promise<number | undefined> {
    const info = common.BlockchainInfo.deserializeBinary(await this.#qscc('GetChainInfo', this.#options.channel));
    const height = info.getHeight();
    return height === 0 ? undefined : height - 1;
  }

  async *blocks(from: number, to: number): AsyncIterable<RawBlock> {
    const events = await this.#call('block events', () => this.#network.getBlockEvents({ startBlock: BigInt(from) }));
    const iterator = events[Symbol.asyncIterator]();
    try {
      // The number is the one asked for; the replay compares it with what the header says.
      for (let expected = from; expected <= to; expected += 1) {
        const next = await this.#call(`block ${expected}`, () => withIdleTimeout(iterator.next(), this.#options.timeoutMs));
        if (next.done === true) {
          throw new ConnectionError(`the peer ended the block stream before block ${expected}`);
        }
        yield { number: expected, bytes: next.value.serializeBinary() };
      }
    } finally {
      events.close();
    }
  }

  async blockByNumber(n: number): Promise<Uint8Array> {
    return this.#qscc('GetBlockByNumber', this.#options.channel, String(n));
  }

  async blockByTxId(txId: string): Promise<Uint8Array | undefined> {
    try {
      return await this.#gateway.getNetwork(this.#options.channel).getContract('qscc').evaluateTransaction('GetBlockByTxID', this.#options.channel, txId);
    } catch (err) {
      if (isUnreachable(err)) {
        throw this.#connectionError('GetBlockByTxID', err);
      }
      return undefined;
    }
  }

  async currentBallot(pollId: string, ballotId: string): Promise<string | undefined> {
    try {
      const bytes = await this.#network.getContract(this.#options.chaincode).evaluateTransaction('GetBallot', pollId, ballotId);
      return Buffer.from(bytes).toString('utf8');
    } catch (err) {
      if (isNoSuchBallot(err)) {
        return undefined;
      }
      throw this.#connectionError('GetBallot', err);
    }
  }

  close(): void {
    this.#gateway.close();
    this.#client.close();
  }

  async #qscc(fn: string, ...args: string[]): Promise<Uint8Array> {
    return this.#call(`qscc ${fn}`, () => this.#network.getContract('qscc').evaluateTransaction(fn, ...args));
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw err instanceof ConnectionError ? err : this.#connectionError(what, err);
    }
  }

  #connectionError(what: string, err: unknown): ConnectionError {
    const detail = err instanceof GatewayError ? ` (gRPC status ${err.code})` : '';
    return new ConnectionError(`${what} failed on ${this.#target.label}${detail}`, { endpoint: this.#target.endpoint }, { cause: err });
  }
}

/** The chaincode's NOT_FOUND refusal, read as the protocol's error payload; any other failure is not "no ballot". */
export function isNoSuchBallot(err: unknown): boolean {
  return chaincodeErrorOf(err)?.code === 'NOT_FOUND';
}

/** gRPC statuses that say the peer (not the query) is the problem. */
const UNREACHABLE = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.PERMISSION_DENIED]);

function isUnreachable(err: unknown): boolean {
  return err instanceof GatewayError && UNREACHABLE.has(err.code);
}

/** A peer that stops sending blocks it said it has must not hang the audit. */
async function withIdleTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new ConnectionError(`no block from the peer within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
