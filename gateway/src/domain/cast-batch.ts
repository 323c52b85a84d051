import { Args, type BallotOutcome, type BallotRequest, type CastBallotResult, type CastBallotsResult } from '@poll-ledger/protocol';
import { ApiError, ChaincodeError, CommitPendingError, LedgerBadResponseError, TransactionInvalidError, type ResponseIssue, refusalOf } from '../errors';
import type { Role } from '../roles';
import type { BatchInstruments, SendBallots } from './ballot-batches';
import { castBallotRequest, castOne, earlierReceipt, receiptOf, type CastOutcome } from './cast';
import { Chaincode, decodeResult, type Submitted } from './chaincode';
import type { LedgerClient, TxRequest } from './ledger';
import { RenewalPendingError, type Renewed, type Renewer } from './pending';
import type { PendingRecord } from './state';

/**
 * CastBallots: many ballots of one poll in one transaction, each with its own outcome (a receipt, or its own
 * refusal, which wrote nothing). The sender that answers each ballot, the renewal of a kept transaction (domain/
 * pending.ts), and each ballot's outcome read back from the kept records.
 */

export const CAST_BALLOTS = 'CastBallots';

type Settled = PromiseSettledResult<CastOutcome>;
type Receipted = Extract<BallotOutcome, { receipt: unknown }>;

const rejected = (reason: unknown): Settled => ({ status: 'rejected', reason });
const settled = (work: Promise<CastOutcome>): Promise<Settled> => work.then((value): Settled => ({ status: 'fulfilled', value }), rejected);

/** A ballot the transaction writes: a receipt that is no duplicate. */
function isWritten(outcome: BallotOutcome | undefined): outcome is Receipted {
  return outcome !== undefined && 'receipt' in outcome && !outcome.receipt.duplicate;
}

/** Nothing to order: every ballot is a duplicate or refused (skipCommitIf). */
function writesNothing(result: CastBallotsResult): boolean {
  return !result.outcomes.some(isWritten);
}

/** A written ballot's receipt with its position, which is its index in the transaction's ballots. */
function positioned(outcome: Receipted, position: number): Receipted {
  return { receipt: { ...outcome.receipt, position: outcome.receipt.position ?? position } };
}

/** One outcome per ballot, each receipt of that ballot's voter: else the answer is not the protocol's. */
function checkOutcomes(result: CastBallotsResult, ballots: readonly BallotRequest[]): void {
  const issues: ResponseIssue[] = [];
  if (result.outcomes.length !== ballots.length) issues.push({ path: 'outcomes', message: `${result.outcomes.length} outcomes for ${ballots.length} ballots` });
  result.outcomes.forEach((outcome, index) => {
    if ('receipt' in outcome && outcome.receipt.ballotId !== ballots[index]?.voterToken) {
      issues.push({ path: `outcomes.${index}.receipt.ballotId`, message: 'is not the voter token of the ballot at this index' });
    }
  });
  if (issues.length > 0) throw new LedgerBadResponseError(CAST_BALLOTS, issues);
}

/** The poll and ballots of a kept CastBallots request. */
export function batchOf(request: TxRequest): { readonly pollId: string; readonly ballots: readonly BallotRequest[] } {
  const [pollId, ballotsJson] = request.args;
  const ballots = ballotsJson === undefined ? undefined : Args.ballotsJson.safeParse(ballotsJson);
  if (request.args.length !== 2 || pollId === undefined || !ballots?.success) {
    throw new ApiError('INTERNAL', 'a kept CastBallots request does not have its poll and ballots');
  }
  return { pollId, ballots: ballots.data };
}

function ballotsArgs(pollId: string, ballots: readonly BallotRequest[]): [string, string] {
  return [pollId, JSON.stringify(ballots)];
}

interface Attempt {
  /** The endorsed result, once there was one. */
  readonly endorsed?: CastBallotsResult;
  readonly submitted?: Submitted<'CastBallots'>;
  readonly error?: unknown;
}

