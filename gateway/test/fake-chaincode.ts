import type { BallotOutcome, BallotRequest, CastBallotResult, ErrorPayload } from '@poll-ledger/protocol';
import type { CommitStatus, SubmitOptions, SubmitResult, TxRequest } from '../src/domain/ledger';
import { CommitPendingError, TransactionInvalidError, refusalOf } from '../src/errors';
import { bytes, fakeLedger, hexOf, type FakeLedger } from './fakes';

/**
 * A LedgerClient over a small model of the polls chaincode's ballots (CastBallot and CastBallots of poll p1, re-vote
 * policy none), with Fabric's commit rules: a transaction's writes apply once it commits VALID, and it commits
 * MVCC_READ_CONFLICT when a ballot key it read changed after its endorsement. Tests decide what happens to each
 * transaction after endorsement (`plan`), and count how often each voter's ballot was written: a ballot counted
 * twice shows as 2.
 */

type Fate = 'commit' | 'pending' | 'lost';

interface Stored {
  readonly requestId: string;
  readonly txId: string;
  readonly position?: number;
  readonly version: number;
}

interface Endorsed {
  readonly txId: string;
  readonly result: Uint8Array;
  readonly reads: ReadonlyMap<string, number>;
  readonly writes: readonly { readonly voter: string; readonly requestId: string; readonly position?: number }[];
}

export interface FakeCastLedger {
  readonly ledger: FakeLedger;
  /** Writes per voter token. */
  readonly writes: Map<string, number>;
  /** The fate of the next transactions that write something, in order; 'commit' once empty. */
  readonly plan: Fate[];
  /** Every transaction endorsed: its name and ballots (voter tokens). */
  readonly endorsed: { readonly name: string; readonly voters: readonly string[] }[];
  pollOpen: boolean;
  /** While set, every submit waits for it before its endorsement (a slow peer). */
  gate?: Promise<void>;
  /** Runs after a transaction's endorsement and before its commit: a racing replica's write goes here. */
  beforeCommit?: () => void;
  /** Commits a transaction left pending (the orderer had it after all). */
  commit(txId: string): CommitStatus;
  /** Writes a ballot of `voter` as another gateway's transaction would. */
  writeElsewhere(voter: string, requestId: string): void;
}

const INVALID_ANSWER: ErrorPayload = { code: 'INVALID_ANSWER', message: 'the question has no such option', details: { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'bad' } };

