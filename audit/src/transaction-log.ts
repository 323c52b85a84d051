import type { DecodedTransaction } from './block-decoder';
import type { InvalidTransaction, ReplayStateJson, UndecodableTransaction, WriteRef } from './replay-state';

/**
 * Every transaction counted by validation code, and the gate to the world state: only a decodable VALID transaction
 * changed anything, so only it gets a WriteRef. The others are listed (invalid ones up to a bound) and skipped.
 */

/** Non-VALID transactions listed individually; all of them are counted by code. */
const MAX_INVALID_LISTED = 1000;

export type TransactionsJson = Pick<ReplayStateJson, 'transactions' | 'undecodable' | 'invalid'>;

export class TransactionLog {
  readonly #byCode = new Map<string, number>();
  readonly #undecodable: UndecodableTransaction[] = [];
  readonly #invalid: InvalidTransaction[] = [];

  constructor(state?: TransactionsJson) {
    if (state !== undefined) {
      for (const [name, count] of Object.entries(state.transactions)) {
        this.#byCode.set(name, count);
      }
      this.#undecodable.push(...state.undecodable);
      this.#invalid.push(...state.invalid);
    }
  }

  /** Counts `tx`; its WriteRef when its writes are part of the world state, else undefined. */
  admit(blockNumber: number, tx: DecodedTransaction): WriteRef | undefined {
    const code = tx.validationCodeName;
    this.#byCode.set(code, (this.#byCode.get(code) ?? 0) + 1);
    if (tx.decodeError !== undefined) {
      this.#undecodable.push({ block: blockNumber, tx: tx.index, validationCode: code, reason: tx.decodeError });
      return undefined;
    }
    // Invalid transactions are in the block but wrote nothing: only VALID ones change the state.
    if (code !== 'VALID') {
      if (this.#invalid.length < MAX_INVALID_LISTED) {
        this.#invalid.push({
          block: blockNumber,
          tx: tx.index,
          txId: tx.txId,
          validationCode: code,
          ...(tx.functionName === undefined ? {} : { functionName: tx.functionName }),
        });
      }
      return undefined;
    }
    return {
      block: blockNumber,
      tx: tx.index,
      txId: tx.txId,
      ...(tx.timestamp === undefined ? {} : { timestamp: tx.timestamp }),
    };
  }

  toJSON(): TransactionsJson {
    return {
      transactions: Object.fromEntries(this.#byCode),
      undecodable: [...this.#undecodable],
      invalid: [...this.#invalid],
    };
  }
}
