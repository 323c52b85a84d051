/**
 * The verifier's result, the same for the CLI (table and JSON) and the browser (step by step). Browser-safe: no
 * Node imports anywhere under core/.
 */
import type { Counts, Results } from '@poll-ledger/protocol';

/** The checks, in the order they run. */
export const STEPS = ['chain', 'config', 'orderer-signatures', 'transactions', 'poll', 'receipt'] as const;
export type StepName = (typeof STEPS)[number];

export const STEP_TITLES: Readonly<Record<StepName, string>> = {
  chain: 'Hash chain from the pinned genesis block',
  config: 'Channel configuration chain',
  'orderer-signatures': 'Orderer signatures (consenters in force)',
  transactions: 'Transaction validity, re-derived',
  poll: 'Poll result recomputed',
  receipt: 'Receipt',
};

export interface Finding {
  readonly step: StepName;
  readonly message: string;
  readonly blockNumber?: number;
  readonly txId?: string;
}

export interface StepResult {
  readonly name: StepName;
  /** False when any finding is a failure; a step that could not run (nothing to check) is ok with checked 0. */
  readonly ok: boolean;
  /** Blocks, transactions or ballots this step checked. */
  readonly checked: number;
  /** One line for people, e.g. "1,204 blocks, 3 withheld (data not public yet)". */
  readonly summary: string;
  readonly failures: readonly Finding[];
  /** Not failures, but limits a person should know (withheld blocks, an unsigned checkpoint, …). */
  readonly notes: readonly string[];
}

export interface PollVerification {
  readonly pollId: string;
  readonly ballotCount: number;
  readonly counts: Counts;
  readonly ballotsRoot: string;
  /** The result recorded on the chain (the tally's final state), when there is one. */
  readonly onChain?: Pick<Results, 'ballotCount' | 'counts' | 'ballotsRoot'>;
  /** Recomputed equals on-chain (false when there is no on-chain result to compare). */
  readonly matches: boolean;
}

export interface ReceiptVerification {
  readonly pollId: string;
  readonly ballotId: string;
  readonly txId: string;
  readonly blockNumber?: number;
  readonly txIndex?: number;
  /** The ballot's position among its CastBallots transaction's ballots, as written; absent for a ballot cast alone. */
  readonly position?: number;
  /** MSP IDs of the organisations whose valid endorsements the transaction carries. */
  readonly endorsedBy: readonly string[];
  /** The re-derived validity of the transaction (never the peer's flag). */
  readonly valid: boolean;
  /** The ballot written equals the receipt (ballot hash), i.e. "exactly as cast". */
  readonly asCast: boolean;
  /** This ballot is the one counted for its voter in the recomputed result. */
  readonly counted: boolean;
}

export interface VerificationReport {
  readonly ok: boolean;
  readonly genesisHash: string;
  readonly channel: string;
  readonly height: number;
  readonly steps: readonly StepResult[];
  readonly poll?: PollVerification;
  readonly receipt?: ReceiptVerification;
  /** Transactions whose validation flag on the ledger differs from the re-derived one. */
  readonly flagMismatches: readonly { blockNumber: number; txIndex: number; txId: string; onLedger: string; derived: string }[];
  readonly stats: { readonly blocks: number; readonly transactions: number; readonly signaturesChecked: number; readonly millis: number };
}

export interface Progress {
  readonly step: StepName;
  readonly done: number;
  readonly total: number;
}
