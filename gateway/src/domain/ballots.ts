import { createHash, createHmac } from 'node:crypto';
import type { CastBallotResult } from '@poll-ledger/protocol';
import { z } from 'zod';
import { ApiError, ChaincodeError, CommitPendingError, TransactionInvalidError } from '../errors';
import type { Role } from '../roles';
import { Chaincode, decodeResult, type ArgsOf } from './chaincode';
import type { Attempt, IdempotencyStore } from './idempotency';
import type { LedgerClient, TxRequest } from './ledger';
import type { PendingTransactions, Renewed, Renewer } from './pending';
import { type AnswersIn, type Ballot, type BallotIn, type Receipt, ReceiptSchema, VOTED_AT_MAX_SKEW_MS } from './schemas';

/** The authenticated API key behind a request. */
export interface Caller {
  readonly keyId: string;
  readonly role: Role;
}

export interface CastOutcome {
  readonly receipt: Receipt;
  /** True when this is the receipt of a ballot cast earlier with the same Idempotency-Key. */
  readonly replayed: boolean;
}

/** How a CastOutcome is kept in the shared state (read back through it, never cast). */
export const CastOutcomeSchema: z.ZodType<CastOutcome> = z.object({ receipt: ReceiptSchema, replayed: z.boolean() });

/** The receipt of a CastBallot result whose transaction (the result's own txId) is in block `blockNumber`. */
export function receiptOf(cast: CastBallotResult, blockNumber: number): Receipt {
  return { pollId: cast.pollId, ballotId: cast.ballotId, txId: cast.txId, blockNumber, ballotHash: cast.ballotHash };
}

const CAST_ARGS = 5;

function castArgs(args: readonly string[]): ArgsOf<'CastBallot'> {
  const [pollId, ballotId, answers, requestId, requestedAt] = args;
  if (args.length !== CAST_ARGS || requestedAt === undefined || pollId === undefined || ballotId === undefined || answers === undefined || requestId === undefined) {
    throw new ApiError('INTERNAL', 'a kept CastBallot request does not have its five arguments');
  }
  return [pollId, ballotId, answers, requestId, requestedAt];
}

/**
 * Casts a ballot and waits for it on the ledger. A duplicate (the ledger holds a ballot of this request id) wrote
 * nothing: its receipt is the earlier transaction's, so there is nothing to order.
 */
async function submitCast(ledger: LedgerClient, request: TxRequest, statusWaitMs: number): Promise<{ cast: CastBallotResult; blockNumber: number }> {
  const submitted = await new Chaincode(ledger).submit(request.role, 'CastBallot', castArgs(request.args), { skipCommitIf: (result) => result.duplicate });
  const cast = submitted.result;
  if (submitted.blockNumber !== undefined) return { cast, blockNumber: submitted.blockNumber };
  // The chaincode found the earlier ballot, so its transaction has committed.
  const status = await ledger.commitStatus(request.role, cast.txId, statusWaitMs);
  if (!status) throw new CommitPendingError(cast.txId);
  return { cast, blockNumber: status.blockNumber };
}

/** Endorses a kept CastBallot anew (domain/pending.ts); the chaincode's request id makes it count at most once. */
export function castBallotRenewer(ledger: LedgerClient, statusWaitMs: number): Renewer {
  return async (request): Promise<Renewed> => {
    const { cast, blockNumber } = await submitCast(ledger, request, statusWaitMs);
    return { txId: cast.txId, blockNumber, result: Buffer.from(JSON.stringify(cast)) };
  };
}

/** The per-poll pseudonym of a citizen: HMAC-SHA256(secret, pollId ‖ NUL ‖ citizenId), hex. */
export function voterToken(secret: string, pollId: string, citizenId: string): string {
  return createHmac('sha256', secret).update(`${pollId}\u0000${citizenId}`, 'utf8').digest('hex');
}

/**
 * The requestId stored with the ballot on the ledger: HMAC-SHA256(secret, "poll-ledger:request-id" ‖ NUL
 * ‖ callerKeyId ‖ NUL ‖ idempotencyKey), hex. Keyed, because every channel member can read it and a
 * caller may derive Idempotency-Keys from citizen data (a plain hash could be reversed by dictionary);
 * domain-separated from the voter token, which uses the same secret. Scoped to the caller's key so that
 * two callers cannot collide on the same Idempotency-Key.
 */
export function requestIdFor(secret: string, callerKeyId: string, idempotencyKey: string): string {
  return createHmac('sha256', secret).update(`poll-ledger:request-id\u0000${callerKeyId}\u0000${idempotencyKey}`, 'utf8').digest('hex');
}

/**
 * Whether a failed cast may still be (or become) recorded on the ledger: everything except a refusal
 * at endorsement and a transaction committed as invalid. Its fingerprint is then kept, so the key
 * cannot be reused for different answers while the first transaction may yet commit.
 */
function mayHaveBeenRecorded(err: unknown): boolean {
  return !(err instanceof ChaincodeError || err instanceof TransactionInvalidError);
}

