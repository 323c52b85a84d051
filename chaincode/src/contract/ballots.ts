import type { Answers, Ballot, BallotOutcome, BallotRequest, Poll } from '@poll-ledger/protocol';
import {
  type Cast,
  type CastRequest,
  type CastTx,
  type Checked,
  checkBallot,
  decideCast,
  parseBatchItem,
  repeatedVoters,
} from '../domain/cast';
import { type BatchCastEntry, countChange } from '../domain/events';
import type { PollStore } from './poll-store';

/** A cast, and for a ballot that replaced a stored version (a re-vote), that version's answers, for the event. */
export type CastOne = Cast & { readonly replaced?: Answers };

/**
 * CastBallot's ballot: reads the voter's own key, decides, and writes only that key. The ballot's own refusal is
 * returned (CastBallot throws it); a failed read or write, or any error that is not the ballot's refusal, is thrown and
 * fails the transaction.
 */
export async function castOne(store: PollStore, poll: Poll, request: CastRequest, tx: CastTx): Promise<Checked<CastOne>> {
  const decided = decideOne(poll, await store.findBallot(poll.id, request.ballotId), request, tx);
  if (decided.ok && decided.value.ballot !== undefined) {
    await store.putBallot(decided.value.ballot);
  }
  return decided;
}

/** One ballot against the voter's stored version (if any), writing nothing: the record to write is in the result. */
function decideOne(poll: Poll, existing: Ballot | undefined, request: CastRequest, tx: CastTx, position?: number): Checked<CastOne> {
  const decided = checkBallot(() => decideCast(poll, existing, request, tx, position));
  if (!decided.ok || decided.value.ballot === undefined || existing === undefined) {
    return decided;
  }
  return { ok: true, value: { ...decided.value, replaced: existing.answers } };
}

export interface BatchCast {
  /** One per item, in order. */
  readonly outcomes: readonly BallotOutcome[];
  /** The ballots written, in order, for the BallotsCast event. */
  readonly written: readonly BatchCastEntry[];
}

/**
 * CastBallots' items in array order, each on its own: a refused item writes nothing and the others go on. The voters'
 * keys are read together, then each item is decided, then the written ballots go out together: an item reads and
 * writes only its own voter's key, and no two accepted items share a voter, so this is the same as one at a time. The
 * caller has checked that the poll accepts ballots at `tx.castAt`.
 */
export async function castBatch(
  store: PollStore,
  poll: Poll,
  items: readonly BallotRequest[],
  tx: CastTx,
): Promise<BatchCast> {
  const repeats = repeatedVoters(items);
  const requests = items.map((item, position) => checkBallot(() => parseBatchItem(item, position, tx.castAt, repeats)));
  const voters = requests.flatMap((request) => (request.ok ? [request.value.ballotId] : []));
  const stored = await store.findBallots(poll.id, voters);
  const existing = new Map(voters.map((ballotId, i) => [ballotId, stored[i]]));
  const outcomes: BallotOutcome[] = [];
  const written: BatchCastEntry[] = [];
  const toWrite: Ballot[] = [];
  for (const [position, request] of requests.entries()) {
    const cast = request.ok ? decideOne(poll, existing.get(request.value.ballotId), request.value, tx, position) : request;
    if (!cast.ok) {
      outcomes.push({ error: cast.refusal.payload });
      continue;
    }
    const { receipt, ballot, replaced } = cast.value;
    outcomes.push({ receipt });
    if (ballot !== undefined) {
      toWrite.push(ballot);
      written.push({ ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, position, ...countChange(ballot.answers, replaced) });
    }
  }
  await store.putBallots(toWrite);
  return { outcomes, written };
}
