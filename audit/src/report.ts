import { type PollReport, comparePoll } from './compare';
import type { BlockFault, InvalidTransaction, ReplayStateJson, UndecodableTransaction } from './replay-state';
import type { RuleChange } from './rule-changes';

/**
 * The audit's verdict as data (the JSON report; report-text.ts renders it). Everything except `run` is a pure function
 * of the replay state and the options, so an audit resumed from a checkpoint reports exactly what an uninterrupted one
 * does.
 */

/** 2: genesis, ruleChanges, warnings, signatures.configBlocks, and rulesChangedWhileOpen per poll. */
export const REPORT_FORMAT = 2;

export interface GenesisCheck {
  /** The hash given with --genesis-hash, or null when the genesis was not pinned. */
  readonly pinned: string | null;
  readonly status: 'MATCH' | 'MISMATCH' | 'UNPINNED' | 'NOT_REACHED';
}

export interface TrustedHashResult {
  readonly block: number;
  readonly hash: string;
  readonly status: 'MATCH' | 'MISMATCH' | 'NOT_REACHED';
}

export interface RunInfo {
  readonly source: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly resumedFromBlock: number | null;
  readonly blocksThisRun: number;
  readonly ballotWritesThisRun: number;
  readonly blocksPerSecond: number;
  readonly ballotsPerSecond: number;
  /** Why the replay ended before the source's last block, if it did. */
  readonly stoppedEarly?: string;
}

export interface AuditReport {
  readonly tool: 'poll-ledger-audit';
  readonly format: typeof REPORT_FORMAT;
  readonly channel: string;
  readonly chaincode: string;
  readonly verdict: 'PASS' | 'FAIL';
  readonly reasons: readonly string[];
  /** Not failures, but what a reader must not miss: an unpinned genesis, polls whose rules changed while open. */
  readonly warnings: readonly string[];
  /** Every config update and chaincode definition (and lifecycle approval), in ledger order. */
  readonly ruleChanges: readonly RuleChange[];
  readonly genesis: GenesisCheck;
  readonly ledger: {
    readonly blocksRead: number;
    readonly lastBlock: number | null;
    readonly genesisHash: string | null;
    readonly headHash: string | null;
  };
  readonly transactions: {
    readonly total: number;
    readonly byValidationCode: Readonly<Record<string, number>>;
    /** The transactions that are in blocks but changed nothing (up to 1,000 listed). */
    readonly invalid: readonly InvalidTransaction[];
  };
  readonly chain: { readonly status: 'OK' | 'BROKEN'; readonly firstBrokenBlock: number | null; readonly breaks: readonly BlockFault[] };
  readonly trustedHashes: readonly TrustedHashResult[];
  readonly signatures: {
    readonly status: 'OK' | 'FAILED';
    readonly signedBlocks: number;
    readonly signers: readonly string[];
    readonly failures: readonly BlockFault[];
    /** The config blocks accepted into the config chain (genesis first). */
    readonly configBlocks: readonly number[];
  };
  readonly undecodableTransactions: readonly UndecodableTransaction[];
  readonly summary: { readonly polls: number; readonly match: number; readonly mismatch: number; readonly notTallied: number };
  readonly polls: readonly PollReport[];
  readonly run: RunInfo;
}

export interface ReportInput {
  readonly state: ReplayStateJson;
  readonly trustedHashes: ReadonlyMap<number, string>;
  /** Block 0's header hash as published out of band (--genesis-hash). */
  readonly genesisHash?: string;
  readonly run: RunInfo;
}

