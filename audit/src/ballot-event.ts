import { type Answers, type Ballot, BALLOT_CAST, BALLOTS_CAST, decodeChaincodeEvent } from '@poll-ledger/protocol';
import type { BallotFunction } from './ballot-call';
import type { ChaincodeEventBytes } from './block-decoder';
import { canonicalJson } from './canonical';

/**
 * A VALID ballot transaction's event against what it wrote. Whoever follows the chain's events (the gateway's
 * running count of a live poll, an observer's dashboard) adds each ballot's `answers` and takes away the `replaced`
 * answers of the version it replaced, without reading the ballots. So the event must list exactly the ballots the
 * transaction wrote, in their order, each with its recorded hash and answers and, for a re-vote, the answers of the
 * version the ledger held before; a transaction that wrote no ballot sets no event. Messages name the event.
 */
export function ballotEventFindings(
  fn: BallotFunction,
  tx: { readonly pollId: string; readonly txId: string; readonly event?: ChaincodeEventBytes },
  written: readonly Ballot[],
  previousAnswers: (ballotId: string) => Answers | undefined,
): string[] {
  const { event } = tx;
  if (written.length === 0) {
    return event === undefined ? [] : [`set the event ${event.name} although it wrote no ballot`];
  }
  const expectedName = fn === 'CastBallot' ? BALLOT_CAST : BALLOTS_CAST;
  if (event === undefined) {
    return [`wrote ${String(written.length)} ballot(s) but set no ${expectedName} event: followers of the events would not count them`];
  }
  const decoded = decodeChaincodeEvent(event.name, event.payload);
  if (decoded === undefined || decoded.eventName !== expectedName) {
    return [`set the event ${event.name}, which is not a ${expectedName} event of the protocol`];
  }
  const change = (ballot: Ballot) => {
    const replaced = previousAnswers(ballot.ballotId);
    return replaced === undefined ? { answers: ballot.answers } : { answers: ballot.answers, replaced };
  };
  const [first] = written;
  if (decoded.eventName === BALLOT_CAST && first !== undefined) {
    const expected = { pollId: tx.pollId, ballotId: first.ballotId, ballotHash: first.ballotHash, txId: tx.txId, ...change(first) };
    return differs(expectedName, decoded.payload, expected);
  }
  if (decoded.eventName !== BALLOTS_CAST) return [];
  const { ballots, ...call } = decoded.payload;
  const problems = differs(expectedName, call, { pollId: tx.pollId, txId: tx.txId });
  if (ballots.length !== written.length) {
    problems.push(`set a ${expectedName} event of ${String(ballots.length)} ballot(s), but wrote ${String(written.length)}`);
    return problems;
  }
  written.forEach((ballot, i) => {
    const expected = { ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, position: ballot.position, ...change(ballot) };
    problems.push(...differs(`${expectedName} ballot ${String(i)}`, ballots[i], expected));
  });
  return problems;
}

function differs(what: string, stated: unknown, expected: unknown): string[] {
  const [s, e] = [canonicalJson(stated ?? null), canonicalJson(expected)];
  return s === e ? [] : [`set the event ${what} ${s}, but what it wrote calls for ${e}`];
}
