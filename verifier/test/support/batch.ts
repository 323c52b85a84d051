/**
 * CastBallots transactions as the polls chaincode makes them: one poll; it reads the poll and each voter's key,
 * writes each ballot it casts to its own key with its position, writes nothing for a refused one (an error outcome),
 * and answers one outcome per ballot. `forge` edits what it writes (or answers) while its endorsements stay valid:
 * what endorsing peers that run other code than the chaincode could produce.
 */
import { type Ballot, type BallotOutcome, ballotKey, pollKey } from '@poll-ledger/protocol';
import { ballotHash, canonicalJson } from '../../src/core/canonical';
import { nobleProvider } from '../../src/core/crypto';
import type { Receipt } from '../../src/wire';
import type { LedgerBuilder } from './ledger';
import { ballotOf, receiptOf, selfNamed, timestampOf, voter } from './polls';
import type { BuiltTx, TxSpec } from './tx';

export interface BatchItem {
  readonly name: string;
  readonly choice: string;
  /** Refused on its own by the chaincode (nothing written): its error outcome's code. */
  readonly refused?: 'ALREADY_VOTED' | 'INVALID_ANSWER';
}

export interface Forgery {
  /** Replaces the records written (recomputing no hash: do it in the edit when the forger would). */
  readonly writes?: (ballots: readonly Ballot[]) => Ballot[];
}

export type BatchTx = BuiltTx & { readonly ballots: readonly Ballot[]; readonly receipts: readonly Receipt[] };

/** A record with another answer and its hash recomputed: consistent in itself, unlike what was asked. */
export const reanswered = (ballot: Ballot, choice: string): Ballot => {
  const content = { ...ballot, answers: { q1: [choice] } };
  return { ...content, ballotHash: ballotHash(content, nobleProvider) };
};

export function castBallots(b: LedgerBuilder, pollId: string, items: readonly BatchItem[], minute: number, forgery: Forgery = {}, extra: Partial<TxSpec> = {}): BatchTx {
  const keys = items.map((item) => ballotKey(pollId, voter(item.name)));
  const base: Partial<TxSpec> = {
    fn: 'CastBallots',
    args: [pollId, JSON.stringify(items.map((item) => ({ voterToken: voter(item.name), answers: { q1: [item.choice] }, requestId: '', requestedAt: '' })))],
    timestamp: timestampOf(minute),
    reads: [{ key: pollKey(pollId), version: b.version(pollKey(pollId)) }, ...keys.map((key) => ({ key, version: b.version(key) }))],
    ...extra,
  };
  return selfNamed(`batch-${pollId}-${minute}`, base, (txId) => {
    const cast: Ballot[] = [];
    const outcomes = items.map((item, position): BallotOutcome => {
      if (item.refused === 'INVALID_ANSWER') return { error: { code: item.refused, message: 'no such option', details: { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: item.choice } } };
      if (item.refused !== undefined) return { error: { code: item.refused, message: `refused: ${item.refused}` } };
      const ballot = ballotOf(pollId, item.name, item.choice, minute, txId, { position });
      cast.push(ballot);
      return { receipt: receiptOf(ballot, b.version(ballotKey(pollId, ballot.ballotId)) !== undefined) };
    });
    const written = forgery.writes?.(cast) ?? cast;
    const receipts = cast.map((ballot): Receipt => ({ pollId, ballotId: ballot.ballotId, txId, ballotHash: ballot.ballotHash, position: ballot.position ?? 0 }));
    return {
      spec: { writes: written.map((ballot) => ({ key: ballotKey(pollId, ballot.ballotId), value: canonicalJson(ballot) })), result: canonicalJson({ pollId, txId, outcomes }) },
      extra: { ballots: written, receipts },
    };
  });
}
