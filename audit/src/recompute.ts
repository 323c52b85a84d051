import { type Ballot, CHAIN_DOMAIN, type Poll } from '@poll-ledger/protocol';
import { answerFindings, unsortedQuestions } from './answers';
import { canonicalJson, compareCodeUnits, sha256Hex } from './canonical';
import type { StoredValue } from './replay-state';
import { RecordError, parseBallotRecord } from './records';

/**
 * A poll's result recomputed from its raw ballots, with the protocol's hash definitions (protocol/src/hashing.ts) and
 * none of the chaincode's code:
 *   ballotHash = sha256hex(canonicalJson({ pollId, ballotId, answers, castAt, txId }))
 *   h0 = sha256hex(CHAIN_DOMAIN + pollId), h_i = sha256hex(h_{i-1} + ballotHash_i), ballots in key order.
 * Each ballot is also checked on its own: its key, the transaction that wrote it, its stored hash, its answers.
 */

export interface Recomputed {
  readonly ballotCount: number;
  readonly counts: Record<string, Record<string, number>>;
  readonly ballotsRoot: string;
  /** Ballots whose record is inconsistent; each is still counted as far as it can be. */
  readonly problems: readonly string[];
}

export function recomputePoll(poll: Poll, ballots: ReadonlyMap<string, StoredValue>): Recomputed {
  const counts: Record<string, Record<string, number>> = {};
  for (const question of poll.questions) {
    counts[question.id] = Object.fromEntries(question.options.map((o) => [o.id, 0]));
  }
  const problems: string[] = [];
  let root = chainStart(poll.id);
  let ballotCount = 0;
  // All keys of one poll share the prefix `ballot~{pollId}~`, so key order is ballot id order.
  const ids = [...ballots.keys()].sort(compareCodeUnits);
  for (const ballotId of ids) {
    const stored = ballots.get(ballotId);
    if (stored === undefined) {
      continue;
    }
    let ballot: Ballot;
    try {
      ballot = parseBallotRecord(stored.value);
    } catch (err) {
      if (!(err instanceof RecordError)) {
        throw err;
      }
      problems.push(`ballot ${ballotId}: ${err.message}; not counted`);
      continue;
    }
    const hash = ballotHashOf(ballot);
    problems.push(...ballotProblems(poll, ballotId, ballot, hash, stored).map((p) => `ballot ${ballotId}: ${p}`));
    for (const [questionId, optionIds] of Object.entries(ballot.answers)) {
      for (const optionId of optionIds) {
        const options = Object.hasOwn(counts, questionId) ? counts[questionId] : undefined;
        if (options !== undefined && Object.hasOwn(options, optionId)) {
          options[optionId] = (options[optionId] ?? 0) + 1;
        }
      }
    }
    ballotCount += 1;
    root = chainNext(root, hash);
  }
  return { ballotCount, counts, ballotsRoot: root, problems };
}

export function ballotHashOf(ballot: Pick<Ballot, 'pollId' | 'ballotId' | 'answers' | 'castAt' | 'txId'>): string {
  return sha256Hex(ballotHashText(ballot));
}

/** The text a ballot's hash is taken over: its hashed fields, and only those, as canonical JSON. */
export function ballotHashText(ballot: Pick<Ballot, 'pollId' | 'ballotId' | 'answers' | 'castAt' | 'txId'>): string {
  const { pollId, ballotId, answers, castAt, txId } = ballot;
  return canonicalJson({ pollId, ballotId, answers, castAt, txId });
}

/** h0 of a poll's ballot chain. */
export function chainStart(pollId: string): string {
  return sha256Hex(CHAIN_DOMAIN + pollId);
}

/** The next chain head: the hex strings concatenated, then hashed. */
export function chainNext(head: string, ballotHash: string): string {
  return sha256Hex(head + ballotHash);
}

function ballotProblems(poll: Poll, ballotId: string, ballot: Ballot, hash: string, stored: StoredValue): string[] {
  const problems: string[] = [];
  if (ballot.pollId !== poll.id || ballot.ballotId !== ballotId) {
    problems.push(`the record names poll ${ballot.pollId} ballot ${ballot.ballotId}, not its key`);
  }
  if (ballot.txId !== stored.at.txId) {
    problems.push(`the record names tx ${ballot.txId}, but tx ${stored.at.txId} wrote it`);
  }
  if (ballot.ballotHash !== hash) {
    problems.push(`the stored ballotHash ${ballot.ballotHash} is not the hash of its content (${hash})`);
  }
  if (stored.at.timestamp !== undefined && ballot.castAt !== stored.at.timestamp) {
    problems.push(`castAt ${ballot.castAt} is not the writing transaction's timestamp ${stored.at.timestamp}`);
  }
  const castAt = Date.parse(ballot.castAt);
  if (!(castAt >= Date.parse(poll.opensAt) && castAt <= Date.parse(poll.closesAt))) {
    problems.push(`castAt ${ballot.castAt} is outside [${poll.opensAt}, ${poll.closesAt}]`);
  }
  problems.push(...answerFindings(poll, ballot.answers).map((f) => f.message));
  const unsorted = unsortedQuestions(ballot.answers);
  if (unsorted.length > 0) {
    problems.push(`the option ids of ${unsorted.join(', ')} are not in canonical (sorted) order`);
  }
  return problems;
}