export function fakeCastLedger(options: { readonly now?: () => number } = {}): FakeCastLedger {
  const ledger = fakeLedger();
  const stored = new Map<string, Stored>();
  const statuses = new Map<string, CommitStatus>();
  const waiting = new Map<string, { endorsed: Endorsed; fate: Fate }>();
  let transactions = 0;
  let block = 10;

  const receipt = (ballot: BallotRequest, txId: string, duplicate: boolean, position?: number): CastBallotResult => ({
    pollId: 'p1',
    ballotId: ballot.voterToken,
    ballotHash: hexOf(`hash ${ballot.requestId}`),
    txId,
    replaced: false,
    duplicate,
    ...(position === undefined ? {} : { position }),
  });

  /** One ballot's outcome at endorsement, and what it would write. */
  function decide(ballot: BallotRequest, txId: string, position: number | undefined, reads: Map<string, number>): BallotOutcome {
    const existing = stored.get(ballot.voterToken);
    reads.set(ballot.voterToken, existing?.version ?? 0);
    if (existing?.requestId === ballot.requestId) return { receipt: receipt(ballot, existing.txId, true, existing.position) };
    if (JSON.stringify(ballot.answers).includes('"bad"')) return { error: INVALID_ANSWER };
    if (existing) return { error: { code: 'ALREADY_VOTED', message: 'this voter has already voted in poll p1' } };
    return { receipt: receipt(ballot, txId, false, position) };
  }

  function endorse(request: TxRequest): Endorsed {
    const txId = hexOf(`tx ${String(++transactions)}`);
    const reads = new Map<string, number>();
    if (request.name === 'CastBallot') {
      const [, voterToken = '', answers = '{}', requestId = '', requestedAt = ''] = request.args;
      const ballot = { voterToken, answers: JSON.parse(answers) as unknown, requestId, requestedAt };
      fake.endorsed.push({ name: request.name, voters: [voterToken] });
      if (!fake.pollOpen && stored.get(voterToken)?.requestId !== requestId) throw refusalOf({ code: 'POLL_NOT_OPEN', message: 'poll p1 is not open' });
      const outcome = decide(ballot, txId, undefined, reads);
      if ('error' in outcome) throw refusalOf(outcome.error);
      const writes = outcome.receipt.duplicate ? [] : [{ voter: voterToken, requestId }];
      return { txId, result: bytes(outcome.receipt), reads, writes };
    }
    const ballots = JSON.parse(request.args[1] ?? '[]') as BallotRequest[];
    fake.endorsed.push({ name: request.name, voters: ballots.map((ballot) => ballot.voterToken) });
    if (!fake.pollOpen) throw refusalOf({ code: 'POLL_NOT_OPEN', message: 'poll p1 is not open' });
    const outcomes = ballots.map((ballot, position) => {
      const repeated = ballots.slice(0, position).some((earlier) => earlier.voterToken === ballot.voterToken);
      if (repeated) return { error: { code: 'INVALID_ARGUMENT', message: 'a voter twice in one call' } } satisfies BallotOutcome;
      return decide(ballot, txId, position, reads);
    });
    const writes = outcomes.flatMap((outcome, position) => {
      const ballot = ballots[position];
      return 'receipt' in outcome && !outcome.receipt.duplicate && ballot ? [{ voter: ballot.voterToken, requestId: ballot.requestId, position }] : [];
    });
    return { txId, result: bytes({ pollId: 'p1', txId, outcomes }), reads, writes };
  }

  function apply(endorsed: Endorsed): CommitStatus {
    const known = statuses.get(endorsed.txId);
    if (known) return known;
    fake.beforeCommit?.();
    const conflict = [...endorsed.reads].some(([voter, version]) => (stored.get(voter)?.version ?? 0) !== version);
    const status: CommitStatus = conflict
      ? { txId: endorsed.txId, validationCode: 11, validationCodeName: 'MVCC_READ_CONFLICT', valid: false, blockNumber: ++block }
      : { txId: endorsed.txId, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: ++block };
    if (!conflict) for (const write of endorsed.writes) store(write.voter, write.requestId, endorsed.txId, write.position);
    statuses.set(endorsed.txId, status);
    waiting.delete(endorsed.txId);
    return status;
  }

  function store(voter: string, requestId: string, txId: string, position?: number): void {
    const version = (stored.get(voter)?.version ?? 0) + 1;
    stored.set(voter, { requestId, txId, version, ...(position === undefined ? {} : { position }) });
    fake.writes.set(voter, (fake.writes.get(voter) ?? 0) + 1);
  }

  async function submit(request: TxRequest, submitOptions: SubmitOptions = {}): Promise<SubmitResult> {
    await (fake.gate ?? Promise.resolve());
    for (let attempt = 0; ; attempt++) {
      const endorsed = endorse(request);
      if (submitOptions.skipCommitIf?.(endorsed.result)) return { result: endorsed.result, txId: endorsed.txId };
      const fate = fake.plan.shift() ?? 'commit';
      if (fate !== 'commit') {
        waiting.set(endorsed.txId, { endorsed, fate });
        const prepared = { envelope: Buffer.from(endorsed.txId), result: endorsed.result, proposedAt: (options.now ?? Date.now)() };
        throw new CommitPendingError(endorsed.txId, { prepared });
      }
      const status = apply(endorsed);
      if (status.valid) return { result: endorsed.result, txId: endorsed.txId, blockNumber: status.blockNumber };
      // As fabric/submit.ts does: a new proposal after a read conflict, unless the caller re-proposes itself.
      if (submitOptions.retryReadConflicts === false || attempt >= 2) throw new TransactionInvalidError(endorsed.txId, status.validationCodeName, true);
    }
  }

  const fake: FakeCastLedger = {
    ledger,
    writes: new Map(),
    plan: [],
    endorsed: [],
    pollOpen: true,
    commit: (txId) => {
      const entry = waiting.get(txId);
      if (!entry) throw new Error(`no transaction ${txId} waits`);
      return apply(entry.endorsed);
    },
    writeElsewhere: (voter, requestId) => {
      const txId = hexOf(`elsewhere ${voter}`);
      store(voter, requestId, txId);
      statuses.set(txId, { txId, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: ++block });
    },
  };
  ledger.submit.callsFake(submit);
  ledger.commitStatus.callsFake((_role: unknown, txId: string) => Promise.resolve(statuses.get(txId)));
  // The orderer lost a 'lost' transaction; a 'pending' one commits when sent again.
  ledger.resubmit.callsFake((_role: unknown, envelope: Uint8Array) => {
    const entry = waiting.get(Buffer.from(envelope).toString());
    return Promise.resolve(entry?.fate === 'pending' ? apply(entry.endorsed) : undefined);
  });
  return fake;
}
