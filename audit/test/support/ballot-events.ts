/**
 * The event the polls chaincode sets for a ballot transaction (chaincode/src/domain/events.ts), made from the
 * transaction's writes and the answers each voter's key held before it: LedgerBuilder gives every CastBallot and
 * CastBallots it is handed without an event of its own this one, and follows the VALID ballot writes block by block.
 */
import { type Answers, BALLOT_CAST, BALLOTS_CAST, type Ballot, parseKey } from '@poll-ledger/protocol';
import { NAMESPACE, type TxSpec } from './tx-builder';

export class BallotEvents {
  /** Ballot key → the answers its last VALID write recorded. */
  readonly #answers = new Map<string, Answers>();

  /** The event `tx` sets: its own when it names one (null: none), else the chaincode's for a ballot transaction. */
  eventOf(tx: TxSpec): TxSpec['event'] {
    if (tx.event !== undefined || (tx.fn !== 'CastBallot' && tx.fn !== 'CastBallots')) return tx.event;
    const written = this.#ballotWrites(tx)
      .map(({ key, ballot }) => ({ ballot, replaced: this.#answers.get(key) }))
      .sort((a, b) => (a.ballot.position ?? 0) - (b.ballot.position ?? 0));
    if (written.length === 0) return null;
    const change = (answers: Answers, replaced: Answers | undefined) => (replaced === undefined ? { answers } : { answers, replaced });
    if (tx.fn === 'CastBallot') {
      const [{ ballot, replaced }] = written as [(typeof written)[number]];
      return { name: BALLOT_CAST, payload: { pollId: ballot.pollId, ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, txId: ballot.txId, ...change(ballot.answers, replaced) } };
    }
    const ballots = written.map(({ ballot, replaced }) => ({ ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, position: ballot.position, ...change(ballot.answers, replaced) }));
    return { name: BALLOTS_CAST, payload: { pollId: tx.args?.[0] ?? '', txId: tx.txId ?? '', ballots } };
  }

  /** Records a transaction's ballot writes when it is VALID. */
  commit(tx: TxSpec): void {
    if ((tx.code ?? 0) !== 0) return;
    for (const { key, ballot } of this.#ballotWrites(tx)) this.#answers.set(key, ballot.answers);
  }

  #ballotWrites(tx: TxSpec): { key: string; ballot: Ballot }[] {
    if ((tx.namespace ?? NAMESPACE) !== NAMESPACE) return [];
    return tx.writes.flatMap((w) =>
      parseKey(w.key).kind === 'ballot' && w.isDelete !== true && typeof w.value === 'object' && w.value !== null && !(w.value instanceof Uint8Array)
        ? [{ key: w.key, ballot: w.value as Ballot }]
        : [],
    );
  }
}
