import type { Poll, Results } from '@poll-ledger/protocol';

/**
 * The port to the observer's own peer: what the service reads, narrow enough to stub in tests, with no Fabric types.
 * fabric-ledger.ts implements it with the observer's `auditor` identity. Failures are PeerUnavailableError.
 */

export interface BlockStream extends AsyncIterable<Uint8Array> {
  close(): void;
}

export interface ObserverLedger {
  /** Raw blocks from `startBlock`, then each new block as it is committed; ends only when closed or on error. */
  blocks(startBlock: number): Promise<BlockStream>;
  /** Every poll (ListPolls, all pages), as the peer's world state has them now. */
  listPolls(): Promise<Poll[]>;
  /** GetPoll; undefined when the chaincode answers NOT_FOUND. */
  getPoll(pollId: string): Promise<Poll | undefined>;
  /** GetResults; undefined when the chaincode has none to give (INVALID_STATE: not tallied, not live). */
  getResults(pollId: string): Promise<Results | undefined>;
  close(): void;
}
