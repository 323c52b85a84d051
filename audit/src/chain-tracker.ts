import type { DecodedBlock } from './block-decoder';
import { checkLink } from './hash-chain';
import type { BlockFault, ReplayStateJson, TrustedCheck } from './replay-state';

/**
 * Where the replay is in the chain (the next block, the last header hash, the genesis hash, blocks read) and whether
 * each block links to the one before it and to any hash the audit trusts more than this peer.
 */

export type ChainJson = Pick<
  ReplayStateJson,
  'nextBlock' | 'previousHeaderHash' | 'genesisHash' | 'blocksRead' | 'chainBreaks' | 'trustedChecks'
>;

export class ChainTracker {
  readonly #trustedHashes: ReadonlyMap<number, string> | undefined;
  #nextBlock = 0;
  #previousHeaderHash: string | undefined;
  #genesisHash: string | undefined;
  #blocksRead = 0;
  readonly #chainBreaks: BlockFault[] = [];
  readonly #trustedChecks: TrustedCheck[] = [];

  constructor(trustedHashes: ReadonlyMap<number, string> | undefined, state?: ChainJson) {
    this.#trustedHashes = trustedHashes;
    if (state !== undefined) {
      this.#nextBlock = state.nextBlock;
      this.#previousHeaderHash = state.previousHeaderHash;
      this.#genesisHash = state.genesisHash;
      this.#blocksRead = state.blocksRead;
      this.#chainBreaks.push(...state.chainBreaks);
      this.#trustedChecks.push(...state.trustedChecks);
    }
  }

  get nextBlock(): number {
    return this.#nextBlock;
  }

  /** Records every way `block` does not continue the chain; true when it does. */
  check(block: DecodedBlock): boolean {
    const reasons: string[] = [];
    if (block.number !== this.#nextBlock) {
      reasons.push(`the header says block ${block.number} where block ${this.#nextBlock} was expected`);
    }
    const previous = this.#previousHeaderHash === undefined ? undefined : Buffer.from(this.#previousHeaderHash, 'hex');
    for (const fault of checkLink(block, block.computedDataHash, previous)) {
      reasons.push(
        fault === 'DATA_HASH'
          ? 'data_hash does not match the SHA-256 of the block data'
          : 'previous_hash does not match the hash of the previous block header',
      );
    }
    const trusted = this.#trustedHashes?.get(block.number);
    if (trusted !== undefined) {
      const matched = trusted.toLowerCase() === block.headerHash.toString('hex');
      this.#trustedChecks.push({ block: block.number, matched });
      if (!matched) {
        reasons.push(`the header hash differs from the trusted hash ${trusted}`);
      }
    }
    for (const reason of reasons) {
      this.#chainBreaks.push({ block: block.number, reason });
    }
    return reasons.length === 0;
  }

  /** Moves past `block`: the next block must link to its header hash. */
  advance(block: DecodedBlock): void {
    if (block.number === 0) {
      this.#genesisHash = block.headerHash.toString('hex');
    }
    this.#previousHeaderHash = block.headerHash.toString('hex');
    this.#nextBlock = block.number + 1;
    this.#blocksRead += 1;
  }

  toJSON(): ChainJson {
    return {
      nextBlock: this.#nextBlock,
      ...(this.#previousHeaderHash === undefined ? {} : { previousHeaderHash: this.#previousHeaderHash }),
      ...(this.#genesisHash === undefined ? {} : { genesisHash: this.#genesisHash }),
      blocksRead: this.#blocksRead,
      chainBreaks: [...this.#chainBreaks],
      trustedChecks: [...this.#trustedChecks],
    };
  }
}
