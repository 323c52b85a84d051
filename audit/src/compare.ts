import type { Poll, TallyState } from '@poll-ledger/protocol';
import { type Recomputed, recomputePoll } from './recompute';
import { RecordError, parsePollRecord, parseTallyRecord } from './records';
import type { PollTrackJson, StoredValue, WriteRef } from './replay-state';
import type { RuleChangeRef } from './rule-changes';

/**
 * Per poll: what the ledger says (the tally's final record) next to what the raw ballots say, field by field.
 * A poll without a final tally is reported as NOT_TALLIED with its recomputed running count, unless something about
 * it is already wrong.
 */

export type RowVerdict = 'MATCH' | 'MISMATCH' | 'INFO';
export type PollVerdict = 'MATCH' | 'MISMATCH' | 'NOT_TALLIED';

export interface CheckRow {
  readonly field: string;
  readonly onLedger: string;
  readonly recomputed: string;
  readonly verdict: RowVerdict;
}

export interface PollReport {
  readonly pollId: string;
  readonly title?: string;
  readonly status?: string;
  readonly revotePolicy?: string;
  readonly verdict: PollVerdict;
  readonly ballots: { readonly counted: number; readonly writes: number; readonly replaced: number };
  readonly checks: readonly CheckRow[];
  /** The final tally as written on the ledger, and where. */
  readonly onLedger?: Pick<TallyState, 'ballotCount' | 'counts' | 'ballotsRoot'> & { readonly writtenAt: WriteRef };
  readonly recomputed?: Pick<Recomputed, 'ballotCount' | 'counts' | 'ballotsRoot'>;
  readonly problems: readonly string[];
  readonly problemCount: number;
  /** Rule changes (config updates, chaincode definitions) made while the poll was open. */
  readonly rulesChangedWhileOpen: readonly RuleChangeRef[];
}

const MAX_PROBLEMS = 50;
const NONE = '—';

export function comparePoll(track: PollTrackJson): PollReport {
  const ballots = { counted: 0, writes: track.ballotWrites, replaced: track.replacedBallots };
  const rulesChangedWhileOpen = [...(track.rulesChangedWhileOpen ?? [])];
  const problems = [...track.problems];
  let problemCount = track.problemCount;
  const poll = parseOrProblem(track.poll, parsePollRecord);
  if (poll === undefined || typeof poll === 'string') {
    const state = poll === undefined ? 'missing' : `invalid (${poll})`;
    return {
      pollId: track.pollId,
      verdict: 'MISMATCH',
      ballots,
      checks: [{ field: 'poll record', onLedger: state, recomputed: NONE, verdict: 'MISMATCH' }],
      problems: [...problems, `the poll record is ${state}, so its ballots cannot be counted`],
      problemCount: problemCount + 1,
      rulesChangedWhileOpen,
    };
  }
  const recomputed = recomputePoll(poll, new Map(track.ballots));
  problems.push(...recomputed.problems.slice(0, Math.max(0, MAX_PROBLEMS - problems.length)));
  problemCount += recomputed.problems.length;
  ballots.counted = recomputed.ballotCount;

  const tally = parseOrProblem(track.tally, parseTallyRecord);
  const checks: CheckRow[] = [];
  let onLedger: PollReport['onLedger'];
  if (typeof tally === 'string') {
    checks.push({ field: 'tally record', onLedger: `invalid (${tally})`, recomputed: NONE, verdict: 'MISMATCH' });
  } else if (tally?.done === true && track.tally !== undefined) {
    onLedger = { ballotCount: tally.ballotCount, counts: tally.counts, ballotsRoot: tally.ballotsRoot, writtenAt: track.tally.at };
    checks.push(...finalRows(poll, tally, recomputed));
  } else {
    checks.push(...runningRows(poll, recomputed));
  }
  checks.push({
    field: 'ballot records',
    onLedger: `${recomputed.ballotCount} ballots`,
    recomputed: `${problemCount} problem${problemCount === 1 ? '' : 's'}`,
    verdict: problemCount === 0 ? 'MATCH' : 'MISMATCH',
  });
  const mismatched = checks.some((c) => c.verdict === 'MISMATCH');
  return {
    pollId: track.pollId,
    title: poll.title,
    status: poll.status,
    revotePolicy: poll.revotePolicy,
    verdict: mismatched ? 'MISMATCH' : onLedger === undefined ? 'NOT_TALLIED' : 'MATCH',
    ballots,
    checks,
    ...(onLedger === undefined ? {} : { onLedger }),
    recomputed: { ballotCount: recomputed.ballotCount, counts: recomputed.counts, ballotsRoot: recomputed.ballotsRoot },
    problems,
    problemCount,
    rulesChangedWhileOpen,
  };
}

