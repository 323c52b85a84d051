import type { Poll, Results, TallyState } from '@poll-ledger/protocol';
import { InvalidStateError } from './errors';
import type { Tally } from './tally';

/** Who may see which results: a tallied poll's final result always; running results only for `live` polls. */

/**
 * Running results exist only for `live` polls. An `after-close` poll shows nothing before it is tallied
 * (INVALID_STATE: the results are refused because of the poll's state, not because of who asks).
 */
export function assertRunningResultsVisible(poll: Poll): void {
  if (poll.resultsVisibility !== 'live' && poll.status !== 'tallied') {
    throw new InvalidStateError(`poll ${poll.id} publishes results once tallied; it is ${poll.status}`);
  }
}

export function finalResults(poll: Poll, state: TallyState): Results {
  return resultsOf(poll, state, true);
}

export function runningResults(poll: Poll, tally: Tally): Results {
  assertRunningResultsVisible(poll);
  return resultsOf(poll, tally, false);
}

function resultsOf(poll: Poll, { ballotCount, counts, ballotsRoot }: Tally, final: boolean): Results {
  return { pollId: poll.id, status: poll.status, final, ballotCount, counts, ballotsRoot };
}