/** One CastBallots transaction; a read conflict is not retried here (the caller re-proposes what must be). */
async function attempt(chaincode: Chaincode, role: Role, pollId: string, ballots: readonly BallotRequest[]): Promise<Attempt> {
  const seen: { endorsed?: CastBallotsResult } = {};
  try {
    const submitted = await chaincode.submit(role, CAST_BALLOTS, ballotsArgs(pollId, ballots), {
      retryReadConflicts: false,
      skipCommitIf: (result) => {
        checkOutcomes(result, ballots);
        seen.endorsed = result;
        return writesNothing(result);
      },
    });
    return { endorsed: submitted.result, submitted };
  } catch (error) {
    // A transaction whose fate is unknown carries its endorsed result: the ballots are answered from it (202 each at
    // its position) even when the ledger never ran skipCommitIf (a ledger that fails between endorse and the check).
    if (seen.endorsed === undefined && error instanceof CommitPendingError && error.prepared !== undefined) {
      const endorsed = decodeResult(CAST_BALLOTS, error.prepared.result);
      checkOutcomes(endorsed, ballots);
      return { endorsed, error };
    }
    return { ...seen, error };
  }
}

function isReadConflict(error: unknown): boolean {
  return error instanceof TransactionInvalidError && error.code === 'LEDGER_CONFLICT';
}

/** A written ballot's answer: its receipt once committed, else the transaction's error (202 with its position). */
function writtenAnswer(outcome: Receipted, position: number, done: Attempt): Settled {
  const blockNumber = done.submitted?.blockNumber;
  if (blockNumber !== undefined) return { status: 'fulfilled', value: { receipt: receiptOf(positioned(outcome, position).receipt, blockNumber), replayed: false } };
  const { error } = done;
  return rejected(error instanceof CommitPendingError ? new CommitPendingError(error.txId, { cause: error, position }) : error);
}

export interface SenderOptions {
  /** How long to wait for the commit status of an earlier, duplicate ballot. */
  readonly statusWaitMs: number;
  /** New transactions, each of the ballots the invalidated one would have written, after a read conflict. */
  readonly mvccRetries: number;
  readonly instruments?: Pick<BatchInstruments, 'reproposed'>;
}

/**
 * Sends CastBallots transactions over `ledger` (the adopting ledger: a transaction whose outcome is unknown is kept
 * before its ballots are answered 202) and answers each ballot as CastBallot would have: a refusal with its own
 * ChaincodeError, a duplicate with its earlier receipt (no ordering), a written ballot with its receipt (and
 * position) once committed. A refusal of the whole transaction goes to every ballot, except POLL_NOT_OPEN: then each
 * ballot is cast alone, because CastBallot recognises a retried request before it checks the poll, and
 * CastBallots checks the poll first. After a read conflict only the ballots the invalidated transaction would
 * have written are sent again; the others were answered from its endorsement, which no commit changes.
 */
export function castBallotsSender(ledger: LedgerClient, options: SenderOptions): SendBallots {
  const chaincode = new Chaincode(ledger);
  const duplicate = (role: Role, cast: CastBallotResult) =>
    settled(earlierReceipt(ledger, role, cast, options.statusWaitMs).then((receipt) => ({ receipt, replayed: true })));
  return async (role, pollId, ballots) => {
    const answers: Promise<Settled>[] = [];
    let todo = ballots.map((ballot, index) => ({ ballot, index }));
    for (let round = 0; todo.length > 0; round++) {
      const sent = todo.map(({ ballot }) => ballot);
      const done = await attempt(chaincode, role, pollId, sent);
      const { endorsed, error } = done;
      if (!endorsed) {
        const alone = error instanceof ChaincodeError && error.code === 'POLL_NOT_OPEN';
        for (const { ballot, index } of todo) {
          answers[index] = alone ? settled(castOne(ledger, castBallotRequest(role, pollId, ballot), options.statusWaitMs)) : Promise.resolve(rejected(error));
        }
        break;
      }
      const retry = isReadConflict(error) && round < options.mvccRetries;
      const again: typeof todo = [];
      todo.forEach((item, position) => {
        // checkOutcomes made sure there is one outcome per ballot sent.
        const outcome = endorsed.outcomes[position];
        if (outcome === undefined) return;
        if ('error' in outcome) answers[item.index] = Promise.resolve(rejected(refusalOf(outcome.error)));
        else if (outcome.receipt.duplicate) answers[item.index] = duplicate(role, outcome.receipt);
        else if (retry) again.push(item);
        else answers[item.index] = Promise.resolve(writtenAnswer(outcome, position, done));
      });
      if (again.length > 0) options.instruments?.reproposed(again.length);
      todo = again;
    }
    return Promise.all(answers);
  };
}

