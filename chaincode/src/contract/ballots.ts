import type { Answers, BallotOutcome, BallotRequest, Poll } from '@poll-ledger/protocol';
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
 * One ballot, for CastBallot and for each ballot of CastBallots: reads the voter's own key, decides, and writes only
 * that key. The ballot's own refusal is returned (CastBallot throws it); a failed read or write, or any error that is
 * not the ballot's refusal, is thrown and fails the transaction.
 */
export async function castOne(
  store: PollStore,
  poll: Poll,
  request: CastRequest,
  tx: CastTx,
  position?: number,
): Promise<Checked<CastOne>> {
  const existing = await store.findBallot(poll.id, request.ballotId);
  const decided = checkBallot(() => decideCast(poll, existing, request, tx, position));
  if (!decided.ok || decided.value.ballot === undefined) {
    return decided;
  }
  await store.putBallot(decided.value.ballot);
  return existing === undefined ? decided : { ok: true, value: { ...decided.value, replaced: existing.answers } };
}

export interface BatchCast {
  /** One per item, in order. */
  readonly outcomes: readonly BallotOutcome[];
  /** The ballots written, in order, for the BallotsCast event. */
  readonly written: readonly BatchCastEntry[];
}

/**
 * CastBallots' items in array order, each on its own: a refused item writes nothing and the others go on. The caller
 * has checked that the poll accepts ballots at `tx.castAt`.
 */
export async function castBatch(
  store: PollStore,
  poll: Poll,
  items: readonly BallotRequest[],
  tx: CastTx,
): Promise<BatchCast> {
  const repeats = repeatedVoters(items);
  const outcomes: BallotOutcome[] = [];
  const written: BatchCastEntry[] = [];
  for (const [position, item] of items.entries()) {
    const request = checkBallot(() => parseBatchItem(item, position, tx.castAt, repeats));
    const cast = request.ok ? await castOne(store, poll, request.value, tx, position) : request;
    if (!cast.ok) {
      outcomes.push({ error: cast.refusal.payload });
      continue;
    }
    const { receipt, ballot, replaced } = cast.value;
    outcomes.push({ receipt });
    if (ballot !== undefined) {
      written.push({ ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, position, ...countChange(ballot.answers, replaced) });
    }
  }
  return { outcomes, written };
}
