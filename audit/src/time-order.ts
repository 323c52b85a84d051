import type { Poll } from '@poll-ledger/protocol';
import type { StoredValue } from './replay-state';

/**
 * Time-order checks of a ballot write, from the ledger alone. Transaction timestamps are chosen by whoever builds the
 * proposal (for ballots, the city's gateway) and peers do not bound them, so the auditor compares them with ledger
 * order instead:
 * - a ballot dated well before a transaction of its poll that was ordered earlier was backdated: it may have been cast
 *   after the window's end (the chaincode's window check saw only the date it was given);
 * - a ballot's own `requestedAt` (each ballot of a CastBallots transaction has its own) must not be after the
 *   timestamp of the transaction that carries it: a request cannot be made after it was cast, and the chaincode
 *   refuses such a ballot;
 * - a re-vote may replace a ballot only when it was requested no earlier (the chaincode's SUPERSEDED rule):
 *   `requestedAt`, else `castAt`, must not go back in time.
 * Every check is per ballot write: a CastBallots transaction's ballots share its timestamp, not their request times.
 */

/** Honest ballots are dated when their proposal is built and ordered a moment later; under load, seconds later. */
export const BACKDATE_TOLERANCE_MS = 30_000;

interface Dated {
  readonly castAt?: unknown;
  readonly requestedAt?: unknown;
}

function datedOf(stored: StoredValue | undefined): Dated | undefined {
  if (stored === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(stored.value);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const millis = (value: unknown): number | undefined => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : undefined);

/** The time a ballot orders by: its requestedAt, else its castAt. */
function orderTime(ballot: Dated | undefined): number | undefined {
  return millis(ballot?.requestedAt) ?? millis(ballot?.castAt);
}

export function ballotTimeProblems(
  poll: Pick<Poll, 'closesAt'> | undefined,
  latestDated: string | undefined,
  previous: StoredValue | undefined,
  stored: StoredValue,
): string[] {
  const problems: string[] = [];
  const ballot = datedOf(stored);
  const castAt = millis(ballot?.castAt);
  const latest = millis(latestDated);
  if (castAt !== undefined && latest !== undefined && castAt < latest - BACKDATE_TOLERANCE_MS) {
    const after = poll !== undefined && latest > Date.parse(poll.closesAt) ? ', which is after the poll closed' : '';
    problems.push(
      `is dated ${String(ballot?.castAt)} but was ordered after a transaction of its poll dated ${String(latestDated)}${after}: backdated`,
    );
  }
  const requested = millis(ballot?.requestedAt);
  if (requested !== undefined && castAt !== undefined && requested > castAt) {
    problems.push(`was requested at ${String(ballot?.requestedAt)}, after its transaction's timestamp ${String(ballot?.castAt)}: post-dated`);
  }
  const before = orderTime(datedOf(previous));
  const now = orderTime(ballot);
  if (before !== undefined && now !== undefined && now < before) {
    problems.push('replaced a ballot of the same voter that was requested later: the re-vote order was not kept');
  }
  return problems;
}