function sha256hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Answers with sorted question ids and option ids, as the chaincode canonicalises them. */
function canonicalAnswers(answers: AnswersIn): string {
  const sorted = Object.keys(answers)
    .sort()
    .map((question) => [question, [...(answers[question] ?? [])].sort()]);
  return JSON.stringify(sorted);
}

export interface BallotOptions {
  readonly voterTokenSecret: string;
  /** How long to wait for the commit status of an earlier, duplicate ballot. */
  readonly statusWaitMs: number;
  readonly now?: () => number;
}

export class BallotService {
  readonly #ledger: LedgerClient;
  readonly #chaincode: Chaincode;
  readonly #store: IdempotencyStore<CastOutcome>;
  readonly #pending: PendingTransactions | undefined;
  readonly #options: BallotOptions;

  /** `pending` is how an earlier attempt whose outcome was unknown is looked up (the gateway owns it). */
  constructor(ledger: LedgerClient, store: IdempotencyStore<CastOutcome>, options: BallotOptions, pending?: PendingTransactions) {
    this.#ledger = ledger;
    this.#chaincode = new Chaincode(ledger);
    this.#store = store;
    this.#options = options;
    this.#pending = pending;
  }

  /**
   * Casts once per (caller, Idempotency-Key); repeats get the first receipt. The ballot is dated by the platform's
   * votedAt when it sends one, else by the time this gateway first saw the key, on every retry alike: the chaincode
   * refuses (SUPERSEDED) a ballot dated before the voter's recorded one, so a late retry cannot undo a later choice.
   */
  async cast(caller: Caller, pollId: string, ballot: BallotIn, idempotencyKey: string): Promise<CastOutcome> {
    const ballotId = voterToken(this.#options.voterTokenSecret, pollId, ballot.citizenId);
    const requestId = requestIdFor(this.#options.voterTokenSecret, caller.keyId, idempotencyKey);
    const fingerprint = sha256hex(`${pollId}\u0000${ballotId}\u0000${canonicalAnswers(ballot.answers)}`);
    const votedAt = ballot.votedAt === undefined ? undefined : this.#votedAt(ballot.votedAt);
    const outcome = await this.#store.run(
      requestId,
      fingerprint,
      (attempt) => this.#attempt(attempt, caller.role, pollId, ballotId, ballot.answers, requestId, votedAt),
      { mayHaveTakenEffect: mayHaveBeenRecorded, firstAt: votedAt },
    );
    return { receipt: outcome.value.receipt, replayed: outcome.replayed || outcome.value.replayed };
  }

  /**
   * The platform's votedAt in milliseconds: refused beyond the allowed skew into the future, else at most now (the
   * chaincode refuses a requestedAt after the transaction's timestamp, which is this gateway's clock).
   */
  #votedAt(votedAt: string): number {
    const at = Date.parse(votedAt);
    const now = this.#now();
    if (at > now + VOTED_AT_MAX_SKEW_MS) {
      const issue = { in: 'body', path: 'votedAt', code: 'custom', message: 'must not be in the future' };
      throw new ApiError('INVALID_ARGUMENT', 'invalid request body', { issues: [issue] });
    }
    return Math.min(at, now);
  }

  async #attempt(
    attempt: Attempt,
    role: Role,
    pollId: string,
    ballotId: string,
    answers: AnswersIn,
    requestId: string,
    votedAt: number | undefined,
  ): Promise<CastOutcome> {
    if (attempt.pendingTxId !== undefined) {
      const earlier = await this.#earlier(attempt.pendingTxId);
      if (earlier) return earlier;
    }
    // Never after now: the chaincode refuses a requestedAt after the proposal's timestamp (should the clock step back).
    const dated = new Date(Math.min(votedAt ?? attempt.firstAt, this.#now())).toISOString();
    const request: TxRequest = { role, name: 'CastBallot', args: [pollId, ballotId, JSON.stringify(answers), requestId, dated] };
    const { cast, blockNumber } = await submitCast(this.#ledger, request, this.#options.statusWaitMs);
    // A superseded duplicate (the voter re-voted since) still answers with this request's own receipt.
    return { receipt: receiptOf(cast, blockNumber), replayed: cast.duplicate };
  }

  /**
   * The outcome of an earlier attempt the gateway answered 202 for: its receipt once committed, 202 again while it
   * is still being seen through, undefined when it failed for good (then the request is cast anew).
   */
  async #earlier(txId: string): Promise<CastOutcome | undefined> {
    const owned = await this.#pending?.lookup(txId);
    const resolution = owned?.last.resolution;
    if (!owned) return undefined;
    if (!resolution) throw new CommitPendingError(owned.first.txId);
    if (resolution.outcome !== 'committed') return undefined;
    return { receipt: receiptOf(decodeResult('CastBallot', resolution.result), resolution.blockNumber), replayed: true };
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  get(role: Role, pollId: string, ballotId: string): Promise<Ballot> {
    return this.#chaincode.query(role, 'GetBallot', [pollId, ballotId]);
  }
}
