import { GatewayError, type Network } from '@hyperledger/fabric-gateway';
import { type NetworkConnection, chaincodeErrorOf } from '@poll-ledger/fabric-client';
import { Limits, type Poll, type QueryName, type ResultOf, type Results, parseResult } from '@poll-ledger/protocol';
import { PeerUnavailableError, ServiceFailure } from './errors';
import type { BlockStream, ObserverLedger } from './ledger';

/**
 * The ObserverLedger over the observer's own peer, as its `auditor` (a connection from fabric-client's connectAs):
 * blocks through the peer's deliver service, polls and results through evaluated chaincode queries, each answer
 * checked against the protocol's result schema.
 */
export class FabricObserverLedger implements ObserverLedger {
  readonly #connection: NetworkConnection;
  readonly #network: Network;
  readonly #chaincode: string;

  constructor(connection: NetworkConnection, channel: string, chaincode: string) {
    this.#connection = connection;
    this.#network = connection.gateway.getNetwork(channel);
    this.#chaincode = chaincode;
  }

  async blocks(startBlock: number): Promise<BlockStream> {
    const events = await this.#call('block events', () => this.#network.getBlockEvents({ startBlock: BigInt(startBlock) }));
    return {
      close: () => {
        events.close();
      },
      async *[Symbol.asyncIterator]() {
        for await (const block of events) yield block.serializeBinary();
      },
    };
  }

  async listPolls(): Promise<Poll[]> {
    const polls: Poll[] = [];
    let bookmark = '';
    do {
      const page = await this.#query('ListPolls', ['', String(Limits.listPageSize.max), bookmark]);
      polls.push(...page.polls);
      bookmark = page.bookmark;
    } while (bookmark !== '');
    return polls;
  }

  getPoll(pollId: string): Promise<Poll | undefined> {
    return this.#queryUnless('GetPoll', [pollId], 'NOT_FOUND');
  }

  getResults(pollId: string): Promise<Results | undefined> {
    return this.#queryUnless('GetResults', [pollId], 'INVALID_STATE');
  }

  close(): void {
    this.#connection.close();
  }

  /** The query's answer, or undefined when the chaincode refuses it with `code` (a normal "nothing to show"). */
  async #queryUnless<N extends QueryName>(name: N, args: string[], code: string): Promise<ResultOf<N> | undefined> {
    try {
      return await this.#query(name, args);
    } catch (err) {
      if (err instanceof ServiceFailure && chaincodeErrorOf(err.cause)?.code === code) return undefined;
      throw err;
    }
  }

  async #query<N extends QueryName>(name: N, args: string[]): Promise<ResultOf<N>> {
    const bytes = await this.#call(name, () => this.#network.getContract(this.#chaincode).evaluateTransaction(name, ...args));
    try {
      return parseResult(name, bytes);
    } catch (err) {
      throw new ServiceFailure('INTERNAL', `the peer's answer to ${name} does not follow the protocol`, undefined, { cause: err });
    }
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // A chaincode refusal reaches callers as the cause; anything else means the peer is not answering usefully.
      throw err instanceof GatewayError && chaincodeErrorOf(err) !== undefined
        ? new ServiceFailure('INTERNAL', `${what} was refused by the chaincode`, undefined, { cause: err })
        : new PeerUnavailableError(what, { cause: err });
    }
  }
}
