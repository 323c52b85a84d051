import type { ChannelConfigInfo } from './channel-config';
import type { ChaincodeDefinition } from './lifecycle';
import type { RuleChange, RuleChangeRef } from './rule-changes';

/**
 * The replay's state as plain data: what each part of the replay keeps, and the checkpoint, which is all of it as
 * JSON. Plain data is what lets a resumed replay continue exactly where an earlier one stopped.
 */

/** 2: the config chain, rule changes and chaincode definitions (format 1 checkpoints cannot resume: re-run). */
export const STATE_FORMAT = 2;

/** A config block the replay accepted, and its config: in force for every later block up to the next one. */
export interface ConfigRecord {
  readonly block: number;
  readonly config: ChannelConfigInfo;
}

export interface WriteRef {
  readonly block: number;
  readonly tx: number;
  readonly txId: string;
  /** The writing transaction's timestamp (ISO, milliseconds), which the chaincode stores as a ballot's castAt. */
  readonly timestamp?: string;
}

export interface StoredValue {
  readonly value: string;
  readonly at: WriteRef;
}

export interface BlockFault {
  readonly block: number;
  readonly reason: string;
}

export interface TrustedCheck {
  readonly block: number;
  readonly matched: boolean;
}

/** A transaction that is in a block but changed nothing, and why (its validation code). */
export interface InvalidTransaction {
  readonly block: number;
  readonly tx: number;
  readonly txId: string;
  readonly validationCode: string;
  readonly functionName?: string;
}

export interface UndecodableTransaction {
  readonly block: number;
  readonly tx: number;
  readonly validationCode: string;
  readonly reason: string;
}

export interface PollTrackJson {
  readonly pollId: string;
  readonly poll?: StoredValue;
  readonly tally?: StoredValue;
  readonly ballots: readonly (readonly [string, StoredValue])[];
  readonly ballotWrites: number;
  readonly replacedBallots: number;
  readonly problems: readonly string[];
  readonly problemCount: number;
  /** Rule changes made while the poll's record said `open` (omitted when none). */
  readonly rulesChangedWhileOpen?: readonly RuleChangeRef[];
  /** The latest timestamp of a VALID transaction that wrote this poll's keys so far, in ledger order (omitted when none). */
  readonly latestDated?: string;
}

/** The replay's whole state as JSON: a checkpoint's content. */
export interface ReplayStateJson {
  readonly format: typeof STATE_FORMAT;
  readonly channel: string;
  readonly namespace: string;
  readonly nextBlock: number;
  readonly previousHeaderHash?: string;
  readonly genesisHash?: string;
  readonly blocksRead: number;
  readonly transactions: Readonly<Record<string, number>>;
  readonly chainBreaks: readonly BlockFault[];
  readonly signedBlocks: number;
  readonly signers: readonly string[];
  readonly signatureFailures: readonly BlockFault[];
  /** Every config accepted so far, genesis first; the last one is in force. */
  readonly configs: readonly ConfigRecord[];
  /** Config updates and chaincode definitions, in ledger order (see rule-changes.ts). */
  readonly ruleChanges: readonly RuleChange[];
  /** The last committed definition of each chaincode, to show what a new one replaces. */
  readonly definitions: Readonly<Record<string, ChaincodeDefinition>>;
  readonly undecodable: readonly UndecodableTransaction[];
  /** The first non-VALID transactions (see transaction-log.ts); `transactions` counts all of them. */
  readonly invalid: readonly InvalidTransaction[];
  /** Blocks whose header hash was compared with a trusted hash, and the outcome. */
  readonly trustedChecks: readonly TrustedCheck[];
  readonly polls: readonly PollTrackJson[];
}
