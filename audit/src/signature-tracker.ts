import type { DecodedBlock } from './block-decoder';
import { type OrdererMsps, checkBlockSignatures } from './block-signatures';
import type { BlockFault, ReplayStateJson } from './replay-state';

/**
 * Orderer signatures, block by block, against the orderer organisations of the config in force. A config block is
 * checked with the config before it, and only then becomes the one in force.
 */

export type SignaturesJson = Pick<ReplayStateJson, 'signedBlocks' | 'signers' | 'signatureFailures' | 'ordererMsps'>;

export class SignatureTracker {
  #signedBlocks = 0;
  readonly #signers = new Set<string>();
  readonly #failures: BlockFault[] = [];
  #ordererMsps: OrdererMsps | undefined;

  constructor(state?: SignaturesJson) {
    if (state !== undefined) {
      this.#signedBlocks = state.signedBlocks;
      state.signers.forEach((s) => this.#signers.add(s));
      this.#failures.push(...state.signatureFailures);
      this.#ordererMsps = state.ordererMsps;
    }
  }

  check(block: DecodedBlock): void {
    const verdict = checkBlockSignatures(block, this.#ordererMsps);
    if (verdict.status === 'FAILED') {
      this.#failures.push({ block: block.number, reason: verdict.reason });
    } else if (verdict.status === 'OK') {
      this.#signedBlocks += 1;
      verdict.signers.forEach((s) => this.#signers.add(s));
    }
    if (block.config !== undefined) {
      this.#ordererMsps = block.config.ordererMsps;
    }
  }

  toJSON(): SignaturesJson {
    return {
      signedBlocks: this.#signedBlocks,
      signers: [...this.#signers],
      signatureFailures: [...this.#failures],
      ...(this.#ordererMsps === undefined ? {} : { ordererMsps: this.#ordererMsps }),
    };
  }
}
