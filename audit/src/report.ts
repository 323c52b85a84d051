import { type CheckRow, type PollReport, comparePoll } from './compare';
import type { BlockFault, InvalidTransaction, ReplayStateJson, UndecodableTransaction } from './replay-state';

/**
 * The audit's verdict as data (the JSON report) and as text. Everything except `run` is a pure function of the replay
 * state, so an audit resumed from a checkpoint reports exactly what an uninterrupted one does.
 */

export const REPORT_FORMAT = 1;

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
  };
  readonly undecodableTransactions: readonly UndecodableTransaction[];
  readonly summary: { readonly polls: number; readonly match: number; readonly mismatch: number; readonly notTallied: number };
  readonly polls: readonly PollReport[];
  readonly run: RunInfo;
}

export interface ReportInput {
  readonly state: ReplayStateJson;
  readonly trustedHashes: ReadonlyMap<number, string>;
  readonly run: RunInfo;
}

export function buildReport({ state, trustedHashes, run }: ReportInput): AuditReport {
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
  const reasons: string[] = [];
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
  return {
    tool: 'poll-ledger-audit',
    format: REPORT_FORMAT,
    channel: state.channel,
    chaincode: state.namespace,
    verdict: reasons.length === 0 ? 'PASS' : 'FAIL',
    reasons,
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

const HASH_SHOWN = 16;

export function renderReport(report: AuditReport, options: { readonly quiet?: boolean } = {}): string {
  const lines: string[] = [];
  const hash = (h: string | null): string => (h === null ? '—' : `${h.slice(0, HASH_SHOWN)}…`);
  lines.push(`poll-ledger-audit: channel ${report.channel}, chaincode ${report.chaincode}`);
  lines.push(`source             ${report.run.source}`);
  const range = report.ledger.lastBlock === null ? 'none' : `0..${report.ledger.lastBlock}`;
  lines.push(`blocks read        ${report.ledger.blocksRead} (blocks ${range}; ${report.run.blocksThisRun} this run, ${report.run.blocksPerSecond.toFixed(0)} blocks/s, ${report.run.ballotsPerSecond.toFixed(0)} ballots/s)`);
  const codes = Object.entries(report.transactions.byValidationCode).map(([code, n]) => `${code} ${n}`);
  lines.push(`transactions       ${report.transactions.total}${codes.length > 0 ? `: ${codes.join(', ')}` : ''}`);
  const chain = report.chain;
  lines.push(
    chain.status === 'OK'
      ? `hash chain         OK (genesis ${hash(report.ledger.genesisHash)}, head block ${report.ledger.lastBlock ?? '—'} ${hash(report.ledger.headHash)})`
      : `hash chain         BROKEN at block ${chain.firstBrokenBlock ?? '?'}`,
  );
  for (const b of chain.breaks.slice(0, 10)) {
    lines.push(`                     block ${b.block}: ${b.reason}`);
  }
  for (const t of report.trustedHashes) {
    lines.push(`trusted hash       block ${t.block} ${hash(t.hash)}: ${t.status}`);
  }
  const sig = report.signatures;
  lines.push(
    sig.status === 'OK'
      ? `orderer signatures OK (${sig.signedBlocks} signed blocks; signers ${sig.signers.join(', ') || '—'}; genesis unsigned)`
      : `orderer signatures FAILED on ${sig.failures.length} block(s)`,
  );
  for (const f of sig.failures.slice(0, 10)) {
    lines.push(`                     block ${f.block}: ${f.reason}`);
  }
  for (const u of report.undecodableTransactions.slice(0, 10)) {
    lines.push(`undecodable tx     block ${u.block} tx ${u.tx} (${u.validationCode}): ${u.reason}`);
  }
  const s = report.summary;
  lines.push(`polls              ${s.polls}: ${s.match} MATCH, ${s.mismatch} MISMATCH, ${s.notTallied} NOT TALLIED`);
  for (const poll of report.polls) {
    if (options.quiet !== true || poll.verdict === 'MISMATCH') {
      lines.push('', ...renderPoll(poll));
    }
  }
  lines.push('', `verdict: ${report.verdict}${report.reasons.length > 0 ? ` (${report.reasons.join('; ')})` : ''}`);
  return `${lines.join('\n')}\n`;
}

function renderPoll(poll: PollReport): string[] {
  const title = poll.title === undefined ? '' : ` "${poll.title}"`;
  const meta = [poll.status, poll.revotePolicy === undefined ? undefined : `re-vote ${poll.revotePolicy}`]
    .filter((x) => x !== undefined)
    .join(', ');
  const lines = [
    `poll ${poll.pollId}${title}${meta === '' ? '' : ` (${meta})`}: ${poll.verdict.replace('_', ' ')}`,
    `  ballots: ${poll.ballots.counted} counted, ${poll.ballots.writes} valid writes, ${poll.ballots.replaced} replaced by a re-vote`,
  ];
  lines.push(...table(poll.checks).map((l) => `  ${l}`));
  for (const problem of poll.problems) {
    lines.push(`  ! ${problem}`);
  }
  if (poll.problemCount > poll.problems.length) {
    lines.push(`  ! … and ${poll.problemCount - poll.problems.length} more`);
  }
  return lines;
}

function table(rows: readonly CheckRow[]): string[] {
  const shorten = (v: string): string => (/^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, HASH_SHOWN)}…` : v);
  const cells = [
    ['field', 'on-ledger', 'recomputed', ''],
    ...rows.map((r) => [r.field, shorten(r.onLedger), shorten(r.recomputed), r.verdict === 'INFO' ? '' : r.verdict]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  return cells.map((c) =>
    c
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd(),
  );
}

function sortedRecord(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
