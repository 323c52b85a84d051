import { canonicalJson, compareCodeUnits, sha256Hex } from './canonical';
import type { StoredValue } from './ledger-replay';
import { type BallotRecord, type PollRecord, RecordError, parseBallotRecord } from './records';

/**
 * A poll's result recomputed from its raw ballots, with the definitions of docs/chaincode-api.md and none of the
 * chaincode's counting code:
 *   ballotHash = sha256hex(canonicalJson({ pollId, ballotId, answers, castAt, txId }))
 *   h0 = sha256hex("poll-ledger:ballots:" + pollId), h_i = sha256hex(h_{i-1} + ballotHash_i), ballots in key order.
 * Each ballot is also checked on its own: its key, the transaction that wrote it, its stored hash, its answers.
 */

export const CHAIN_DOMAIN = 'poll-ledger:ballots:';

export interface Recomputed {
  readonly ballotCount: number;
  readonly counts: Record<string, Record<string, number>>;
  readonly ballotsRoot: string;
  /** Ballots whose record is inconsistent; each is still counted as far as it can be. */
  readonly problems: readonly string[];
}

export function recomputePoll(poll: PollRecord, ballots: ReadonlyMap<string, StoredValue>): Recomputed {
  const counts: Record<string, Record<string, number>> = {};
  for (const question of poll.questions) {
    counts[question.id] = Object.fromEntries(question.options.map((o) => [o.id, 0]));
  }
  const problems: string[] = [];
  let root = sha256Hex(CHAIN_DOMAIN + poll.id);
  let ballotCount = 0;
  // All keys of one poll share the prefix `ballot~{pollId}~`, so key order is ballot id order.
  const ids = [...ballots.keys()].sort(compareCodeUnits);
  for (const ballotId of ids) {
    const stored = ballots.get(ballotId);
    if (stored === undefined) {
      continue;
    }
    let ballot: BallotRecord;
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
    root = sha256Hex(root + hash);
  }
  return { ballotCount, counts, ballotsRoot: root, problems };
}

export function ballotHashOf(ballot: Pick<BallotRecord, 'pollId' | 'ballotId' | 'answers' | 'castAt' | 'txId'>): string {
  const { pollId, ballotId, answers, castAt, txId } = ballot;
  return sha256Hex(canonicalJson({ pollId, ballotId, answers, castAt, txId }));
}

function ballotProblems(
  poll: PollRecord,
  ballotId: string,
  ballot: BallotRecord,
  hash: string,
  stored: StoredValue,
): string[] {
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
  problems.push(...answerProblems(poll, ballot));
  return problems;
}

/** The poll definition's rules, as the chaincode documents them: every question once, known distinct options, in bounds. */
function answerProblems(poll: PollRecord, ballot: BallotRecord): string[] {
  const problems: string[] = [];
  const questions = new Map(poll.questions.map((q) => [q.id, q]));
  for (const questionId of Object.keys(ballot.answers)) {
    if (!questions.has(questionId)) {
      problems.push(`answers unknown question ${questionId}`);
    }
  }
  for (const question of poll.questions) {
    const choices = Object.hasOwn(ballot.answers, question.id) ? ballot.answers[question.id] : undefined;
    if (choices === undefined) {
      problems.push(`does not answer question ${question.id}`);
      continue;
    }
    const known = new Set(question.options.map((o) => o.id));
    const unknown = choices.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      problems.push(`question ${question.id} names unknown option(s) ${unknown.join(', ')}`);
    }
    if (new Set(choices).size !== choices.length) {
      problems.push(`question ${question.id} names an option twice`);
    }
    if (choices.length < question.minChoices || choices.length > question.maxChoices) {
      problems.push(`question ${question.id} has ${choices.length} choices, outside [${question.minChoices}, ${question.maxChoices}]`);
    }
  }
  return problems;
}
