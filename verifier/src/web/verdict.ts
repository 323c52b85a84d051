/**
 * The one sentence a citizen reads at the end: "Verified: …" or "NOT verified: <reason>", derived only from the
 * report the verifier produced in this browser. Pure functions.
 */
import type { Counts } from '@poll-ledger/protocol';
import { STEP_TITLES, type StepResult, type VerificationReport } from '../core/report';
import type { Receipt } from '../wire';
import { formatNumber } from './html';

export interface Verdict {
  readonly verified: boolean;
  readonly sentence: string;
}

/** "A", "A and B", "A, B and C". */
export function listOfNames(names: readonly string[]): string {
  if (names.length <= 1) {
    return names[0] ?? 'nobody';
  }
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

function notVerified(reason: string): Verdict {
  return { verified: false, sentence: `NOT verified: ${reason}` };
}

/** The first failure of the first failing step, which the later steps depend on. */
export function firstFailure(steps: readonly StepResult[]): string | undefined {
  const step = steps.find((s) => !s.ok);
  if (step === undefined) {
    return undefined;
  }
  const finding = step.failures[0];
  const where = finding?.blockNumber === undefined ? '' : ` (block ${finding.blockNumber})`;
  return `${STEP_TITLES[step.name]} failed: ${finding?.message ?? step.summary}${where}.`;
}

export function receiptVerdict(report: VerificationReport, receipt: Receipt): Verdict {
  const r = report.receipt;
  if (r?.blockNumber === undefined) {
    return notVerified(`transaction ${receipt.txId} of this receipt is not in the poll's ledger data.`);
  }
  const failure = firstFailure(report.steps);
  if (failure !== undefined) {
    return notVerified(failure);
  }
  if (!r.valid) {
    return notVerified(`the transaction in block ${r.blockNumber} is not valid (its endorsements or reads do not hold).`);
  }
  const hasHash = receipt.ballotHash !== undefined;
  if (hasHash && !r.asCast) {
    return notVerified(`the ballot on the ledger is not the one your receipt describes (its ballot hash differs).`);
  }
  if (!r.counted) {
    return notVerified(`your ballot is on the ledger but is not the one counted for you (a later ballot replaced it, or it was left out).`);
  }
  if (!report.ok) {
    return notVerified('the verifier reported a failure (see the steps above).');
  }
  const counted = report.poll?.onChain === undefined ? 'counted in the recomputed result (the poll has no final result on the chain yet)' : 'counted in the result';
  const asCast = hasHash ? ', exactly as cast,' : ' (your receipt has no ballot hash, so its content was not compared),';
  return {
    verified: true,
    sentence:
      `Verified: your ballot is in block ${r.blockNumber}, transaction ${r.txIndex ?? '?'} (${r.txId})${r.position === undefined ? '' : `, position ${r.position}`}, ` +
      `endorsed by ${listOfNames(r.endorsedBy)}${asCast} and ${counted}.`,
  };
}

/** Same questions, same options, same numbers. */
export function sameCounts(a: Counts, b: Counts): boolean {
  const keys = (o: object): string[] => Object.keys(o).sort();
  if (keys(a).join('\n') !== keys(b).join('\n')) {
    return false;
  }
  return Object.entries(a).every(([q, options]) => {
    const other = b[q] ?? {};
    return keys(options).join('\n') === keys(other).join('\n') && Object.entries(options).every(([o, n]) => other[o] === n);
  });
}

/** What the page showed (the service's word), compared with what the browser recomputed. */
export interface Shown {
  readonly ballotCount: number;
  readonly counts: Counts;
  readonly ballotsRoot: string;
}

export function resultVerdict(report: VerificationReport, shown?: Shown): Verdict {
  const failure = firstFailure(report.steps);
  if (failure !== undefined) {
    return notVerified(failure);
  }
  const poll = report.poll;
  if (poll === undefined) {
    return notVerified('the bundle holds no data for this poll.');
  }
  if (poll.onChain === undefined) {
    return notVerified('the poll has no final result on the chain yet, so there is nothing to compare the recount with.');
  }
  if (!poll.matches) {
    return notVerified(
      `the result on the chain (${formatNumber(poll.onChain.ballotCount)} ballots) differs from the recount of the ballots ` +
        `(${formatNumber(poll.ballotCount)} ballots).`,
    );
  }
  if (shown !== undefined && (shown.ballotCount !== poll.ballotCount || shown.ballotsRoot !== poll.ballotsRoot || !sameCounts(shown.counts, poll.counts))) {
    return notVerified('the numbers the service showed on this page differ from the recount; the recount is shown now.');
  }
  if (!report.ok) {
    return notVerified('the verifier reported a failure (see the steps above).');
  }
  return {
    verified: true,
    sentence:
      `Verified: the result recomputed in your browser from ${formatNumber(poll.ballotCount)} ballots matches the ` +
      `result on the chain (ballots root ${poll.ballotsRoot}).`,
  };
}