function finalRows(poll: Poll, tally: TallyState, recomputed: Recomputed): CheckRow[] {
  const rows: CheckRow[] = [
    row('status', poll.status, 'tallied'),
    row('tally pollId', tally.pollId, poll.id),
    row('ballotCount', String(tally.ballotCount), String(recomputed.ballotCount)),
  ];
  for (const [questionId, optionId] of countKeys(poll, tally.counts)) {
    rows.push(
      row(
        `counts.${questionId}.${optionId}`,
        countText(tally.counts, questionId, optionId),
        countText(recomputed.counts, questionId, optionId),
      ),
    );
  }
  rows.push(row('ballotsRoot', tally.ballotsRoot, recomputed.ballotsRoot));
  return rows;
}

/** No final result yet: the recomputed running count, for information; a poll marked tallied without one is wrong. */
function runningRows(poll: Poll, recomputed: Recomputed): CheckRow[] {
  const rows: CheckRow[] = [];
  if (poll.status === 'tallied') {
    rows.push({ field: 'status', onLedger: 'tallied', recomputed: 'no final tally record', verdict: 'MISMATCH' });
  } else {
    rows.push({ field: 'status', onLedger: poll.status, recomputed: NONE, verdict: 'INFO' });
  }
  rows.push({ field: 'ballotCount', onLedger: NONE, recomputed: String(recomputed.ballotCount), verdict: 'INFO' });
  for (const [questionId, optionId] of countKeys(poll, {})) {
    rows.push({
      field: `counts.${questionId}.${optionId}`,
      onLedger: NONE,
      recomputed: countText(recomputed.counts, questionId, optionId),
      verdict: 'INFO',
    });
  }
  rows.push({ field: 'ballotsRoot', onLedger: NONE, recomputed: recomputed.ballotsRoot, verdict: 'INFO' });
  return rows;
}

/** Every option of the definition in its order, then whatever else the tally names (which is then a mismatch). */
function countKeys(poll: Poll, counts: TallyState['counts']): [string, string][] {
  const keys: [string, string][] = [];
  const seen = new Set<string>();
  const add = (q: string, o: string): void => {
    const id = `${q}\u0000${o}`;
    if (!seen.has(id)) {
      seen.add(id);
      keys.push([q, o]);
    }
  };
  poll.questions.forEach((q) => {
    q.options.forEach((o) => {
      add(q.id, o.id);
    });
  });
  Object.entries(counts).forEach(([q, options]) => {
    Object.keys(options).forEach((o) => {
      add(q, o);
    });
  });
  return keys;
}

function countText(counts: TallyState['counts'], questionId: string, optionId: string): string {
  const options = Object.hasOwn(counts, questionId) ? counts[questionId] : undefined;
  const count = options !== undefined && Object.hasOwn(options, optionId) ? options[optionId] : undefined;
  return count === undefined ? 'absent' : String(count);
}

function row(field: string, onLedger: string, recomputed: string): CheckRow {
  return { field, onLedger, recomputed, verdict: onLedger === recomputed ? 'MATCH' : 'MISMATCH' };
}

/** undefined: no record; a string: why it does not parse. */
function parseOrProblem<T>(stored: StoredValue | undefined, parse: (text: string) => T): T | string | undefined {
  if (stored === undefined) {
    return undefined;
  }
  try {
    return parse(stored.value);
  } catch (err) {
    if (err instanceof RecordError) {
      return err.message;
    }
    throw err;
  }
}