/**
 * Endorses a kept CastBallots anew (domain/pending.ts) with the ballots its transaction would have written (the
 * others were answered from its endorsement and are never sent again). The chaincode's request ids make each count
 * at most once: a ballot the old transaction (or a retry) did write answers as a duplicate. The result is aligned
 * with the record's ballots: the renewal's outcome for each ballot it carried, the record's own for the others. A
 * renewal whose outcome is unknown is kept with its own request (RenewalPendingError). When the renewal wrote
 * nothing (every ballot a duplicate or refused) it was never ordered and has no block: 0, which no receipt takes
 * (a duplicate's receipt names its own transaction).
 */
export function castBallotsRenewer(ledger: LedgerClient): Renewer {
  const chaincode = new Chaincode(ledger);
  return async (record: PendingRecord): Promise<Renewed> => {
    const { role } = record.request;
    const { pollId, ballots } = batchOf(record.request);
    const kept = decodeResult(CAST_BALLOTS, record.result).outcomes;
    const carried = ballots.filter((_, index) => isWritten(kept[index]));
    const args = ballotsArgs(pollId, carried);
    let renewed: Submitted<'CastBallots'>;
    try {
      renewed = await chaincode.submit(role, CAST_BALLOTS, args, {
        skipCommitIf: (result) => {
          checkOutcomes(result, carried);
          return writesNothing(result);
        },
      });
    } catch (err) {
      if (err instanceof CommitPendingError && err.prepared) throw new RenewalPendingError({ role, name: CAST_BALLOTS, args }, err);
      throw err;
    }
    const fresh = renewed.result.outcomes.map((outcome, position) => (isWritten(outcome) ? positioned(outcome, position) : outcome));
    let next = 0;
    const outcomes = kept.map((outcome) => (isWritten(outcome) ? (fresh[next++] ?? outcome) : outcome));
    const result: CastBallotsResult = { pollId, txId: renewed.txId, outcomes };
    return { txId: renewed.txId, blockNumber: renewed.blockNumber ?? 0, result: Buffer.from(JSON.stringify(result)) };
  };
}

/** Where one ballot of a kept CastBallots stands. */
export type KeptBallot =
  /** Its receipt; `blockNumber` when its transaction is the one the gateway saw commit, else ask the peer. */
  | { readonly outcome: 'receipt'; readonly cast: CastBallotResult; readonly blockNumber?: number }
  | { readonly outcome: 'refused'; readonly error: ChaincodeError }
  | { readonly outcome: 'failed'; readonly code: string; readonly message: string }
  | { readonly outcome: 'pending' };

/** The index of the ballot of `requestId` in a kept CastBallots request, or undefined. */
export function indexOfRequest(request: TxRequest, requestId: string): number | undefined {
  const index = batchOf(request).ballots.findIndex((ballot) => ballot.requestId === requestId);
  return index < 0 ? undefined : index;
}

function fromOutcome(outcome: BallotOutcome, blockNumber?: number): KeptBallot {
  if ('error' in outcome) return { outcome: 'refused', error: refusalOf(outcome.error) };
  return blockNumber === undefined ? { outcome: 'receipt', cast: outcome.receipt } : { outcome: 'receipt', cast: outcome.receipt, blockNumber };
}

/**
 * The outcome of the ballot of `requestId` along a kept CastBallots and its renewals (PendingTransactions.lookup),
 * undefined when the records do not hold it. A ballot refused or found a duplicate at a transaction's endorsement
 * was answered then and is not carried further; a written one is carried by each renewal until one resolves.
 */
export function keptBallot(chain: readonly PendingRecord[], requestId: string): KeptBallot | undefined {
  for (const record of chain) {
    const index = indexOfRequest(record.request, requestId);
    if (index === undefined) return undefined;
    const endorsed = decodeResult(CAST_BALLOTS, record.result).outcomes[index];
    if (endorsed === undefined) return undefined;
    if (!isWritten(endorsed)) return fromOutcome(endorsed);
    const { resolution } = record;
    if (!resolution) return { outcome: 'pending' };
    if (resolution.outcome === 'failed') return { outcome: 'failed', code: resolution.code, message: resolution.message };
    if (resolution.outcome === 'committed') {
      const outcome = decodeResult(CAST_BALLOTS, resolution.result).outcomes[index];
      if (outcome === undefined) return undefined;
      const ownBlock = 'receipt' in outcome && outcome.receipt.txId === resolution.txId;
      return fromOutcome(isWritten(outcome) ? positioned(outcome, index) : outcome, ownBlock ? resolution.blockNumber : undefined);
    }
  }
  return { outcome: 'pending' };
}
