import type { DecodedBlock } from './block-decoder';
import { type SignatureCheck, checkBlockSignatures } from './block-signatures';
import type { ChannelConfigInfo } from './channel-config';
import type { BlockFault, ConfigRecord, ReplayStateJson } from './replay-state';

/**
 * Orderer signatures, block by block, against the config in force: the config chain. The genesis config is the
 * anchor (pinned by hash, see chain-tracker.ts and report.ts); a later config block is checked with the config before
 * it, and becomes the one in force only when its own signatures verify. A forged config block therefore changes
 * nothing, and the blocks its rogue consenters sign after it fail too. Each block's signed last-config pointer must
 * name the config block in force (a config block, itself), so the pointers a receipt check follows are the audited ones.
 */

export type SignaturesJson = Pick<ReplayStateJson, 'signedBlocks' | 'signers' | 'signatureFailures' | 'configs'>;

export class SignatureTracker {
  #signedBlocks = 0;
  readonly #signers = new Set<string>();
  readonly #failures: BlockFault[] = [];
  readonly #configs: ConfigRecord[] = [];

  constructor(state?: SignaturesJson) {
    if (state !== undefined) {
      this.#signedBlocks = state.signedBlocks;
      state.signers.forEach((s) => this.#signers.add(s));
      this.#failures.push(...state.signatureFailures);
      this.#configs.push(...state.configs);
    }
  }

  get configInForce(): ChannelConfigInfo | undefined {
    return this.#configs.at(-1)?.config;
  }

  check(block: DecodedBlock): SignatureCheck {
    const verdict = checkBlockSignatures(block, this.configInForce, this.#configs.at(-1)?.block);
    if (verdict.status === 'FAILED') {
      this.#failures.push({ block: block.number, reason: verdict.reason });
    } else if (verdict.status === 'OK') {
      this.#signedBlocks += 1;
      verdict.signers.forEach((s) => this.#signers.add(s));
    }
    const anchor = block.number === 0 && this.#configs.length === 0;
    if (block.config !== undefined && (anchor || verdict.status === 'OK')) {
      this.#configs.push({ block: block.number, config: block.config });
    }
    return verdict;
  }

  toJSON(): SignaturesJson {
    return {
      signedBlocks: this.#signedBlocks,
      signers: [...this.#signers],
      signatureFailures: [...this.#failures],
      configs: [...this.#configs],
    };
  }
}