export function buildReport({ state, trustedHashes, genesisHash, run }: ReportInput): AuditReport {
  const polls = [...state.polls].sort((a, b) => (a.pollId < b.pollId ? -1 : a.pollId > b.pollId ? 1 : 0)).map(comparePoll);
  const lastBlock = state.nextBlock > 0 ? state.nextBlock - 1 : null;
  const breaks = [...state.chainBreaks].sort((a, b) => a.block - b.block);
  const trusted = [...trustedHashes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([block, hash]): TrustedHashResult => {
      const check = state.trustedChecks.find((c) => c.block === block);
      return { block, hash, status: check === undefined ? 'NOT_REACHED' : check.matched ? 'MATCH' : 'MISMATCH' };
    });
  const summary = {
    polls: polls.length,
    match: polls.filter((p) => p.verdict === 'MATCH').length,
    mismatch: polls.filter((p) => p.verdict === 'MISMATCH').length,
    notTallied: polls.filter((p) => p.verdict === 'NOT_TALLIED').length,
  };
  const validUndecodable = state.undecodable.filter((u) => u.validationCode === 'VALID');
  const genesis = genesisCheck(state, genesisHash);
  const failedRules = state.ruleChanges.filter((c) => c.verdict === 'FAILED');
  const reasons: string[] = [];
  if (genesis.status === 'MISMATCH') {
    reasons.push("block 0's header hash differs from --genesis-hash: this is not the channel the pinned hash names");
  }
  if (genesis.status === 'NOT_REACHED') {
    reasons.push('--genesis-hash was given but block 0 was not read');
  }
  if (failedRules.length > 0) {
    reasons.push(`${failedRules.length} rule change(s) without an observer's approval, or not accepted (see RULE CHANGES)`);
  }
  if (breaks.length > 0) {
    reasons.push(`hash chain broken at block ${breaks[0]?.block ?? '?'}`);
  }
  if (state.signatureFailures.length > 0) {
    reasons.push(`orderer signature check failed on ${state.signatureFailures.length} block(s)`);
  }
  if (trusted.some((t) => t.status === 'NOT_REACHED')) {
    reasons.push('a block with a trusted hash was not replayed (withheld blocks, or stopped before it)');
  }
  if (validUndecodable.length > 0) {
    reasons.push(`${validUndecodable.length} VALID transaction(s) could not be decoded`);
  }
  if (summary.mismatch > 0) {
    reasons.push(`${summary.mismatch} poll(s) do not match their recomputed result`);
  }
  if (run.stoppedEarly !== undefined) {
    reasons.push(`replay stopped early: ${run.stoppedEarly}`);
  }
  const warnings: string[] = [];
  if (genesis.status === 'UNPINNED') {
    warnings.push(
      "genesis not pinned (--genesis-hash): the config chain, and with it every orderer and MSP the audit trusts, starts from the source's own block 0",
    );
  }
  for (const poll of polls.filter((p) => p.rulesChangedWhileOpen.length > 0)) {
    const changes = poll.rulesChangedWhileOpen.map((c) => `block ${c.block} ${c.summary} ${c.verdict}`);
    warnings.push(`poll ${poll.pollId}: rules changed while it was open (${changes.join('; ')})`);
  }
  return {
    tool: 'poll-ledger-audit',
    format: REPORT_FORMAT,
    channel: state.channel,
    chaincode: state.namespace,
    verdict: reasons.length === 0 ? 'PASS' : 'FAIL',
    reasons,
    warnings,
    ruleChanges: state.ruleChanges,
    genesis,
    ledger: {
      blocksRead: state.blocksRead,
      lastBlock,
      genesisHash: state.genesisHash ?? null,
      headHash: state.previousHeaderHash ?? null,
    },
    transactions: {
      total: Object.values(state.transactions).reduce((a, b) => a + b, 0),
      byValidationCode: sortedRecord(state.transactions),
      invalid: state.invalid,
    },
    chain: { status: breaks.length === 0 ? 'OK' : 'BROKEN', firstBrokenBlock: breaks[0]?.block ?? null, breaks },
    trustedHashes: trusted,
    signatures: {
      status: state.signatureFailures.length === 0 ? 'OK' : 'FAILED',
      signedBlocks: state.signedBlocks,
      signers: [...state.signers].sort(),
      failures: state.signatureFailures,
      configBlocks: state.configs.map((c) => c.block),
    },
    undecodableTransactions: state.undecodable,
    summary,
    polls,
    run,
  };
}

/** The report without `run` (timing, where it resumed): equal for a resumed and an uninterrupted audit. */
export function reportFindings(report: AuditReport): Omit<AuditReport, 'run'> {
  const findings: Omit<AuditReport, 'run'> & { run?: RunInfo } = { ...report };
  delete findings.run;
  return findings;
}

function genesisCheck(state: ReplayStateJson, pinned: string | undefined): GenesisCheck {
  if (pinned === undefined) {
    return { pinned: null, status: 'UNPINNED' };
  }
  const expected = pinned.toLowerCase();
  if (state.genesisHash === undefined) {
    return { pinned: expected, status: 'NOT_REACHED' };
  }
  return { pinned: expected, status: state.genesisHash === expected ? 'MATCH' : 'MISMATCH' };
}

function sortedRecord(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
