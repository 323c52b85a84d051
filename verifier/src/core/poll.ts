/**
 * A poll's result recomputed from the world state the verifier derived itself (only transactions it found valid
 * wrote it): the ballots under `ballot~{pollId}~`, each checked (schema, its own hash, written by the transaction it
 * names at the time it names), counted, and chained in key order; then compared with the tally's final state
 * (`tally~{pollId}` with done: true).
 */
import { type Ballot, BallotSchema, type Counts, PollSchema, type Poll, TallyStateSchema, ballotKeyPrefix, parseKey, pollKey, tallyKey } from '@poll-ledger/protocol';
import { fromUtf8 } from './bytes';
import { ballotHash, canonicalJson, chainNext, chainStart } from './canonical';
import type { CryptoProvider } from './crypto';
import type { Version } from './decode';
import type { PollVerification } from './report';
import type { StateEntry, WorldState } from './state';

export interface Writer {
  readonly txId: string;
  readonly timestamp?: string;
}

export interface PollContext {
  readonly state: WorldState;
  readonly namespace: string;
  readonly crypto: CryptoProvider;
  /** The transaction at a version (block, tx), as the verifier decoded it. */
  writerOf(version: Version): Writer | undefined;
}

export interface CountedBallot {
  readonly ballot: Ballot;
  readonly version: Version;
}

export interface PollOutcome {
  readonly verification: PollVerification;
  readonly failures: readonly string[];
  readonly notes: readonly string[];
  /** The ballots counted, by ballot id. */
  readonly ballots: ReadonlyMap<string, CountedBallot>;
}

/** Every poll that has a record in the derived state. */
export function pollIds(state: WorldState, namespace: string): string[] {
  return state.entries(namespace).flatMap(([key]) => {
    const parsed = parseKey(key);
    return parsed.kind === 'poll' ? [parsed.pollId] : [];
  });
}

function json(entry: StateEntry | undefined): unknown {
  if (entry === undefined) return undefined;
  try {
    return JSON.parse(fromUtf8(entry.value)) as unknown;
  } catch {
    return null;
  }
}

export function recomputePoll(pollId: string, ctx: PollContext): PollOutcome {
  const failures: string[] = [];
  const notes: string[] = [];
  const pollEntry = ctx.state.get(ctx.namespace, pollKey(pollId));
  const tallyEntry = ctx.state.get(ctx.namespace, tallyKey(pollId));
  const poll = PollSchema.safeParse(json(pollEntry));
  if (!poll.success) failures.push(pollEntry === undefined ? `poll ${pollId} has no record written by a valid transaction` : `poll ${pollId}'s record does not fit the protocol`);
  const prefix = ballotKeyPrefix(pollId);
  const entries = ctx.state.entries(ctx.namespace).filter(([key]) => key.startsWith(prefix));
  if ([pollEntry, tallyEntry, ...entries.map(([, e]) => e)].some((e) => e?.tainted === true)) {
    failures.push(`poll ${pollId} cannot be recomputed: some of its records depend on transactions in withheld blocks`);
  }
  const counts = emptyCounts(poll.success ? poll.data : undefined);
  const ballots = new Map<string, CountedBallot>();
  let root = chainStart(pollId, ctx.crypto);
  for (const [key, entry] of entries) {
    const problem = ballotProblem(key, entry, pollId, ctx);
    if (typeof problem === 'string') {
      failures.push(problem);
      continue;
    }
    ballots.set(problem.ballotId, { ballot: problem, version: entry.version });
    root = chainNext(root, problem.ballotHash, ctx.crypto);
    for (const [questionId, options] of Object.entries(problem.answers)) {
      const question = counts[questionId];
      for (const option of options) {
        if (question?.[option] === undefined) failures.push(`ballot ${problem.ballotId.slice(0, 12)}… answers ${questionId}/${option}, which poll ${pollId} does not have`);
        else question[option] += 1;
      }
    }
  }
  const tally = TallyStateSchema.safeParse(json(tallyEntry));
  const recomputed = { ballotCount: ballots.size, counts, ballotsRoot: root };
  let onChain: PollVerification['onChain'];
  if (tally.success && tally.data.done) {
    onChain = { ballotCount: tally.data.ballotCount, counts: tally.data.counts, ballotsRoot: tally.data.ballotsRoot };
    for (const field of ['ballotCount', 'counts', 'ballotsRoot'] as const) {
      if (canonicalJson(onChain[field]) !== canonicalJson(recomputed[field])) {
        failures.push(`poll ${pollId}: ${field} on the chain is ${canonicalJson(onChain[field])}, recomputed ${canonicalJson(recomputed[field])}`);
      }
    }
  } else if (tallyEntry !== undefined && !tally.success) {
    failures.push(`poll ${pollId}'s tally record does not fit the protocol`);
  } else if (poll.success && poll.data.status === 'tallied') {
    failures.push(`poll ${pollId} is marked tallied but has no final tally record`);
  } else {
    notes.push(`poll ${pollId} is ${poll.success ? poll.data.status : 'unknown'}: no final result on the chain yet to compare with`);
  }
  const matches = onChain !== undefined && failures.length === 0;
  return { verification: { pollId, ...recomputed, ...(onChain === undefined ? {} : { onChain }), matches }, failures, notes, ballots };
}

function emptyCounts(poll: Poll | undefined): Counts {
  const counts: Counts = {};
  for (const q of poll?.questions ?? []) counts[q.id] = Object.fromEntries(q.options.map((o) => [o.id, 0]));
  return counts;
}

/** The ballot at `key`, or why it cannot be counted. */
function ballotProblem(key: string, entry: StateEntry, pollId: string, ctx: PollContext): Ballot | string {
  const parsedKey = parseKey(key);
  const short = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  const record = BallotSchema.safeParse(json(entry));
  if (parsedKey.kind !== 'ballot' || !record.success) return `${short}: not a ballot record of the protocol`;
  const ballot = record.data;
  if (ballot.pollId !== pollId || ballot.ballotId !== parsedKey.ballotId) return `${short}: the record names another poll or ballot`;
  if (ballotHash(ballot, ctx.crypto) !== ballot.ballotHash) return `${short}: its ballotHash is not the hash of its content`;
  const writer = ctx.writerOf(entry.version);
  if (writer?.txId !== ballot.txId) return `${short}: written by transaction ${writer?.txId.slice(0, 12) ?? '?'}…, but the record names ${ballot.txId.slice(0, 12)}…`;
  if (writer.timestamp !== ballot.castAt) return `${short}: castAt ${ballot.castAt} is not its transaction's timestamp ${writer.timestamp ?? '?'}`;
  return ballot;
}
