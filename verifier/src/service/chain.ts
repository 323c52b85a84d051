import type { Logger } from 'pino';
import { type BallotTx, type BlockFacts, readBlock } from './blocks';
import type { ObserverLedger } from './ledger';

/**
 * The service's copy of the chain: every block's bytes as the observer's peer delivered them, in order from 0, with
 * the facts the disclosure rule needs and an index of ballot transactions by id. Keeping the bytes means the block
 * served is exactly the block classified, and bundles need no second trip to the peer.
 */

export interface StoredBlock {
  readonly bytes: Uint8Array;
  readonly facts: BlockFacts;
}

export type BlockListener = (facts: BlockFacts) => void;

export class ChainIndex {
  readonly #chaincode: string;
  readonly #blocks: StoredBlock[] = [];
  readonly #ballots = new Map<string, BallotTx & { readonly blockNumber: number }>();
  readonly #listeners: BlockListener[] = [];

  constructor(chaincode: string) {
    this.#chaincode = chaincode;
  }

  /** Blocks held: 0..height-1. */
  get height(): number {
    return this.#blocks.length;
  }

  block(n: number): StoredBlock | undefined {
    return this.#blocks[n];
  }

  /** The ballot transaction with this id, where the peer put it; the first one when an id repeats (DUPLICATE_TXID). */
  ballotTx(txId: string): (BallotTx & { readonly blockNumber: number }) | undefined {
    return this.#ballots.get(txId);
  }

  onBlock(listener: BlockListener): void {
    this.#listeners.push(listener);
  }

  /** Adds the next block; a block out of order (a gap, a repeat) is refused, so the copy never has holes. */
  append(bytes: Uint8Array): BlockFacts {
    const facts = readBlock(bytes, this.#chaincode);
    if (facts.number !== this.height) throw new Error(`expected block ${this.height}, the peer sent block ${facts.number}`);
    this.#blocks.push({ bytes, facts });
    for (const ballot of facts.ballots) {
      if (!this.#ballots.has(ballot.txId)) this.#ballots.set(ballot.txId, { ...ballot, blockNumber: facts.number });
    }
    for (const listener of this.#listeners) listener(facts);
    return facts;
  }
}

export interface FollowOptions {
  readonly logger: Logger;
  /** Wait before reconnecting after the stream failed; doubled up to 30 s while it keeps failing. */
  readonly retryMs?: number;
  readonly signal: AbortSignal;
}

/**
 * Keeps `chain` current: reads blocks from the peer from the next height on and follows new ones; reconnects after
 * an error. Resolves when `signal` aborts.
 */
export async function followChain(chain: ChainIndex, ledger: ObserverLedger, options: FollowOptions): Promise<void> {
  const { logger, signal } = options;
  // A function, not the property: the loop's condition would otherwise narrow `aborted` to false for good.
  const stopped = (): boolean => signal.aborted;
  let delay = options.retryMs ?? 1_000;
  while (!signal.aborted) {
    let stream: Awaited<ReturnType<ObserverLedger['blocks']>> | undefined;
    const stop = () => stream?.close();
    try {
      stream = await ledger.blocks(chain.height);
      signal.addEventListener('abort', stop, { once: true });
      logger.info({ from: chain.height }, 'reading blocks from the peer');
      for await (const bytes of stream) {
        const facts = chain.append(bytes);
        delay = options.retryMs ?? 1_000;
        if (facts.number % 1000 === 0 || facts.isConfig) logger.info({ block: facts.number, config: facts.isConfig }, 'block indexed');
      }
    } catch (err) {
      if (stopped()) break;
      logger.warn({ err, height: chain.height, retryInMs: delay }, 'block stream failed; reconnecting');
    } finally {
      signal.removeEventListener('abort', stop);
      stream?.close();
    }
    if (stopped()) break;
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
    delay = Math.min(delay * 2, 30_000);
  }
}
