import {
  type ArgsOf,
  ProtocolViolation,
  type QueryName,
  type ResultOf,
  type SubmitName,
  type TransactionName,
  parseResult,
} from '@poll-ledger/protocol';
import { LedgerBadResponseError } from '../errors';
import type { LedgerClient, SubmitOptions } from './ledger';
import type { Role } from '../roles';

/**
 * Typed calls of the `polls` chaincode. Every answer is parsed with its transaction's result schema from the
 * protocol, so a field the gateway passes on has been checked; an answer that fails is LEDGER_BAD_RESPONSE.
 */

/** Parses the result bytes of transaction `name`; throws LedgerBadResponseError when they break the protocol. */
export function decodeResult<N extends TransactionName>(name: N, bytes: Uint8Array): ResultOf<N> {
  try {
    return parseResult(name, bytes);
  } catch (err) {
    if (err instanceof ProtocolViolation) throw new LedgerBadResponseError(name, err.issues, { cause: err });
    throw err;
  }
}

export interface Submitted<N extends SubmitName> {
  readonly result: ResultOf<N>;
  readonly txId: string;
  /** Undefined when the commit was skipped. */
  readonly blockNumber?: number;
}

export class Chaincode {
  readonly #ledger: LedgerClient;

  constructor(ledger: LedgerClient) {
    this.#ledger = ledger;
  }

  async query<N extends QueryName>(role: Role, name: N, args: ArgsOf<N>): Promise<ResultOf<N>> {
    return decodeResult(name, await this.#ledger.evaluate({ role, name, args }));
  }

  /** `skipCommitIf` sees the checked result; a result that fails its schema is never sent to the orderer. */
  async submit<N extends SubmitName>(
    role: Role,
    name: N,
    args: ArgsOf<N>,
    options: Omit<SubmitOptions, 'skipCommitIf'> & { readonly skipCommitIf?: (result: ResultOf<N>) => boolean } = {},
  ): Promise<Submitted<N>> {
    const { skipCommitIf, ...rest } = options;
    const checked: SubmitOptions = skipCommitIf ? { ...rest, skipCommitIf: (bytes) => skipCommitIf(decodeResult(name, bytes)) } : rest;
    const submitted = await this.#ledger.submit({ role, name, args }, Object.keys(checked).length > 0 ? checked : undefined);
    return { ...submitted, result: decodeResult(name, submitted.result) };
  }
}

export type { ArgsOf, QueryName, SubmitName };
