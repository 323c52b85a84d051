import type { Poll } from '@poll-ledger/protocol';

/**
 * The observer's closer: closing a poll on time must not depend on the city, whose gateway dates every ballot. Any
 * member may close a poll with a transaction dated at or after its closesAt (chaincode ClosePoll), so the observer
 * closes every open poll that is due, from its own peer, with its own identity. Ballots ordered after that close
 * are refused, however they are dated.
 */

export interface PollCloserPort {
  /** Every poll whose status is open, as its own peer reads it. */
  openPolls(): Promise<readonly Poll[]>;
  /** Submits ClosePoll and waits for the commit: the status after it, or the chaincode's refusal code. */
  closePoll(pollId: string): Promise<{ readonly closed: true } | { readonly closed: false; readonly reason: string }>;
}

export interface CloseOutcome {
  readonly pollId: string;
  readonly closesAt: string;
  readonly outcome: 'closed' | 'not due' | 'refused';
  readonly reason?: string;
}

/** Open polls whose closesAt is not after `now`, in closing order. */
export function duePolls(polls: readonly Poll[], now: Date): Poll[] {
  return polls
    .filter((poll) => poll.status === 'open' && Date.parse(poll.closesAt) <= now.getTime())
    .sort((a, b) => Date.parse(a.closesAt) - Date.parse(b.closesAt));
}

/** Closes every due poll once; reports each open poll. The transactions are dated by this process's clock. */
export async function closeDuePolls(port: PollCloserPort, now: () => Date = () => new Date()): Promise<CloseOutcome[]> {
  const open = await port.openPolls();
  const due = new Set(duePolls(open, now()).map((poll) => poll.id));
  const outcomes: CloseOutcome[] = [];
  for (const poll of open) {
    if (!due.has(poll.id)) {
      outcomes.push({ pollId: poll.id, closesAt: poll.closesAt, outcome: 'not due' });
      continue;
    }
    const result = await port.closePoll(poll.id);
    outcomes.push(
      result.closed
        ? { pollId: poll.id, closesAt: poll.closesAt, outcome: 'closed' }
        : { pollId: poll.id, closesAt: poll.closesAt, outcome: 'refused', reason: result.reason },
    );
  }
  return outcomes;
}

export function renderCloseOutcomes(outcomes: readonly CloseOutcome[]): string {
  if (outcomes.length === 0) return 'close-due: no open poll\n';
  const lines = outcomes.map((o) => `  ${o.pollId.padEnd(40)} closesAt ${o.closesAt}  ${o.outcome}${o.reason === undefined ? '' : ` (${o.reason})`}`);
  const closed = outcomes.filter((o) => o.outcome === 'closed').length;
  return `close-due: ${String(closed)} closed of ${String(outcomes.length)} open\n${lines.join('\n')}\n`;
}
