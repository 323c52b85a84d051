/**
 * CastBallots transactions as the chaincode makes them (protocol/src/transactions.ts): one poll, ballots in
 * `ballotsJson` at their positions, each written to its own key with its position, a refused one written nowhere and
 * answered with an error outcome, and the result with one outcome per ballot.
 */
import { type Ballot, type BallotOutcome, ballotKey } from '@poll-ledger/protocol';
import { ballotHashOf } from '../../src/recompute';
import { type TxSpec, newTxId } from './ledger-builder';
import { type Answers, ballotRecord, receiptOf, timestampAt, voter } from './scenario';

export interface BatchBallot {
  readonly name: string;
  readonly answers: Answers;
  /** Its requestedAt argument (stored form); '' by default. */
  readonly requestedAt?: string;
  /** Refused by the chaincode on its own (nothing written): the error outcome's code. */
  readonly refused?: 'ALREADY_VOTED' | 'SUPERSEDED' | 'INVALID_ARGUMENT';
  /** The result says it replaced an earlier ballot of the voter. */
  readonly replaced?: boolean;
}

export type BatchTx = TxSpec & { readonly txId: string; readonly ballots: readonly Ballot[] };

/** A CastBallots transaction; `ballots` holds the records it writes (castAt and txId its own), in position order. */
export function castBatchTx(pollId: string, batch: readonly BatchBallot[], options: { code?: number; minute?: number } = {}): BatchTx {
  const txId = newTxId();
  const timestamp = timestampAt(options.minute);
  const written: Ballot[] = [];
  const outcomes = batch.map((b, position): BallotOutcome => {
    if (b.refused !== undefined) {
      return { error: { code: b.refused, message: `refused: ${b.refused}` } };
    }
    const ballot: Ballot = {
      ...ballotRecord(pollId, voter(b.name), b.answers, txId, timestamp),
      ...(b.requestedAt === undefined || b.requestedAt === '' ? {} : { requestedAt: b.requestedAt }),
      position,
    };
    written.push(ballot);
    return { receipt: receiptOf(ballot, b.replaced) };
  });
  const requests = batch.map((b) => ({ voterToken: voter(b.name), answers: b.answers, requestId: '', requestedAt: b.requestedAt ?? '' }));
  return {
    txId,
    fn: 'CastBallots',
    args: [pollId, JSON.stringify(requests)],
    result: { pollId, txId, outcomes },
    timestamp,
    ...(options.code === undefined ? {} : { code: options.code }),
    writes: written.map((ballot) => ({ key: ballotKey(pollId, ballot.ballotId), value: ballot })),
    ballots: written,
  };
}

/**
 * The same transaction with its writes edited, endorsed all the same: what endorsing peers that run other code than
 * the chaincode (or that collude) could produce. `rehash` recomputes each edited record's ballotHash, so the record
 * is consistent in itself and only its transaction's arguments and result can show the edit.
 */
export function withWrites(tx: BatchTx, edit: (writes: readonly { key: string; value: Ballot }[]) => { key: string; value: Ballot }[], rehash = true): BatchTx {
  const writes = edit(tx.ballots.map((ballot) => ({ key: ballotKey(ballot.pollId, ballot.ballotId), value: ballot })));
  const sealed = writes.map((w) => ({ key: w.key, value: rehash ? { ...w.value, ballotHash: ballotHashOf(w.value) } : w.value }));
  return { ...tx, writes: sealed, ballots: sealed.map((w) => w.value) };
}
